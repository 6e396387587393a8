import type {
  CacheManagerOptions,
  ResolvedCacheManagerOptions,
} from './cache-options.interface.js';
import { INVALID_OPTION } from './cache.messages.js';
import { isValidTimeout, isValidTtl, MAX_TIMEOUT_SECONDS } from './cache-status.util.js';

/** The Python original's defaults: five minutes to live, a thousand entries, a cleanup every minute. */
export const DEFAULT_CACHE_OPTIONS: ResolvedCacheManagerOptions = Object.freeze({
  defaultTtl: 300,
  maxEntries: 1000,
  cleanupInterval: 60,
  maxBytes: undefined,
  maxEntryBytes: undefined,
  softTimeout: 0,
  hardTimeout: 0,
});

/**
 * `maxEntryBytes` when only `maxBytes` is given: a tenth of it (rounded down to whole bytes), so
 * one value can never take more than a tenth of the budget (and evict most of the cache to get in).
 */
export const DEFAULT_MAX_ENTRY_BYTES_FRACTION = 0.1;

/** The largest `maxEntries`: slot indexes live in 32-bit typed arrays. */
export const MAX_ENTRIES_LIMIT = 2 ** 31 - 2;

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/**
 * What a numeric option must be, plus the fix when a number came as a string: configuration
 * (`ConfigService`, `process.env`) hands every value over as text.
 */
const expectedNumber = (expected: string, value: unknown): string =>
  typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
    ? `${expected} (a number, not the string; convert it with Number(...))`
    : expected;

/**
 * Applies the defaults to `options` and checks every value once, so the rest of the cache can
 * trust them. Throws a `RangeError` naming the option, its unit and what was given.
 */
export function resolveCacheOptions(
  options: CacheManagerOptions = {},
): ResolvedCacheManagerOptions {
  if (options === null || typeof options !== 'object') {
    throw new RangeError(INVALID_OPTION('options', 'an object', options));
  }
  options = readOptions(options);
  const {
    defaultTtl = DEFAULT_CACHE_OPTIONS.defaultTtl,
    maxEntries = DEFAULT_CACHE_OPTIONS.maxEntries,
    cleanupInterval = DEFAULT_CACHE_OPTIONS.cleanupInterval,
    softTimeout = DEFAULT_CACHE_OPTIONS.softTimeout,
    hardTimeout = DEFAULT_CACHE_OPTIONS.hardTimeout,
  } = options;
  if (!isValidTtl(defaultTtl)) {
    throw new RangeError(
      INVALID_OPTION(
        'defaultTtl',
        expectedNumber('a finite number of seconds above 0', defaultTtl),
        defaultTtl,
      ),
    );
  }
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > MAX_ENTRIES_LIMIT) {
    throw new RangeError(
      INVALID_OPTION(
        'maxEntries',
        expectedNumber(`a whole number from 1 to ${MAX_ENTRIES_LIMIT}`, maxEntries),
        maxEntries,
      ),
    );
  }
  if (!isFiniteNumber(cleanupInterval) || cleanupInterval < 0) {
    throw new RangeError(
      INVALID_OPTION(
        'cleanupInterval',
        expectedNumber(
          'a finite number of seconds, 0 or more (0 turns automatic cleanup off)',
          cleanupInterval,
        ),
        cleanupInterval,
      ),
    );
  }
  if (cleanupInterval * 1000 > 2 ** 31 - 1) {
    throw new RangeError(
      INVALID_OPTION('cleanupInterval', 'at most 2147483 seconds (a timer limit)', cleanupInterval),
    );
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new RangeError(
      INVALID_OPTION('clock', 'a function returning milliseconds', options.clock),
    );
  }
  if (options.debug !== undefined && typeof options.debug !== 'boolean') {
    throw new RangeError(INVALID_OPTION('debug', 'a boolean', options.debug));
  }
  const logger = options.logger;
  if (logger !== undefined && !isLogger(logger)) {
    throw new RangeError(
      INVALID_OPTION('logger', 'an object with debug, log, warn and error methods', logger),
    );
  }
  for (const [option, seconds] of [
    ['softTimeout', softTimeout],
    ['hardTimeout', hardTimeout],
  ] as const) {
    if (!isValidTimeout(seconds)) {
      throw new RangeError(
        INVALID_OPTION(
          option,
          expectedNumber(
            `a finite number of seconds from 0 (off) to ${MAX_TIMEOUT_SECONDS}`,
            seconds,
          ),
          seconds,
        ),
      );
    }
  }
  if (softTimeout > 0 && hardTimeout > 0 && softTimeout >= hardTimeout) {
    // The soft timeout would never be reached: the hard one always fires first.
    throw new RangeError(
      INVALID_OPTION(
        'softTimeout',
        `fewer seconds than hardTimeout (${hardTimeout}), or 0`,
        softTimeout,
      ),
    );
  }
  const { maxBytes, maxEntryBytes } = resolveByteBudget(options.maxBytes, options.maxEntryBytes);
  return {
    defaultTtl,
    maxEntries,
    cleanupInterval,
    maxBytes,
    maxEntryBytes,
    softTimeout,
    hardTimeout,
  };
}

/** `maxBytes` and `maxEntryBytes`, checked; both undefined when there is no budget. */
function resolveByteBudget(
  maxBytes: unknown,
  maxEntryBytes: unknown,
): { maxBytes: number | undefined; maxEntryBytes: number | undefined } {
  const positiveBytes = 'a finite number of bytes above 0';
  if (maxBytes !== undefined && !(isFiniteNumber(maxBytes) && maxBytes > 0)) {
    throw new RangeError(
      INVALID_OPTION('maxBytes', expectedNumber(positiveBytes, maxBytes), maxBytes),
    );
  }
  if (maxEntryBytes !== undefined && !(isFiniteNumber(maxEntryBytes) && maxEntryBytes > 0)) {
    throw new RangeError(
      INVALID_OPTION('maxEntryBytes', expectedNumber(positiveBytes, maxEntryBytes), maxEntryBytes),
    );
  }
  if (maxBytes === undefined) {
    if (maxEntryBytes !== undefined) {
      throw new RangeError(
        INVALID_OPTION(
          'maxEntryBytes',
          'to be given with maxBytes (it bounds one entry of that budget)',
          maxEntryBytes,
        ),
      );
    }
    return { maxBytes: undefined, maxEntryBytes: undefined };
  }
  if (maxEntryBytes !== undefined && maxEntryBytes > maxBytes) {
    throw new RangeError(
      INVALID_OPTION(
        'maxEntryBytes',
        `a number of bytes at most maxBytes (${maxBytes})`,
        maxEntryBytes,
      ),
    );
  }
  return {
    maxBytes,
    maxEntryBytes:
      (maxEntryBytes as number | undefined) ??
      Math.floor(maxBytes * DEFAULT_MAX_ENTRY_BYTES_FRACTION),
  };
}

/**
 * Reads every option once, so that an options object that throws when read (a getter, a Proxy)
 * is reported like any other bad option.
 */
function readOptions(options: CacheManagerOptions): CacheManagerOptions {
  try {
    const {
      defaultTtl,
      maxEntries,
      cleanupInterval,
      maxBytes,
      maxEntryBytes,
      clock,
      debug,
      logger,
    } = options;
    const { softTimeout, hardTimeout } = options;
    return {
      defaultTtl,
      maxEntries,
      cleanupInterval,
      maxBytes,
      maxEntryBytes,
      clock,
      debug,
      logger,
      softTimeout,
      hardTimeout,
    };
  } catch (error) {
    throw new RangeError(
      INVALID_OPTION('options', 'an object whose properties can be read', options),
      { cause: error },
    );
  }
}

function isLogger(logger: unknown): boolean {
  try {
    return (
      logger !== null &&
      typeof logger === 'object' &&
      ['debug', 'log', 'warn', 'error'].every(
        (level) => typeof (logger as Record<string, unknown>)[level] === 'function',
      )
    );
  } catch {
    return false;
  }
}
