import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';

import {
  CacheManager,
  CacheManagerModule,
  CacheManagerService,
  type CacheEventMap,
  type CacheEventName,
} from '../../lib/index.js';
import { EVICTED } from '../../lib/core/cache.messages.js';
import { TestClock } from '../support/test-clock.js';
import { spyLogger } from '../support/test-loggers.js';

/** A hand-driven clock: time moves only when a test says so. */
function makeCache(options: { maxEntries?: number } = {}) {
  const clock = new TestClock();
  const logger = spyLogger();
  const cache = new CacheManager({ cleanupInterval: 0, clock: clock.read, logger, ...options });
  return { cache, clock, logger };
}

/** Records every payload of `event`. */
function record<E extends CacheEventName>(cache: CacheManager, event: E): CacheEventMap[E][] {
  const seen: CacheEventMap[E][] = [];
  cache.on(event, (payload) => seen.push(payload));
  return seen;
}

describe('cache events', () => {
  it('hit: a FRESH read, with the key, category and age', () => {
    const { cache, clock } = makeCache();
    const hits = record(cache, 'hit');
    cache.set('users', ['alice'], { ttl: 60, category: 'resonite_data' });
    clock.advanceSeconds(12);
    cache.get('users');
    cache.getData('users');
    expect(hits).toEqual([
      { key: 'users', category: 'resonite_data', ageSeconds: 12 },
      { key: 'users', category: 'resonite_data', ageSeconds: 12 },
    ]);
  });

  it('staleHit: a STALE entry served on request, and no hit event for it', () => {
    const { cache, clock } = makeCache();
    const hits = record(cache, 'hit');
    const staleHits = record(cache, 'staleHit');
    cache.set('status', 'ok', { ttl: 30, category: 'container_status' });
    clock.advanceSeconds(45);
    cache.get('status', { includeStale: true });
    expect(staleHits).toEqual([{ key: 'status', category: 'container_status', ageSeconds: 45 }]);
    expect(hits).toEqual([]);
  });

  it('miss: with the reason (absent, stale, expired, invalid)', () => {
    const { cache, clock } = makeCache();
    const misses = record(cache, 'miss');
    cache.get('never-set');
    cache.set('a', 1, { ttl: 10 });
    cache.set('b', 2, { ttl: 100 });
    cache.invalidate('b');
    clock.advanceSeconds(15);
    cache.get('a'); // stale, not allowed
    cache.get('b');
    clock.advanceSeconds(10);
    cache.get('a', { includeStale: true }); // 25s > 2 × 10s
    expect(misses).toEqual([
      { key: 'never-set', reason: 'absent' },
      { key: 'a', reason: 'stale' },
      { key: 'b', reason: 'invalid' },
      { key: 'a', reason: 'expired' },
    ]);
  });

  it('set: each stored entry with its category and TTL, nothing for a rejected one', () => {
    const { cache } = makeCache();
    const sets = record(cache, 'set');
    cache.set('users', [1], { ttl: 120, category: 'resonite_data' });
    cache.set('plain', 1);
    cache.set('', 1); // rejected: empty key
    cache.set('fn', () => 1); // rejected: not JSON
    expect(sets).toEqual([
      { key: 'users', category: 'resonite_data', ttlSeconds: 120 },
      { key: 'plain', category: 'default', ttlSeconds: 300 },
    ]);
  });

  it('set: also for values cached by wrap', async () => {
    const { cache } = makeCache();
    const sets = record(cache, 'set');
    await cache.wrap('worlds', () => ['hub'], { ttl: 90, category: 'resonite_data' });
    expect(sets).toEqual([{ key: 'worlds', category: 'resonite_data', ttlSeconds: 90 }]);
  });

  it('eviction: the least recently used entry, when maxEntries is reached', () => {
    const { cache } = makeCache({ maxEntries: 2 });
    const evictions = record(cache, 'eviction');
    cache.set('a', 1, { category: 'temp_data' });
    cache.set('b', 2);
    cache.get('a'); // b is now the least recently used
    cache.set('c', 3);
    expect(evictions).toEqual([{ key: 'b', category: 'default' }]);
  });

  it('invalidation: by key, by category and on the entry itself', () => {
    const { cache } = makeCache();
    const invalidations = record(cache, 'invalidation');
    cache.set('u1', 1, { category: 'resonite_data' });
    cache.set('u2', 2, { category: 'resonite_data' });
    cache.set('s', 3, { category: 'container_status' });
    cache.invalidate('s');
    cache.invalidateCategory('resonite_data');
    cache.set('e', 4, { category: 'temp_data' });
    cache.get('e')!.invalidate();
    cache.invalidate('missing');
    expect(invalidations).toEqual([
      { key: 's', category: 'container_status' },
      { key: 'u1', category: 'resonite_data' },
      { key: 'u2', category: 'resonite_data' },
      { key: 'e', category: 'temp_data' },
    ]);
  });

  it('cleanup: how many entries were removed, by category; nothing when none was', () => {
    const { cache, clock } = makeCache();
    const cleanups = record(cache, 'cleanup');
    cache.set('m1', 1, { ttl: 10, category: 'system_metrics' });
    cache.set('m2', 2, { ttl: 10, category: 'system_metrics' });
    cache.set('u', 3, { ttl: 300, category: 'resonite_data' });
    cache.set('keep', 4, { ttl: 300, category: 'resonite_data' });
    cache.invalidate('u');
    clock.advanceSeconds(21);
    expect(cache.cleanup()).toBe(3);
    cache.cleanup();
    expect(cleanups).toEqual([{ removed: 3, byCategory: { system_metrics: 2, resonite_data: 1 } }]);
  });

  it('cleanup: emitted by the sliced automatic cleanup too', async () => {
    const { cache, clock } = makeCache();
    const cleanups = record(cache, 'cleanup');
    cache.set('t', 1, { ttl: 1, category: 'temp_data' });
    clock.advanceSeconds(3);
    await cache.cleanupInSlices();
    expect(cleanups).toEqual([{ removed: 1, byCategory: { temp_data: 1 } }]);
  });

  it('stops calling a listener once it is removed', () => {
    const { cache } = makeCache();
    const seen: string[] = [];
    const off = cache.on('set', ({ key }) => seen.push(key));
    cache.set('a', 1);
    off();
    off(); // removing twice is harmless
    cache.set('b', 2);
    expect(seen).toEqual(['a']);
  });

  it('calls every listener of an event, in the order they were added', () => {
    const { cache } = makeCache();
    const calls: string[] = [];
    cache.on('hit', () => calls.push('first'));
    cache.on('hit', () => calls.push('second'));
    cache.set('a', 1);
    cache.get('a');
    expect(calls).toEqual(['first', 'second']);
  });

  it('a listener that throws is logged and breaks neither the cache nor the other listeners', async () => {
    const { cache, clock, logger } = makeCache({ maxEntries: 1 });
    const events: CacheEventName[] = [
      'hit',
      'staleHit',
      'miss',
      'set',
      'eviction',
      'invalidation',
      'cleanup',
    ];
    const reached: string[] = [];
    for (const event of events) {
      cache.on(event, () => {
        throw new Error(`listener of ${event} failed`);
      });
      cache.on(event, () => reached.push(event));
    }

    expect(cache.set('a', { n: 1 })).toBe(true);
    expect(cache.getData('a')).toEqual({ n: 1 });
    expect(cache.get('absent')).toBeUndefined();
    expect(cache.set('b', 2)).toBe(true); // evicts a
    expect(cache.invalidate('b')).toBe(true);
    expect(cache.cleanup()).toBe(1);
    expect(await cache.wrap('c', () => 3, { ttl: 10 })).toBe(3);
    clock.advanceSeconds(15);
    expect(cache.getData('c', { includeStale: true })).toBe(3);

    expect(new Set(reached)).toEqual(
      new Set(['hit', 'staleHit', 'miss', 'set', 'eviction', 'invalidation', 'cleanup']),
    );
    expect(cache.getStats()).toMatchObject({
      totalEntries: 1,
      totalHits: 2,
      staleHits: 1,
      totalSets: 3,
      totalEvictions: 1,
      totalCleanups: 1,
    });
    expect(logger.error).toHaveBeenCalledWith(
      "A 'set' cache event listener threw",
      expect.stringContaining('listener of set failed'),
    );
  });

  it('works on the Nest CacheManagerService the same way', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheManagerModule.forRoot({ cleanupInterval: 0, statsController: false })],
    }).compile();
    await moduleRef.init();
    try {
      const cache = moduleRef.get(CacheManagerService);
      const sets = record(cache, 'set');
      cache.set('k', 1, { category: 'temp_data' });
      expect(sets).toEqual([{ key: 'k', category: 'temp_data', ttlSeconds: 300 }]);
    } finally {
      await moduleRef.close();
    }
  });
});

describe('listeners that read or write the cache', () => {
  /** Every key the cache lists holds an entry that reads back under that key. */
  function expectWhole(cache: CacheManager): void {
    const keys = cache.getKeys();
    expect(keys.every((key) => typeof key === 'string')).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    for (const [key, entry] of cache.getAllEntries()) expect(entry.key).toBe(key);
    expect(cache.getStats().totalEntries).toBe(keys.length);
  }

  it('an eviction listener that writes: every write kept, maxEntries held', () => {
    const { cache } = makeCache({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) cache.set(key, key);
    const evicted: string[] = [];
    let audits = 0;
    cache.on('eviction', ({ key }) => {
      evicted.push(key);
      if (audits < 2) cache.set(`audit-${audits++}`, key);
    });
    expect(cache.set('d', 'd')).toBe(true);
    expectWhole(cache);
    // d evicted a, audit-0 evicted b, audit-1 evicted c: each told once, after its write.
    expect(evicted).toEqual(['a', 'b', 'c']);
    expect(cache.getKeys()).toEqual(['d', 'audit-0', 'audit-1']);
    expect(cache.getData('audit-0')).toBe('a');
  });

  it('a hit listener that deletes the key: the read still returns the entry it found', () => {
    const { cache } = makeCache();
    cache.set('a', { v: 1 });
    cache.on('hit', ({ key }) => cache.delete(key));
    const entry = cache.get('a');
    expect(entry?.key).toBe('a');
    expect(entry?.data).toEqual({ v: 1 });
    cache.set('b', { v: 2 }); // may reuse a's slot: the entry read keeps its own copy
    expect(entry?.key).toBe('a');
    expect(entry?.data).toEqual({ v: 1 });
    expect(cache.getKeys()).toEqual(['b']);
    expectWhole(cache);
  });

  it('a miss listener that fills the key: the read is a miss, the next one a hit', () => {
    const { cache } = makeCache();
    cache.on('miss', ({ key }) => cache.set(key, 'warmed'));
    expect(cache.getData('a')).toBeUndefined();
    expect(cache.getData('a')).toBe('warmed');
    expectWhole(cache);
  });

  it('a set listener that deletes the key it heard of: the cache stays whole', () => {
    const { cache } = makeCache({ maxEntries: 2 });
    cache.on('set', ({ key }) => {
      if (key === 'b') cache.delete('b');
    });
    cache.set('a', 1);
    expect(cache.set('b', 2)).toBe(true);
    cache.set('c', 3);
    expect(cache.getKeys()).toEqual(['a', 'c']);
    expectWhole(cache);
  });
});

describe('listeners and debug lines, apart', () => {
  it('removing one listener keeps the others, and removing twice is harmless', () => {
    const { cache, logger } = makeCache();
    cache.set('k', 1);
    const first: string[] = [];
    const second: string[] = [];
    const offFirst = cache.on('hit', ({ key }) => first.push(key));
    cache.on('hit', ({ key }) => second.push(key));
    offFirst();
    offFirst();
    cache.get('k');
    expect(first).toEqual([]);
    expect(second).toEqual(['k']);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('removing the last listener leaves an event that nothing hears and nothing breaks', () => {
    const { cache, logger } = makeCache();
    const heard: string[] = [];
    const off = cache.on('set', ({ key }) => heard.push(key));
    off();
    off();
    cache.set('k', 1);
    expect(heard).toEqual([]);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('a hit heard by a listener writes no debug line unless debug is on', () => {
    const { cache, logger } = makeCache();
    cache.on('hit', () => undefined);
    cache.set('k', 1);
    cache.get('k');
    expect(logger.debug).not.toHaveBeenCalled();
  });

  it('an eviction writes its debug line with debug on, and none with it off', () => {
    for (const debug of [true, false]) {
      const logger = spyLogger();
      const cache = new CacheManager({ maxEntries: 1, cleanupInterval: 0, logger, debug });
      cache.set('a', 1);
      cache.set('b', 2);
      const evictionLines = logger.debug.mock.calls.filter(([line]) => line === EVICTED('a', 1));
      expect(evictionLines).toHaveLength(debug ? 1 : 0);
      if (!debug) expect(logger.debug).not.toHaveBeenCalled();
    }
  });
});
