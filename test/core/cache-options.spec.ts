import { afterEach, describe, expect, it } from '@jest/globals';

import {
  CacheManager,
  DEFAULT_CACHE_OPTIONS,
  cleanupGlobalCache,
  getGlobalCache,
} from '../../lib/index.js';
import { INVALID_OPTION } from '../../lib/core/cache.messages.js';
import { MAX_ENTRIES_LIMIT } from '../../lib/core/cache-options.util.js';
import { MAX_TIMEOUT_SECONDS } from '../../lib/core/cache-status.util.js';

describe('CacheManager options', () => {
  it("uses the seed's defaults", () => {
    const cache = new CacheManager();
    expect(cache.defaultTtl).toBe(300);
    expect(cache.maxEntries).toBe(1000);
    expect(cache.cleanupInterval).toBe(60);
    expect(DEFAULT_CACHE_OPTIONS).toEqual({
      defaultTtl: 300,
      maxEntries: 1000,
      cleanupInterval: 60,
      softTimeout: 0,
      hardTimeout: 0,
    });
    cache.shutdown();
  });

  it('accepts fractional durations and 0 for cleanupInterval', () => {
    const cache = new CacheManager({ defaultTtl: 0.25, maxEntries: 1, cleanupInterval: 0 });
    expect(cache.defaultTtl).toBe(0.25);
    expect(cache.cleanupInterval).toBe(0);
  });

  it.each([
    ['defaultTtl', 0, 'a finite number of seconds above 0'],
    ['defaultTtl', -5, 'a finite number of seconds above 0'],
    ['defaultTtl', Infinity, 'a finite number of seconds above 0'],
    [
      'defaultTtl',
      '300',
      'a finite number of seconds above 0 (a number, not the string; convert it with Number(...))',
    ],
    ['defaultTtl', 'soon', 'a finite number of seconds above 0'],
    [
      'maxEntries',
      '1000',
      `a whole number from 1 to ${MAX_ENTRIES_LIMIT} (a number, not the string; convert it with Number(...))`,
    ],
    [
      'cleanupInterval',
      '60',
      'a finite number of seconds, 0 or more (0 turns automatic cleanup off) (a number, not the string; convert it with Number(...))',
    ],
    ['maxEntries', 0, `a whole number from 1 to ${MAX_ENTRIES_LIMIT}`],
    ['maxEntries', 1.5, `a whole number from 1 to ${MAX_ENTRIES_LIMIT}`],
    ['maxEntries', 2 ** 40, `a whole number from 1 to ${MAX_ENTRIES_LIMIT}`],
    ['maxEntries', NaN, `a whole number from 1 to ${MAX_ENTRIES_LIMIT}`],
    [
      'cleanupInterval',
      -1,
      'a finite number of seconds, 0 or more (0 turns automatic cleanup off)',
    ],
    [
      'cleanupInterval',
      NaN,
      'a finite number of seconds, 0 or more (0 turns automatic cleanup off)',
    ],
    ['cleanupInterval', 10_000_000, 'at most 2147483 seconds (a timer limit)'],
    // One millisecond past the longest timer Node sets (2 ** 31 - 1 ms).
    ['cleanupInterval', 2147483.648, 'at most 2147483 seconds (a timer limit)'],
    // Text that is no number gets no hint to convert it: blank, or words.
    ['maxEntries', '  ', `a whole number from 1 to ${MAX_ENTRIES_LIMIT}`],
    ['maxEntries', '', `a whole number from 1 to ${MAX_ENTRIES_LIMIT}`],
    ['softTimeout', -1, `a finite number of seconds from 0 (off) to ${MAX_TIMEOUT_SECONDS}`],
    ['clock', 'now', 'a function returning milliseconds'],
    ['debug', 'yes', 'a boolean'],
    ['logger', { warn() {} }, 'an object with debug, log, warn and error methods'],
  ])('rejects %s = %p with a RangeError naming it', (option, value, expected) => {
    expect(() => new CacheManager({ cleanupInterval: 0, [option]: value })).toThrow(
      new RangeError(INVALID_OPTION(option, expected, value)),
    );
  });

  it('accepts the longest cleanupInterval a timer can wait', () => {
    const cache = new CacheManager({ cleanupInterval: 2147483.647 });
    expect(cache.cleanupInterval).toBe(2147483.647);
    cache.shutdown();
  });

  it('rejects options that are not an object', () => {
    expect(() => new CacheManager(42 as never)).toThrow(
      new RangeError(INVALID_OPTION('options', 'an object', 42)),
    );
    expect(() => new CacheManager(null as never)).toThrow(
      new RangeError(INVALID_OPTION('options', 'an object', null)),
    );
  });

  it('rejects options that throw when read, keeping the error as the cause', () => {
    const failure = new Error('vault sealed');
    const options = {
      get defaultTtl(): number {
        throw failure;
      },
    };
    let thrown: unknown;
    try {
      new CacheManager(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toEqual(
      new RangeError(INVALID_OPTION('options', 'an object whose properties can be read', options)),
    );
    expect((thrown as Error).cause).toBe(failure);
  });

  it('takes as logger any object with the four methods, and nothing else', () => {
    const methods = { debug() {}, log() {}, warn() {}, error() {} };
    const logger = Object.assign(() => undefined, methods);
    expect(() => new CacheManager({ cleanupInterval: 0, logger })).toThrow(RangeError);
    expect(() => new CacheManager({ cleanupInterval: 0, logger: methods })).not.toThrow();
  });
});

describe('global cache', () => {
  afterEach(() => cleanupGlobalCache());

  it('is one instance until cleaned up, then a new one', () => {
    const first = getGlobalCache();
    expect(getGlobalCache()).toBe(first);
    first.set('k', 1);
    cleanupGlobalCache();
    expect(first.size).toBe(0);
    const second = getGlobalCache();
    expect(second).not.toBe(first);
    expect(second.getData('k')).toBeUndefined();
  });

  it('is kept under one well-known symbol, so that two copies of the package share it', () => {
    const first = getGlobalCache();
    const shared = (globalThis as Record<symbol, { get(): unknown } | undefined>)[
      Symbol.for('nestjs-fresh-cache:global-cache@1')
    ];
    expect(shared?.get()).toBe(first);
  });

  it('cleanupGlobalCache is harmless without a global cache', () => {
    cleanupGlobalCache();
    expect(() => cleanupGlobalCache()).not.toThrow();
  });
});
