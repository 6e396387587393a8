/**
 * `cleanupInSlices()` (what the automatic cleanup runs) gives way to the event loop between
 * slices, so other calls interleave with it. Slices end on a time budget; `performance.now` is
 * replaced here by a counter that jumps past the budget at each look, so a slice ends every 256
 * removals, deterministically.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { setImmediate as nextTurn } from 'node:timers/promises';

import { CacheManager } from '../../lib/core/cache-manager.js';
import { CacheStatus } from '../../lib/core/cache-status.enum.js';
import { CLOCK_START } from './model.harness.js';
import { silentLogger } from '../support/test-loggers.js';
import { CATEGORIES, modelRuns, PROPERTY_TIMEOUT_MS, TTLS } from './operations.arbitrary.js';

/** Statistics recounted from the entries themselves: what `getStats()` must say. */
function assertConsistent(cache: CacheManager): void {
  const stats = cache.getStats();
  const entries = [...cache.getAllEntries().values()];
  const byStatus = (status: CacheStatus) => entries.filter((e) => e.status === status).length;
  const categories: Record<string, number> = Object.create(null);
  for (const e of entries) {
    Object.defineProperty(categories, e.category, {
      value: (Object.hasOwn(categories, e.category) ? categories[e.category]! : 0) + 1,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const ages = entries.map((e) => e.getAgeSeconds());
  expect({
    totalEntries: stats.totalEntries,
    freshEntries: stats.freshEntries,
    staleEntries: stats.staleEntries,
    expiredEntries: stats.expiredEntries,
    invalidEntries: stats.invalidEntries,
    categories: Object.assign(Object.create(null), stats.categories),
    oldestEntryAge: stats.oldestEntryAge,
    newestEntryAge: stats.newestEntryAge,
    keys: cache.getKeys().length,
  }).toEqual({
    totalEntries: entries.length,
    freshEntries: byStatus(CacheStatus.FRESH),
    staleEntries: byStatus(CacheStatus.STALE),
    expiredEntries: byStatus(CacheStatus.EXPIRED),
    invalidEntries: byStatus(CacheStatus.INVALID),
    categories,
    oldestEntryAge: ages.length === 0 ? 0 : Math.max(...ages),
    newestEntryAge: ages.length === 0 ? 0 : Math.min(...ages),
    keys: entries.length,
  });
  expect(cache.size).toBeLessThanOrEqual(cache.maxEntries);
}

/** Makes every slice end after 256 removals: each look at the time is 5 ms later. */
function sliceEvery256Removals(): void {
  let fakeMs = 0;
  jest.spyOn(performance, 'now').mockImplementation(() => (fakeMs += 5));
}

type Interference =
  | { kind: 'set'; key: string; ttl: number }
  | { kind: 'invalidate' | 'expire' | 'delete' | 'get'; key: string };

const interference = (keys: number): fc.Arbitrary<Interference> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('set' as const),
      key: fc.oneof(
        fc.nat(keys - 1).map((i) => `k${i}`),
        fc.nat(50).map((i) => `new${i}`),
      ),
      ttl: fc.constantFrom(...TTLS),
    }),
    fc.record({
      kind: fc.constantFrom(
        'invalidate' as const,
        'expire' as const,
        'delete' as const,
        'get' as const,
      ),
      key: fc.nat(keys - 1).map((i) => `k${i}`),
    }),
  );

afterEach(() => {
  jest.restoreAllMocks();
});

describe('cleanupInSlices with calls interleaved between its slices', () => {
  it(
    'removes what was dead, keeps what was alive, counts what it removed, and stays consistent',
    async () => {
      const scenario = fc.integer({ min: 300, max: 2500 }).chain((size) =>
        fc.record({
          size: fc.constant(size),
          ttls: fc.array(fc.constantFrom(...TTLS), { minLength: size, maxLength: size }),
          categories: fc.array(fc.constantFrom(...CATEGORIES), {
            minLength: size,
            maxLength: size,
          }),
          invalidated: fc.array(fc.nat(size - 1), { maxLength: size / 2 }),
          expired: fc.array(fc.nat(size - 1), { maxLength: size / 2 }),
          invalidatedCategory: fc.option(fc.constantFrom(...CATEGORIES), { nil: undefined }),
          advanceMs: fc.integer({ min: 0, max: 7000 }),
          interference: fc.array(interference(size), { maxLength: 40 }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          const clock = { ms: CLOCK_START };
          const cache = new CacheManager({
            maxEntries: s.size + 100,
            cleanupInterval: 0,
            clock: () => clock.ms,
            logger: silentLogger,
          });
          for (let i = 0; i < s.size; i++) {
            clock.ms += i % 7 === 0 ? 1 : 0;
            cache.set(`k${i}`, i, {
              ttl: s.ttls[i],
              category: s.categories[i],
              tags: [`t${i % 5}`],
            });
          }
          for (const i of s.expired) cache.expire(`k${i}`);
          for (const i of s.invalidated) cache.invalidate(`k${i}`);
          if (s.invalidatedCategory !== undefined) cache.invalidateCategory(s.invalidatedCategory);
          clock.ms += s.advanceMs;
          const statusAtStart = new Map(
            [...cache.getAllEntries()].map(([key, entry]) => [key, entry.status]),
          );
          const cleanupsBefore = cache.getStats().totalCleanups;

          sliceEvery256Removals();
          const touched = new Set<string>();
          let finished = false;
          const running = cache.cleanupInSlices().finally(() => (finished = true));
          for (const op of s.interference) {
            if (finished) break;
            touched.add(op.key);
            if (op.kind === 'set') cache.set(op.key, 'interleaved', op.ttl);
            else if (op.kind === 'get') cache.get(op.key, { includeStale: true });
            else cache[op.kind](op.key);
            await nextTurn();
          }
          const removed = await running;
          jest.restoreAllMocks();

          expect(cache.getStats().totalCleanups - cleanupsBefore).toBe(removed);
          const held = cache.getAllEntries();
          const wrong = [...statusAtStart].filter(([key, status]) => {
            const dead = status === CacheStatus.EXPIRED || status === CacheStatus.INVALID;
            return !touched.has(key) && held.has(key) === dead;
          });
          expect(wrong).toEqual([]);
          assertConsistent(cache);
          // The tag index lost nothing and kept nothing removed.
          for (let t = 0; t < 5; t++) {
            const carriers = [...cache.getAllEntries().values()].filter((e) =>
              e.tags.includes(`t${t}`),
            );
            expect(cache.expireTag(`t${t}`)).toBe(carriers.length);
          }
          // A full cleanup afterwards leaves only live entries, still consistent.
          cache.cleanup();
          assertConsistent(cache);
          const stats = cache.getStats();
          expect(stats.expiredEntries + stats.invalidEntries).toBe(0);
        }),
        // Shrinking thousands of entries takes minutes: report the first failure (its seed replays it).
        { numRuns: modelRuns(40), endOnFailure: true },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'settles the status counters in slices without losing count when calls interleave',
    async () => {
      const clock = { ms: CLOCK_START };
      // One write per millisecond: each entry is a run of its own (entries written in the same
      // millisecond are recounted together), so 120,000 runs: more than one settle slice (50,000).
      const size = 120_000;
      const cache = new CacheManager({
        maxEntries: size + 1000,
        cleanupInterval: 0,
        clock: () => clock.ms,
        logger: silentLogger,
      });
      for (let i = 0; i < size; i++) {
        cache.set(`k${i}`, i, { ttl: 1000, category: i % 2 ? 'x' : 'y' });
        clock.ms++;
      }
      clock.ms += 1_400_000; // every entry STALE (aged 1,400 s to 1,520 s), none counted so yet
      let finished = false;
      const running = cache.cleanupInSlices().finally(() => (finished = true));
      let turns = 0;
      while (!finished) {
        turns++;
        cache.set(`new${turns}`, turns, 2); // a FRESH entry (another TTL: a set settles its group)
        cache.invalidate(`k${turns * 7}`); // a STALE one turned INVALID mid-settle
        cache.delete(`k${turns * 7 + 1}`);
        await nextTurn();
      }
      expect(await running).toBe(0);
      expect(turns).toBeGreaterThan(1);
      assertConsistent(cache);
      const stats = cache.getStats();
      expect(stats.staleEntries).toBe(size - 2 * turns);
      expect(stats.invalidEntries).toBe(turns);
      expect(stats.freshEntries).toBe(turns);
    },
    PROPERTY_TIMEOUT_MS,
  );
});
