import { INVALIDATED, NIL, QUEUED, type CacheSlots } from './cache-slots.js';

/*
 * The slots invalidated since the last cleanup, which cleanup removes (an invalidated entry may
 * sit in any run, so the status index's runs cannot find it).
 *
 * Invariant: a slot is in the queue at most once, exactly while its QUEUED bit is set. The bit
 * outlives the value (a rewrite or a removal keeps it): the queue holds slots, and `take` skips
 * those no longer invalid.
 */
export class CacheInvalidQueue {
  #queued: number[] = [];

  constructor(private readonly slots: CacheSlots) {}

  /** Whether invalidated slots wait in the queue. */
  get isEmpty(): boolean {
    return this.#queued.length === 0;
  }

  /** Queues `slot`, just invalidated, unless it waits already; sets its QUEUED bit. */
  add(slot: number): void {
    const flags = this.slots.flags;
    if ((flags[slot]! & QUEUED) !== 0) return;
    flags[slot]! |= QUEUED;
    this.#queued.push(slot);
  }

  /**
   * Takes the next slot off the queue: the slot if it still holds an invalidated entry (to
   * remove), or NIL if it was since rewritten or freed (nothing to do).
   */
  take(): number {
    const slot = this.#queued.pop()!;
    const slots = this.slots;
    slots.flags[slot]! &= ~QUEUED;
    const invalid = (slots.flags[slot]! & INVALIDATED) !== 0;
    return slots.keys[slot] !== undefined && invalid ? slot : NIL;
  }

  /** Forgets every slot (the slots were reset). */
  clear(): void {
    this.#queued = [];
  }
}
