import { setImmediate as nextTurn } from 'node:timers/promises';

import type { CacheEventMap } from './cache-events.interface.js';
import { NIL } from './cache-slots.js';
import type { CacheTable } from './cache-table.js';
import { CLEANED_UP, CLEANUP_FAILED } from './cache.messages.js';
import { errorStack } from './error-text.util.js';
import type { CacheLogger } from './logger.interface.js';

/*
 * Cleanup: removing EXPIRED and INVALID entries, at once or in slices, and the automatic timer.
 *
 * Invariant: once a cleanup has run to its end, no entry EXPIRED or INVALID at its clock reading is
 * held (and after one in slices, every TTL group is settled). A cleanup in slices never works longer
 * than CLEANUP_SLICE_MS between two turns of the event loop, and at most one scheduled cleanup
 * runs at a time. What is dead is the status index's answer (the expired runs at the head of each
 * group, the queue of invalidated slots); cleanup only walks it and removes.
 */

/**
 * Longest slice of work an automatic cleanup does between two turns of the event loop, in
 * milliseconds, so that cleaning a million entries never stalls the application.
 */
export const CLEANUP_SLICE_MS = 4;
/** Runs recounted per slice of the settling an automatic cleanup also does. */
const SETTLE_SLICE_STEPS = 50_000;

export class CacheCleanup {
  /** Entries removed by every cleanup so far (`totalCleanups` in the statistics). */
  entriesRemoved = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #scheduledRunning = false;

  /**
   * @param cleanupListener the `cleanup` event's emitter while someone listens, else undefined
   *   (and then nothing is counted by category).
   */
  constructor(
    private readonly table: CacheTable,
    private readonly logger: CacheLogger,
    private readonly now: () => number,
    private readonly cleanupListener: () =>
      ((payload: CacheEventMap['cleanup']) => void) | undefined,
  ) {}

  /** Removes every EXPIRED and INVALID entry now. @returns how many. */
  runNow(): number {
    const { removed } = this.#removeDeadEntries(Infinity);
    if (removed > 0) this.logger.log(CLEANED_UP(removed));
    return removed;
  }

  /**
   * Like {@link runNow} in slices of at most {@link CLEANUP_SLICE_MS}, a turn of the event loop
   * between them; then settles every group in slices, so the next `getStats()` has little left.
   */
  async runInSlices(): Promise<number> {
    const index = this.table.index;
    let total = 0;
    for (;;) {
      const { removed, done } = this.#removeDeadEntries(performance.now() + CLEANUP_SLICE_MS);
      total += removed;
      if (done) break;
      await nextTurn();
    }
    for (const group of [...index.groups]) {
      while (
        index.groups.has(group) &&
        index.settle(group, this.now(), SETTLE_SLICE_STEPS) === SETTLE_SLICE_STEPS
      ) {
        await nextTurn();
      }
    }
    if (total > 0) this.logger.log(CLEANED_UP(total));
    return total;
  }

  /**
   * Runs `cleanup` (the cache's `cleanupInSlices`) unless a scheduled run is under way; logs a
   * failure, never throws.
   */
  async runScheduled(cleanup: () => Promise<unknown>): Promise<void> {
    if (this.#scheduledRunning) return;
    this.#scheduledRunning = true;
    try {
      await cleanup();
    } catch (error) {
      this.logger.error(CLEANUP_FAILED, errorStack(error));
    } finally {
      this.#scheduledRunning = false;
    }
  }

  /** Calls `run` every `intervalSeconds`, on a timer that never keeps Node alive. */
  startTimer(intervalSeconds: number, run: () => void): void {
    this.stopTimer();
    this.#timer = setInterval(run, intervalSeconds * 1000);
    this.#timer.unref();
  }

  stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Removes EXPIRED and INVALID entries until none is left or `deadline` (a `performance.now()`
   * reading) passes: the expired runs at the head of each TTL group, then the queue of
   * invalidated slots. Costs what it removes plus the number of groups.
   */
  #removeDeadEntries(deadline: number): { removed: number; done: boolean } {
    const table = this.table;
    const { slots, index } = table;
    const now = this.now();
    const emit = this.cleanupListener();
    const byCategory = emit !== undefined ? new Map<string, number>() : undefined;
    let removed = 0;
    const remove = (slot: number): boolean => {
      if (byCategory !== undefined) {
        const category = slots.categories[slot]!;
        byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
      }
      table.remove(slot);
      removed++;
      // Reading the time costs more than a removal: look every 256 removals.
      return (removed & 255) !== 0 || performance.now() < deadline;
    };
    let done = true;
    groups: for (const group of [...index.groups]) {
      // Removing a run's last slot frees the run, and the group's last run the group.
      for (let slot = index.expiredSlot(group, now); slot !== NIL;) {
        if (!remove(slot)) {
          done = false;
          break groups;
        }
        slot = index.expiredSlot(group, now);
      }
    }
    const queue = index.invalidQueue;
    while (done && !queue.isEmpty) {
      const slot = queue.take();
      if (slot !== NIL && !remove(slot)) done = queue.isEmpty;
    }
    this.entriesRemoved += removed;
    if (emit !== undefined && removed > 0) {
      emit({ removed, byCategory: Object.fromEntries(byCategory!) });
    }
    return { removed, done };
  }
}
