import type { Clock } from './clock.interface.js';

/** How long a clock reading is reused, in milliseconds. */
export const CLOCK_RESOLUTION_MS = 1;

let cachedNow = 0;
const forget = (): void => {
  cachedNow = 0;
};

/**
 * The default clock: milliseconds since the epoch from the monotonic `performance.now()`, so a
 * wall-clock jump (NTP, daylight saving) never ages or rejuvenates entries.
 *
 * Reading `performance.now()` costs more than a whole cache hit, so, like lru-cache, the reading
 * is reused for {@link CLOCK_RESOLUTION_MS}: statuses and ages are exact to within a millisecond.
 * The timer that expires the reading is unref'd and runs only while the cache is being used.
 */
export const monotonicClock: Clock = () => {
  if (cachedNow === 0) {
    cachedNow = performance.timeOrigin + performance.now();
    setTimeout(forget, CLOCK_RESOLUTION_MS).unref();
  }
  return cachedNow;
};
