import { CacheInvalidQueue } from './cache-invalid-queue.js';
import { CacheRuns } from './cache-runs.js';
import {
  EXPIRED_EARLY,
  INVALIDATED,
  NIL,
  appendSlot,
  unlinkSlot,
  type CacheSlots,
  type SlotList,
} from './cache-slots.js';
import type { CacheStats } from './cache-stats.js';
import { CacheStatus } from './cache-status.enum.js';
import { statusOf } from './cache-status.util.js';

/*
 * The status index: how many entries are FRESH, STALE, EXPIRED and INVALID, in the cache and in
 * each category, kept up to date without ever scanning the cache or writing per entry as time
 * passes. It also lists each category's entries in write order, and the invalidated slots
 * waiting for cleanup.
 *
 * Why is an entry counted STALE? The whole answer is here:
 * 1. An entry is in one TTL group: the entries of its category with its TTL (`TtlGroup`).
 * 2. Within the group it is in one run: the entries written in the same millisecond
 *    (`CacheRuns`). A group's runs are in write order, timestamps strictly increasing; with one
 *    TTL, age order is status order.
 * 3. Two cursors split a group's runs: `[head, staleStart)` EXPIRED, `[staleStart, freshStart)`
 *    STALE, `[freshStart, tail]` FRESH. A valid entry is counted under the phase of its run's
 *    place (`phaseOfRun`); an INVALIDATED one (a bit of the slot's flags word) under INVALID,
 *    wherever its run is; an EXPIRED_EARLY one (`expire`, another bit) under STALE while its run
 *    is FRESH, and under its run's phase after (`countedPhase`). Each run keeps how many of its
 *    entries are valid and how many of those are expired early, so a step of a cursor moves them
 *    all at once.
 * 4. The cursors may lag behind the clock, never run ahead of it: they move forward when the
 *    group is settled (`settle`, by `getStats()` and by cleanup), one step per run that changed
 *    status, moving the run's valid entries to their new phase in the counters. A run placed in a
 *    group is never put ahead of its status (see `joinRun`).
 * So an entry counted STALE is valid and either expired early in a run not yet EXPIRED, or in a
 * run between the cursors: it was FRESH at the last settle, or was written (or restored) already
 * STALE. An entry whose own age says STALE (`CacheSlots.statusAt`, what reads use) may still be
 * counted FRESH until the next settle.
 */

/** Phases: the status an entry is counted under, and an index into the phase counters. */
export const FRESH = 0;
export const STALE = 1;
export const EXPIRED = 2;
export const INVALID = 3;

const PHASE_OF_STATUS: Readonly<Record<CacheStatus, number>> = {
  [CacheStatus.FRESH]: FRESH,
  [CacheStatus.STALE]: STALE,
  [CacheStatus.EXPIRED]: EXPIRED,
  [CacheStatus.INVALID]: INVALID,
};

const INITIAL_RUNS = 64;

/** Entries in each phase, indexed by phase. */
export type PhaseCounts = [fresh: number, stale: number, expired: number, invalid: number];

/** The entries of one category sharing one TTL, as a list of runs (rules 1–4 above). */
export interface TtlGroup extends SlotList {
  readonly ttlMs: number;
  readonly category: CategoryIndex;
  /** First run not EXPIRED, or NIL. */
  staleStart: number;
  /** First FRESH run, or NIL. */
  freshStart: number;
}

/** A category's entries in write order, how many it holds in each phase, and its TTL groups. */
export interface CategoryIndex extends SlotList {
  readonly name: string;
  size: number;
  readonly phases: PhaseCounts;
  readonly groups: Map<number, TtlGroup>;
}

export class CacheStatusIndex {
  /** Every TTL group of every category. */
  readonly groups = new Set<TtlGroup>();
  readonly categories = new Map<string, CategoryIndex>();
  /** Entries held in each phase, as of the last settle of each group. */
  readonly phases: PhaseCounts = [0, 0, 0, 0];
  readonly #runs = new CacheRuns<TtlGroup>(INITIAL_RUNS);
  /** Slots invalidated since the last cleanup, for cleanup to remove. */
  readonly invalidQueue: CacheInvalidQueue;

  constructor(private readonly slots: CacheSlots) {
    this.invalidQueue = new CacheInvalidQueue(slots);
  }

  /**
   * Indexes the valid entry just written in `slot` (its columns hold its timestamp, TTL and
   * category) as of `now`.
   */
  add(slot: number, now: number): void {
    const slots = this.slots;
    const timestamp = slots.timestamps[slot]!;
    const ttlMs = slots.ttlSeconds[slot]! * 1000;
    const name = slots.categories[slot]!;
    const phase = PHASE_OF_STATUS[statusOf(now - timestamp, ttlMs)];
    let category = this.categories.get(name);
    if (category === undefined) {
      category = { name, head: NIL, tail: NIL, size: 0, phases: [0, 0, 0, 0], groups: new Map() };
      this.categories.set(name, category);
    }
    let group = category.groups.get(ttlMs);
    if (group === undefined) {
      group = { ttlMs, category, head: NIL, tail: NIL, staleStart: NIL, freshStart: NIL };
      category.groups.set(ttlMs, group);
      this.groups.add(group);
    }
    this.#count(this.#joinRun(slot, group, timestamp, phase), category, +1);
    appendSlot(slots.categoryPrev, slots.categoryNext, category, slot);
    category.size++;
  }

  /**
   * Moves `slot`, about to be rewritten with its TTL and category kept and written `now`, to the
   * newest run of its group and the end of its category, FRESH. Call it before the slot's flags
   * are reset: it reads whether the old value was INVALIDATED or EXPIRED_EARLY.
   */
  rewrite(slot: number, now: number): void {
    const slots = this.slots;
    const runs = this.#runs;
    const run = slots.runOf[slot]!;
    const group = runs.groups[run]!;
    const category = group.category;
    const flags = slots.flags[slot]!;
    this.#count(this.#countedPhase(flags, run, group), category, -1);
    if (run === group.tail && runs.firstSlot[run] === runs.lastSlot[run]) {
      // Alone in the newest run (one key rewritten over and over): the run moves to now.
      runs.timestamps[run] = now;
      if ((flags & INVALIDATED) !== 0) runs.validCounts[run]++;
      if ((flags & EXPIRED_EARLY) !== 0) runs.expiredEarlyCounts[run]--;
      if (group.freshStart === NIL) group.freshStart = run;
      if (group.staleStart === NIL) group.staleStart = run;
      this.#count(FRESH, category, +1);
    } else {
      this.#leaveRun(slot, run, group, flags);
      this.#count(this.#joinRun(slot, group, now, FRESH), category, +1);
    }
    if (slot !== category.tail) {
      unlinkSlot(slots.categoryPrev, slots.categoryNext, category, slot);
      appendSlot(slots.categoryPrev, slots.categoryNext, category, slot);
    }
  }

  /** Takes `slot` out of its run, group and category (before it is freed or rewritten). */
  remove(slot: number): void {
    const slots = this.slots;
    const run = slots.runOf[slot]!;
    const group = this.#runs.groups[run]!;
    const category = group.category;
    const flags = slots.flags[slot]!;
    this.#count(this.#countedPhase(flags, run, group), category, -1);
    this.#leaveRun(slot, run, group, flags);
    if (group.head === NIL) {
      category.groups.delete(group.ttlMs);
      this.groups.delete(group);
    }
    unlinkSlot(slots.categoryPrev, slots.categoryNext, category, slot);
    if (--category.size === 0) this.categories.delete(category.name);
  }

  /** Counts `slot` INVALID from now on and queues it for cleanup; nothing if it already is. */
  invalidate(slot: number): void {
    const slots = this.slots;
    const flags = slots.flags[slot]!;
    if ((flags & INVALIDATED) !== 0) return;
    const run = slots.runOf[slot]!;
    const group = this.#runs.groups[run]!;
    this.#count(this.#countedPhase(flags, run, group), group.category, -1);
    this.#count(INVALID, group.category, +1);
    this.#runs.validCounts[run]--;
    if ((flags & EXPIRED_EARLY) !== 0) this.#runs.expiredEarlyCounts[run]--;
    slots.flags[slot] = (flags & ~EXPIRED_EARLY) | INVALIDATED;
    this.invalidQueue.add(slot);
  }

  /**
   * Counts the valid `slot`, not yet expired early, STALE from now on, ahead of its run. Its run
   * is FRESH unless the group was settled past it since the caller read the clock (a listener of
   * an `expireTag` may read the statistics between two entries): then it is counted STALE
   * already. Costs O(1), like `invalidate`.
   */
  expire(slot: number): void {
    const slots = this.slots;
    const run = slots.runOf[slot]!;
    const group = this.#runs.groups[run]!;
    if (this.#phaseOfRun(run, group) === FRESH) {
      this.#count(FRESH, group.category, -1);
      this.#count(STALE, group.category, +1);
    }
    this.#runs.expiredEarlyCounts[run]++;
    slots.flags[slot]! |= EXPIRED_EARLY;
  }

  /**
   * Moves the group's cursors up to `now`, moving the valid entries of each run whose status
   * changed to their new phase in the counters, at most `maxSteps` runs.
   * @returns the number of steps taken.
   */
  settle(group: TtlGroup, now: number, maxSteps = Infinity): number {
    const { timestamps, validCounts, expiredEarlyCounts, next } = this.#runs;
    const { ttlMs, category } = group;
    // The entries passed are summed and counted once: the walk itself reads a few numbers a run.
    let steps = 0;
    let moved = 0;
    let run = group.freshStart;
    while (run !== NIL && steps < maxSteps && now - timestamps[run]! >= ttlMs) {
      // Those expired early are counted STALE already.
      moved += validCounts[run]! - expiredEarlyCounts[run]!;
      run = next[run]!;
      steps++;
    }
    group.freshStart = run;
    this.#count(FRESH, category, -moved);
    this.#count(STALE, category, moved);
    moved = 0;
    run = group.staleStart;
    const twiceTtlMs = 2 * ttlMs;
    while (
      run !== NIL &&
      run !== group.freshStart &&
      steps < maxSteps &&
      now - timestamps[run]! > twiceTtlMs
    ) {
      moved += validCounts[run]!;
      run = next[run]!;
      steps++;
    }
    group.staleStart = run;
    this.#count(STALE, category, -moved);
    this.#count(EXPIRED, category, moved);
    return steps;
  }

  /** Settles every group up to `now`. Costs the number of groups plus the runs that moved. */
  settleAll(now: number): void {
    for (const group of this.groups) this.settle(group, now);
  }

  /** Calls `visit` with each slot of `category` in write order (none if it holds nothing). */
  forEachInCategory(category: string, visit: (slot: number) => void): void {
    const held = this.categories.get(category);
    if (held === undefined) return;
    const next = this.slots.categoryNext;
    // The next slot is read first: `visit` may remove the slot it is given.
    for (let slot = held.head; slot !== NIL;) {
      const after = next[slot]!;
      visit(slot);
      slot = after;
    }
  }

  /** Entries held in each category, by status, as of the last settle. */
  countsByCategory(): Map<string, Record<CacheStatus, number>> {
    const result = new Map<string, Record<CacheStatus, number>>();
    for (const [name, { phases }] of this.categories) {
      result.set(name, {
        [CacheStatus.FRESH]: phases[FRESH],
        [CacheStatus.STALE]: phases[STALE],
        [CacheStatus.EXPIRED]: phases[EXPIRED],
        [CacheStatus.INVALID]: phases[INVALID],
      });
    }
    return result;
  }

  /** Entries held in each category, in a prototype-less record. */
  categorySizes(): Record<string, number> {
    const sizes: Record<string, number> = Object.create(null);
    for (const [name, { size }] of this.categories) sizes[name] = size;
    return sizes;
  }

  /**
   * Settles every group up to `now` and writes the counts by status and category, and the ages
   * of the oldest and newest entries, into `stats`.
   */
  reportTo(stats: CacheStats, now: number): void {
    this.settleAll(now);
    [stats.freshEntries, stats.staleEntries, stats.expiredEntries, stats.invalidEntries] =
      this.phases;
    stats.categories = this.categorySizes();
    if (this.groups.size === 0) return;
    const timestamps = this.#runs.timestamps;
    let oldest = Infinity;
    let newest = -Infinity;
    for (const group of this.groups) {
      oldest = Math.min(oldest, timestamps[group.head]!);
      newest = Math.max(newest, timestamps[group.tail]!);
    }
    stats.oldestEntryAge = (now - oldest) / 1000;
    stats.newestEntryAge = (now - newest) / 1000;
  }

  /**
   * A slot of the oldest run of `group` if that run is EXPIRED at `now`, else NIL. Write order is
   * age order: cleanup removes these until the head run is not expired.
   */
  expiredSlot(group: TtlGroup, now: number): number {
    const run = group.head;
    if (run === NIL || now - this.#runs.timestamps[run]! <= 2 * group.ttlMs) return NIL;
    return this.#runs.firstSlot[run]!;
  }

  /** Forgets every entry (the slots are reset apart). */
  clear(): void {
    this.groups.clear();
    this.categories.clear();
    this.phases.fill(0);
    this.#runs.reset(INITIAL_RUNS);
    this.invalidQueue.clear();
  }

  /** Adds `delta` entries to `phase` in the cache's and the category's counters. */
  #count(phase: number, category: CategoryIndex, delta: number): void {
    this.phases[phase]! += delta;
    category.phases[phase]! += delta;
  }

  /** The phase an entry with `flags` in `run` of `group` is counted under (rule 3). */
  #countedPhase(flags: number, run: number, group: TtlGroup): number {
    if ((flags & INVALIDATED) !== 0) return INVALID;
    const phase = this.#phaseOfRun(run, group);
    return phase === FRESH && (flags & EXPIRED_EARLY) !== 0 ? STALE : phase;
  }

  /** The phase the valid entries of `run` are counted under: where the run sits (rule 3). */
  #phaseOfRun(run: number, group: TtlGroup): number {
    const timestamps = this.#runs.timestamps;
    const timestamp = timestamps[run]!;
    if (group.freshStart !== NIL && timestamp >= timestamps[group.freshStart]!) return FRESH;
    if (group.staleStart !== NIL && timestamp >= timestamps[group.staleStart]!) return STALE;
    return EXPIRED;
  }

  /**
   * Puts the valid entry in `slot`, of status `phase` now, into the run of `group` for
   * `timestamp` (made if there is none). @returns the phase it is counted under.
   */
  #joinRun(slot: number, group: TtlGroup, timestamp: number, phase: number): number {
    const runs = this.#runs;
    const timestamps = runs.timestamps;
    // A write goes last at no cost; an entry restored from another tier with its original
    // timestamp walks back past the newer runs.
    let prev = group.tail;
    while (prev !== NIL && timestamps[prev]! > timestamp) prev = runs.prev[prev]!;
    let run: number;
    if (prev !== NIL && timestamps[prev] === timestamp) {
      run = prev;
    } else {
      run = runs.allocate(group, timestamp);
      runs.linkAfter(group, prev, run);
      // Rule 4: a new run must not be placed ahead of its status, so a FRESH run never goes
      // before `freshStart`, a STALE one never before `staleStart`. Moving a cursor back to it
      // passes no other run: a run between would be younger than this one yet already counted
      // in an older phase.
      if (
        phase === FRESH &&
        (group.freshStart === NIL || timestamp < timestamps[group.freshStart]!)
      ) {
        group.freshStart = run;
      }
      if (
        phase !== EXPIRED &&
        (group.staleStart === NIL || timestamp < timestamps[group.staleStart]!)
      ) {
        group.staleStart = run;
      }
    }
    const slots = this.slots;
    runs.addSlot(run, slot, slots.runPrev, slots.runNext);
    slots.runOf[slot] = run;
    runs.validCounts[run]++;
    return this.#phaseOfRun(run, group);
  }

  /** Takes `slot` (with `flags`) out of its run, and the run out of its group once empty. */
  #leaveRun(slot: number, run: number, group: TtlGroup, flags: number): void {
    const runs = this.#runs;
    const { runPrev, runNext } = this.slots;
    if ((flags & INVALIDATED) === 0) runs.validCounts[run]--;
    if ((flags & EXPIRED_EARLY) !== 0) runs.expiredEarlyCounts[run]--;
    if (!runs.removeSlot(run, slot, runPrev, runNext)) return;
    const next = runs.next[run]!;
    if (group.freshStart === run) group.freshStart = next;
    if (group.staleStart === run) group.staleStart = next;
    unlinkSlot(runs.prev, runs.next, group, run);
    runs.release(run);
  }
}
