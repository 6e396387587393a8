import { createEntry, type CacheEntry, type CacheEntryHost } from './cache-entry.js';
import { CacheSlots } from './cache-slots.js';
import { CacheStatusIndex } from './cache-status-index.js';
import type { JsonObject } from './json.interface.js';

/*
 * The table: the entries a cache holds, as the storage engine (CacheSlots) and the status index
 * (CacheStatusIndex) see them together.
 *
 * Invariant: a key is held exactly when it has a slot in the storage engine, and then its slot is
 * indexed exactly once in the status index (one run of one TTL group, one category list). This
 * class is the only one that changes both, and it changes them together: nothing else adds,
 * rewrites or removes a slot.
 */

export class CacheTable {
  readonly slots: CacheSlots;
  readonly index: CacheStatusIndex;
  /** What entry objects of this table read from while their slot is theirs. */
  readonly #entryHost: CacheEntryHost;

  /**
   * @param maxEntries at this many keys held, a new key first evicts the least recently used.
   * @param beforeEviction told of the slot about to be evicted, while it still holds its entry.
   */
  constructor(
    private readonly maxEntries: number,
    now: () => number,
    invalidate: (key: string) => void,
    private readonly beforeEviction: (slot: number) => void,
  ) {
    const slots = (this.slots = new CacheSlots(maxEntries));
    this.index = new CacheStatusIndex(slots);
    this.#entryHost = { slots, now, invalidateSlot: (slot) => invalidate(slots.keys[slot]!) };
  }

  /**
   * Puts an entry in the key's slot (replacing what it held; the old entry object keeps a copy)
   * or in a new one, written at `timestampMs`, as of the clock reading `now`. @returns the slot.
   */
  insert(
    key: string,
    data: unknown,
    metadata: JsonObject,
    timestampMs: number,
    ttlSeconds: number,
    category: string,
    now: number,
  ): number {
    const { slots, index } = this;
    let slot = slots.keyToSlot.get(key);
    if (slot !== undefined) {
      slots.detachView(slot);
      if (slot !== slots.lru.tail) slots.moveToLruTail(slot);
      if (
        timestampMs === now &&
        slots.ttlSeconds[slot] === ttlSeconds &&
        slots.categories[slot] === category
      ) {
        // The common rewrite: same TTL and category, written now. It moves to the newest run of
        // its group and to the end of its category, with no index lookup at all.
        index.rewrite(slot, now);
        slots.rewrite(slot, data, metadata, now);
        return slot;
      }
      index.remove(slot);
    } else {
      if (slots.size >= this.maxEntries) {
        const victim = slots.lru.head;
        this.beforeEviction(victim);
        this.remove(victim);
      }
      slot = slots.add(key);
    }
    slots.write(slot, data, metadata, timestampMs, ttlSeconds, category);
    index.add(slot, now);
    return slot;
  }

  /** Takes the entry in `slot` out of the cache entirely and frees the slot. */
  remove(slot: number): void {
    this.index.remove(slot);
    this.slots.free(slot);
  }

  /**
   * Removes every entry, or those of `category`; entry objects handed out keep their copies.
   * @returns how many were removed.
   */
  clear(category?: string): number {
    if (category !== undefined) {
      const removed = this.index.categories.get(category)?.size ?? 0;
      this.index.forEachInCategory(category, (slot) => this.remove(slot));
      return removed;
    }
    const removed = this.slots.size;
    this.slots.reset();
    this.index.clear();
    return removed;
  }

  /**
   * Calls `visit` with each slot held: all of them from least to most recently used, or those of
   * `category` in write order. `visit` may remove the slot it is given.
   */
  forEach(category: string | undefined, visit: (slot: number) => void): void {
    if (category === undefined) this.slots.forEachInLru(visit);
    else this.index.forEachInCategory(category, visit);
  }

  /** The entry object of `slot`, created on first use and reused by every later read. */
  entryOf(slot: number): CacheEntry<unknown> {
    const views = this.slots.views;
    let entry = views[slot];
    if (entry === undefined) views[slot] = entry = createEntry(this.#entryHost, slot);
    return entry;
  }
}
