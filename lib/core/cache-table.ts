import type { CacheByteBudget } from './cache-byte-budget.js';
import { createEntry, type CacheEntry, type CacheEntryHost } from './cache-entry.js';
import { CacheSlots, NIL } from './cache-slots.js';
import { CacheStatusIndex } from './cache-status-index.js';
import type { JsonObject } from './json.interface.js';

/*
 * The table: the entries a cache holds, as the storage engine (CacheSlots) and the status index
 * (CacheStatusIndex) see them together.
 *
 * Invariant: a key is held exactly when it has a slot in the storage engine, and then its slot is
 * indexed exactly once in the status index (one run of one TTL group, one category list). This
 * class is the only one that changes both, and it changes them together: nothing else adds,
 * rewrites or removes a slot. With a byte budget it also keeps the budget's sizes (see
 * cache-byte-budget.ts) in step with the slots it writes and frees.
 */

export class CacheTable {
  readonly slots: CacheSlots;
  readonly index: CacheStatusIndex;
  /** What entry objects of this table read from while their slot is theirs. */
  readonly #entryHost: CacheEntryHost;

  /**
   * @param maxEntries at this many keys held, a new key first evicts the least recently used.
   * @param beforeEviction told of the slot about to be evicted, while it still holds its entry.
   * @param budget the memory budget (`maxBytes`), if any: a write evicts until it fits.
   */
  constructor(
    private readonly maxEntries: number,
    now: () => number,
    invalidate: (key: string) => void,
    private readonly beforeEviction: (slot: number) => void,
    readonly budget?: CacheByteBudget,
  ) {
    const slots = (this.slots = new CacheSlots(maxEntries));
    this.index = new CacheStatusIndex(slots);
    this.#entryHost = { slots, now, invalidateSlot: (slot) => invalidate(slots.keys[slot]!) };
  }

  /**
   * Puts an entry in the key's slot (replacing what it held; the old entry object keeps a copy)
   * or in a new one, written at `timestampMs`, as of the clock reading `now`. With a budget,
   * `bytes` is the entry's estimated size (at most `maxEntryBytes`, checked by the caller) and
   * least recently used entries are evicted until it fits. @returns the slot.
   */
  insert(
    key: string,
    data: unknown,
    metadata: JsonObject,
    timestampMs: number,
    ttlSeconds: number,
    category: string,
    now: number,
    bytes = 0,
  ): number {
    const { slots, index, budget } = this;
    let slot = slots.keyToSlot.get(key);
    if (slot !== undefined) {
      slots.detachView(slot);
      if (slot !== slots.lru.tail) slots.moveToLruTail(slot);
      if (budget !== undefined) {
        this.#makeRoom(budget, bytes - budget.sizeOf(slot), slot);
        budget.record(slot, bytes);
      }
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
      if (slots.size >= this.maxEntries) this.#evict(slots.lru.head);
      if (budget !== undefined) this.#makeRoom(budget, bytes, NIL);
      slot = slots.add(key);
      budget?.record(slot, bytes);
    }
    slots.write(slot, data, metadata, timestampMs, ttlSeconds, category);
    index.add(slot, now);
    return slot;
  }

  /**
   * Evicts least recently used entries, never `keep`, until `extra` more bytes fit the budget.
   * `keep` was just made the most recently used, so it is the head only once it is alone.
   */
  #makeRoom(budget: CacheByteBudget, extra: number, keep: number): void {
    const lru = this.slots.lru;
    while (budget.exceededBy(extra) && lru.head !== NIL && lru.head !== keep) {
      this.#evict(lru.head);
    }
  }

  #evict(victim: number): void {
    this.beforeEviction(victim);
    this.remove(victim);
  }

  /** Takes the entry in `slot` out of the cache entirely and frees the slot. */
  remove(slot: number): void {
    this.index.remove(slot);
    this.slots.free(slot);
    this.budget?.release(slot);
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
    this.budget?.reset();
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
