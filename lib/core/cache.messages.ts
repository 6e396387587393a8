/** Message factories shared by the code and its tests, so both say the same thing. */

import { describeValue } from './describe-value.util.js';

export const INVALID_OPTION = (option: string, expected: string, value: unknown): string =>
  `Invalid cache option "${option}": expected ${expected}, got ${describeValue(value)}.`;

export const INVALID_TTL = (value: unknown): string =>
  `Invalid ttl: expected a finite number of seconds above 0, got ${describeValue(value)}.`;

export const INVALID_CATEGORY = (value: unknown): string =>
  `Invalid category: expected a non-empty string, got ${describeValue(value)}.`;

export const INVALID_SET_OPTIONS = (value: unknown): string =>
  `Invalid set options: expected a ttl in seconds or an object { ttl?, category?, metadata?, tags? }, got ${describeValue(value)}.`;

export const INVALID_TAGS = (maxTags: number, reason: string): string =>
  `Invalid tags: ${reason}; expected an array of at most ${maxTags} distinct non-empty strings.`;

export const INVALID_TAG = (value: unknown): string =>
  `Invalid tag: expected a non-empty string, got ${describeValue(value)}.`;

export const INVALID_KEY = (value: unknown): string =>
  `Not cached: the key must be a non-empty string, got ${describeValue(value)}.`;

export const NOT_JSON = (key: string, what: 'data' | 'metadata', reason: string): string =>
  `Not cached: ${what} for key '${key}' is not a JSON value (${reason}).`;

export const TAGS_NOT_CACHED = (key: string, reason: string): string =>
  `Not cached: the tags for key '${key}' are not valid. ${reason}`;

export const TAGS_FUNCTION_THREW = (key: string, reason: string): string =>
  `Not cached: the tags function for key '${key}' threw (${reason}).`;

export const TOO_LARGE = (key: string, bytes: number, maxEntryBytes: number): string =>
  `Not cached: the entry for key '${key}' is about ${Math.round(bytes)} bytes, above maxEntryBytes (${maxEntryBytes} bytes).`;

export const CACHED = (key: string, ttlSeconds: number, category: string): string =>
  `Cached data for key '${key}' (TTL: ${ttlSeconds}s, Category: ${category})`;

export const CACHE_HIT = (key: string, ageSeconds: number, status: string): string =>
  `Cache hit for key '${key}' (age: ${ageSeconds.toFixed(1)}s, status: ${status})`;

export const CACHE_MISS = (key: string, reason: string): string =>
  `Cache miss for key '${key}' (${reason})`;

export const EVICTED = (key: string, maxEntries: number): string =>
  `Evicted least recently used key '${key}' (maxEntries: ${maxEntries})`;

export const CLEANED_UP = (removed: number): string =>
  `Cleaned up ${removed} expired or invalid entries`;

export const CLEANUP_FAILED =
  'Automatic cache cleanup failed; it will run again at the next interval';

/** @param timeoutSeconds the hardTimeout the load ran past, when that is why it failed. */
export const STALE_SERVED_ON_ERROR = (
  key: string,
  ageSeconds: number,
  timeoutSeconds?: number,
): string => {
  const why =
    timeoutSeconds === undefined
      ? 'failed'
      : `took longer than its hardTimeout (${timeoutSeconds}s)`;
  return `Loading key '${key}' ${why}; serving the stale entry (age ${ageSeconds.toFixed(1)}s)`;
};

export const REFRESH_FAILED = (key: string): string =>
  `Background refresh of key '${key}' failed; the stale entry stays`;

export const LISTENER_THREW = (event: string): string => `A '${event}' cache event listener threw`;

export const INVALID_WRAP_OPTIONS = (value: unknown): string =>
  `Invalid wrap options: expected an object { ttl?, category?, metadata?, tags?, staleWhileRevalidate?, staleIfError?, forceRefresh?, unless?, onUncacheable?, softTimeout?, hardTimeout? } whose properties can be read, got ${describeValue(value)}.`;

export const INVALID_TIMEOUT = (option: string, value: unknown): string =>
  `Invalid ${option}: expected a finite number of seconds, 0 or more (0 turns it off), at most 2147483 (a timer limit), got ${describeValue(value)}.`;

export const LOAD_TIMED_OUT = (key: string, timeoutSeconds: number): string =>
  `Loading key '${key}' took longer than its hardTimeout (${timeoutSeconds}s); the load was abandoned`;
