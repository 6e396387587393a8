/**
 * Shrunk counterexamples met while building the model property, kept as plain tests, and the
 * edge cases the property must keep covering, spelled out.
 */
import { describe, expect, it } from '@jest/globals';

import { CacheManager } from '../../lib/core/cache-manager.js';
import { CacheStatus } from '../../lib/core/cache-status.enum.js';
import { CLOCK_START, ModelHarness, type Op } from './model.harness.js';
import { silentLogger } from '../support/test-loggers.js';
import { CATEGORIES } from './operations.arbitrary.js';

function run(
  ops: Op[],
  options: Partial<{ maxEntries: number; defaultTtl: number; fullCheck: boolean }> = {},
): void {
  new ModelHarness({
    maxEntries: 1,
    defaultTtl: 0.5,
    fullCheck: true,
    categories: CATEGORIES,
    ...options,
  }).run(ops);
}

function makeCache(clock: { ms: number }, maxEntries = 10): CacheManager {
  return new CacheManager({
    maxEntries,
    cleanupInterval: 0,
    clock: () => clock.ms,
    logger: silentLogger,
  });
}

describe('model regressions', () => {
  it("'__proto__' as a category is counted in stats.categories like any other", () => {
    run([
      { kind: 'set', key: 'a', data: '', options: { category: '__proto__' }, mutateAfter: false },
    ]);
    const cache = makeCache({ ms: CLOCK_START });
    cache.set('__proto__', 1, { category: '__proto__' });
    expect(Object.entries(cache.getStats().toDict().categories)).toEqual([['__proto__', 1]]);
  });

  it('a timestamp keeps its fraction of a millisecond (ages are exact, Dates are truncated)', () => {
    run([
      { kind: 'set', key: 'a', data: '', options: undefined, mutateAfter: false },
      { kind: 'boundary', pick: 0, times: 1, deltaMs: -0.001 },
      { kind: 'set', key: 'a', data: 0, options: 0.5, mutateAfter: false },
    ]);
  });

  it('a clock that goes back is not seen: entries are stamped with the latest time seen', () => {
    run([
      { kind: 'set', key: 'a', data: 1, options: undefined, mutateAfter: false },
      { kind: 'advance', ms: 400 },
      { kind: 'stats' },
      { kind: 'back', ms: 1000 },
      { kind: 'set', key: 'a', data: null, options: {}, mutateAfter: false },
    ]);
    const clock = { ms: CLOCK_START };
    const cache = makeCache(clock);
    cache.set('a', 1);
    clock.ms -= 1000;
    cache.set('b', 2);
    expect(cache.get('b')!.timestamp.getTime()).toBe(CLOCK_START);
  });

  it('statuses at the exact edges: STALE from ttl, still STALE at 2×ttl, EXPIRED just after (fractional ttl)', () => {
    const clock = { ms: CLOCK_START };
    const cache = makeCache(clock);
    cache.set('k', 1, 0.3);
    const entry = cache.getAllEntries().get('k')!;
    clock.ms = CLOCK_START + 0.3 * 1000 - 0.001;
    expect(entry.status).toBe(CacheStatus.FRESH);
    clock.ms = CLOCK_START + 0.3 * 1000;
    expect(entry.status).toBe(CacheStatus.STALE);
    clock.ms = CLOCK_START + 2 * (0.3 * 1000);
    expect(entry.status).toBe(CacheStatus.STALE);
    expect(cache.get('k', { includeStale: true })?.data).toBe(1);
    clock.ms += 0.001;
    expect(cache.get('k', { includeStale: true })).toBeUndefined();
    expect(cache.getStats().expiredEntries).toBe(1);
  });

  it('entry.invalidate() on a held entry counts exactly like cache.invalidate(key), each time', () => {
    const cache = makeCache({ ms: CLOCK_START });
    cache.set('k', 1);
    const entry = cache.get('k')!;
    entry.invalidate();
    entry.invalidate();
    const stats = cache.getStats();
    expect([stats.totalInvalidations, stats.invalidEntries, entry.status]).toEqual([
      2,
      1,
      CacheStatus.INVALID,
    ]);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.cleanup()).toBe(1);
  });

  it('entry.invalidate() on an entry already replaced or evicted leaves the cache alone', () => {
    const cache = makeCache({ ms: CLOCK_START }, 1);
    cache.set('k', 'old');
    const replaced = cache.get('k')!;
    cache.set('k', 'new');
    replaced.invalidate();
    expect(replaced.status).toBe(CacheStatus.INVALID);
    expect(cache.getData('k')).toBe('new');
    const evicted = cache.get('k')!;
    cache.set('other', 1); // maxEntries 1: evicts 'k'
    evicted.invalidate();
    const stats = cache.getStats();
    expect([stats.totalInvalidations, stats.invalidEntries, stats.totalEntries]).toEqual([0, 0, 1]);
    run([
      { kind: 'set', key: 'a', data: 1, options: undefined, mutateAfter: false },
      { kind: 'get', key: 'a', options: undefined, dataOnly: false },
      { kind: 'set', key: 'a', data: 2, options: undefined, mutateAfter: false },
      { kind: 'entryInvalidate', pick: 0 },
      { kind: 'set', key: 'b', data: 3, options: undefined, mutateAfter: false },
    ]);
  });
});
