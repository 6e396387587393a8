import type { CacheOutcomes } from './cache-outcomes.js';
import type { CacheTable } from './cache-table.js';
import type { CacheTier } from './cache-tier.interface.js';

/*
 * Invalidation, hard and soft: marking held entries INVALID (`invalidate*`: no longer served,
 * removed at the next cleanup) or STALE ahead of their time (`expire*`: served only to readers
 * that take STALE entries, refreshed once by stale-while-revalidate), by key, category or tag.
 *
 * Invariant: each call tells the second tier first, whether or not this instance holds what it
 * names (other instances may), then reaches exactly the entries held under the key, in the
 * category or carrying the tag when it is called, each in O(1), so that a call costs what it
 * reaches and never a scan; and it records one outcome per entry reached: an invalidation for
 * each (one already INVALID included), an expiration for each FRESH entry it turned STALE (one
 * STALE, EXPIRED or INVALID already is left as it is). An expired entry keeps its data,
 * timestamp, category and tags, turns EXPIRED when it would have anyway (at twice its TTL), and
 * is FRESH again once rewritten.
 */
export class CacheInvalidation {
  /** @param tier the second tier attached now, if any. */
  constructor(
    private readonly table: CacheTable,
    private readonly outcomes: CacheOutcomes,
    private readonly tier: () => CacheTier | undefined,
  ) {}

  /** @returns whether an entry was held under `key`. */
  invalidate(key: string): boolean {
    this.tier()?.afterInvalidate(key);
    const slot = this.table.slots.keyToSlot.get(key);
    if (slot === undefined) return false;
    this.#invalidateSlot(slot);
    return true;
  }

  /** @returns how many entries the category held. */
  invalidateCategory(category: string): number {
    this.tier()?.afterInvalidateCategory(category);
    const held = this.table.index.categories.get(category)?.size ?? 0;
    this.table.forEach(category, (slot) => this.#invalidateSlot(slot));
    return held;
  }

  /** @returns how many entries carried `tag`. */
  invalidateTag(tag: string): number {
    this.tier()?.afterInvalidateTag?.(tag);
    this.outcomes.tagOperation('invalidate');
    return this.table.forEachTagged(tag, (slot) => this.#invalidateSlot(slot));
  }

  /** Expires the entry under `key` as of `now`. @returns whether one was held under `key`. */
  expire(key: string, now: number): boolean {
    this.tier()?.afterExpire?.(key);
    const slot = this.table.slots.keyToSlot.get(key);
    if (slot === undefined) return false;
    this.#expireSlot(slot, now);
    return true;
  }

  /** @returns how many entries the category held. */
  expireCategory(category: string, now: number): number {
    this.tier()?.afterExpireCategory?.(category);
    const held = this.table.index.categories.get(category)?.size ?? 0;
    this.table.forEach(category, (slot) => this.#expireSlot(slot, now));
    return held;
  }

  /** @returns how many entries carried `tag`. */
  expireTag(tag: string, now: number): number {
    this.tier()?.afterExpireTag?.(tag);
    this.outcomes.tagOperation('expire');
    return this.table.forEachTagged(tag, (slot) => this.#expireSlot(slot, now));
  }

  #invalidateSlot(slot: number): void {
    this.table.index.invalidate(slot);
    this.outcomes.invalidation(this.table.slots, slot);
  }

  #expireSlot(slot: number, now: number): void {
    if (this.table.expire(slot, now)) this.outcomes.expiration(this.table.slots, slot);
  }
}
