import { runInNewContext } from 'node:vm';

import { afterEach, describe, expect, it, jest } from '@jest/globals';

import { CacheManager, CacheStatus, MAX_JSON_DEPTH } from '../../lib/index.js';
import { CLEANED_UP, NOT_JSON } from '../../lib/core/cache.messages.js';
import { cacheInternals } from '../../lib/core/cache-manager.js';
import type { CacheTier } from '../../lib/core/cache-tier.interface.js';
import { TestClock } from '../support/test-clock.js';
import { spyLogger } from '../support/test-loggers.js';

/*
 * Promises of the README that mutation testing found no test holding (issue 15): each test here
 * fails when the code it names is changed the way the surviving mutant changed it.
 */

function setup() {
  const clock = new TestClock();
  const logger = spyLogger();
  const cache = new CacheManager({ defaultTtl: 10, cleanupInterval: 0, clock: clock.read, logger });
  return { cache, clock, logger };
}

/** A second tier that records which of its hooks were called. */
function recordingTier(): CacheTier & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    getStats: () => ({ connected: true, l2Errors: 0 }),
    afterSet: () => void calls.push('afterSet'),
    afterInvalidate: () => void calls.push('afterInvalidate'),
    afterInvalidateCategory: () => void calls.push('afterInvalidateCategory'),
    afterDelete: () => void calls.push('afterDelete'),
    afterClear: () => void calls.push('afterClear'),
    fetch: async () => undefined,
  };
}

/** `levels` arrays nested in one another, the innermost holding 0. */
function nestedArrays(levels: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('shutdown()', () => {
  it('detaches the second tier before clearing memory, so the shared tier is not wiped', () => {
    const { cache } = setup();
    const tier = recordingTier();
    cacheInternals(cache).attachTier(tier);
    cache.set('k', 1);
    tier.calls.length = 0;
    cache.shutdown();
    expect(cache.size).toBe(0);
    expect(tier.calls).toEqual([]);
    // Detached: later changes stay in memory.
    cache.set('k', 2);
    expect(tier.calls).toEqual([]);
  });
});

describe('stored values', () => {
  it('freezes objects nested inside arrays, at every level', () => {
    const { cache } = setup();
    cache.set('k', { rows: [{ cells: [{ v: 1 }] }, [{ deep: { x: 1 } }]] });
    const data = cache.getData<{ rows: [{ cells: [{ v: number }] }, [{ deep: { x: number } }]] }>(
      'k',
    )!;
    expect(Object.isFrozen(data)).toBe(true);
    expect(Object.isFrozen(data.rows)).toBe(true);
    expect(Object.isFrozen(data.rows[0])).toBe(true);
    expect(Object.isFrozen(data.rows[0].cells[0])).toBe(true);
    expect(Object.isFrozen(data.rows[1][0])).toBe(true);
    expect(Object.isFrozen(data.rows[1][0].deep)).toBe(true);
  });

  it('keeps Object.prototype on stored objects (and a null prototype where given)', () => {
    const { cache } = setup();
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    cache.set('k', { nested: { a: 1 }, list: [{ b: 2 }], bare });
    const data = cache.getData<Record<string, never>>('k')!;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(data.nested)).toBe(Object.prototype);
    expect(Object.getPrototypeOf((data.list as unknown[])[0])).toBe(Object.prototype);
    expect(Object.getPrototypeOf(data.list)).toBe(Array.prototype);
    expect(Object.getPrototypeOf(data.bare)).toBeNull();
    expect(cache.get('k')!.toDict().data).toEqual({ nested: { a: 1 }, list: [{ b: 2 }], bare });
  });

  it('freezes metadata read before the data, and data read from an entry after its key was rewritten', () => {
    const { cache } = setup();
    cache.set('k', { a: { b: 1 } }, { metadata: { source: { id: 1 } } });
    const first = cache.get<{ a: { b: number } }>('k')!;
    // Metadata first: its freezing must not wait for the data to be read.
    expect(Object.isFrozen(first.metadata)).toBe(true);
    expect(Object.isFrozen(first.metadata['source'])).toBe(true);

    cache.set('other', { c: { d: 1 } });
    const before = cache.get<{ c: { d: number } }>('other')!;
    cache.set('other', { c: { d: 2 } }); // `before` now keeps a copy of the value it was read for
    expect(before.data).toEqual({ c: { d: 1 } });
    expect(Object.isFrozen(before.data)).toBe(true);
    expect(Object.isFrozen(before.data.c)).toBe(true);
    expect(Object.isFrozen(before.metadata)).toBe(true);
  });

  it(`accepts exactly ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    const { cache, logger } = setup();
    expect(cache.set('deepest', nestedArrays(MAX_JSON_DEPTH))).toBe(true);
    expect(cache.set('too-deep', nestedArrays(MAX_JSON_DEPTH + 1))).toBe(false);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![0]).toMatch(
      new RegExp(`is nested deeper than ${MAX_JSON_DEPTH} levels`),
    );
    // The same limit for objects.
    let object: unknown = {};
    for (let i = 1; i < MAX_JSON_DEPTH; i++) object = { o: object };
    expect(cache.set('deepest-object', object)).toBe(true);
    expect(cache.set('too-deep-object', { o: object })).toBe(false);
  });

  it('refuses array subclasses and arrays from another realm', () => {
    const { cache, logger } = setup();
    class Rows extends Array<number> {}
    const rows = Rows.from([1, 2]);
    const foreign = runInNewContext('[1, 2]') as unknown;
    expect(Array.isArray(foreign)).toBe(true);
    expect(cache.set('subclass', rows)).toBe(false);
    expect(cache.set('foreign', foreign)).toBe(false);
    expect(cache.set('nested', { list: foreign })).toBe(false);
    expect(logger.warn.mock.calls.map(([line]) => line)).toEqual([
      NOT_JSON('subclass', 'data', '$ is a Rows'),
      NOT_JSON('foreign', 'data', '$ is a Array'),
      NOT_JSON('nested', 'data', '$.list is a Array'),
    ]);
    expect(cache.size).toBe(0);
  });

  it('with Object.prototype polluted, copies no inherited key and still freezes the whole value', () => {
    const { cache } = setup();
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = { injected: true };
    try {
      cache.set('k', { a: { b: [{ c: 1 }] } });
      const data = cache.getData<{ a: { b: [{ c: number }] } }>('k')!;
      expect(Object.hasOwn(data, 'polluted')).toBe(false);
      expect(Object.hasOwn(data.a, 'polluted')).toBe(false);
      expect(Object.isFrozen(data)).toBe(true);
      expect(Object.isFrozen(data.a)).toBe(true);
      expect(Object.isFrozen(data.a.b)).toBe(true);
      expect(Object.isFrozen(data.a.b[0])).toBe(true);
    } finally {
      delete proto.polluted;
    }
    expect(Object.isFrozen(Object.prototype)).toBe(false);
  });
});

describe('statistics and entries', () => {
  it('averageLoadTimeMs is the total load time divided by the loads', () => {
    const { cache } = setup();
    const internals = cacheInternals(cache);
    internals.recordLoad(30, false);
    internals.recordLoad(10, true);
    internals.recordLoad(50, false);
    const stats = cache.getStats();
    expect(stats.totalLoads).toBe(3);
    expect(stats.totalLoadErrors).toBe(1);
    expect(stats.averageLoadTimeMs).toBe(30);
  });

  it('averageLoadTimeMs measures the loader (performance.now), not the cache clock', async () => {
    const { cache } = setup();
    let nowMs = 1000;
    jest.spyOn(performance, 'now').mockImplementation(() => nowMs);
    await cache.wrap('a', () => {
      nowMs += 40;
      return 1;
    });
    await cache.wrap('b', () => {
      nowMs += 20;
      return 2;
    });
    expect(cache.getStats().averageLoadTimeMs).toBe(30);
  });

  it('toDict() of a STALE entry says isFresh false, and of a FRESH one true', () => {
    const { cache, clock } = setup();
    cache.set('k', 1);
    expect(cache.get('k')!.toDict().isFresh).toBe(true);
    clock.advanceSeconds(15);
    const dict = cache.get('k', { includeStale: true })!.toDict();
    expect(dict.status).toBe(CacheStatus.STALE);
    expect(dict.isFresh).toBe(false);
    expect(dict.isExpired).toBe(false);
  });

  it('an entry held past twice its TTL says EXPIRED in toDict(), isExpired true', () => {
    const { cache, clock } = setup();
    cache.set('k', 1);
    const entry = cache.get('k')!;
    clock.advanceSeconds(21);
    expect(entry.toDict()).toMatchObject({
      status: CacheStatus.EXPIRED,
      isFresh: false,
      isExpired: true,
    });
  });

  it('an entry read before its key was rewritten keeps its own metadata, frozen', () => {
    const { cache } = setup();
    cache.set('k', 'old', { metadata: { source: { v: 1 } } });
    const before = cache.get('k')!;
    cache.set('k', 'new', { metadata: { source: { v: 2 } } });
    expect(before.metadata).toEqual({ source: { v: 1 } });
    expect(Object.isFrozen(before.metadata['source'])).toBe(true);
    expect(cache.get('k')!.metadata).toEqual({ source: { v: 2 } });
  });
});

describe('scheduled cleanup', () => {
  it('never runs two scheduled cleanups at once', async () => {
    const { cache } = setup();
    let finish!: () => void;
    const runs = jest.fn(
      () =>
        new Promise<number>((resolve) => {
          finish = () => resolve(0);
        }),
    );
    cache.cleanupInSlices = runs;
    const first = cache.runScheduledCleanup();
    const overlapping = cache.runScheduledCleanup();
    await overlapping;
    expect(runs).toHaveBeenCalledTimes(1);
    finish();
    await first;
    // Once it finished, the next scheduled run starts.
    const next = cache.runScheduledCleanup();
    expect(runs).toHaveBeenCalledTimes(2);
    finish();
    await next;
  });

  it('cleanupInSlices yields to the event loop once a slice has used its time', async () => {
    const { cache, clock } = setup();
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, i);
    clock.advanceSeconds(25);
    // Every reading of the time says a slice's 4 ms are over.
    let nowMs = 0;
    jest.spyOn(performance, 'now').mockImplementation(() => (nowMs += 10));
    const cleaning = cache.cleanupInSlices();
    // The first slice ran synchronously, and stopped at its first look at the time.
    expect(cache.size).toBe(1000 - 256);
    await expect(cleaning).resolves.toBe(1000);
    expect(cache.size).toBe(0);
  });

  it('cleanupInSlices removes everything in one slice while its time is not over', async () => {
    const { cache, clock } = setup();
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, i);
    clock.advanceSeconds(25);
    // The time never passes: the first slice, run synchronously, never has to stop.
    jest.spyOn(performance, 'now').mockReturnValue(1000);
    const cleaning = cache.cleanupInSlices();
    expect(cache.size).toBe(0);
    await expect(cleaning).resolves.toBe(1000);
  });

  it.each(['cleanup', 'cleanupInSlices'] as const)(
    '%s keeps an entry invalidated and then written again, and one deleted meanwhile stays gone',
    async (method) => {
      const { cache } = setup();
      cache.set('rewritten', 1);
      cache.set('deleted', 2);
      cache.set('other', 3);
      cache.invalidate('rewritten');
      cache.invalidate('deleted');
      cache.set('rewritten', 10); // FRESH again, in the same slot, which still waits in the queue
      cache.delete('deleted'); // its slot is free, still in the queue
      expect(await cache[method]()).toBe(0);
      expect(cache.getData('rewritten')).toBe(10);
      expect(cache.getData('other')).toBe(3);
      expect(cache.size).toBe(2);
    },
  );

  it.each(['cleanup', 'cleanupInSlices'] as const)(
    '%s logs one line of what it removed, and nothing when it removed nothing',
    async (method) => {
      const { cache, clock, logger } = setup();
      await cache[method]();
      expect(logger.log).not.toHaveBeenCalled();
      for (let i = 0; i < 3; i++) cache.set(`k${i}`, i);
      clock.advanceSeconds(25);
      await cache[method]();
      expect(logger.log.mock.calls).toEqual([[CLEANED_UP(3)]]);
    },
  );
});

describe('memory', () => {
  /** Bytes held in ArrayBuffers (the typed-array columns of every cache) after `make` runs. */
  function arrayBufferGrowth(make: () => unknown): { bytes: number; kept: unknown } {
    const before = process.memoryUsage().arrayBuffers;
    const kept = make();
    return { bytes: process.memoryUsage().arrayBuffers - before, kept };
  }

  // 61 bytes of typed arrays a slot: a cache allocating for maxEntries up front would take
  // 61 MB here, against a few kilobytes for a few hundred entries.
  const MAX_ENTRIES = 1_000_000;
  const BOUND = 8 * 1024 * 1024;

  it('allocates for the entries a cache holds, not for its maxEntries: new, growing, cleared', () => {
    const fresh = arrayBufferGrowth(
      () => new CacheManager({ maxEntries: MAX_ENTRIES, cleanupInterval: 0 }),
    );
    expect(fresh.bytes).toBeLessThan(BOUND);

    const cache = fresh.kept as CacheManager;
    const grown = arrayBufferGrowth(() => {
      for (let i = 0; i < 300; i++) cache.set(`k${i}`, i); // past the first allocation
    });
    expect(grown.bytes).toBeLessThan(BOUND);
    expect(cache.size).toBe(300);

    const cleared = arrayBufferGrowth(() => cache.clear());
    expect(cleared.bytes).toBeLessThan(BOUND);
  });

  it('reuses the runs of removed entries: writes at 200,000 distinct milliseconds hold one run', () => {
    const { cache, clock } = setup();
    // Each write at a new millisecond opens a run (see cache-runs.ts), freed when its entry goes.
    // Without reuse, 200,000 runs of about 40 bytes of typed arrays each: some 8 MB.
    const churn = arrayBufferGrowth(() => {
      for (let i = 0; i < 200_000; i++) {
        clock.advanceSeconds(0.001);
        cache.set('k', i);
        cache.delete('k');
      }
    });
    expect(churn.bytes).toBeLessThan(1024 * 1024);
    expect(cache.size).toBe(0);
  });
});
