import { afterEach, describe, expect, it, jest } from '@jest/globals';

import {
  CacheEntry,
  CacheManager,
  CacheStatus,
  type CacheManagerOptions,
} from '../../lib/index.js';
import {
  INVALID_CATEGORY,
  INVALID_KEY,
  INVALID_SET_OPTIONS,
  INVALID_TTL,
  NOT_JSON,
} from '../../lib/core/cache.messages.js';
import { TestClock } from '../support/test-clock.js';
import { spyLogger } from '../support/test-loggers.js';

const caches: CacheManager[] = [];
function makeCache(options: CacheManagerOptions = {}) {
  const clock = new TestClock();
  const logger = spyLogger();
  const cache = new CacheManager({ cleanupInterval: 0, clock: clock.read, logger, ...options });
  caches.push(cache);
  return { cache, clock, logger };
}

afterEach(() => {
  for (const cache of caches.splice(0)) cache.shutdown();
});

describe('CacheManager: storing and reading', () => {
  it('returns what was stored, with the entry fields of the seed', () => {
    const { cache, clock } = makeCache();
    const users = { users: [{ name: 'Alice', id: 'U-123' }], total: 1 };
    expect(
      cache.set('current_users', users, {
        ttl: 180,
        category: 'resonite_data',
        metadata: { command: 'users', world_id: 'world-1' },
      }),
    ).toBe(true);
    clock.advanceSeconds(1.5);
    const entry = cache.get('current_users');
    expect(entry).toBeInstanceOf(CacheEntry);
    expect(entry!.data).toEqual(users);
    expect(entry!.key).toBe('current_users');
    expect(entry!.ttlSeconds).toBe(180);
    expect(entry!.category).toBe('resonite_data');
    expect(entry!.metadata).toEqual({ command: 'users', world_id: 'world-1' });
    expect(entry!.timestamp).toEqual(new Date(clock.nowMs - 1500));
    expect(entry!.lastAccessed).toEqual(new Date(clock.nowMs));
    expect(entry!.accessCount).toBe(1);
    expect(entry!.getAgeSeconds()).toBe(1.5);
    expect(entry!.getRemainingTtl()).toBe(178.5);
    expect(entry!.status).toBe(CacheStatus.FRESH);
  });

  it('takes a ttl as a number, an object, or the default', () => {
    const { cache } = makeCache({ defaultTtl: 42 });
    cache.set('a', 1, 120);
    cache.set('b', 2, { ttl: 0.5 });
    cache.set('c', 3);
    cache.set('d', 4, { category: 'x' });
    expect(cache.get('a')!.ttlSeconds).toBe(120);
    expect(cache.get('b')!.ttlSeconds).toBe(0.5);
    expect(cache.get('c')!.ttlSeconds).toBe(42);
    expect(cache.get('c')!.category).toBe('default');
    expect(cache.get('c')!.metadata).toEqual({});
    expect(cache.get('d')!.ttlSeconds).toBe(42);
  });

  it('getData returns the data, undefined on a miss, and a cached null as null', () => {
    const { cache } = makeCache();
    cache.set('nothing', null);
    cache.set('zero', 0);
    cache.set('empty', '');
    expect(cache.getData('nothing')).toBeNull();
    expect(cache.getData('zero')).toBe(0);
    expect(cache.getData('empty')).toBe('');
    expect(cache.getData('missing')).toBeUndefined();
  });

  it('replaces an entry on a second set, with a new timestamp and access count', () => {
    const { cache, clock } = makeCache();
    cache.set('k', 'old', 10);
    cache.get('k');
    clock.advanceSeconds(5);
    cache.set('k', 'new', { ttl: 20, category: 'other' });
    const entry = cache.get('k')!;
    expect(entry.data).toBe('new');
    expect(entry.getAgeSeconds()).toBe(0);
    expect(entry.accessCount).toBe(1);
    expect(cache.size).toBe(1);
    expect(cache.getStats().categories).toEqual({ other: 1 });
  });

  it('accepts any string as a key, __proto__ and constructor included', () => {
    const { cache } = makeCache();
    for (const key of ['__proto__', 'constructor', 'hasOwnProperty', ' ', '🔑']) {
      expect(cache.set(key, { key })).toBe(true);
    }
    for (const key of ['__proto__', 'constructor', 'hasOwnProperty', ' ', '🔑']) {
      expect(cache.getData(key)).toEqual({ key });
    }
    expect(cache.set('k', 1, { category: '__proto__' })).toBe(true);
    expect(cache.getStats().categories['__proto__']).toBe(1);
    expect(cache.getKeys('__proto__')).toEqual(['k']);
  });
});

describe('CacheManager: status over time', () => {
  it('is FRESH below the ttl, STALE from ttl to 2×ttl, EXPIRED after', () => {
    const { cache, clock } = makeCache();
    cache.set('k', 'v', 10);
    const entry = cache.get('k')!;
    clock.advanceSeconds(9.999);
    expect(entry.status).toBe(CacheStatus.FRESH);
    expect(entry.isFresh()).toBe(true);
    clock.advanceSeconds(0.001); // exactly ttl
    expect(entry.status).toBe(CacheStatus.STALE);
    expect(entry.isFresh()).toBe(false);
    expect(entry.getRemainingTtl()).toBe(0);
    clock.advanceSeconds(10); // exactly 2×ttl
    expect(entry.status).toBe(CacheStatus.STALE);
    expect(entry.isExpired()).toBe(false);
    clock.advanceSeconds(0.001);
    expect(entry.status).toBe(CacheStatus.EXPIRED);
    expect(entry.isExpired()).toBe(true);
    expect(entry.getRemainingTtl()).toBeCloseTo(-10.001, 9);
  });

  it('get serves FRESH only, or STALE too with includeStale, and never EXPIRED', () => {
    const { cache, clock } = makeCache();
    cache.set('k', 'v', 2);
    expect(cache.get('k')?.status).toBe(CacheStatus.FRESH);
    clock.advanceSeconds(3);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.get('k', { includeStale: true })?.status).toBe(CacheStatus.STALE);
    expect(cache.getData('k', { includeStale: true })).toBe('v');
    clock.advanceSeconds(2);
    expect(cache.get('k', { includeStale: true })).toBeUndefined();
    expect(cache.getAllEntries().get('k')?.status).toBe(CacheStatus.EXPIRED);
  });

  it('hasKey checks freshness without counting a hit or a miss', () => {
    const { cache, clock } = makeCache();
    cache.set('k', 'v', 2);
    expect(cache.hasKey('k')).toBe(true);
    clock.advanceSeconds(2);
    expect(cache.hasKey('k')).toBe(false);
    expect(cache.hasKey('k', { freshOnly: false })).toBe(true);
    clock.advanceSeconds(2.5);
    expect(cache.hasKey('k', { freshOnly: false })).toBe(false);
    expect(cache.hasKey('missing')).toBe(false);
    cache.set('i', 1);
    cache.invalidate('i');
    expect(cache.hasKey('i', { freshOnly: false })).toBe(false);
    const stats = cache.getStats();
    expect(stats.totalHits + stats.totalMisses).toBe(0);
  });

  it('never sees time go backwards', () => {
    const { cache, clock } = makeCache();
    cache.set('k', 'v', 10);
    clock.advanceSeconds(5);
    expect(cache.get('k')!.getAgeSeconds()).toBe(5);
    clock.advanceSeconds(-4);
    expect(cache.get('k')!.getAgeSeconds()).toBe(5);
  });

  it('keeps telling the truth through an entry held by the caller', () => {
    const { cache, clock } = makeCache();
    cache.set('k', 'v', 1);
    const entry = cache.get('k')!;
    clock.advanceSeconds(3);
    expect(entry.status).toBe(CacheStatus.EXPIRED);
    expect(entry.toDict().status).toBe(CacheStatus.EXPIRED);
  });
});

describe('CacheManager: hits, misses and statistics', () => {
  it('counts exactly one hit or miss per read', () => {
    const { cache, clock } = makeCache();
    cache.set('a', 1, 1);
    cache.get('a'); // hit
    cache.getData('a'); // hit
    cache.get('nope'); // miss
    clock.advanceSeconds(1.5);
    cache.get('a'); // miss: stale
    cache.get('a', { includeStale: true }); // stale hit
    cache.invalidate('a');
    cache.get('a', { includeStale: true }); // miss: invalid
    const stats = cache.getStats();
    expect(stats.totalHits).toBe(3);
    expect(stats.totalMisses).toBe(3);
    expect(stats.staleHits).toBe(1);
    expect(stats.getHitRate()).toBe(50);
    expect(stats.toDict().hitRatePercent).toBe(50);
  });

  it('reports a hit rate of 0 before any read', () => {
    const { cache } = makeCache();
    expect(cache.getStats().getHitRate()).toBe(0);
  });

  it('counts entries by status, by category, and their ages', () => {
    const { cache, clock } = makeCache();
    cache.set('old', 1, { ttl: 10, category: 'a' });
    clock.advanceSeconds(12);
    cache.set('stale-soon', 2, { ttl: 5, category: 'a' });
    cache.set('gone', 3, { ttl: 1, category: 'b' });
    cache.set('bad', 4, { ttl: 100, category: 'b' });
    cache.invalidate('bad');
    clock.advanceSeconds(6);
    const stats = cache.getStats();
    expect(stats.totalEntries).toBe(4);
    expect(stats.freshEntries).toBe(0);
    expect(stats.staleEntries).toBe(2); // old (age 18 ≤ 20), stale-soon (age 6 ≥ 5)
    expect(stats.expiredEntries).toBe(1); // gone
    expect(stats.invalidEntries).toBe(1);
    expect(stats.categories).toEqual({ a: 2, b: 2 });
    expect(stats.oldestEntryAge).toBe(18);
    expect(stats.newestEntryAge).toBe(6);
    expect(stats.totalSets).toBe(4);
    expect(stats.totalInvalidations).toBe(1);
  });

  it('writes an entry as its toDict() form with JSON.stringify, as a controller returns it', () => {
    const { cache, clock } = makeCache();
    cache.set('users', { total: 2 }, { ttl: 10, category: 'resonite_data' });
    clock.advanceSeconds(15);
    const entry = cache.get('users', { includeStale: true })!;
    const json = JSON.parse(JSON.stringify(entry)) as Record<string, unknown>;
    expect(json).toEqual(JSON.parse(JSON.stringify(entry.toDict())));
    expect(json).toMatchObject({
      data: { total: 2 },
      category: 'resonite_data',
      status: CacheStatus.STALE,
      ageSeconds: 15,
      isFresh: false,
    });
  });

  it('gives toDict the Python original names plus the derived ones', () => {
    const { cache, clock } = makeCache();
    cache.set('k', 1);
    clock.advanceSeconds(2);
    const dict = cache.getStats().toDict();
    expect(Object.keys(dict).sort()).toEqual(
      [
        'totalEntries',
        'freshEntries',
        'staleEntries',
        'expiredEntries',
        'invalidEntries',
        'totalHits',
        'totalMisses',
        'totalSets',
        'totalInvalidations',
        'totalExpirations',
        'totalCleanups',
        'totalEvictions',
        'staleHits',
        'totalLoads',
        'totalLoadErrors',
        'averageLoadTimeMs',
        'categories',
        'oldestEntryAge',
        'newestEntryAge',
        'hitRatePercent',
        'oldestEntryAgeSeconds',
        'newestEntryAgeSeconds',
        'taggedEntries',
        'totalInvalidateTagCalls',
        'totalExpireTagCalls',
      ].sort(),
    );
    expect(dict.oldestEntryAgeSeconds).toBe(2);
    expect(JSON.parse(JSON.stringify(dict))).toEqual(dict);
  });

  it('reports zero ages for an empty cache', () => {
    const { cache } = makeCache();
    const stats = cache.getStats();
    expect(stats.oldestEntryAge).toBe(0);
    expect(stats.newestEntryAge).toBe(0);
    expect(stats.totalEntries).toBe(0);
  });
});

describe('CacheManager: LRU eviction', () => {
  it('evicts the least recently used entry when a new key arrives at maxEntries', () => {
    const { cache } = makeCache({ maxEntries: 3 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    cache.get('a'); // a is now the most recent
    cache.set('d', 4); // evicts b
    expect(cache.getKeys()).toEqual(['c', 'a', 'd']);
    cache.set('c', 33); // a set counts as use
    cache.set('e', 5); // evicts a
    expect(cache.getKeys()).toEqual(['d', 'c', 'e']);
    expect(cache.getStats().totalEvictions).toBe(2);
    expect(cache.size).toBe(3);
  });

  it('does not evict when an existing key is replaced', () => {
    const { cache } = makeCache({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    expect(cache.getKeys()).toEqual(['b', 'a']);
    expect(cache.getStats().totalEvictions).toBe(0);
  });

  it('does not count a miss or hasKey as use', () => {
    const { cache, clock } = makeCache({ maxEntries: 2 });
    cache.set('a', 1, 1);
    cache.set('b', 2);
    clock.advanceSeconds(1.5);
    cache.get('a'); // stale miss: no use
    cache.hasKey('a', { freshOnly: false });
    cache.set('c', 3);
    expect(cache.getKeys()).toEqual(['b', 'c']);
  });

  it('keeps working across many evictions with maxEntries 1', () => {
    const { cache } = makeCache({ maxEntries: 1 });
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, i, { category: `c${i % 3}` });
    expect(cache.getKeys()).toEqual(['k999']);
    expect(cache.getStats().toDict()).toMatchObject({
      totalEntries: 1,
      totalEvictions: 999,
      categories: { c0: 1 },
    });
  });

  it('grows its slots past the initial size up to maxEntries', () => {
    const { cache } = makeCache({ maxEntries: 5000 });
    for (let i = 0; i < 6000; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(5000);
    expect(cache.getKeys()[0]).toBe('k1000');
    expect(cache.getData('k5999')).toBe(5999);
    expect(cache.getData('k999')).toBeUndefined();
  });
});

describe('CacheManager: invalidation, deletion, clearing, cleanup', () => {
  it('invalidate marks an entry INVALID until cleanup removes it', () => {
    const { cache } = makeCache();
    cache.set('k', 'v');
    const entry = cache.get('k')!;
    expect(cache.invalidate('k')).toBe(true);
    expect(entry.status).toBe(CacheStatus.INVALID);
    expect(cache.get('k', { includeStale: true })).toBeUndefined();
    expect(cache.getKeys()).toEqual(['k']);
    expect(cache.invalidate('missing')).toBe(false);
    expect(cache.cleanup()).toBe(1);
    expect(cache.getKeys()).toEqual([]);
    expect(cache.getStats().totalCleanups).toBe(1);
  });

  it('invalidating an entry through the entry itself counts like cache.invalidate', () => {
    const { cache } = makeCache();
    cache.set('k', 'v');
    cache.get('k')!.invalidate();
    const stats = cache.getStats();
    expect(stats.invalidEntries).toBe(1);
    expect(stats.totalInvalidations).toBe(1);
    expect(cache.get('k')).toBeUndefined();
  });

  it('an old entry object invalidated after its key was replaced leaves the cache alone', () => {
    const { cache } = makeCache();
    cache.set('k', 'v1');
    const old = cache.get('k')!;
    cache.set('k', 'v2');
    old.invalidate();
    expect(old.status).toBe(CacheStatus.INVALID);
    expect(cache.getData('k')).toBe('v2');
    expect(cache.getStats().invalidEntries).toBe(0);
  });

  it('invalidateCategory invalidates exactly that category and says how many', () => {
    const { cache } = makeCache();
    cache.set('u1', 1, { category: 'resonite_data' });
    cache.set('u2', 2, { category: 'resonite_data' });
    cache.set('s', 3, { category: 'container_status' });
    expect(cache.invalidateCategory('resonite_data')).toBe(2);
    expect(cache.invalidateCategory('nothing_here')).toBe(0);
    expect(cache.getData('u1')).toBeUndefined();
    expect(cache.getData('s')).toBe(3);
    expect(cache.getStats().totalInvalidations).toBe(2);
    expect(cache.cleanup()).toBe(2);
    expect(cache.getStats().categories).toEqual({ container_status: 1 });
  });

  it('delete removes an entry completely', () => {
    const { cache } = makeCache();
    cache.set('k', 'v', { category: 'c' });
    expect(cache.delete('k')).toBe(true);
    expect(cache.delete('k')).toBe(false);
    expect(cache.getData('k')).toBeUndefined();
    expect(cache.getStats().categories).toEqual({});
    expect(cache.size).toBe(0);
  });

  it('clear removes everything, or one category', () => {
    const { cache } = makeCache();
    cache.set('a', 1, { category: 'temp_data' });
    cache.set('b', 2, { category: 'temp_data' });
    cache.set('c', 3);
    expect(cache.clear('temp_data')).toBe(2);
    expect(cache.clear('temp_data')).toBe(0);
    expect(cache.getKeys()).toEqual(['c']);
    expect(cache.clear()).toBe(1);
    expect(cache.getKeys()).toEqual([]);
    expect(cache.set('d', 4)).toBe(true);
    expect(cache.getData('d')).toBe(4);
  });

  it('cleanup removes EXPIRED and INVALID entries and keeps FRESH and STALE ones', () => {
    const { cache, clock, logger } = makeCache();
    cache.set('expired', 1, 1);
    cache.set('stale', 2, 2);
    cache.set('fresh', 3, 100);
    cache.set('invalid', 4, 100);
    cache.invalidate('invalid');
    clock.advanceSeconds(2.5);
    expect(cache.cleanup()).toBe(2);
    expect(cache.getKeys().sort()).toEqual(['fresh', 'stale']);
    expect(logger.log).toHaveBeenCalledWith('Cleaned up 2 expired or invalid entries');
    expect(cache.cleanup()).toBe(0);
  });

  it('cleans up a large cache in slices without losing count', async () => {
    const { cache, clock } = makeCache({ maxEntries: 30_000 });
    for (let i = 0; i < 25_000; i++) cache.set(`k${i}`, i, i % 2 === 0 ? 1 : 100);
    clock.advanceSeconds(3);
    await expect(cache.cleanupInSlices()).resolves.toBe(12_500);
    expect(cache.getStats().toDict()).toMatchObject({
      totalEntries: 12_500,
      expiredEntries: 0,
      totalCleanups: 12_500,
    });
  });

  it('getKeys and getAllEntries list every held entry, by LRU or by category write order', () => {
    const { cache } = makeCache();
    cache.set('a', 1, { category: 'x' });
    cache.set('b', 2, { category: 'y' });
    cache.set('c', 3, { category: 'x' });
    cache.get('a');
    cache.invalidate('b');
    expect(cache.getKeys()).toEqual(['b', 'c', 'a']);
    expect(cache.getKeys('x')).toEqual(['a', 'c']);
    expect(cache.getKeys('nope')).toEqual([]);
    const all = cache.getAllEntries();
    expect([...all.keys()]).toEqual(['b', 'c', 'a']);
    expect(all.get('b')!.status).toBe(CacheStatus.INVALID);
    expect([...cache.getAllEntries('x').keys()]).toEqual(['a', 'c']);
    const before = cache.getStats();
    expect(before.totalHits).toBe(1); // listing counts no hit
  });
});

describe('CacheManager: immutable snapshots', () => {
  it('is not changed by mutating the object given to set', () => {
    const { cache } = makeCache();
    const data = { users: [{ name: 'Alice' }] };
    const metadata = { command: 'users' };
    cache.set('k', data, { metadata });
    data.users[0]!.name = 'Mallory';
    data.users.push({ name: 'Eve' });
    metadata.command = 'rm -rf';
    expect(cache.getData('k')).toEqual({ users: [{ name: 'Alice' }] });
    expect(cache.get('k')!.metadata).toEqual({ command: 'users' });
  });

  it('hands out the stored value itself, deep-frozen, so reads cannot change it', () => {
    const { cache } = makeCache();
    cache.set('k', { list: [1, 2], nested: { a: 1 } });
    const first = cache.getData<{ list: number[]; nested: { a: number } }>('k')!;
    expect(cache.getData('k')).toBe(first); // no copy per read
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.list)).toBe(true);
    expect(Object.isFrozen(first.nested)).toBe(true);
    expect(() => first.list.push(3)).toThrow(TypeError);
    expect(() => {
      first.nested.a = 2;
    }).toThrow(TypeError);
    expect(cache.getData('k')).toEqual({ list: [1, 2], nested: { a: 1 } });
  });
});

describe('CacheManager: bad input', () => {
  it.each([
    ['an empty key', ''],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['an object', { k: 1 }],
  ])('returns false and logs for %s as key', (_label, key) => {
    const { cache, logger } = makeCache();
    expect(cache.set(key as unknown as string, { data: 'value' })).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('key must be a non-empty string'),
    );
    expect(cache.size).toBe(0);
    expect(cache.getStats().totalSets).toBe(0);
  });

  it('names the offending key in the log', () => {
    const { cache, logger } = makeCache();
    cache.set('', 1);
    expect(logger.warn).toHaveBeenCalledWith(INVALID_KEY(''));
  });

  class ComplexObject {
    func = (x: number) => x;
  }
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const deep: unknown[] = [];
  let cursor = deep;
  for (let i = 0; i < 1500; i++) {
    const next: unknown[] = [];
    cursor.push(next);
    cursor = next;
  }

  it.each([
    ['a function', () => 1, 'is a function'],
    ['undefined', undefined, 'is undefined'],
    ['a symbol', Symbol('s'), 'is a symbol'],
    ['a BigInt', 10n, 'is a bigint'],
    ['NaN', NaN, 'is NaN'],
    ['Infinity', Infinity, 'is Infinity'],
    ['-Infinity', -Infinity, 'is -Infinity'],
    ['a cycle', cyclic, 'part of a cycle'],
    ['a Map', new Map(), 'is a Map'],
    ['a Set', new Set(), 'is a Set'],
    ['a Date', new Date(), 'is a Date'],
    ['a class instance', new ComplexObject(), 'is a ComplexObject'],
    ['a nested function', { a: [1, { f: () => 1 }] }, '$.a[1].f is a function'],
    ['an undefined property', { a: undefined }, '$.a is undefined'],
    ['a sparse array', sparse, 'hole'],
    ['a symbol key', { [Symbol('k')]: 1 }, 'symbol keys'],
    ['a typed array', new Uint8Array(2), 'is a Uint8Array'],
    ['nesting deeper than the limit', deep, 'deeper than 1000'],
    [
      'a getter that throws',
      Object.defineProperty({}, 'x', {
        enumerable: true,
        get() {
          throw new Error('boom');
        },
      }),
      'boom',
    ],
  ])('returns false, stores nothing and says why for %s as data', (_label, data, reason) => {
    const { cache, logger } = makeCache();
    cache.set('k', 'kept');
    expect(cache.set('k', data)).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining(reason));
    expect(cache.getData('k')).toBe('kept');
    expect(cache.getStats().totalSets).toBe(1);
  });

  it.each([
    ['a function', { f: () => 1 }],
    ['an array', [1]],
    ['a string', 'meta'],
    ['null', null],
    ['a Date inside', { at: new Date() }],
  ])('returns false for %s as metadata', (_label, metadata) => {
    const { cache, logger } = makeCache();
    expect(cache.set('k', 1, { metadata: metadata as Record<string, unknown> })).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('metadata'));
    expect(cache.size).toBe(0);
  });

  it('accepts objects without a prototype, -0 and nested arrays', () => {
    const { cache } = makeCache();
    const bare = Object.create(null) as Record<string, unknown>;
    bare.x = 1;
    expect(cache.set('bare', bare)).toBe(true);
    expect(cache.set('nested', [[[]], { a: [null, true, 'x', 1.5] }])).toBe(true);
    expect(cache.getData('nested')).toEqual([[[]], { a: [null, true, 'x', 1.5] }]);
    const withProto = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    expect(cache.set('proto', withProto)).toBe(true);
    expect(Object.keys(cache.getData('proto') as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('copies own keys only, even when Object.prototype is polluted', () => {
    const { cache } = makeCache();
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'yes';
    try {
      expect(cache.set('k', { own: 1, nested: { deep: 2 } })).toBe(true);
    } finally {
      delete proto.polluted;
    }
    const data = cache.getData<Record<string, unknown>>('k')!;
    expect(Object.keys(data)).toEqual(['own', 'nested']);
    expect(Object.keys(data.nested as object)).toEqual(['deep']);
  });

  it('tells a cycle deep in the data from deep nesting, and says where', () => {
    const { cache, logger } = makeCache();
    const root: Record<string, unknown> = { list: [{ name: 'a' }] };
    (root.list as Record<string, unknown>[])[0]!.back = root;
    expect(cache.set('k', root)).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/\$\.list\[0\]\.back.* is part of a cycle/),
    );
  });

  it.each([[-1], [0], [NaN], [Infinity], ['60'], [null]])(
    'throws a RangeError for ttl %p',
    (ttl) => {
      const { cache } = makeCache();
      expect(() => cache.set('k', 1, { ttl: ttl as number })).toThrow(
        new RangeError(INVALID_TTL(ttl)),
      );
      if (typeof ttl === 'number') expect(() => cache.set('k', 1, ttl)).toThrow(RangeError);
      expect(cache.size).toBe(0);
    },
  );

  it.each([[''], [5], [null]])('throws a RangeError for category %p', (category) => {
    const { cache } = makeCache();
    expect(() => cache.set('k', 1, { category: category as string })).toThrow(
      new RangeError(INVALID_CATEGORY(category)),
    );
    expect(() => cache.invalidateCategory(category as string)).toThrow(RangeError);
    expect(() => cache.clear(category as string)).toThrow(RangeError);
    expect(() => cache.getKeys(category as string)).toThrow(RangeError);
  });

  it('throws a RangeError for options that are neither a number nor an object', () => {
    const { cache } = makeCache();
    expect(() => cache.set('k', 1, 'fast' as unknown as number)).toThrow(
      new RangeError(INVALID_SET_OPTIONS('fast')),
    );
  });

  it('treats a non-string key as a miss when reading', () => {
    const { cache } = makeCache();
    expect(cache.get(42 as unknown as string)).toBeUndefined();
    expect(cache.hasKey(null as unknown as string)).toBe(false);
    expect(cache.invalidate({} as unknown as string)).toBe(false);
    expect(cache.delete(undefined as unknown as string)).toBe(false);
  });
});

describe('CacheEntry', () => {
  it('toDict has the documented keys, dates as ISO strings, and survives JSON', () => {
    const { cache, clock } = makeCache();
    cache.set('k', { v: 1 }, { ttl: 10, category: 'c', metadata: { m: true } });
    clock.advanceSeconds(4);
    const dict = cache.get('k')!.toDict();
    expect(dict).toEqual({
      data: { v: 1 },
      timestamp: new Date(clock.nowMs - 4000).toISOString(),
      ttlSeconds: 10,
      category: 'c',
      metadata: { m: true },
      tags: [],
      accessCount: 1,
      lastAccessed: new Date(clock.nowMs).toISOString(),
      status: 'fresh',
      ageSeconds: 4,
      remainingTtl: 6,
      isFresh: true,
      isExpired: false,
    });
    expect(JSON.parse(JSON.stringify(dict))).toEqual(dict);
  });

  it('markAccessed counts an access and records its time', () => {
    const { cache, clock } = makeCache();
    cache.set('k', 1);
    const entry = cache.get('k')!;
    clock.advanceSeconds(3);
    entry.markAccessed();
    expect(entry.accessCount).toBe(2);
    expect(entry.lastAccessed).toEqual(new Date(clock.nowMs));
  });

  it('an entry that left the cache keeps its own clock and can be invalidated alone', () => {
    const { cache, clock } = makeCache();
    cache.set('k', 1, 1);
    const entry = cache.get('k')!;
    cache.delete('k');
    clock.advanceSeconds(1);
    expect(entry.status).toBe(CacheStatus.STALE);
    entry.invalidate();
    expect(entry.status).toBe(CacheStatus.INVALID);
  });
});

describe('CacheManager: automatic cleanup and shutdown', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs cleanup every cleanupInterval seconds on an unref-ed timer', async () => {
    jest.useFakeTimers();
    const clock = new TestClock();
    const logger = spyLogger();
    const cache = new CacheManager({ cleanupInterval: 30, clock: clock.read, logger });
    caches.push(cache);
    cache.set('k', 1, 1);
    clock.advanceSeconds(5);
    await jest.advanceTimersByTimeAsync(29_999);
    expect(cache.size).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(cache.size).toBe(0);
    expect(cache.getStats().totalCleanups).toBe(1);
  });

  it('does not start a timer with cleanupInterval 0', async () => {
    jest.useFakeTimers();
    const clock = new TestClock();
    const cache = new CacheManager({
      cleanupInterval: 0,
      clock: clock.read,
      logger: spyLogger(),
    });
    caches.push(cache);
    expect(jest.getTimerCount()).toBe(0);
    cache.set('k', 1, 1);
    clock.advanceSeconds(5);
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(cache.size).toBe(1);
  });

  it('logs a failing automatic cleanup and keeps running', async () => {
    const { cache, logger } = makeCache();
    const spy = jest
      .spyOn(cache, 'cleanupInSlices')
      .mockRejectedValueOnce(new Error('disk on fire'));
    await cache.runScheduledCleanup();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('cleanup failed'),
      expect.stringContaining('disk on fire'),
    );
    spy.mockRestore();
    cache.set('k', 1);
    cache.invalidate('k');
    await cache.runScheduledCleanup();
    expect(cache.size).toBe(0);
  });

  it('shutdown stops the timer and clears; the cache stays usable', () => {
    jest.useFakeTimers();
    const clock = new TestClock();
    const cache = new CacheManager({
      cleanupInterval: 10,
      logger: spyLogger(),
      clock: clock.read,
    });
    cache.set('k', 1);
    expect(jest.getTimerCount()).toBe(1);
    cache.shutdown();
    expect(jest.getTimerCount()).toBe(0);
    expect(cache.size).toBe(0);
    expect(cache.set('k', 2)).toBe(true);
  });
});

describe('CacheManager: logging', () => {
  it('writes the seed debug lines only when debug is on', () => {
    const quiet = makeCache();
    quiet.cache.set('debug_key', { test: 'data' });
    quiet.cache.get('debug_key');
    expect(quiet.logger.debug).not.toHaveBeenCalled();

    const { cache, logger, clock } = makeCache({ debug: true });
    cache.set('debug_key', { test: 'data' });
    clock.advanceSeconds(1.2);
    cache.get('debug_key');
    cache.get('other');
    expect(logger.debug.mock.calls.map(([line]) => line)).toEqual([
      "Cached data for key 'debug_key' (TTL: 300s, Category: default)",
      "Cache hit for key 'debug_key' (age: 1.2s, status: fresh)",
      "Cache miss for key 'other' (absent)",
    ]);
  });

  it('defaults to a console logger for warnings', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const cache = new CacheManager({ cleanupInterval: 0 });
    cache.set('', 1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('[CacheManager] Not cached'));
    warn.mockRestore();
  });
});

describe('why a write was refused, in its own words', () => {
  it('says metadata must be a plain object when it is not one', () => {
    const { cache, logger } = makeCache();
    expect(cache.set('k', 1, { metadata: ['a'] as never })).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(
      NOT_JSON('k', 'metadata', '$ metadata must be a plain object'),
    );
  });

  it('says what reading the value threw when it could not even be looked at', () => {
    const { cache, logger } = makeCache();
    const unreadable = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('no prototype for you');
        },
      },
    );
    expect(cache.set('k', unreadable)).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(
      NOT_JSON('k', 'data', 'reading it threw: no prototype for you'),
    );
  });

  it('keeps what reading the options threw as the cause of the RangeError', () => {
    const { cache } = makeCache();
    const thrown = new Error('options trap');
    const options = new Proxy(
      {},
      {
        get() {
          throw thrown;
        },
      },
    );
    let caught: unknown;
    try {
      cache.set('k', 1, options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as RangeError).cause).toBe(thrown);
  });

  it('refuses wrap options that are not an object, a number among them, before loading', async () => {
    const { cache } = makeCache();
    const loader = jest.fn(async () => 1);
    for (const options of [5, 'ttl', true]) {
      await expect(cache.wrap('k', loader, options as never)).rejects.toThrow(RangeError);
    }
    expect(loader).not.toHaveBeenCalled();
  });
});
