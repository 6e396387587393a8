import { CacheStatus } from './cache-status.enum.js';

/**
 * FRESH while age < ttl, STALE while ttl <= age <= 2×ttl, EXPIRED after (milliseconds). An entry
 * `expiredEarly` (by `expire`) is STALE from the start, and EXPIRED at the same age as any other.
 */
export function statusOf(ageMs: number, ttlMs: number, expiredEarly = false): CacheStatus {
  if (ageMs < ttlMs && !expiredEarly) return CacheStatus.FRESH;
  return ageMs <= 2 * ttlMs ? CacheStatus.STALE : CacheStatus.EXPIRED;
}

/** Whether `ttl` is a TTL the cache accepts: a finite number of seconds above 0. */
export function isValidTtl(ttl: unknown): ttl is number {
  return typeof ttl === 'number' && ttl > 0 && ttl !== Infinity;
}

/** Whether `category` is a category the cache accepts: a non-empty string. */
export function isValidCategory(category: unknown): category is string {
  return typeof category === 'string' && category.length > 0;
}

/** The longest load timeout, in seconds: a timer's delay is a signed 32-bit count of ms. */
export const MAX_TIMEOUT_SECONDS = 2147483;

/** Whether `seconds` is a load timeout the cache accepts: 0 (off) up to a timer's limit. */
export function isValidTimeout(seconds: unknown): seconds is number {
  return typeof seconds === 'number' && seconds >= 0 && seconds <= MAX_TIMEOUT_SECONDS;
}
