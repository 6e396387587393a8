import { randomUUID } from 'node:crypto';

import type {
  RedisClientLike,
  RedisTierOptions,
  ResolvedRedisTierOptions,
} from './redis-tier.options.interface.js';
import {
  CLIENT_HAS_KEY_PREFIX,
  INVALID_REDIS_OPTION,
  REDIS_URL_OR_CLIENT,
} from './redis.messages.js';

/**
 * Defaults of the Redis tier's options (durations in milliseconds but `busHistoryMaxAge`, in
 * seconds; sizes in bytes).
 */
export const DEFAULT_REDIS_TIER_OPTIONS = Object.freeze({
  keyPrefix: 'fresh-cache:',
  commandTimeout: 250,
  writeTimeout: 2000,
  maxValueBytes: 1024 * 1024,
  failureThreshold: 5,
  cooldown: 5000,
  leaseTimeout: 10_000,
  pollInterval: 100,
  maxPendingInvalidations: 10_000,
  busHistoryMaxLength: 100_000,
  busHistoryMaxAge: 600,
  errorLogInterval: 10_000,
});

/** Longest duration a timer accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * Longest `busHistory.maxAge`: a day. A longer gap outlives the entries of any usual TTL, and a
 * value past it is most likely milliseconds given for seconds.
 */
const MAX_HISTORY_AGE_SECONDS = 86_400;
/** Largest `busHistory.maxLength`: ten million changes, about a gigabyte of Redis memory. */
const MAX_HISTORY_LENGTH = 10_000_000;
/** Largest string Redis stores (its `proto-max-bulk-len` default): 512 MiB. */
const MAX_REDIS_STRING_BYTES = 512 * 1024 * 1024;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function milliseconds(option: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > MAX_TIMER_MS
  ) {
    throw new RangeError(
      INVALID_REDIS_OPTION(
        option,
        `a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}`,
        value,
      ),
    );
  }
  return value;
}

function wholeNumber(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(INVALID_REDIS_OPTION(option, 'a whole number, 1 or more', value));
  }
  return value;
}

/**
 * A count with an upper bound, for a value Redis receives as an integer (a larger number would
 * reach it in exponent notation, which it refuses).
 */
function boundedCount(option: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(INVALID_REDIS_OPTION(option, `a whole number from 1 to ${max}`, value));
  }
  return value;
}

function seconds(option: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(
      INVALID_REDIS_OPTION(
        option,
        `a whole number of seconds (not milliseconds) from 1 to ${max}`,
        value,
      ),
    );
  }
  return value;
}

function bytes(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > MAX_REDIS_STRING_BYTES
  ) {
    throw new RangeError(
      INVALID_REDIS_OPTION(
        option,
        `a whole number of bytes from 1 to ${MAX_REDIS_STRING_BYTES} (512 MiB, Redis's largest string)`,
        value,
      ),
    );
  }
  return value;
}

function nonEmptyString(option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) {
    throw new RangeError(INVALID_REDIS_OPTION(option, 'a non-empty string', value));
  }
  return value;
}

/**
 * Applies the defaults to the `redis` option and checks every value once. Throws a `RangeError`
 * naming the option (`redis.commandTimeout`…), its unit and what was given.
 */
export function resolveRedisTierOptions(options: RedisTierOptions): ResolvedRedisTierOptions {
  if (!isPlainObject(options)) {
    throw new RangeError(INVALID_REDIS_OPTION('', 'an object { url | client, … }', options));
  }
  const { url } = options;
  const client: unknown = options.client;
  if ((url === undefined) === (client === undefined)) throw new RangeError(REDIS_URL_OR_CLIENT);
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    throw new RangeError(INVALID_REDIS_OPTION('url', 'a redis:// or rediss:// URL', url));
  }
  if (client !== undefined) {
    const methods = ['get', 'set', 'eval', 'publish', 'subscribe', 'duplicate', 'quit', 'on'];
    if (
      client === null ||
      typeof client !== 'object' ||
      methods.some(
        (method) => typeof (client as unknown as Record<string, unknown>)[method] !== 'function',
      )
    ) {
      throw new RangeError(INVALID_REDIS_OPTION('client', 'an ioredis client', client));
    }
    const ownPrefix = (client as RedisClientLike).options?.keyPrefix;
    if (typeof ownPrefix === 'string' && ownPrefix.length > 0) {
      throw new RangeError(CLIENT_HAS_KEY_PREFIX(ownPrefix));
    }
  }
  if (options.clientOptions !== undefined && !isPlainObject(options.clientOptions)) {
    throw new RangeError(
      INVALID_REDIS_OPTION('clientOptions', 'an object of ioredis options', options.clientOptions),
    );
  }
  if (options.clientOptions?.keyPrefix !== undefined) {
    throw new RangeError(
      INVALID_REDIS_OPTION(
        'clientOptions.keyPrefix',
        'nothing (set "redis.keyPrefix" instead)',
        options.clientOptions.keyPrefix,
      ),
    );
  }
  const breaker = options.circuitBreaker ?? {};
  if (!isPlainObject(breaker)) {
    throw new RangeError(
      INVALID_REDIS_OPTION('circuitBreaker', 'an object { failureThreshold, cooldown }', breaker),
    );
  }
  const lockOption = options.distributedLock ?? false;
  if (typeof lockOption !== 'boolean' && !isPlainObject(lockOption)) {
    throw new RangeError(
      INVALID_REDIS_OPTION(
        'distributedLock',
        'a boolean or { leaseTimeout, pollInterval }',
        lockOption,
      ),
    );
  }
  const lockSettings = typeof lockOption === 'object' ? lockOption : {};
  const history = options.busHistory ?? {};
  if (!isPlainObject(history)) {
    throw new RangeError(
      INVALID_REDIS_OPTION('busHistory', 'an object { maxLength, maxAge }', history),
    );
  }
  const lock =
    lockOption === false
      ? undefined
      : {
          leaseTimeout: milliseconds(
            'distributedLock.leaseTimeout',
            lockSettings.leaseTimeout,
            DEFAULT_REDIS_TIER_OPTIONS.leaseTimeout,
          ),
          pollInterval: milliseconds(
            'distributedLock.pollInterval',
            lockSettings.pollInterval,
            DEFAULT_REDIS_TIER_OPTIONS.pollInterval,
          ),
        };
  return {
    url,
    client: client as RedisClientLike | undefined,
    clientOptions: options.clientOptions ?? {},
    keyPrefix: nonEmptyString('keyPrefix', options.keyPrefix, DEFAULT_REDIS_TIER_OPTIONS.keyPrefix),
    commandTimeout: milliseconds(
      'commandTimeout',
      options.commandTimeout,
      DEFAULT_REDIS_TIER_OPTIONS.commandTimeout,
    ),
    writeTimeout: milliseconds(
      'writeTimeout',
      options.writeTimeout,
      DEFAULT_REDIS_TIER_OPTIONS.writeTimeout,
    ),
    maxValueBytes: bytes(
      'maxValueBytes',
      options.maxValueBytes,
      DEFAULT_REDIS_TIER_OPTIONS.maxValueBytes,
    ),
    failureThreshold: wholeNumber(
      'circuitBreaker.failureThreshold',
      breaker.failureThreshold,
      DEFAULT_REDIS_TIER_OPTIONS.failureThreshold,
    ),
    cooldown: milliseconds(
      'circuitBreaker.cooldown',
      breaker.cooldown,
      DEFAULT_REDIS_TIER_OPTIONS.cooldown,
    ),
    lock,
    maxPendingInvalidations: wholeNumber(
      'maxPendingInvalidations',
      options.maxPendingInvalidations,
      DEFAULT_REDIS_TIER_OPTIONS.maxPendingInvalidations,
    ),
    busHistoryMaxLength: boundedCount(
      'busHistory.maxLength',
      history.maxLength,
      DEFAULT_REDIS_TIER_OPTIONS.busHistoryMaxLength,
      MAX_HISTORY_LENGTH,
    ),
    busHistoryMaxAge: seconds(
      'busHistory.maxAge',
      history.maxAge,
      DEFAULT_REDIS_TIER_OPTIONS.busHistoryMaxAge,
      MAX_HISTORY_AGE_SECONDS,
    ),
    errorLogInterval: milliseconds(
      'errorLogInterval',
      options.errorLogInterval,
      DEFAULT_REDIS_TIER_OPTIONS.errorLogInterval,
      0,
    ),
    instanceId: nonEmptyString('instanceId', options.instanceId, randomUUID()),
  };
}
