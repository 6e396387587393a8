import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';

import { CacheLoadTimeoutError, CacheManager } from '../../lib/index.js';
import { INVALID_OPTION, INVALID_TIMEOUT, LOAD_TIMED_OUT } from '../../lib/core/cache.messages.js';
import { TestClock } from '../support/test-clock.js';
import { spyLogger } from '../support/test-loggers.js';
import { deferred, flushPromises } from '../cached/cached.helpers.js';

/*
 * softTimeout and hardTimeout, driven by jest's fake timers (the timeouts are timers) and a
 * hand-driven clock (the entries' ages): nothing here sleeps.
 */

function setup(options: { softTimeout?: number; hardTimeout?: number } = {}) {
  const clock = new TestClock();
  const logger = spyLogger();
  const cache = new CacheManager({
    defaultTtl: 10,
    cleanupInterval: 0,
    clock: clock.read,
    logger,
    ...options,
  });
  return { cache, clock, logger };
}

/** A cache holding a STALE entry 'k' = 'old'. */
function withStale(options: { softTimeout?: number; hardTimeout?: number } = {}) {
  const fixture = setup(options);
  fixture.cache.set('k', 'old');
  fixture.clock.advanceSeconds(15);
  return fixture;
}

const never = () => new Promise<string>(() => undefined);

/** Whether `promise` has settled, after pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await flushPromises();
  return done;
}

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  expect(jest.getTimerCount()).toBe(0);
  jest.useRealTimers();
});

describe('hardTimeout', () => {
  it('rejects with a typed CacheLoadTimeoutError when the load runs past it, not before', async () => {
    const { cache } = setup();
    const call = cache.wrap('k', never, { hardTimeout: 2 });
    await jest.advanceTimersByTimeAsync(1999);
    expect(await settled(call)).toBe(false);
    const failure = expect(call).rejects.toThrow(CacheLoadTimeoutError);
    await jest.advanceTimersByTimeAsync(1);
    await failure;
    const error = (await call.catch((e: unknown) => e)) as CacheLoadTimeoutError;
    expect(error.name).toBe('CacheLoadTimeoutError');
    expect(error.key).toBe('k');
    expect(error.timeoutSeconds).toBe(2);
    expect(error.message).toBe(LOAD_TIMED_OUT('k', 2));
  });

  it('frees the key at once: a loader that never settles does not block the next caller', async () => {
    const { cache } = setup({ hardTimeout: 1 });
    const first = cache.wrap('k', never);
    void first.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(1000);
    await expect(first).rejects.toBeInstanceOf(CacheLoadTimeoutError);
    const second = jest.fn(async () => 'new');
    await expect(cache.wrap('k', second)).resolves.toBe('new');
    expect(second).toHaveBeenCalledTimes(1);
    expect(cache.getData('k')).toBe('new');
  });

  it('does not cache the abandoned load when it settles late, over the newer load', async () => {
    const { cache } = setup({ hardTimeout: 1 });
    const slow = deferred<string>();
    const first = cache.wrap('k', () => slow.promise);
    void first.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(1000);
    await expect(cache.wrap('k', async () => 'newer')).resolves.toBe('newer');
    slow.resolve('late');
    await flushPromises();
    expect(cache.getData('k')).toBe('newer');
    expect(cache.getStats().totalLoads).toBe(2);
  });

  it('keeps single flight: concurrent callers share one load and each times out', async () => {
    const { cache } = setup();
    const loader = jest.fn(never);
    const a = cache.wrap('k', loader, { hardTimeout: 1 });
    const b = cache.wrap('k', loader, { hardTimeout: 1 });
    void a.catch(() => undefined);
    void b.catch(() => undefined);
    expect(loader).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1000);
    await expect(a).rejects.toBeInstanceOf(CacheLoadTimeoutError);
    await expect(b).rejects.toBeInstanceOf(CacheLoadTimeoutError);
    const next = jest.fn(async () => 'v');
    await cache.wrap('k', next);
    await cache.wrap('k', next);
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('a caller without a timeout still gets the shared value after another caller gave up', async () => {
    const { cache } = setup();
    const slow = deferred<string>();
    const patient = cache.wrap('k', () => slow.promise);
    const hasty = cache.wrap('k', () => slow.promise, { hardTimeout: 1 });
    void hasty.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(1000);
    await expect(hasty).rejects.toBeInstanceOf(CacheLoadTimeoutError);
    slow.resolve('v');
    await expect(patient).resolves.toBe('v');
  });

  it('an abandoned load that ends later leaves the load after it in charge of the key', async () => {
    const { cache } = setup();
    const first = deferred<string>();
    const second = deferred<string>();
    const loader = jest
      .fn<() => Promise<string>>()
      .mockReturnValueOnce(first.promise)
      .mockReturnValueOnce(second.promise);
    const abandoned = cache.wrap('k', loader, { hardTimeout: 1 });
    void abandoned.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(1000);
    const next = cache.wrap('k', loader); // the key is free: a load of its own
    first.resolve('late'); // the abandoned load ends while the next one runs
    await flushPromises();
    const joining = cache.wrap('k', loader); // joins the running load, starts none
    second.resolve('fresh');
    await expect(next).resolves.toBe('fresh');
    await expect(joining).resolves.toBe('fresh');
    expect(loader).toHaveBeenCalledTimes(2);
    expect(cache.getData('k')).toBe('fresh');
  });

  it('with staleIfError, returns the STALE entry instead, and logs why', async () => {
    const { cache, logger } = withStale();
    const call = cache.wrap('k', never, { hardTimeout: 1, staleIfError: true });
    await jest.advanceTimersByTimeAsync(1000);
    await expect(call).resolves.toBe('old');
    expect(logger.error).toHaveBeenCalledWith(
      "Loading key 'k' took longer than its hardTimeout (1s); serving the stale entry (age 15.0s)",
      expect.stringContaining(LOAD_TIMED_OUT('k', 1)),
    );
  });

  it('a load that settles in time returns its value and leaves no timer', async () => {
    const { cache } = setup({ hardTimeout: 5, softTimeout: 1 });
    await expect(cache.wrap('k', async () => 'v')).resolves.toBe('v');
    expect(cache.getData('k')).toBe('v');
    const failing = cache.wrap('f', async () => Promise.reject(new Error('boom')));
    await expect(failing).rejects.toThrow('boom');
  });

  it('frees a background refresh that never settles, so the next refresh can start', async () => {
    const { cache, logger } = withStale({ hardTimeout: 1 });
    const loader = jest.fn(never);
    await expect(cache.wrap('k', loader, { staleWhileRevalidate: true })).resolves.toBe('old');
    await jest.advanceTimersByTimeAsync(1000);
    expect(logger.error).toHaveBeenCalledTimes(1);
    await expect(cache.wrap('k', loader, { staleWhileRevalidate: true })).resolves.toBe('old');
    expect(loader).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(1000);
  });

  it('0 per call turns the module-wide timeout off', async () => {
    const { cache } = setup({ hardTimeout: 1 });
    const slow = deferred<string>();
    const call = cache.wrap('k', () => slow.promise, { hardTimeout: 0 });
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(5000);
    slow.resolve('v');
    await expect(call).resolves.toBe('v');
  });
});

describe('softTimeout', () => {
  it('serves the STALE entry after it, while the load goes on and is still cached', async () => {
    const { cache } = withStale();
    const slow = deferred<string>();
    const loader = jest.fn(() => slow.promise);
    const call = cache.wrap('k', loader, { softTimeout: 0.5 });
    await jest.advanceTimersByTimeAsync(499);
    expect(await settled(call)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toBe('old');
    // The load is still the key's: a second caller joins it instead of loading again.
    const joined = cache.wrap('k', loader, { softTimeout: 0.5 });
    expect(loader).toHaveBeenCalledTimes(1);
    slow.resolve('new');
    await expect(joined).resolves.toBe('new');
    expect(cache.getData('k')).toBe('new');
  });

  it('applies the module-wide default, looking at the STALE entry without staleIfError', async () => {
    const { cache } = withStale({ softTimeout: 1 });
    const slow = deferred<string>();
    const call = cache.wrap('k', () => slow.promise);
    await jest.advanceTimersByTimeAsync(1000);
    await expect(call).resolves.toBe('old');
    slow.resolve('new');
    await flushPromises();
    expect(cache.getData('k')).toBe('new');
  });

  it('a caller with nothing STALE keeps waiting for the load', async () => {
    const { cache } = setup({ softTimeout: 1 });
    const slow = deferred<string>();
    const call = cache.wrap('k', () => slow.promise);
    await jest.advanceTimersByTimeAsync(5000);
    expect(await settled(call)).toBe(false);
    slow.resolve('v');
    await expect(call).resolves.toBe('v');
  });

  it('a load that fails before it still fails the caller (no staleIfError)', async () => {
    const { cache } = withStale({ softTimeout: 1 });
    await expect(cache.wrap('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
  });

  it('then hardTimeout: the soft one serves STALE, the hard one still frees the key', async () => {
    const { cache } = withStale({ softTimeout: 1, hardTimeout: 3 });
    const call = cache.wrap('k', never);
    await jest.advanceTimersByTimeAsync(1000);
    await expect(call).resolves.toBe('old');
    await jest.advanceTimersByTimeAsync(2000);
    const next = jest.fn(async () => 'new');
    await expect(cache.wrap('k', next)).resolves.toBe('new');
    expect(next).toHaveBeenCalledTimes(1);
  });
});

describe('timeout options', () => {
  it.each([
    ['softTimeout', -1],
    ['hardTimeout', Number.NaN],
    ['hardTimeout', Infinity],
    ['softTimeout', 2147484],
    ['hardTimeout', '5'],
  ])('refuses %s = %p at construction, naming the option', (option, value) => {
    expect(() => new CacheManager({ cleanupInterval: 0, [option]: value })).toThrow(RangeError);
    expect(() => new CacheManager({ cleanupInterval: 0, [option]: value })).toThrow(
      `Invalid cache option "${option}"`,
    );
  });

  it('refuses a softTimeout that the hardTimeout would always beat', () => {
    expect(() => new CacheManager({ cleanupInterval: 0, softTimeout: 2, hardTimeout: 2 })).toThrow(
      new RangeError(INVALID_OPTION('softTimeout', 'fewer seconds than hardTimeout (2), or 0', 2)),
    );
  });

  it('keeps the module-wide values readable on the cache', () => {
    const { cache } = setup({ softTimeout: 0.5, hardTimeout: 2 });
    expect(cache.softTimeout).toBe(0.5);
    expect(cache.hardTimeout).toBe(2);
  });

  it.each([
    ['softTimeout', -1],
    ['hardTimeout', 'soon'],
  ])('wrap refuses %s = %p with a RangeError, loading nothing', async (option, value) => {
    const { cache } = setup();
    const loader = jest.fn(async () => 'v');
    await expect(cache.wrap('k', loader, { [option]: value })).rejects.toThrow(
      new RangeError(INVALID_TIMEOUT(option, value)),
    );
    expect(loader).not.toHaveBeenCalled();
  });
});
