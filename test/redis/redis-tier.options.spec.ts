import { describe, expect, it } from '@jest/globals';

import type { RedisTierOptions } from '../../lib/redis/redis-tier.options.interface.js';
import {
  DEFAULT_REDIS_TIER_OPTIONS,
  resolveRedisTierOptions,
} from '../../lib/redis/redis-tier.options.util.js';
import {
  CLIENT_HAS_KEY_PREFIX,
  INVALID_REDIS_OPTION,
  REDIS_URL_OR_CLIENT,
} from '../../lib/redis/redis.messages.js';

const URL = 'redis://127.0.0.1:6399';
const MS = `a whole number of milliseconds from 1 to ${2 ** 31 - 1}`;
const COUNT = 'a whole number, 1 or more';
const SECONDS = 'a whole number of seconds (not milliseconds) from 1 to 86400';
const LENGTH = 'a whole number from 1 to 10000000';
const BYTES = `a whole number of bytes from 1 to ${512 * 1024 * 1024} (512 MiB, Redis's largest string)`;

/** An object with every method the tier calls on a client, as an ioredis client has. */
function clientLike(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const method = () => undefined;
  return {
    status: 'wait',
    get: method,
    set: method,
    eval: method,
    publish: method,
    subscribe: method,
    duplicate: method,
    quit: method,
    disconnect: method,
    on: method,
    off: method,
    ...extra,
  };
}

const resolve = (options: unknown) => resolveRedisTierOptions(options as RedisTierOptions);

describe('resolveRedisTierOptions', () => {
  it('applies the defaults to a url alone', () => {
    const resolved = resolve({ url: URL });
    expect(resolved).toEqual({
      url: URL,
      client: undefined,
      clientOptions: {},
      keyPrefix: DEFAULT_REDIS_TIER_OPTIONS.keyPrefix,
      commandTimeout: 250,
      writeTimeout: 2000,
      maxValueBytes: 1024 * 1024,
      failureThreshold: 5,
      cooldown: 5000,
      lock: undefined,
      maxPendingInvalidations: 10_000,
      busHistoryMaxLength: 100_000,
      busHistoryMaxAge: 600,
      errorLogInterval: 10_000,
      instanceId: expect.any(String),
    });
    // Each instance gets its own id on the bus, or it would ignore the others' messages.
    expect(resolve({ url: URL }).instanceId).not.toBe(resolved.instanceId);
  });

  it('keeps the values given, and fills the lock settings the user left out', () => {
    const resolved = resolve({
      url: 'rediss://user:secret@cache.example:6380/2',
      clientOptions: { connectTimeout: 500 },
      keyPrefix: 'app:v2:',
      commandTimeout: 50,
      writeTimeout: 1,
      maxValueBytes: 1,
      circuitBreaker: { failureThreshold: 1, cooldown: 10 },
      distributedLock: { pollInterval: 5 },
      maxPendingInvalidations: 3,
      busHistory: { maxLength: 10_000_000, maxAge: 86_400 },
      errorLogInterval: 0,
      instanceId: 'web-1',
    });
    expect(resolved).toMatchObject({
      clientOptions: { connectTimeout: 500 },
      keyPrefix: 'app:v2:',
      commandTimeout: 50,
      writeTimeout: 1,
      maxValueBytes: 1,
      failureThreshold: 1,
      cooldown: 10,
      lock: { leaseTimeout: DEFAULT_REDIS_TIER_OPTIONS.leaseTimeout, pollInterval: 5 },
      maxPendingInvalidations: 3,
      busHistoryMaxLength: 10_000_000,
      busHistoryMaxAge: 86_400,
      errorLogInterval: 0,
      instanceId: 'web-1',
    });
    expect(resolve({ url: URL, busHistory: { maxAge: 1 } })).toMatchObject({
      busHistoryMaxLength: DEFAULT_REDIS_TIER_OPTIONS.busHistoryMaxLength,
      busHistoryMaxAge: 1,
    });
  });

  it('accepts maxValueBytes up to the largest string Redis stores', () => {
    expect(resolve({ url: URL, maxValueBytes: 512 * 1024 * 1024 }).maxValueBytes).toBe(
      512 * 1024 * 1024,
    );
  });

  it('turns the distributed lock on with its defaults for true, and off for false', () => {
    expect(resolve({ url: URL, distributedLock: true }).lock).toEqual({
      leaseTimeout: 10_000,
      pollInterval: 100,
    });
    expect(resolve({ url: URL, distributedLock: false }).lock).toBeUndefined();
  });

  it('accepts an ioredis-like client without a key prefix of its own', () => {
    const client = clientLike({ options: { keyPrefix: '' } });
    const resolved = resolve({ client });
    expect(resolved.client).toBe(client);
    expect(resolved.url).toBeUndefined();
  });

  it('wants exactly one of url and client', () => {
    expect(() => resolve({})).toThrow(new RangeError(REDIS_URL_OR_CLIENT));
    expect(() => resolve({ url: URL, client: clientLike() })).toThrow(
      new RangeError(REDIS_URL_OR_CLIENT),
    );
  });

  it('refuses a client that has a key prefix of its own (keys would be prefixed twice)', () => {
    expect(() => resolve({ client: clientLike({ options: { keyPrefix: 'app:' } }) })).toThrow(
      new RangeError(CLIENT_HAS_KEY_PREFIX('app:')),
    );
  });

  const invalid: [string, unknown, string, string, unknown][] = [
    // [case, redis option, option name, expected, value described]
    ['not an object', null, '', 'an object { url | client, … }', null],
    ['a string', URL, '', 'an object { url | client, … }', URL],
    ['an array', [URL], '', 'an object { url | client, … }', [URL]],
    [
      'an http url',
      { url: 'http://cache:6379' },
      'url',
      'a redis:// or rediss:// URL',
      'http://cache:6379',
    ],
    ['a numeric url', { url: 6379 }, 'url', 'a redis:// or rediss:// URL', 6379],
    ['a null client', { client: null }, 'client', 'an ioredis client', null],
    ['a function as client', { client: () => {} }, 'client', 'an ioredis client', () => {}],
    [
      'a client without eval',
      { client: clientLike({ eval: undefined }) },
      'client',
      'an ioredis client',
      clientLike({ eval: undefined }),
    ],
    [
      'clientOptions as a string',
      { url: URL, clientOptions: 'tls' },
      'clientOptions',
      'an object of ioredis options',
      'tls',
    ],
    [
      'clientOptions.keyPrefix',
      { url: URL, clientOptions: { keyPrefix: 'x:' } },
      'clientOptions.keyPrefix',
      'nothing (set "redis.keyPrefix" instead)',
      'x:',
    ],
    ['an empty keyPrefix', { url: URL, keyPrefix: '' }, 'keyPrefix', 'a non-empty string', ''],
    ['a numeric keyPrefix', { url: URL, keyPrefix: 1 }, 'keyPrefix', 'a non-empty string', 1],
    ['commandTimeout 0', { url: URL, commandTimeout: 0 }, 'commandTimeout', MS, 0],
    ['commandTimeout 1.5', { url: URL, commandTimeout: 1.5 }, 'commandTimeout', MS, 1.5],
    [
      'commandTimeout as a string',
      { url: URL, commandTimeout: '250' },
      'commandTimeout',
      MS,
      '250',
    ],
    [
      'commandTimeout past a timer',
      { url: URL, commandTimeout: 2 ** 31 },
      'commandTimeout',
      MS,
      2 ** 31,
    ],
    ['writeTimeout NaN', { url: URL, writeTimeout: Number.NaN }, 'writeTimeout', MS, Number.NaN],
    ['maxValueBytes 0', { url: URL, maxValueBytes: 0 }, 'maxValueBytes', BYTES, 0],
    ['maxValueBytes 1.5', { url: URL, maxValueBytes: 1.5 }, 'maxValueBytes', BYTES, 1.5],
    [
      'maxValueBytes Infinity',
      { url: URL, maxValueBytes: Number.POSITIVE_INFINITY },
      'maxValueBytes',
      BYTES,
      Number.POSITIVE_INFINITY,
    ],
    [
      'maxValueBytes past a Redis string',
      { url: URL, maxValueBytes: 512 * 1024 * 1024 + 1 },
      'maxValueBytes',
      BYTES,
      512 * 1024 * 1024 + 1,
    ],
    [
      'maxValueBytes as a string',
      { url: URL, maxValueBytes: '1mb' },
      'maxValueBytes',
      BYTES,
      '1mb',
    ],
    [
      'circuitBreaker as a number',
      { url: URL, circuitBreaker: 5 },
      'circuitBreaker',
      'an object { failureThreshold, cooldown }',
      5,
    ],
    [
      'failureThreshold 0',
      { url: URL, circuitBreaker: { failureThreshold: 0 } },
      'circuitBreaker.failureThreshold',
      COUNT,
      0,
    ],
    [
      'cooldown -1',
      { url: URL, circuitBreaker: { cooldown: -1 } },
      'circuitBreaker.cooldown',
      MS,
      -1,
    ],
    [
      'distributedLock as a string',
      { url: URL, distributedLock: 'yes' },
      'distributedLock',
      'a boolean or { leaseTimeout, pollInterval }',
      'yes',
    ],
    [
      'leaseTimeout 0',
      { url: URL, distributedLock: { leaseTimeout: 0 } },
      'distributedLock.leaseTimeout',
      MS,
      0,
    ],
    [
      'pollInterval Infinity',
      { url: URL, distributedLock: { pollInterval: Infinity } },
      'distributedLock.pollInterval',
      MS,
      Infinity,
    ],
    [
      'maxPendingInvalidations 0',
      { url: URL, maxPendingInvalidations: 0 },
      'maxPendingInvalidations',
      COUNT,
      0,
    ],
    [
      'errorLogInterval -1',
      { url: URL, errorLogInterval: -1 },
      'errorLogInterval',
      `a whole number of milliseconds from 0 to ${2 ** 31 - 1}`,
      -1,
    ],
    [
      'busHistory as a number',
      { url: URL, busHistory: 1000 },
      'busHistory',
      'an object { maxLength, maxAge }',
      1000,
    ],
    [
      'busHistory.maxLength 0',
      { url: URL, busHistory: { maxLength: 0 } },
      'busHistory.maxLength',
      LENGTH,
      0,
    ],
    [
      'busHistory.maxLength 2.5',
      { url: URL, busHistory: { maxLength: 2.5 } },
      'busHistory.maxLength',
      LENGTH,
      2.5,
    ],
    [
      'busHistory.maxLength past ten million',
      { url: URL, busHistory: { maxLength: 1e21 } },
      'busHistory.maxLength',
      LENGTH,
      1e21,
    ],
    [
      'busHistory.maxAge 0',
      { url: URL, busHistory: { maxAge: 0 } },
      'busHistory.maxAge',
      SECONDS,
      0,
    ],
    [
      'busHistory.maxAge 0.5',
      { url: URL, busHistory: { maxAge: 0.5 } },
      'busHistory.maxAge',
      SECONDS,
      0.5,
    ],
    [
      'busHistory.maxAge given in milliseconds',
      { url: URL, busHistory: { maxAge: 600_000 } },
      'busHistory.maxAge',
      SECONDS,
      600_000,
    ],
    [
      'busHistory.maxAge as a string',
      { url: URL, busHistory: { maxAge: '600' } },
      'busHistory.maxAge',
      SECONDS,
      '600',
    ],
    ['an empty instanceId', { url: URL, instanceId: '' }, 'instanceId', 'a non-empty string', ''],
  ];

  it.each(invalid)(
    'refuses %s with a RangeError naming the option',
    (_, options, name, expected, value) => {
      const message = INVALID_REDIS_OPTION(name, expected, value);
      expect(message).toContain(name === '' ? '"redis"' : `"redis.${name}"`);
      expect(() => resolve(options)).toThrow(new RangeError(message));
      expect(() => resolve(options)).toThrow(RangeError);
    },
  );

  it('describes what was given, shortly', () => {
    expect(INVALID_REDIS_OPTION('url', 'a URL', `redis-ish://${'x'.repeat(60)}`)).toContain(
      `got "redis-ish://${'x'.repeat(28)}…"`,
    );
    expect(INVALID_REDIS_OPTION('client', 'an ioredis client', () => {})).toContain(
      'got a function',
    );
    expect(INVALID_REDIS_OPTION('circuitBreaker', 'an object', [1])).toContain('got an array');
    expect(INVALID_REDIS_OPTION('client', 'an ioredis client', {})).toContain('got an object');
    expect(INVALID_REDIS_OPTION('keyPrefix', 'a string', undefined)).toContain('got undefined');
  });
});
