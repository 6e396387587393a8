/**
 * Counterexamples the hostile-input property found, kept as plain tests. Each failed before the
 * fix named in its title.
 */
import { describe, expect, it } from '@jest/globals';

import { CacheManager } from '../../lib/core/cache-manager.js';
import {
  INVALID_SET_OPTIONS,
  INVALID_TTL,
  INVALID_WRAP_OPTIONS,
} from '../../lib/core/cache.messages.js';
import { silentLogger } from '../support/test-loggers.js';

function revokedProxy<T extends object>(target: T): T {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

function makeCache(now: { ms: number }): CacheManager {
  return new CacheManager({ cleanupInterval: 0, clock: () => now.ms, logger: silentLogger });
}

describe('hostile input regressions', () => {
  it('set: options whose getter throws are bad options (RangeError), and nothing changes', () => {
    const now = { ms: 0 };
    const cache = makeCache(now);
    cache.set('k', 'old');
    const options = Object.defineProperty({}, 'ttl', {
      enumerable: true,
      get() {
        throw new Error('ttl getter threw');
      },
    });
    expect(() => cache.set('k', 'new', options)).toThrow(RangeError);
    expect(() => cache.set('k', 'new', options)).toThrow(INVALID_SET_OPTIONS(options));
    expect(cache.getData('k')).toBe('old');
    expect(cache.getStats().totalSets).toBe(1);
  });

  it("wrap: options whose ttl getter throws are a RangeError like set's, loading nothing", async () => {
    const cache = makeCache({ ms: 0 });
    const options = Object.defineProperty({}, 'ttl', {
      enumerable: true,
      get() {
        throw new Error('ttl getter threw');
      },
    });
    let loads = 0;
    const call = cache.wrap('k', () => ++loads, options);
    await expect(call).rejects.toThrow(INVALID_WRAP_OPTIONS(options));
    await expect(call).rejects.toBeInstanceOf(RangeError);
    const error = (await call.catch((e: unknown) => e)) as RangeError;
    expect((error.cause as Error).message).toBe('ttl getter threw');
    expect(loads).toBe(0);
    expect(cache.size).toBe(0);
  });

  it('wrap: a revoked Proxy or a Proxy that throws as options is a RangeError, not the raw error', async () => {
    const cache = makeCache({ ms: 0 });
    const revoked = revokedProxy({});
    await expect(cache.wrap('k', () => 1, revoked)).rejects.toBeInstanceOf(RangeError);
    await expect(cache.wrap('k', () => 1, revoked)).rejects.toThrow(INVALID_WRAP_OPTIONS(revoked));
    const trap = new Proxy(
      {},
      {
        get() {
          throw new TypeError('trap');
        },
      },
    );
    await expect(cache.wrap('k', () => 1, trap)).rejects.toBeInstanceOf(RangeError);
    await expect(cache.wrap('k', () => 1, trap)).rejects.toThrow(INVALID_WRAP_OPTIONS(trap));
    await expect(cache.wrap('k', () => 1, null as never)).rejects.toThrow(
      new RangeError(INVALID_WRAP_OPTIONS(null)),
    );
    expect(cache.size).toBe(0);
  });

  it('wrap: each option is read once, so a getter cannot change its answer after the check', async () => {
    const cache = makeCache({ ms: 0 });
    let reads = 0;
    const options = Object.defineProperty({}, 'ttl', {
      enumerable: true,
      get() {
        return ++reads === 1 ? 30 : -1;
      },
    });
    await expect(cache.wrap('k', () => 1, options)).resolves.toBe(1);
    expect(cache.get('k')!.ttlSeconds).toBe(30);
    expect(reads).toBe(1);
  });

  it('set: a revoked Proxy as key is refused with false, as ttl with a RangeError', () => {
    const cache = makeCache({ ms: 0 });
    expect(cache.set(revokedProxy({}) as unknown as string, 1)).toBe(false);
    const ttl = revokedProxy([]) as unknown as number;
    expect(() => cache.set('k', 1, { ttl })).toThrow(new RangeError(INVALID_TTL(ttl)));
    expect(cache.size).toBe(0);
  });

  it('set: data whose getter throws a value that cannot be printed is refused with false', () => {
    const cache = makeCache({ ms: 0 });
    const data = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw Object.create(null);
      },
    });
    expect(cache.set('k', data)).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('get and hasKey: null or unreadable read options are the defaults, and a miss is counted', () => {
    const now = { ms: 0 };
    const cache = makeCache(now);
    cache.set('k', 1, 1);
    now.ms = 1500; // STALE: the only state in which the options are read
    expect(cache.get('k', null as never)).toBeUndefined();
    expect(cache.get('k', revokedProxy({}))).toBeUndefined();
    expect(cache.hasKey('k', revokedProxy({}))).toBe(false);
    expect(cache.hasKey('k', null as never)).toBe(false);
    expect(cache.getStats().totalMisses).toBe(2);
    expect(cache.get('k', { includeStale: true })?.data).toBe(1);
  });

  it('constructor: options that throw when read give a RangeError naming "options" or the option', () => {
    const throwing = Object.defineProperty({}, 'maxEntries', {
      enumerable: true,
      get() {
        throw new Error('maxEntries getter threw');
      },
    });
    expect(() => new CacheManager(throwing)).toThrow(/^Invalid cache option "options"/);
    expect(() => new CacheManager(revokedProxy({}))).toThrow(RangeError);
    const logger = new Proxy(
      {},
      {
        get() {
          throw new Error('logger trap');
        },
      },
    );
    expect(() => new CacheManager({ logger: logger as never })).toThrow(
      /^Invalid cache option "logger"/,
    );
  });
});
