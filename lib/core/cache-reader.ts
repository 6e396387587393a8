import type { GetOptions, HasKeyOptions } from './cache-options.interface.js';
import { readFlag } from './cache-input.util.js';
import type { CacheOutcomes } from './cache-outcomes.js';
import { INVALIDATED, MARKED, NIL, type CacheSlots } from './cache-slots.js';
import { CacheStatus } from './cache-status.enum.js';

/*
 * Reading: what `get`, `getData`, `hasKey` and `wrap` see of a key.
 *
 * Invariant: a counted read serves only a FRESH entry, or a STALE one (past its TTL, or expired
 * early) when asked with `includeStale`, and records exactly one outcome: a hit, which is also a use (the access count,
 * the last access and the LRU order move), or a miss with its reason. A look (`has`) counts
 * nothing and moves nothing. This is the hottest path of the library: the fresh hit is kept small
 * enough for V8 to inline it whole into `get`, and everything else is out of its way.
 */

export class CacheReader {
  constructor(
    private readonly slots: CacheSlots,
    private readonly outcomes: CacheOutcomes,
    private readonly now: () => number,
  ) {}

  /**
   * The slot of the FRESH (or, with `includeStale`, STALE) entry under `key`, or NIL.
   * Counts one hit or one miss.
   */
  read(key: string, options: GetOptions | undefined): number {
    const slots = this.slots;
    const slot = slots.keyToSlot.get(key);
    if (slot === undefined) return this.outcomes.miss(key, 'absent');
    // One test keeps both marks (invalidated, expired early) off the fresh hit's path.
    if ((slots.flags[slot]! & MARKED) !== 0) return this.#readMarked(slot, key, options);
    const now = this.now();
    const ageMs = now - slots.timestamps[slot]!;
    const ttlMs = slots.ttlSeconds[slot]! * 1000;
    if (ageMs < ttlMs) this.outcomes.hit(slots, slot, key, ageMs, ttlMs);
    else if (!this.#readStale(slot, key, ageMs, ttlMs, options)) return NIL;
    slots.accessCounts[slot]!++;
    slots.lastAccessed[slot] = now;
    if (slot !== slots.lru.tail) slots.moveToLruTail(slot);
    return slot;
  }

  /** A read of an entry invalidated (a miss) or expired early (as a STALE or EXPIRED one). */
  #readMarked(slot: number, key: string, options: GetOptions | undefined): number {
    const slots = this.slots;
    if ((slots.flags[slot]! & INVALIDATED) !== 0) return this.outcomes.miss(key, 'invalid');
    const now = this.now();
    const ageMs = now - slots.timestamps[slot]!;
    if (!this.#readStale(slot, key, ageMs, slots.ttlSeconds[slot]! * 1000, options)) return NIL;
    slots.markRead(slot, now);
    return slot;
  }

  /**
   * The rest of a read that found a STALE or EXPIRED entry: counts a stale hit, or a miss.
   * @returns whether the entry is served.
   */
  #readStale(
    slot: number,
    key: string,
    ageMs: number,
    ttlMs: number,
    options: GetOptions | undefined,
  ): boolean {
    if (ageMs > 2 * ttlMs) {
      this.outcomes.miss(key, 'expired');
      return false;
    }
    if (!readFlag(options, 'includeStale', true)) {
      this.outcomes.miss(key, 'stale');
      return false;
    }
    this.outcomes.staleHit(this.slots, slot, key, ageMs, ttlMs);
    return true;
  }

  /** Whether `key` holds a FRESH entry (or, with `freshOnly: false`, a STALE one too). */
  has(key: string, options: HasKeyOptions | undefined): boolean {
    const slot = this.slots.keyToSlot.get(key);
    if (slot === undefined) return false;
    const status = this.slots.statusAt(slot, this.now());
    if (status === CacheStatus.FRESH) return true;
    return status === CacheStatus.STALE && readFlag(options, 'freshOnly', false);
  }
}
