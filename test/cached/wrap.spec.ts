import { describe, expect, it, jest } from '@jest/globals';

import { CacheManager, CacheStatus } from '../../lib/index.js';
import { INVALID_CATEGORY, INVALID_TTL, NOT_JSON } from '../../lib/core/cache.messages.js';
import { TestClock } from '../support/test-clock.js';
import { deferred, flushPromises, recordingLogger } from './cached.helpers.js';
import { cacheInternals } from '../../lib/core/cache-manager.js';

function setup(defaultTtl = 60) {
  const clock = new TestClock();
  const logger = recordingLogger();
  const cache = new CacheManager({ defaultTtl, cleanupInterval: 0, clock: clock.read, logger });
  return { cache, clock, logger };
}

/** A loader that counts its calls and returns `value` (or the next of `values`). */
function counting<T>(...values: T[]) {
  let i = 0;
  const loader = jest.fn(async () => values[Math.min(i++, values.length - 1)]!);
  return loader;
}

describe('CacheManager.wrap', () => {
  it('loads on a miss, caches with the options, and serves the FRESH entry without loading', async () => {
    const { cache } = setup();
    const loader = counting({ users: 2 });
    const options = { ttl: 30, category: 'command_results', metadata: { command: 'users' } };
    expect(await cache.wrap('users', loader, options)).toEqual({ users: 2 });
    expect(await cache.wrap('users', loader, options)).toEqual({ users: 2 });
    expect(loader).toHaveBeenCalledTimes(1);
    const entry = cache.get('users')!;
    expect(entry.ttlSeconds).toBe(30);
    expect(entry.category).toBe('command_results');
    expect(entry.metadata).toEqual({ command: 'users' });
  });

  it('caches a loaded value with the default TTL and category when the options name none', async () => {
    const { cache } = setup(45);
    await cache.wrap('plain', async () => 'v');
    expect(cache.get('plain')).toMatchObject({ ttlSeconds: 45, category: 'default' });
  });

  it('counts the time a load took, from its start to its end', async () => {
    jest.useFakeTimers(); // performance.now() included
    try {
      const { cache } = setup();
      await jest.advanceTimersByTimeAsync(1000); // the load starts at 1,000 ms, not at 0
      const loading = cache.wrap('slow', () => new Promise((ok) => setTimeout(() => ok(1), 250)));
      await jest.advanceTimersByTimeAsync(250);
      await loading;
      expect(cache.getStats()).toMatchObject({ totalLoads: 1, averageLoadTimeMs: 250 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('counts a STALE entry it does not serve as a miss, not as a stale hit', async () => {
    const { cache, clock } = setup(10);
    cache.set('k', 'old');
    clock.advanceSeconds(15);
    await expect(cache.wrap('k', async () => 'new')).resolves.toBe('new');
    expect(cache.getStats()).toMatchObject({ totalMisses: 1, staleHits: 0, totalHits: 0 });
  });

  it('accepts a sync loader', async () => {
    const { cache } = setup();
    expect(await cache.wrap('k', () => 5)).toBe(5);
    expect(cache.getData('k')).toBe(5);
  });

  it('caches a falsy value (0, null, false, "") as a hit', async () => {
    const { cache } = setup();
    for (const [key, value] of [
      ['zero', 0],
      ['null', null],
      ['false', false],
      ['empty', ''],
    ]) {
      const loader = jest.fn(async () => value);
      await cache.wrap(String(key), loader);
      expect(await cache.wrap(String(key), loader)).toBe(value);
      expect(loader).toHaveBeenCalledTimes(1);
    }
  });

  it('shares one load among concurrent misses on a key, and not across keys', async () => {
    const { cache } = setup();
    const gate = deferred<string>();
    const loader = jest.fn(() => gate.promise);
    const calls = [cache.wrap('a', loader), cache.wrap('a', loader), cache.wrap('a', loader)];
    const other = cache.wrap('b', async () => 'b');
    expect(cacheInternals(cache).isLoading('a')).toBe(true);
    gate.resolve('done');
    expect(await Promise.all(calls)).toEqual(['done', 'done', 'done']);
    expect(await other).toBe('b');
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cacheInternals(cache).isLoading('a')).toBe(false);
  });

  it('sends a failed load to every waiter, caches nothing, and loads again next time', async () => {
    const { cache } = setup();
    const gate = deferred<string>();
    const loader = jest.fn(() => gate.promise);
    const calls = [cache.wrap('a', loader), cache.wrap('a', loader)];
    const failure = new Error('command queue down');
    gate.reject(failure);
    for (const call of calls) await expect(call).rejects.toBe(failure);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.getKeys()).toEqual([]);
    expect(await cache.wrap('a', async () => 'ok')).toBe('ok');
  });

  it('turns a loader that throws synchronously into a rejection', async () => {
    const { cache } = setup();
    await expect(
      cache.wrap('a', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });

  it('treats a STALE entry as a miss by default', async () => {
    const { cache, clock } = setup();
    const loader = counting('v1', 'v2');
    await cache.wrap('k', loader, { ttl: 10 });
    clock.advanceSeconds(15);
    expect(await cache.wrap('k', loader, { ttl: 10 })).toBe('v2');
    expect(loader).toHaveBeenCalledTimes(2);
  });

  describe('staleWhileRevalidate', () => {
    it('serves the STALE entry at once, refreshes it once in the background, then serves the new value', async () => {
      const { cache, clock } = setup();
      const options = { ttl: 10, staleWhileRevalidate: true };
      await cache.wrap('k', async () => 'v1', options);
      clock.advanceSeconds(15);
      const gate = deferred<string>();
      const refresh = jest.fn(() => gate.promise);
      expect(await cache.wrap('k', refresh, options)).toBe('v1');
      expect(await cache.wrap('k', refresh, options)).toBe('v1');
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(cache.getStats().staleHits).toBe(2);
      gate.resolve('v2');
      await flushPromises();
      expect(await cache.wrap('k', refresh, options)).toBe('v2');
      expect(cache.get('k')!.status).toBe(CacheStatus.FRESH);
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('keeps the STALE entry and logs when the background refresh fails', async () => {
      const { cache, clock, logger } = setup();
      const options = { ttl: 10, staleWhileRevalidate: true };
      await cache.wrap('k', async () => 'v1', options);
      clock.advanceSeconds(15);
      expect(await cache.wrap('k', () => Promise.reject(new Error('down')), options)).toBe('v1');
      await flushPromises();
      expect(logger.error).toHaveBeenCalledWith(
        "Background refresh of key 'k' failed; the stale entry stays",
        expect.stringContaining('down'),
      );
      expect(cache.get('k', { includeStale: true })!.data).toBe('v1');
      expect(cache.getStats().totalLoadErrors).toBe(1);
    });

    it('treats an EXPIRED entry (past twice its TTL) as a miss', async () => {
      const { cache, clock } = setup();
      const options = { ttl: 10, staleWhileRevalidate: true };
      await cache.wrap('k', async () => 'v1', options);
      clock.advanceSeconds(25);
      const loader = counting('v2');
      expect(await cache.wrap('k', loader, options)).toBe('v2');
      expect(loader).toHaveBeenCalledTimes(1);
    });

    it('treats an INVALID entry as a miss', async () => {
      const { cache } = setup();
      const options = { staleWhileRevalidate: true, staleIfError: true };
      await cache.wrap('k', async () => 'v1', options);
      cache.invalidate('k');
      expect(await cache.wrap('k', async () => 'v2', options)).toBe('v2');
    });
  });

  describe('staleIfError', () => {
    it('serves the STALE entry when the load fails, and logs the failure', async () => {
      const { cache, clock, logger } = setup();
      const options = { ttl: 10, staleIfError: true };
      await cache.wrap('k', async () => 'v1', options);
      clock.advanceSeconds(12);
      expect(await cache.wrap('k', () => Promise.reject(new Error('down')), options)).toBe('v1');
      expect(logger.error).toHaveBeenCalledWith(
        "Loading key 'k' failed; serving the stale entry (age 12.0s)",
        expect.stringContaining('down'),
      );
    });

    it('loads (and caches) when it can, even with a STALE entry held', async () => {
      const { cache, clock } = setup();
      const options = { ttl: 10, staleIfError: true };
      await cache.wrap('k', async () => 'v1', options);
      clock.advanceSeconds(12);
      expect(await cache.wrap('k', async () => 'v2', options)).toBe('v2');
      expect(cache.getData('k')).toBe('v2');
    });

    it('still fails when nothing STALE is held', async () => {
      const { cache } = setup();
      await expect(
        cache.wrap('k', () => Promise.reject(new Error('down')), { staleIfError: true }),
      ).rejects.toThrow('down');
    });
  });

  it('returns but does not cache a value `unless` rejects', async () => {
    const { cache } = setup();
    const unless = (result: { success: boolean }) => !result.success;
    const loader = jest.fn(async () => ({ success: false }));
    expect(await cache.wrap('k', loader, { unless })).toEqual({ success: false });
    expect(await cache.wrap('k', loader, { unless })).toEqual({ success: false });
    expect(loader).toHaveBeenCalledTimes(2);
    expect(await cache.wrap('ok', async () => ({ success: true }), { unless })).toEqual({
      success: true,
    });
    expect(cache.hasKey('ok')).toBe(true);
  });

  it('returns but does not cache a value that is not JSON, warning through the log or onUncacheable', async () => {
    const { cache, logger } = setup();
    const value = new Map([['a', 1]]);
    expect(await cache.wrap('k', async () => value)).toBe(value);
    expect(logger.warn).toHaveBeenCalledWith(NOT_JSON('k', 'data', '$ is a Map'));
    const onUncacheable = jest.fn();
    expect(await cache.wrap('k', async () => value, { onUncacheable })).toBe(value);
    expect(onUncacheable).toHaveBeenCalledWith(NOT_JSON('k', 'data', '$ is a Map'));
    expect(cache.getKeys()).toEqual([]);
  });

  it('throws the RangeError of set for a bad ttl or category, before loading', async () => {
    const { cache } = setup();
    const loader = jest.fn(async () => 1);
    await expect(cache.wrap('k', loader, { ttl: 0 })).rejects.toThrow(
      new RangeError(INVALID_TTL(0)),
    );
    await expect(cache.wrap('k', loader, { category: '' })).rejects.toThrow(
      new RangeError(INVALID_CATEGORY('')),
    );
    expect(loader).not.toHaveBeenCalled();
  });

  it('counts loads, failed loads, their mean duration and stale hits in the statistics', async () => {
    const { cache, clock } = setup();
    await cache.wrap('a', async () => 1, { ttl: 10 });
    await cache.wrap('a', async () => 1, { ttl: 10 });
    await expect(cache.wrap('b', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    clock.advanceSeconds(15);
    await cache.wrap('a', async () => 2, { ttl: 10, staleWhileRevalidate: true });
    await flushPromises();
    const stats = cache.getStats();
    expect(stats.totalLoads).toBe(3);
    expect(stats.totalLoadErrors).toBe(1);
    expect(stats.staleHits).toBe(1);
    expect(stats.averageLoadTimeMs).toBeGreaterThanOrEqual(0);
    expect(stats.toDict()).toMatchObject({
      totalLoads: 3,
      totalLoadErrors: 1,
      staleHits: 1,
      averageLoadTimeMs: stats.averageLoadTimeMs,
    });
  });

  it('hands out the cached snapshot on hits: deep-frozen, unaffected by the loaded object changing', async () => {
    const { cache } = setup();
    const loaded = { list: [1] };
    await cache.wrap('k', async () => loaded);
    loaded.list.push(2);
    const hit = await cache.wrap('k', async () => ({ list: [] }));
    expect(hit).toEqual({ list: [1] });
    expect(Object.isFrozen(hit)).toBe(true);
  });
});
