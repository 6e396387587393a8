import { CacheStatus } from './cache-status.enum.js';
import { statusOf } from './cache-status.util.js';
import { detachEntry, type CacheEntry } from './cache-entry.js';
import { NO_TAGS } from './cache-tags.util.js';
import type { JsonObject } from './json.interface.js';
import { deepFreeze } from './json-snapshot.util.js';

/*
 * The storage engine: every entry a cache holds, column by column, with the key map, the free
 * list and the LRU order. It knows nothing of statuses beyond an entry's own TTL (that is the
 * status index, cache-status-index.ts) and nothing of loading, events or counters.
 *
 * Invariant. A slot below `used` is either free or holds exactly one key:
 * - held: `keyToSlot.get(keys[slot]) === slot`, and the slot is linked once in the LRU list,
 *   from the least recently used (`lru.head`) to the most recently used (`lru.tail`);
 * - free: on the free stack `freeSlots[0 .. freeCount)`, in no list, holding no key, data,
 *   metadata, category or tags (so that they can be collected now, not when the slot is reused).
 * `tags[slot]` is a held slot's tags, or undefined (or past the array's end) when it has none:
 * a cache that never uses tags never writes that column, and pays nothing for it.
 * `views[slot]` is the entry object handed out for the slot's current value, if any: it reads the
 * columns while `views[slot]` is itself, and is given a copy of them (detached) the moment the
 * slot is rewritten, freed or cleared.
 *
 * Numbers live in typed arrays (no boxed doubles) and an entry object is built only when one is
 * asked for, which keeps an entry at about a hundred bytes beyond its key and data.
 */

/** "No slot" (and "no run") in the typed-array links. */
export const NIL = -1;

/*
 * Bits of a slot's flags word (`flags[slot]`).
 * INVALIDATED: the entry was invalidated; it is no longer served and waits for cleanup.
 * EXPIRED_EARLY: the entry was expired early (`expire`): STALE even within its TTL, EXPIRED at
 *   its usual age. Never set together with INVALIDATED (invalidating clears it).
 * QUEUED: the slot sits in the status index's queue of invalidated slots. It outlives the value
 *   (a rewrite or a removal keeps it): the queue holds slots, and skips those no longer invalid.
 * FROZEN: the slot's data and metadata are deep-frozen (done on first read, see `exposeData`).
 */
export const INVALIDATED = 1;
export const QUEUED = 2;
export const FROZEN = 4;
export const EXPIRED_EARLY = 8;
/** Either mark a read must look at (reads test both at once, off the fresh hit's path). */
export const MARKED = INVALIDATED | EXPIRED_EARLY;

/** Slots allocated by a new (or cleared) cache; the columns then double up to `maxSlots`. */
const INITIAL_SLOTS = 256;

/** An entry's fields, kept by its entry object once its slot was replaced, removed or reused. */
export interface DetachedEntry {
  readonly key: string;
  readonly data: unknown;
  readonly metadata: JsonObject;
  readonly category: string;
  readonly ttlSeconds: number;
  readonly timestampMs: number;
  readonly tags: readonly string[];
  readonly expiredEarly: boolean;
  lastAccessedMs: number;
  accessCount: number;
  invalid: boolean;
  frozen: boolean;
}

/** The two ends of a list of slots chained through a pair of link arrays; NIL when empty. */
export interface SlotList {
  head: number;
  tail: number;
}

/**
 * The entries a cache holds, as parallel columns indexed by slot (see the invariant above).
 * Links: `lru*` chain every held slot from least to most recently used; `run*` chain the slots of
 * one run and `runOf` is each slot's run (see CacheRuns); `category*` chain the slots of one
 * category in write order. The status index owns the run and category links.
 */
export class CacheSlots {
  readonly keyToSlot = new Map<string, number>();
  /** Every held slot, from the least recently used (`head`) to the most recently used (`tail`). */
  readonly lru: SlotList = { head: NIL, tail: NIL };
  capacity = 0;
  /** Slots handed out so far; slots at and above it were never used. */
  used = 0;
  keys: (string | undefined)[] = [];
  data: unknown[] = [];
  metadata: (JsonObject | undefined)[] = [];
  categories: (string | undefined)[] = [];
  /** Each slot's tags, written only for slots that have some (see the invariant above). */
  tags: (readonly string[] | undefined)[] = [];
  /** Entry objects handed out for a slot, reused by every later read of it. */
  views: (CacheEntry<unknown> | undefined)[] = [];
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
  /** INVALIDATED, QUEUED and FROZEN bits of each slot. */
  flags = new Uint8Array(0);
  /** Freed slots, a stack: `freeSlots[0 .. freeCount)`. A typed array never reallocates on push. */
  freeSlots = new Int32Array(0);
  freeCount = 0;

  /** @param maxSlots the most entries the cache holds (its `maxEntries`). */
  constructor(readonly maxSlots: number) {
    this.grow(Math.min(INITIAL_SLOTS, maxSlots));
  }

  /** Entries held. */
  get size(): number {
    return this.keyToSlot.size;
  }

  /**
   * A slot for `key`, new to the cache, linked as the most recently used. The caller makes room
   * first: at `maxSlots` held, it evicts.
   */
  add(key: string): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount]!;
    } else {
      if (this.used === this.capacity) this.grow(Math.min(this.capacity * 2, this.maxSlots));
      slot = this.used++;
    }
    this.keyToSlot.set(key, slot);
    this.keys[slot] = key;
    appendSlot(this.lruPrev, this.lruNext, this.lru, slot);
    return slot;
  }

  /** Writes a new value into a held slot: not read yet, not frozen (the QUEUED bit stays). */
  write(
    slot: number,
    data: unknown,
    metadata: JsonObject,
    timestampMs: number,
    ttlSeconds: number,
    category: string,
  ): void {
    this.data[slot] = data;
    this.metadata[slot] = metadata;
    this.categories[slot] = category;
    this.ttlSeconds[slot] = ttlSeconds;
    this.timestamps[slot] = timestampMs;
    this.lastAccessed[slot] = timestampMs;
    this.accessCounts[slot] = 0;
    this.flags[slot]! &= QUEUED;
  }

  /** Writes a new value into a held slot that keeps its TTL and category, written at `now`. */
  rewrite(slot: number, data: unknown, metadata: JsonObject, now: number): void {
    this.data[slot] = data;
    this.metadata[slot] = metadata;
    this.timestamps[slot] = now;
    this.lastAccessed[slot] = now;
    this.accessCounts[slot] = 0;
    this.flags[slot]! &= QUEUED;
  }

  /** Marks `slot` as the most recently used. */
  moveToLruTail(slot: number): void {
    const { lruPrev, lruNext, lru } = this;
    unlinkSlot(lruPrev, lruNext, lru, slot);
    appendSlot(lruPrev, lruNext, lru, slot);
  }

  /** Calls `visit` with each held slot, from the least to the most recently used. */
  forEachInLru(visit: (slot: number) => void): void {
    const next = this.lruNext;
    // The next slot is read first: `visit` may free the slot it is given.
    for (let slot = this.lru.head; slot !== NIL;) {
      const after = next[slot]!;
      visit(slot);
      slot = after;
    }
  }

  /** Frees a held slot: out of the key map and the LRU list, its references dropped. */
  free(slot: number): void {
    this.detachView(slot);
    unlinkSlot(this.lruPrev, this.lruNext, this.lru, slot);
    this.keyToSlot.delete(this.keys[slot]!);
    this.keys[slot] = undefined;
    this.data[slot] = undefined;
    this.metadata[slot] = undefined;
    this.categories[slot] = undefined;
    if (slot < this.tags.length) this.tags[slot] = undefined;
    this.flags[slot]! &= QUEUED;
    this.freeSlots[this.freeCount++] = slot;
  }

  /**
   * Gives the entry object of `slot`, if one was handed out, a copy of the slot, so that it
   * keeps describing its own value once the slot is replaced, removed or reused.
   */
  detachView(slot: number): void {
    const entry = this.views[slot];
    if (entry === undefined) return;
    detachEntry(entry, this.detachedCopy(slot));
    this.views[slot] = undefined;
  }

  /** Forgets every slot; entry objects handed out keep their copies. */
  reset(): void {
    const views = this.views;
    for (let slot = 0; slot < views.length; slot++) {
      if (views[slot] !== undefined) this.detachView(slot);
    }
    this.keyToSlot.clear();
    this.lru.head = NIL;
    this.lru.tail = NIL;
    this.capacity = 0;
    this.used = 0;
    this.keys = [];
    this.data = [];
    this.metadata = [];
    this.categories = [];
    this.tags = [];
    this.views = [];
    this.freeCount = 0;
    this.grow(Math.min(INITIAL_SLOTS, this.maxSlots));
  }

  /**
   * The status at time `now` (ms) of the entry in `slot`, from its own timestamp, TTL and flags.
   */
  statusAt(slot: number, now: number): CacheStatus {
    const flags = this.flags[slot]!;
    if ((flags & INVALIDATED) !== 0) return CacheStatus.INVALID;
    const ageMs = now - this.timestamps[slot]!;
    return statusOf(ageMs, this.ttlSeconds[slot]! * 1000, (flags & EXPIRED_EARLY) !== 0);
  }

  /** The tags of the entry in `slot` (a held slot). */
  tagsOf(slot: number): readonly string[] {
    return this.tags[slot] ?? NO_TAGS;
  }

  /** Gives the held `slot` the tags `tags` (a snapshot, see cache-tags.util.ts). */
  setTags(slot: number, tags: readonly string[]): void {
    this.tags[slot] = tags.length === 0 ? undefined : tags;
  }

  /** Records a read of `slot` at `now`: one more access, and the most recently used. */
  markRead(slot: number, now: number): void {
    this.accessCounts[slot]!++;
    this.lastAccessed[slot] = now;
    if (slot !== this.lru.tail) this.moveToLruTail(slot);
  }

  /** The slot's data, deep-frozen before it is first handed out. */
  exposeData(slot: number): unknown {
    if ((this.flags[slot]! & FROZEN) === 0) this.freeze(slot);
    return this.data[slot];
  }

  /** The slot's metadata, deep-frozen before it is first handed out. */
  exposeMetadata(slot: number): JsonObject {
    if ((this.flags[slot]! & FROZEN) === 0) this.freeze(slot);
    return this.metadata[slot]!;
  }

  private freeze(slot: number): void {
    deepFreeze(this.data[slot]);
    deepFreeze(this.metadata[slot]);
    this.flags[slot]! |= FROZEN;
  }

  /** Grows every typed array to `capacity` slots, keeping their contents. */
  private grow(capacity: number): void {
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
    this.flags = grown(this.flags, new Uint8Array(capacity));
    this.freeSlots = grown(this.freeSlots, new Int32Array(capacity));
    this.capacity = capacity;
  }

  /** What the entry object of `slot` keeps once the slot is no longer its own. */
  private detachedCopy(slot: number): DetachedEntry {
    return {
      key: this.keys[slot]!,
      data: this.data[slot],
      metadata: this.metadata[slot]!,
      category: this.categories[slot]!,
      ttlSeconds: this.ttlSeconds[slot]!,
      timestampMs: this.timestamps[slot]!,
      tags: this.tagsOf(slot),
      expiredEarly: (this.flags[slot]! & EXPIRED_EARLY) !== 0,
      lastAccessedMs: this.lastAccessed[slot]!,
      accessCount: this.accessCounts[slot]!,
      invalid: (this.flags[slot]! & INVALIDATED) !== 0,
      frozen: (this.flags[slot]! & FROZEN) !== 0,
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
