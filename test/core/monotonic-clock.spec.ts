import { afterEach, describe, expect, it, jest } from '@jest/globals';

import { CLOCK_RESOLUTION_MS, monotonicClock } from '../../lib/core/monotonic-clock.js';

describe('monotonicClock', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('reads epoch milliseconds from performance.now() and reuses the reading for a millisecond', async () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    await jest.advanceTimersByTimeAsync(CLOCK_RESOLUTION_MS); // forget any earlier reading
    const first = monotonicClock();
    expect(first).toBeCloseTo(performance.timeOrigin + performance.now(), 6);
    jest.advanceTimersByTime(0);
    expect(monotonicClock()).toBe(first);
    // Within the millisecond the clock itself has moved on, but the reading is the same.
    jest.advanceTimersByTime(CLOCK_RESOLUTION_MS / 2);
    expect(performance.now()).toBeGreaterThan(first - performance.timeOrigin);
    expect(monotonicClock()).toBe(first);
    await jest.advanceTimersByTimeAsync(5);
    expect(monotonicClock()).toBeGreaterThanOrEqual(first + 5);
  });
});
