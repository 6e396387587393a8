import { NIL, withContents, type SlotList } from './cache-slots.js';

/**
 * The columns of the status index's runs (what a run is and how it is counted: see
 * cache-status-index.ts). A run is the entries of one TTL and one category written in the same
 * millisecond: they share their timestamp and TTL, so they change status together, and the
 * counters move a whole run in one step. A million entries written in a burst and expiring
 * together are recounted in a handful of steps.
 *
 * Columns indexed by run, like CacheSlots; they grow by doubling and never shrink until the cache
 * is cleared. A run is either in use (in one group's list, `groups[run]` its group) or free.
 */
export class CacheRuns<Group extends SlotList> {
  capacity = 0;
  /** The write time (ms since the epoch) every entry of the run has. */
  timestamps = new Float64Array(0);
  /** Entries of the run that are not INVALID: the ones its status moves in the counters. */
  validCounts = new Int32Array(0);
  /**
   * Of those, the entries expired early (`expire`): counted STALE while the run is FRESH, so a
   * run turning STALE moves only the others.
   */
  expiredEarlyCounts = new Int32Array(0);
  /** First and last slot of the run (its slots are chained through `CacheSlots.run*`). */
  firstSlot = new Int32Array(0);
  lastSlot = new Int32Array(0);
  /** Neighbouring runs of the same group, older (`prev`) and newer (`next`). */
  prev = new Int32Array(0);
  next = new Int32Array(0);
  /** The group each run belongs to, so a slot finds its group with no map lookup. */
  groups: (Group | undefined)[] = [];
  private freeRuns = new Int32Array(0);
  private freeCount = 0;
  private used = 0;

  constructor(initialCapacity: number) {
    this.grow(initialCapacity);
  }

  /** A new empty run of `group` at `timestamp`, not linked to any neighbour yet. */
  allocate(group: Group, timestamp: number): number {
    let run: number;
    if (this.freeCount > 0) {
      run = this.freeRuns[--this.freeCount]!;
    } else {
      if (this.used === this.capacity) this.grow(this.capacity * 2);
      run = this.used++;
    }
    this.timestamps[run] = timestamp;
    this.validCounts[run] = 0;
    this.expiredEarlyCounts[run] = 0;
    this.firstSlot[run] = NIL;
    this.lastSlot[run] = NIL;
    this.groups[run] = group;
    return run;
  }

  /** Links the new `run` into `group`'s list right after `prev` (first when `prev` is NIL). */
  linkAfter(group: Group, prev: number, run: number): void {
    const next = prev === NIL ? group.head : this.next[prev]!;
    this.prev[run] = prev;
    this.next[run] = next;
    if (prev === NIL) group.head = run;
    else this.next[prev] = run;
    if (next === NIL) group.tail = run;
    else this.prev[next] = run;
  }

  /** Chains `slot` last in `run`, through the slots' `runPrev` / `runNext` links. */
  addSlot(run: number, slot: number, runPrev: Int32Array, runNext: Int32Array): void {
    const last = this.lastSlot[run]!;
    runPrev[slot] = last;
    runNext[slot] = NIL;
    if (last === NIL) this.firstSlot[run] = slot;
    else runNext[last] = slot;
    this.lastSlot[run] = slot;
  }

  /** Takes `slot` out of the chain of `run`. @returns whether the run is empty now. */
  removeSlot(run: number, slot: number, runPrev: Int32Array, runNext: Int32Array): boolean {
    const before = runPrev[slot]!;
    const after = runNext[slot]!;
    if (before === NIL) this.firstSlot[run] = after;
    else runNext[before] = after;
    if (after === NIL) this.lastSlot[run] = before;
    else runPrev[after] = before;
    return this.firstSlot[run] === NIL;
  }

  /** Gives back a run that holds no slot any more. */
  release(run: number): void {
    this.groups[run] = undefined;
    this.freeRuns[this.freeCount++] = run;
  }

  /** Forgets every run. */
  reset(capacity: number): void {
    this.capacity = 0;
    this.used = 0;
    this.freeCount = 0;
    this.groups = [];
    this.grow(capacity);
  }

  private grow(capacity: number): void {
    const grown = withContents(this.capacity);
    this.timestamps = grown(this.timestamps, new Float64Array(capacity));
    this.validCounts = grown(this.validCounts, new Int32Array(capacity));
    this.expiredEarlyCounts = grown(this.expiredEarlyCounts, new Int32Array(capacity));
    this.firstSlot = grown(this.firstSlot, new Int32Array(capacity));
    this.lastSlot = grown(this.lastSlot, new Int32Array(capacity));
    this.prev = grown(this.prev, new Int32Array(capacity));
    this.next = grown(this.next, new Int32Array(capacity));
    this.freeRuns = grown(this.freeRuns, new Int32Array(capacity));
    this.capacity = capacity;
  }
}
