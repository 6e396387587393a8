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
    await jest.advanceTimersByTimeAsync(5);
    expect(monotonicClock()).toBeGreaterThanOrEqual(first + 5);
  });
});
