import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` until it holds, every `intervalMs`, failing after `timeoutMs`. Tests wait for
 * what they expect to happen instead of sleeping a guessed time: on two noisy cores, a guess is
 * either flaky or slow.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 5000, intervalMs = 10, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs}ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
