import { describe, expect, it } from '@jest/globals';

import { CacheManager } from '../../lib/index.js';
import { bytesBesideKey } from '../../lib/core/cache-byte-budget.js';
import { INVALID_OPTION, NOT_JSON, TOO_LARGE } from '../../lib/core/cache.messages.js';
import { cacheInternals } from '../../lib/core/cache-manager.js';
import { objectBytes, stringBytes } from '../../lib/core/json-size.util.js';
import { TestClock } from '../support/test-clock.js';
import { silentLogger, spyLogger } from '../support/test-loggers.js';

/** The estimate of `{ s: 'x' * length }` under `key`, with no metadata. */
const sizeOf = (key: string, length: number): number =>
  bytesBesideKey(objectBytes(1) + stringBytes('x'.repeat(length)), 0, []) + stringBytes(key);

const value = (length: number) => ({ s: 'x'.repeat(length) });

function budgetCache(maxBytes: number, maxEntryBytes?: number, maxEntries = 1000) {
  return new CacheManager({
    maxBytes,
    maxEntryBytes,
    maxEntries,
    cleanupInterval: 0,
    logger: silentLogger,
    clock: new TestClock().read,
  });
}

describe('maxBytes and maxEntryBytes options', () => {
  it('are off by default: no sizes in the statistics', () => {
    const cache = new CacheManager({ cleanupInterval: 0 });
    cache.set('a', value(10));
    expect(cache.maxBytes).toBeUndefined();
    expect(cache.maxEntryBytes).toBeUndefined();
    expect(cache.getStats().totalBytes).toBeUndefined();
    expect(cache.getStats().toDict()).not.toHaveProperty('totalBytes');
  });

  it('default maxEntryBytes to a tenth of maxBytes', () => {
    expect(budgetCache(1_000_000).maxEntryBytes).toBe(100_000);
    // Whole bytes: a budget of 64 MiB takes entries of up to 6,710,886 bytes, not 6,710,886.4.
    expect(budgetCache(64 * 1024 * 1024).maxEntryBytes).toBe(6_710_886);
    expect(budgetCache(1_000_000, 500_000).maxEntryBytes).toBe(500_000);
  });

  it.each([
    ['maxBytes', { maxBytes: 0 }, 0, 'a finite number of bytes above 0'],
    ['maxBytes', { maxBytes: -1 }, -1, 'a finite number of bytes above 0'],
    ['maxBytes', { maxBytes: Infinity }, Infinity, 'a finite number of bytes above 0'],
    ['maxBytes', { maxBytes: NaN }, NaN, 'a finite number of bytes above 0'],
    [
      'maxBytes',
      { maxBytes: '1000' },
      '1000',
      'a finite number of bytes above 0 (a number, not the string; convert it with Number(...))',
    ],
    ['maxEntryBytes', { maxBytes: 100, maxEntryBytes: 0 }, 0, 'a finite number of bytes above 0'],
    [
      'maxEntryBytes',
      { maxBytes: 100, maxEntryBytes: 101 },
      101,
      'a number of bytes at most maxBytes (100)',
    ],
    [
      'maxEntryBytes',
      { maxEntryBytes: 10 },
      10,
      'to be given with maxBytes (it bounds one entry of that budget)',
    ],
  ])(
    'refuse a bad %s at construction, naming it, its unit and the value',
    (name, options, given, expected) => {
      expect(() => new CacheManager(options as never)).toThrow(
        new RangeError(INVALID_OPTION(name, expected, given)),
      );
    },
  );
});

describe('a cache with maxBytes', () => {
  it('counts every entry it holds, and frees the bytes of what it removes', () => {
    const cache = budgetCache(1_000_000);
    cache.set('a', value(10));
    cache.set('b', value(100), { metadata: { by: 'test' } });
    const b = sizeOf('b', 100) + objectBytes(1) + stringBytes('test');
    expect(cache.getStats().totalBytes).toBe(sizeOf('a', 10) + b);
    cache.set('a', value(50));
    expect(cache.getStats().totalBytes).toBe(sizeOf('a', 50) + b);
    cache.delete('a');
    expect(cache.getStats().totalBytes).toBe(b);
    cache.invalidate('b');
    cache.cleanup();
    expect(cache.getStats().totalBytes).toBe(0);
  });

  it('reports totalBytes, maxBytes and the usage by bytes in toDict()', () => {
    const cache = budgetCache(10_000);
    cache.set('a', value(10));
    const bytes = sizeOf('a', 10);
    expect(cache.getStats().toDict()).toMatchObject({
      totalBytes: bytes,
      maxBytes: 10_000,
      bytesUsagePercent: (bytes / 10_000) * 100,
    });
    expect(cache.getStats().getBytesUsage()).toBe((bytes / 10_000) * 100);
  });

  it('evicts least recently used entries until a new entry fits', () => {
    const one = sizeOf('k0', 100);
    const cache = budgetCache(3 * one + 10, one);
    for (const key of ['k0', 'k1', 'k2']) cache.set(key, value(100));
    cache.get('k0');
    expect(cache.set('k3', value(100))).toBe(true);
    expect(cache.getKeys()).toEqual(['k2', 'k0', 'k3']);
    expect(cache.getStats().totalEvictions).toBe(1);
    expect(cache.getStats().totalBytes).toBeLessThanOrEqual(3 * one + 10);
  });

  it('evicts others, never the key itself, when a rewrite grows an entry', () => {
    const small = sizeOf('k0', 10);
    const cache = budgetCache(small * 4, small * 3);
    for (const key of ['k0', 'k1', 'k2', 'k3']) cache.set(key, value(10));
    cache.set('k0', value(small * 2));
    expect(cache.getKeys()).toContain('k0');
    expect(cache.getStats().totalBytes).toBeLessThanOrEqual(small * 4);
    expect(cache.getStats().totalEvictions).toBeGreaterThan(0);
  });

  it('still evicts at maxEntries, whichever bound comes first', () => {
    const cache = budgetCache(1_000_000, undefined, 2);
    for (const key of ['a', 'b', 'c']) cache.set(key, value(10));
    expect(cache.getKeys()).toEqual(['b', 'c']);
    expect(cache.getStats().totalBytes).toBe(sizeOf('b', 10) + sizeOf('c', 10));
  });

  it('refuses an entry above maxEntryBytes with a warning naming its size, keeping what it held', () => {
    const logger = spyLogger();
    const cache = new CacheManager({ maxBytes: 10_000, cleanupInterval: 0, logger });
    cache.set('k', value(10));
    expect(cache.set('k', value(2000))).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(TOO_LARGE('k', sizeOf('k', 2000), 1000));
    expect(cache.getData('k')).toEqual(value(10));
    expect(cache.getStats().totalSets).toBe(1);
  });

  it('counts a long key by its characters, one or two bytes each, on every rewrite', () => {
    const cache = budgetCache(1_000_000);
    const oneByte = 'ascii-key-of-some-length';
    const twoByte = 'ключ-из-кириллицы-длинный';
    for (let round = 0; round < 3; round++) {
      cache.set(oneByte, value(10 * (round + 1)));
      cache.set(twoByte, value(10 * (round + 1)));
      expect(cache.getStats().totalBytes).toBe(
        sizeOf(oneByte, 10 * (round + 1)) + sizeOf(twoByte, 10 * (round + 1)),
      );
    }
    expect(stringBytes(twoByte)).toBeGreaterThan(stringBytes(oneByte));
    cache.delete(twoByte);
    cache.set('k', value(10));
    expect(cache.getStats().totalBytes).toBe(sizeOf(oneByte, 30) + sizeOf('k', 10));
  });

  it('takes an entry exactly at maxEntryBytes and refuses one byte more, for long keys of either width', () => {
    for (const key of [
      'a-one-byte-key-of-40-characters-0123456',
      'ключ-из-сорока-символов-кириллицей-0123',
    ]) {
      const logger = spyLogger();
      const exact = sizeOf(key, 100);
      const cache = new CacheManager({
        maxBytes: exact * 10,
        maxEntryBytes: exact,
        cleanupInterval: 0,
        logger,
      });
      expect(cache.set(key, value(100))).toBe(true);
      expect(cache.getStats().totalBytes).toBe(exact);
      // Strings grow in 8-byte steps: 8 more characters are over the bound by 8 bytes.
      expect(cache.set(key, value(108))).toBe(false);
      expect(logger.warn).toHaveBeenCalledWith(TOO_LARGE(key, sizeOf(key, 108), exact));
      expect(cache.getData(key)).toEqual(value(100));
    }
  });

  it('refuses data or metadata that is not JSON, as a cache without a budget does', () => {
    const logger = spyLogger();
    const cache = new CacheManager({ maxBytes: 10_000, cleanupInterval: 0, logger });
    expect(cache.set('k', { when: new Date(0) })).toBe(false);
    expect(cache.set('k', 1, { metadata: { f: () => 1 } as never })).toBe(false);
    expect(logger.warn.mock.calls).toEqual([
      [NOT_JSON('k', 'data', '$.when is a Date')],
      [NOT_JSON('k', 'metadata', '$.f is a function')],
    ]);
    expect(cache.size).toBe(0);
    expect(cache.getStats().totalBytes).toBe(0);
  });

  it('refuses to restore an entry from a second tier whose data is not JSON', () => {
    const cache = budgetCache(10_000);
    const stored = { timestampMs: cache.now(), ttlSeconds: 60, category: 'default', metadata: {} };
    const restored = cacheInternals(cache).restore('k', { ...stored, data: { n: 1n } as never });
    expect(restored).toBeUndefined();
    expect(cache.getStats().totalBytes).toBe(0);
  });

  it('has wrap return a value too large for the budget, uncached', async () => {
    const logger = spyLogger();
    const cache = new CacheManager({ maxBytes: 10_000, cleanupInterval: 0, logger });
    await expect(cache.wrap('k', () => value(2000))).resolves.toEqual(value(2000));
    expect(cache.hasKey('k')).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(TOO_LARGE('k', sizeOf('k', 2000), 1000));
  });

  it('counts entries restored from a second tier, and refuses those too large', () => {
    const cache = budgetCache(10_000);
    const internals = cacheInternals(cache);
    const stored = { timestampMs: cache.now(), ttlSeconds: 60, category: 'default', metadata: {} };
    expect(internals.restore('big', { ...stored, data: value(2000) })).toBeUndefined();
    expect(internals.restore('ok', { ...stored, data: value(10) })).toBeDefined();
    expect(cache.getStats().totalBytes).toBe(sizeOf('ok', 10) + objectBytes(0));
  });

  it('starts again from 0 after clear() and keeps counting by category', () => {
    const cache = budgetCache(1_000_000);
    cache.set('a', value(10), { category: 'x' });
    cache.set('b', value(10), { category: 'y' });
    cache.clear('x');
    expect(cache.getStats().totalBytes).toBe(sizeOf('b', 10));
    cache.clear();
    expect(cache.getStats().totalBytes).toBe(0);
    cache.set('c', value(10));
    expect(cache.getStats().totalBytes).toBe(sizeOf('c', 10));
  });

  it('tracks sizes past the first slots the size column held', () => {
    const cache = budgetCache(100_000_000, undefined, 10_000);
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, value(10));
    let expected = 0;
    for (let i = 0; i < 1000; i++) expected += sizeOf(`k${i}`, 10);
    expect(cache.getStats().totalBytes).toBe(expected);
  });

  describe('with an eviction listener that writes to the cache', () => {
    const one = sizeOf('k0', 100);

    /** The bytes the budget counts, and the bytes of what it holds, counted entry by entry. */
    const counted = (cache: CacheManager) => ({
      totalBytes: cache.getStats().totalBytes,
      held: cache.getKeys().reduce((sum, key) => sum + sizeOf(key, 100), 0),
    });

    it('keeps the count exact when the listener deletes the entry being written', () => {
      const cache = budgetCache(3 * one, one);
      for (const key of ['k0', 'k1', 'k2']) cache.set(key, value(100));
      cache.on('eviction', () => cache.delete('k3'));
      const sets = cache.getStats().totalSets;
      expect(cache.set('k3', value(100))).toBe(true);
      expect(cache.getKeys()).not.toContain('k3');
      expect(cache.getStats().totalSets).toBe(sets + 1);
      const { totalBytes, held } = counted(cache);
      expect(totalBytes).toBe(held);
      expect(totalBytes).toBeLessThanOrEqual(3 * one);
    });

    it('keeps the count exact when the listener writes other entries meanwhile', () => {
      const cache = budgetCache(3 * one, one);
      for (const key of ['k0', 'k1', 'k2']) cache.set(key, value(100));
      const evicted: string[] = [];
      let written = 0;
      cache.on('eviction', ({ key }) => {
        evicted.push(key);
        if (written < 3) cache.set(`w${written++}`, value(100));
      });
      expect(cache.set('k3', value(100))).toBe(true);
      // Each write evicts the least recently used entry, k3 itself once three came after it.
      expect(evicted).toEqual(['k0', 'k1', 'k2', 'k3']);
      expect(cache.getKeys()).toEqual(['w0', 'w1', 'w2']);
      const { totalBytes, held } = counted(cache);
      expect(totalBytes).toBe(held);
      expect(totalBytes).toBeLessThanOrEqual(3 * one);
    });
  });
});
