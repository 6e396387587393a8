import { CacheStatus } from './cache-status.enum.js';
import { statusOf } from './cache-status.util.js';
import type { JsonObject } from './json.interface.js';
import { deepFreeze } from './json-snapshot.util.js';

/** "No slot" in the typed-array links. */
export const NIL = -1;

/*
 * Phase codes: the status an entry is counted under. A slot's phase byte holds INVALID or 0 (not
 * invalidated): which of FRESH, STALE and EXPIRED a valid entry is counted under follows from
 * its run's place in its group (see CacheManager), so time passing writes nothing per slot.
 * Bit 2 of the phase byte says the slot sits in the queue of invalidated slots.
 */
export const FRESH = 0;
export const STALE = 1;
export const EXPIRED = 2;
export const INVALID = 3;
export const PHASE_MASK = 3;
export const QUEUED = 4;
/** Bit 3: the slot's data and metadata are frozen (done on first read, see `exposeData`). */
export const FROZEN = 8;

/** An entry's fields, kept by its entry object once its slot was replaced, removed or reused. */
export interface DetachedEntry {
  readonly key: string;
  readonly data: unknown;
  readonly metadata: JsonObject;
  readonly category: string;
  readonly ttlSeconds: number;
  readonly timestampMs: number;
  lastAccessedMs: number;
  accessCount: number;
  invalid: boolean;
  frozen: boolean;
}

/**
 * The entries a cache holds, column by column: parallel arrays indexed by slot. Keeping numbers
 * in typed arrays (no boxed doubles) and building an entry object only when one is asked for
 * keeps an entry at about a hundred bytes beyond its key and data.
 *
 * Links: `lru*` chain every slot from least to most recently used; `run*` chain the slots of
 * one run (see CacheRuns); `runOf` is the run of each slot; `category*` chain the slots of one category in write order.
 * @internal
 */
export class CacheSlots {
  capacity = 0;
  keys: (string | undefined)[] = [];
  data: unknown[] = [];
  metadata: (JsonObject | undefined)[] = [];
  categories: (string | undefined)[] = [];
  /** Entry objects handed out for a slot, reused by every later read of it. */
  views: (object | undefined)[] = [];
  ttlSeconds = new Float64Array(0);
  /** Milliseconds since the epoch at which the data was written. */
  timestamps = new Float64Array(0);
  /** Milliseconds since the epoch of the last read (the write, before any). */
  lastAccessed = new Float64Array(0);
  accessCounts = new Uint32Array(0);
  lruPrev = new Int32Array(0);
  lruNext = new Int32Array(0);
  runPrev = new Int32Array(0);
  runNext = new Int32Array(0);
  runOf = new Int32Array(0);
  categoryPrev = new Int32Array(0);
  categoryNext = new Int32Array(0);
  phase = new Uint8Array(0);
  /** Freed slots, a stack: `freeSlots[0 .. freeCount)`. A typed array never reallocates on push. */
  freeSlots = new Int32Array(0);
  freeCount = 0;

  /** The status at time `now` (ms) of the entry in `slot`. */
  statusAt(slot: number, now: number): CacheStatus {
    if ((this.phase[slot]! & PHASE_MASK) === INVALID) return CacheStatus.INVALID;
    return statusOf(now - this.timestamps[slot]!, this.ttlSeconds[slot]! * 1000);
  }

  /** The slot's data, deep-frozen before it is first handed out. */
  exposeData(slot: number): unknown {
    if ((this.phase[slot]! & FROZEN) === 0) this.freeze(slot);
    return this.data[slot];
  }

  /** The slot's metadata, deep-frozen before it is first handed out. */
  exposeMetadata(slot: number): JsonObject {
    if ((this.phase[slot]! & FROZEN) === 0) this.freeze(slot);
    return this.metadata[slot]!;
  }

  private freeze(slot: number): void {
    deepFreeze(this.data[slot]);
    deepFreeze(this.metadata[slot]);
    this.phase[slot]! |= FROZEN;
  }

  /** Grows every typed array to `capacity` slots, keeping their contents. */
  grow(capacity: number): void {
    const grown = withContents(this.capacity);
    this.ttlSeconds = grown(this.ttlSeconds, new Float64Array(capacity));
    this.timestamps = grown(this.timestamps, new Float64Array(capacity));
    this.lastAccessed = grown(this.lastAccessed, new Float64Array(capacity));
    this.accessCounts = grown(this.accessCounts, new Uint32Array(capacity));
    this.lruPrev = grown(this.lruPrev, new Int32Array(capacity));
    this.lruNext = grown(this.lruNext, new Int32Array(capacity));
    this.runPrev = grown(this.runPrev, new Int32Array(capacity));
    this.runNext = grown(this.runNext, new Int32Array(capacity));
    this.runOf = grown(this.runOf, new Int32Array(capacity));
    this.categoryPrev = grown(this.categoryPrev, new Int32Array(capacity));
    this.categoryNext = grown(this.categoryNext, new Int32Array(capacity));
    this.phase = grown(this.phase, new Uint8Array(capacity));
    this.freeSlots = grown(this.freeSlots, new Int32Array(capacity));
    this.capacity = capacity;
  }

  /** Forgets every slot. */
  reset(capacity: number): void {
    this.capacity = 0;
    this.keys = [];
    this.data = [];
    this.metadata = [];
    this.categories = [];
    this.views = [];
    this.freeCount = 0;
    this.grow(capacity);
  }

  /** What the entry object of `slot` keeps once the slot is no longer its own. */
  detachedCopy(slot: number): DetachedEntry {
    return {
      key: this.keys[slot]!,
      data: this.data[slot],
      metadata: this.metadata[slot]!,
      category: this.categories[slot]!,
      ttlSeconds: this.ttlSeconds[slot]!,
      timestampMs: this.timestamps[slot]!,
      lastAccessedMs: this.lastAccessed[slot]!,
      accessCount: this.accessCounts[slot]!,
      invalid: (this.phase[slot]! & PHASE_MASK) === INVALID,
      frozen: (this.phase[slot]! & FROZEN) !== 0,
    };
  }
}

/** `grown(old, next)`: `next` holding the first `keep` elements of `old`, for growing columns. */
export function withContents(keep: number) {
  return <A extends Float64Array | Int32Array | Uint32Array | Uint8Array>(old: A, next: A): A => {
    next.set(old.subarray(0, keep));
    return next;
  };
}

/** The two ends of a list of slots chained through a pair of link arrays; NIL when empty. */
export interface SlotList {
  head: number;
  tail: number;
}

/** Puts `slot` last in `list`. */
export function appendSlot(prev: Int32Array, next: Int32Array, list: SlotList, slot: number): void {
  prev[slot] = list.tail;
  next[slot] = NIL;
  if (list.tail === NIL) list.head = slot;
  else next[list.tail] = slot;
  list.tail = slot;
}

/** Takes `slot` out of `list`. */
export function unlinkSlot(prev: Int32Array, next: Int32Array, list: SlotList, slot: number): void {
  const before = prev[slot]!;
  const after = next[slot]!;
  if (before === NIL) list.head = after;
  else next[before] = after;
  if (after === NIL) list.tail = before;
  else prev[after] = before;
}
