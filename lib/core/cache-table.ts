import type { CacheByteBudget } from './cache-byte-budget.js';
import { createEntry, type CacheEntry, type CacheEntryHost } from './cache-entry.js';
import { CacheSlots } from './cache-slots.js';
import type { CacheStats } from './cache-stats.js';
import { CacheStatus } from './cache-status.enum.js';
import { CacheStatusIndex } from './cache-status-index.js';
import { CacheTagIndex } from './cache-tag-index.js';
import { NO_TAGS } from './cache-tags.util.js';
import type { JsonObject } from './json.interface.js';

/*
 * The table: the entries a cache holds, as the storage engine (CacheSlots), the status index
 * (CacheStatusIndex) and the tag index (CacheTagIndex) see them together.
 *
 * Invariant: a key is held exactly when it has a slot in the storage engine, and then its slot is
 * indexed exactly once in the status index (one run of one TTL group, one category list) and in
 * the tag index under each of its tags. This class is the only one that changes them, and it
 * changes them together: nothing else adds, rewrites or removes a slot. With a byte budget it
 * also keeps the budget's sizes (see cache-byte-budget.ts) in step with the slots it writes and
 * frees.
 */

export class CacheTable {
  readonly slots: CacheSlots;
  readonly index: CacheStatusIndex;
  readonly tags = new CacheTagIndex();
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
   * or in a new one, written at `timestampMs`, as of the clock reading `now`, carrying `tags`
   * (a snapshot, see cache-tags.util.ts). With a byte budget, the caller then {@link charge}s the
   * slot. @returns the slot.
   */
  insert(
    key: string,
    data: unknown,
    metadata: JsonObject,
    timestampMs: number,
    ttlSeconds: number,
    category: string,
    now: number,
    tags = NO_TAGS,
  ): number {
    const { slots, index } = this;
    let slot = slots.keyToSlot.get(key);
    if (slot !== undefined) {
      slots.detachView(slot);
      // Nothing to do (two comparisons) in a cache that uses no tags.
      if (tags !== NO_TAGS || this.tags.taggedEntries !== 0) this.#retag(slot, tags);
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
      if (slots.size >= this.maxEntries) this.#evict(slots.lru.head);
      slot = slots.add(key);
      if (tags !== NO_TAGS) this.#retag(slot, tags);
    }
    slots.write(slot, data, metadata, timestampMs, ttlSeconds, category);
    index.add(slot, now);
    return slot;
  }

  /**
   * Records, under the byte budget, that the entry just written to `slot` takes `bytes` beside its
   * key (`bytesBesideKey`; the whole at most `maxEntryBytes`, checked by the caller), then evicts
   * least recently used entries until the budget holds. The written entry is the most recently
   * used, so it is reached only once it is alone, and it fits alone. Apart from insert, so that a
   * cache without a budget runs none of it and insert stays small enough for V8 to inline.
   */
  charge(slot: number, bytes: number): void {
    const budget = this.budget!;
    if (!budget.recharge(slot, bytes)) budget.charge(slot, this.slots.keys[slot]!, bytes);
    if (budget.exceeded) this.#evictToFit(budget, slot);
  }

  /** Evicts least recently used entries, never `keep` (the newest), until the budget holds. */
  #evictToFit(budget: CacheByteBudget, keep: number): void {
    const lru = this.slots.lru;
    while (budget.exceeded && lru.head !== keep) this.#evict(lru.head);
  }

  #evict(victim: number): void {
    this.beforeEviction(victim);
    this.remove(victim);
  }

  /** Gives the held `slot` `tags` in the storage engine and the tag index. */
  #retag(slot: number, tags: readonly string[]): void {
    const previous = this.slots.tagsOf(slot);
    if (previous === tags) return;
    this.tags.replace(slot, previous, tags);
    this.slots.setTags(slot, tags);
  }

  /** Takes the entry in `slot` out of the cache entirely and frees the slot. */
  remove(slot: number): void {
    if (this.tags.taggedEntries !== 0) this.#retag(slot, NO_TAGS);
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
    this.tags.clear();
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

  /**
   * Calls `visit` with the slot held under each key whose entry carries `tag` when called, if the
   * entry there still carries it when reached: `visit` may run listeners that write or remove
   * entries, and an entry written meanwhile under another key (maybe in a reused slot) is not
   * one the call was about.
   * @returns how many entries carried it. Costs that many steps.
   */
  forEachTagged(tag: string, visit: (slot: number) => void): number {
    const carriers = this.tags.slotsOf(tag);
    if (carriers === undefined) return 0;
    const { keys, keyToSlot } = this.slots;
    const reached: string[] = [];
    for (const slot of carriers) reached.push(keys[slot]!);
    for (const key of reached) {
      const slot = keyToSlot.get(key);
      if (slot !== undefined && this.tags.carries(slot, tag)) visit(slot);
    }
    return reached.length;
  }

  /**
   * Expires the entry in `slot` early if it is FRESH at `now`: STALE from now on, EXPIRED at its
   * usual time. @returns whether it was FRESH (an entry STALE, EXPIRED or INVALID is left as is).
   */
  expire(slot: number, now: number): boolean {
    if (this.slots.statusAt(slot, now) !== CacheStatus.FRESH) return false;
    this.index.expire(slot);
    return true;
  }

  /**
   * Writes what the table holds as of `now` into `stats`: entries by status and category, their
   * ages, tagged entries, and the bytes under a budget. Costs what `CacheStatusIndex.reportTo`
   * costs.
   */
  reportTo(stats: CacheStats, now: number): void {
    stats.totalEntries = this.slots.size;
    stats.taggedEntries = this.tags.taggedEntries;
    const budget = this.budget;
    if (budget !== undefined) {
      stats.totalBytes = budget.totalBytes;
      stats.maxBytes = budget.maxBytes;
    }
    this.index.reportTo(stats, now);
  }

  /** The keys held, in the order of {@link forEach}. */
  keys(category: string | undefined): string[] {
    const keys: string[] = [];
    const held = this.slots.keys;
    this.forEach(category, (slot) => keys.push(held[slot]!));
    return keys;
  }

  /** The entries held by key, in the order of {@link forEach}. */
  entries(category: string | undefined): Map<string, CacheEntry<unknown>> {
    const entries = new Map<string, CacheEntry<unknown>>();
    const held = this.slots.keys;
    this.forEach(category, (slot) => entries.set(held[slot]!, this.entryOf(slot)));
    return entries;
  }

  /** The entry object of `slot`, created on first use and reused by every later read. */
  entryOf(slot: number): CacheEntry<unknown> {
    const views = this.slots.views;
    let entry = views[slot];
    if (entry === undefined) views[slot] = entry = createEntry(this.#entryHost, slot);
    return entry;
  }
}
