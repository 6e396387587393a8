import type { JsonObject } from './json.interface.js';
import { deepFreeze } from './json-snapshot.util.js';

/** "No slot" in the typed-array links. */
export const NIL = -1;

/*
 * Phase codes: the status an entry is counted under. Time moves entries from FRESH to STALE to
 * EXPIRED; the counters follow lazily, when a TTL group is settled. Bit 2 of the phase byte says
 * the slot sits in the queue of invalidated slots.
 */
export const FRESH = 0;
export const STALE = 1;
export const EXPIRED = 2;
export const INVALID = 3;
export const PHASE_MASK = 3;
export const QUEUED = 4;
/** Bit 3: the slot's data and metadata are frozen (done on first read, see `exposeData`). */
export const FROZEN = 8;

/**
 * The entries a cache holds, column by column: parallel arrays indexed by slot. Keeping numbers
 * in typed arrays (no boxed doubles) and building an entry object only when one is asked for
 * keeps an entry at about a hundred bytes beyond its key and data.
 *
 * Links: `lru*` chain every slot from least to most recently used; `group*` chain the slots of
 * one TTL in write order; `category*` chain the slots of one category in write order.
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
  accessCounts = new Float64Array(0);
  lruPrev = new Int32Array(0);
  lruNext = new Int32Array(0);
  groupPrev = new Int32Array(0);
  groupNext = new Int32Array(0);
  categoryPrev = new Int32Array(0);
  categoryNext = new Int32Array(0);
  phase = new Uint8Array(0);

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
    const keep = this.capacity;
    const grown = <A extends Float64Array | Int32Array | Uint8Array>(old: A, next: A): A => {
      next.set(old.subarray(0, keep));
      return next;
    };
    this.ttlSeconds = grown(this.ttlSeconds, new Float64Array(capacity));
    this.timestamps = grown(this.timestamps, new Float64Array(capacity));
    this.lastAccessed = grown(this.lastAccessed, new Float64Array(capacity));
    this.accessCounts = grown(this.accessCounts, new Float64Array(capacity));
    this.lruPrev = grown(this.lruPrev, new Int32Array(capacity));
    this.lruNext = grown(this.lruNext, new Int32Array(capacity));
    this.groupPrev = grown(this.groupPrev, new Int32Array(capacity));
    this.groupNext = grown(this.groupNext, new Int32Array(capacity));
    this.categoryPrev = grown(this.categoryPrev, new Int32Array(capacity));
    this.categoryNext = grown(this.categoryNext, new Int32Array(capacity));
    this.phase = grown(this.phase, new Uint8Array(capacity));
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
    this.grow(capacity);
  }

  /** A one-slot copy of `slot`, for an entry object that outlives its place in the cache. */
  copyOut(slot: number): CacheSlots {
    const copy = new CacheSlots();
    copy.grow(1);
    copy.keys[0] = this.keys[slot];
    copy.data[0] = this.data[slot];
    copy.metadata[0] = this.metadata[slot];
    copy.categories[0] = this.categories[slot];
    copy.ttlSeconds[0] = this.ttlSeconds[slot]!;
    copy.timestamps[0] = this.timestamps[slot]!;
    copy.lastAccessed[0] = this.lastAccessed[slot]!;
    copy.accessCounts[0] = this.accessCounts[slot]!;
    copy.phase[0] = this.phase[slot]! & (PHASE_MASK | FROZEN);
    return copy;
  }
}
