import { describe, expect, it, jest } from '@jest/globals';

import { CacheManager, CacheStatus, type CacheMissReason } from '../../lib/index.js';
import { cacheInternals } from '../../lib/core/cache-manager.js';
import { INVALID_CATEGORY } from '../../lib/core/cache.messages.js';
import { fakeTier } from '../support/fake-tier.js';
import { useTestCaches } from '../support/test-caches.js';

const makeCache = useTestCaches();

/** Counts by status from `getStats()` and from `getStatusCountsByCategory()` for `category`. */
function counts(cache: CacheManager, category = 'default') {
  const stats = cache.getStats();
  return {
    stats: [stats.freshEntries, stats.staleEntries, stats.expiredEntries, stats.invalidEntries],
    byCategory: cache.getStatusCountsByCategory().get(category),
  };
}

const byStatus = (fresh: number, stale: number, expired: number, invalid: number) => ({
  stats: [fresh, stale, expired, invalid],
  byCategory: {
    [CacheStatus.FRESH]: fresh,
    [CacheStatus.STALE]: stale,
    [CacheStatus.EXPIRED]: expired,
    [CacheStatus.INVALID]: invalid,
  },
});

describe('expire(key)', () => {
  it('makes a FRESH entry STALE for every reader and statistic, keeping what it holds', () => {
    const { cache, clock } = makeCache();
    cache.set('users', ['Ann'], { ttl: 10, category: 'resonite', metadata: { m: 1 } });
    const before = cache.get('users')!;
    clock.advanceSeconds(2);
    const misses: CacheMissReason[] = [];
    cache.on('miss', ({ reason }) => misses.push(reason));
    const expired: string[] = [];
    cache.on('expiration', ({ key, category }) => expired.push(`${key}/${category}`));

    expect(cache.expire('users')).toBe(true);
    expect(expired).toEqual(['users/resonite']);
    expect(cache.get('users')).toBeUndefined();
    expect(misses).toEqual(['stale']);
    expect(cache.hasKey('users')).toBe(false);
    expect(cache.hasKey('users', { freshOnly: false })).toBe(true);
    const entry = cache.get('users', { includeStale: true })!;
    expect(entry).toBe(before);
    expect(entry.status).toBe(CacheStatus.STALE);
    expect(entry.isFresh()).toBe(false);
    expect(entry.data).toEqual(['Ann']);
    expect(entry.category).toBe('resonite');
    expect(entry.metadata).toEqual({ m: 1 });
    expect(entry.getAgeSeconds()).toBe(2);
    expect(entry.toDict()).toMatchObject({ status: CacheStatus.STALE, isFresh: false });
    expect(counts(cache, 'resonite')).toEqual(byStatus(0, 1, 0, 0));
    const stats = cache.getStats();
    expect(stats.totalExpirations).toBe(1);
    expect(stats.staleHits).toBe(1);
  });

  it('turns EXPIRED at twice the TTL, as it would have anyway, and goes at cleanup', () => {
    const { cache, clock } = makeCache();
    cache.set('k', 1, 10);
    cache.expire('k');
    clock.advanceSeconds(20);
    expect(cache.get('k', { includeStale: true })).toBeDefined();
    expect(counts(cache)).toEqual(byStatus(0, 1, 0, 0));
    clock.advanceSeconds(0.001);
    expect(cache.get('k', { includeStale: true })).toBeUndefined();
    expect(counts(cache)).toEqual(byStatus(0, 0, 1, 0));
    expect(cache.cleanup()).toBe(1);
  });

  it('is undone by the next set: FRESH again, for its full TTL', () => {
    const { cache, clock } = makeCache();
    cache.set('k', 1, 10);
    const old = cache.get('k')!;
    cache.expire('k');
    clock.advanceSeconds(1);
    cache.set('k', 2, 10);
    expect(cache.get('k')!.data).toBe(2);
    expect(old.status).toBe(CacheStatus.STALE); // the handed-out entry keeps its own value
    expect(counts(cache)).toEqual(byStatus(1, 0, 0, 0));
    clock.advanceSeconds(9.999);
    expect(cache.hasKey('k')).toBe(true);
  });

  it('leaves STALE, EXPIRED and INVALID entries as they are; says whether a key was held', () => {
    const { cache, clock } = makeCache();
    cache.set('stale', 1, 1);
    cache.set('expired', 2, 0.5);
    cache.set('invalid', 3, 100);
    cache.invalidate('invalid');
    clock.advanceSeconds(1.5);
    const listener = jest.fn();
    cache.on('expiration', listener);
    expect(cache.expire('stale')).toBe(true);
    expect(cache.expire('expired')).toBe(true);
    expect(cache.expire('invalid')).toBe(true);
    expect(cache.expire('absent')).toBe(false);
    expect(listener).not.toHaveBeenCalled();
    expect(cache.getStats().totalExpirations).toBe(0);
    expect(counts(cache)).toEqual(byStatus(0, 1, 1, 1));
    clock.advanceSeconds(0.6); // 'stale' (ttl 1) is 2.1 s old: EXPIRED as before
    expect(counts(cache)).toEqual(byStatus(0, 0, 2, 1));
  });

  it('counts an entry expired twice once', () => {
    const { cache } = makeCache();
    cache.set('k', 1);
    cache.expire('k');
    cache.expire('k');
    expect(cache.getStats().totalExpirations).toBe(1);
    expect(counts(cache)).toEqual(byStatus(0, 1, 0, 0));
  });
});

describe('soft expiry in the status counters (no scan: runs and cursors)', () => {
  it('counts an early STALE entry once as its run turns STALE, then EXPIRED', () => {
    const { cache, clock } = makeCache();
    cache.set('a', 1, 10);
    cache.set('b', 2, 10); // same millisecond: the same run as a
    cache.set('c', 3, 10);
    cache.expire('b');
    expect(counts(cache)).toEqual(byStatus(2, 1, 0, 0));
    clock.advanceSeconds(10);
    expect(counts(cache)).toEqual(byStatus(0, 3, 0, 0));
    clock.advanceSeconds(10.001);
    expect(counts(cache)).toEqual(byStatus(0, 0, 3, 0));
  });

  it('counts right when an early STALE entry is invalidated, rewritten, deleted or cleared', () => {
    const { cache, clock } = makeCache();
    for (const key of ['inv', 'rew', 'del', 'kept']) cache.set(key, 1, 10);
    for (const key of ['inv', 'rew', 'del', 'kept']) cache.expire(key);
    expect(counts(cache)).toEqual(byStatus(0, 4, 0, 0));
    cache.invalidate('inv');
    expect(counts(cache)).toEqual(byStatus(0, 3, 0, 1));
    clock.advanceSeconds(1);
    cache.set('rew', 2, 10);
    expect(counts(cache)).toEqual(byStatus(1, 2, 0, 1));
    cache.delete('del');
    expect(counts(cache)).toEqual(byStatus(1, 1, 0, 1));
    clock.advanceSeconds(9);
    expect(counts(cache)).toEqual(byStatus(1, 1, 0, 1)); // kept: STALE by age too, counted once
    clock.advanceSeconds(1);
    expect(counts(cache)).toEqual(byStatus(0, 2, 0, 1));
    expect(cache.clear()).toBe(3);
    expect(counts(cache).stats).toEqual([0, 0, 0, 0]);
  });

  it('counts right when a key alone in the newest run is expired and rewritten over and over', () => {
    const { cache, clock } = makeCache();
    for (let i = 0; i < 5; i++) {
      cache.set('k', i, 10);
      cache.expire('k');
      expect(counts(cache)).toEqual(byStatus(0, 1, 0, 0));
      clock.advanceSeconds(0.001);
    }
    cache.set('k', 'last', 10);
    expect(counts(cache)).toEqual(byStatus(1, 0, 0, 0));
    clock.advanceSeconds(20.001);
    expect(counts(cache)).toEqual(byStatus(0, 0, 1, 0));
  });

  it('counts right when a listener reads the statistics, later, in the middle of an expireTag', () => {
    const { cache, clock } = makeCache();
    cache.set('a', 1, { ttl: 10, tags: ['t'] });
    cache.set('b', 2, { ttl: 10, tags: ['t'] }); // the same run as a
    cache.on('expiration', ({ key }) => {
      if (key !== 'a') return;
      clock.advanceSeconds(10); // the run turns STALE, and is counted so, before b is reached
      expect(counts(cache)).toEqual(byStatus(0, 2, 0, 0));
    });
    expect(cache.expireTag('t')).toBe(2);
    expect(counts(cache)).toEqual(byStatus(0, 2, 0, 0));
    clock.advanceSeconds(10.001);
    expect(counts(cache)).toEqual(byStatus(0, 0, 2, 0));
  });

  it('agrees with the entries themselves after a cleanup in slices', async () => {
    const { cache, clock } = makeCache();
    for (let i = 0; i < 600; i++) cache.set(`k${i}`, i, { ttl: 1 + (i % 3), tags: [`t${i % 7}`] });
    for (let i = 0; i < 7; i += 2) cache.expireTag(`t${i}`);
    clock.advanceSeconds(2.5);
    await cache.cleanupInSlices();
    const entries = [...cache.getAllEntries().values()];
    const recount = (status: CacheStatus) => entries.filter((e) => e.status === status).length;
    const stats = cache.getStats();
    expect([stats.freshEntries, stats.staleEntries, stats.expiredEntries]).toEqual([
      recount(CacheStatus.FRESH),
      recount(CacheStatus.STALE),
      recount(CacheStatus.EXPIRED),
    ]);
    expect(recount(CacheStatus.STALE)).toBeGreaterThan(0);
  });
});

describe('expireCategory', () => {
  it('expires every entry of the category and says how many it held', () => {
    const { cache } = makeCache();
    cache.set('a', 1, { category: 'x' });
    cache.set('b', 2, { category: 'x' });
    cache.set('c', 3, { category: 'y' });
    expect(cache.expireCategory('x')).toBe(2);
    expect(cache.expireCategory('none')).toBe(0);
    expect(cache.hasKey('a')).toBe(false);
    expect(cache.hasKey('c')).toBe(true);
    expect(cache.getStatusCountsByCategory().get('x')![CacheStatus.STALE]).toBe(2);
    expect(cache.getStats().totalExpirations).toBe(2);
  });

  it('throws the RangeError of invalidateCategory for a bad category', () => {
    const { cache } = makeCache();
    expect(() => cache.expireCategory('')).toThrow(new RangeError(INVALID_CATEGORY('')));
  });
});

describe('soft expiry through wrap', () => {
  it('serves an expired entry with staleWhileRevalidate and refreshes it once', async () => {
    const { cache } = makeCache();
    await cache.wrap('k', () => 'v1', { ttl: 60 });
    cache.expire('k');
    let release!: () => void;
    const loader = jest.fn(() => new Promise<string>((resolve) => (release = () => resolve('v2'))));
    const options = { ttl: 60, staleWhileRevalidate: true };
    expect(await cache.wrap('k', loader, options)).toBe('v1');
    expect(await cache.wrap('k', loader, options)).toBe('v1');
    expect(loader).toHaveBeenCalledTimes(1);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.get('k')!.data).toBe('v2');
    expect(cache.get('k')!.status).toBe(CacheStatus.FRESH);
  });

  it('loads again, without staleWhileRevalidate, as for any STALE entry', async () => {
    const { cache } = makeCache();
    await cache.wrap('k', () => 'v1');
    cache.expire('k');
    expect(await cache.wrap('k', () => 'v2')).toBe('v2');
  });
});

describe('soft expiry and tags told to a second tier', () => {
  it('tells the tier of every expire and tag operation, held here or not', () => {
    const { cache } = makeCache();
    const tier = {
      afterExpire: jest.fn(),
      afterExpireCategory: jest.fn(),
      afterInvalidateTag: jest.fn(),
      afterExpireTag: jest.fn(),
    };
    cacheInternals(cache).attachTier(fakeTier(tier));
    cache.expire('elsewhere');
    cache.expireCategory('c');
    cache.invalidateTag('t');
    cache.expireTag('u');
    expect(tier.afterExpire).toHaveBeenCalledWith('elsewhere');
    expect(tier.afterExpireCategory).toHaveBeenCalledWith('c');
    expect(tier.afterInvalidateTag).toHaveBeenCalledWith('t');
    expect(tier.afterExpireTag).toHaveBeenCalledWith('u');
    cacheInternals(cache).attachTier(undefined);
  });

  it('serves a STALE copy the second tier gives back at once with staleWhileRevalidate, and refreshes it once', async () => {
    const { cache, clock } = makeCache();
    const shared = {
      data: 'from the other instance',
      timestampMs: clock.nowMs,
      ttlSeconds: 60,
      category: 'default',
      metadata: {},
      expiredEarly: true,
    };
    const fetches: string[] = [];
    const tier = fakeTier({
      fetch: async (key) => {
        fetches.push(key);
        return shared;
      },
    });
    cacheInternals(cache).attachTier(tier);
    let release!: (value: string) => void;
    const loader = jest.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const served = await cache.wrap('k', loader, { staleWhileRevalidate: true });
    expect(served).toBe('from the other instance');
    await new Promise((resolve) => setImmediate(resolve));
    expect(loader).toHaveBeenCalledTimes(1);
    // A second caller meanwhile gets the STALE copy now held here, and starts no second refresh.
    expect(await cache.wrap('k', loader, { staleWhileRevalidate: true })).toBe(
      'from the other instance',
    );
    expect(loader).toHaveBeenCalledTimes(1);
    release('reloaded');
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.get('k')!.data).toBe('reloaded');
    expect(cache.hasKey('k')).toBe(true);
    // Without staleWhileRevalidate the caller waits for the loader, as for a STALE entry here.
    cache.delete('k');
    const waited = cache.wrap('k2', async () => 'loaded now');
    await expect(waited).resolves.toBe('loaded now');
    cacheInternals(cache).attachTier(undefined);
  });

  it('works with a tier that has none of the optional hooks', () => {
    const { cache } = makeCache();
    const tier = fakeTier();
    cacheInternals(cache).attachTier(tier);
    cache.set('k', 1, { tags: ['t'] });
    expect(cache.expire('k')).toBe(true);
    expect(cache.expireTag('t')).toBe(1);
    expect(cache.invalidateTag('t')).toBe(1);
    expect(cache.expireCategory('default')).toBe(1);
    cacheInternals(cache).attachTier(undefined);
  });
});
