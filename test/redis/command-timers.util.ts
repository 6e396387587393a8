import { jest } from '@jest/globals';

/**
 * Fakes the timers that bound the Redis tier's commands (`setTimeout`, `clearTimeout`) and the
 * clock it reads (`performance.now()`), nothing else: sockets, `setImmediate`, `Date` and the
 * sleeps of `waitFor` (from `node:timers/promises`) stay real. While they are faked, no command
 * can time out unless the test moves the clock (`jest.advanceTimersByTime`), so what a test
 * asserts cannot depend on how fast a loaded machine answers. Undo with `jest.useRealTimers()`
 * before closing the tier.
 */
export function fakeCommandTimers(): void {
  jest.useFakeTimers({
    doNotFake: [
      'Date',
      'hrtime',
      'nextTick',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
    ],
  });
}
