import { bytesBesideKey } from './cache-byte-budget.js';
import { EMPTY_METADATA, notJsonReason, snapshotMetadata } from './cache-input.util.js';
import type { CacheOutcomes } from './cache-outcomes.js';
import type { CacheEntry } from './cache-entry.js';
import type { CacheTable } from './cache-table.js';
import type { CacheTier } from './cache-tier.interface.js';
import { INVALID_KEY, NOT_JSON, TOO_LARGE } from './cache.messages.js';
import type { JsonObject } from './json.interface.js';
import { maxStringBytes, stringBytes } from './json-size.util.js';
import { snapshotBytes, snapshotJson, snapshotJsonSized } from './json-snapshot.util.js';

/*
 * Writing: how a value handed to the cache becomes an entry.
 *
 * Invariant: the table is only ever given a snapshot (data and metadata copied at the call, JSON
 * only; see json-snapshot.util.ts; tags, a snapshot of their own, see cache-tags.util.ts) under a
 * non-empty string key and, with a byte budget, no larger than `maxEntryBytes` (tags included),
 * sized in the same walk that copies it. A write someone asked for (`set`,
 * a loaded value) is counted once and told to the second tier; an entry restored from the tier is
 * neither. Options (TTL, category) are checked before anything reaches this file.
 */

export class CacheWriter {
  /** @param tier the second tier told of each write, if one is attached. */
  constructor(
    private readonly table: CacheTable,
    private readonly outcomes: CacheOutcomes,
    private readonly now: () => number,
    private readonly tier: () => CacheTier | undefined,
  ) {}

  /**
   * Stores a write written now: what `set` and a load do once their options are checked (`tags`
   * is a snapshot already). @returns why nothing was stored (the warning `set` logs), or
   * undefined.
   */
  store(
    key: string,
    data: unknown,
    ttlSeconds: number,
    category: string,
    metadata: unknown,
    tags: readonly string[],
  ): string | undefined {
    // Written out, not through shared helpers: this is every set, and V8 inlines a shallow path
    // whole (a layered one, through a snapshot helper, cost a small set 10%, measured).
    if (typeof key !== 'string' || key.length === 0) return INVALID_KEY(key);
    if (this.table.budget !== undefined) {
      return this.#storeSized(key, data, ttlSeconds, category, metadata, tags);
    }
    let dataSnapshot: unknown;
    try {
      dataSnapshot = snapshotJson(data);
    } catch (error) {
      return NOT_JSON(key, 'data', notJsonReason(error));
    }
    let metadataSnapshot = EMPTY_METADATA;
    if (metadata !== undefined) {
      try {
        metadataSnapshot = snapshotMetadata(metadata);
      } catch (error) {
        return NOT_JSON(key, 'metadata', notJsonReason(error));
      }
    }
    const now = this.now();
    const slot = this.table.insert(
      key,
      dataSnapshot,
      metadataSnapshot,
      now,
      ttlSeconds,
      category,
      now,
      tags,
    );
    this.#stored(slot, key, ttlSeconds, category);
    return undefined;
  }

  /** {@link store} with a byte budget: the snapshot is sized, and refused above `maxEntryBytes`. */
  #storeSized(
    key: string,
    data: unknown,
    ttlSeconds: number,
    category: string,
    metadata: unknown,
    tags: readonly string[],
  ): string | undefined {
    let dataSnapshot: unknown;
    try {
      dataSnapshot = snapshotJsonSized(data);
    } catch (error) {
      return NOT_JSON(key, 'data', notJsonReason(error));
    }
    const dataBytes = snapshotBytes();
    let metadataSnapshot = EMPTY_METADATA;
    if (metadata !== undefined) {
      try {
        metadataSnapshot = snapshotMetadata(metadata, true);
      } catch (error) {
        return NOT_JSON(key, 'metadata', notJsonReason(error));
      }
    }
    const bytes = bytesBesideKey(dataBytes, metadataBytesOf(metadataSnapshot), tags);
    const maxEntryBytes = this.table.budget!.maxEntryBytes;
    if (!fitsEntry(key, bytes, maxEntryBytes)) {
      return TOO_LARGE(key, bytes + stringBytes(key), maxEntryBytes);
    }
    const now = this.now();
    const slot = this.table.insert(
      key,
      dataSnapshot,
      metadataSnapshot,
      now,
      ttlSeconds,
      category,
      now,
      tags,
    );
    this.table.charge(slot, bytes);
    this.#stored(slot, key, ttlSeconds, category);
    return undefined;
  }

  /**
   * A write someone asked for is counted once and told to the tier; then the listeners hear of it
   * (and of the evictions it made).
   */
  #stored(slot: number, key: string, ttlSeconds: number, category: string): void {
    this.outcomes.set(key, category, ttlSeconds);
    this.tier()?.afterSet(this.table.entryOf(slot));
    this.outcomes.announce();
  }

  /**
   * Puts back an entry another tier held, written at `timestampMs` (fields already checked,
   * `tags` a snapshot), STALE when it was expired early there.
   * @returns its entry, or undefined when it is not JSON or too large for this cache's budget (it
   *   then stays in the other tier only).
   */
  restore(
    key: string,
    data: unknown,
    metadata: unknown,
    tags: readonly string[],
    expiredEarly: boolean,
    timestampMs: number,
    ttlSeconds: number,
    category: string,
    now: number,
  ): CacheEntry<unknown> | undefined {
    if (typeof key !== 'string' || key.length === 0) return undefined;
    const budget = this.table.budget;
    let dataSnapshot: unknown;
    let metadataSnapshot: JsonObject;
    let bytes = 0;
    try {
      if (budget === undefined) {
        dataSnapshot = snapshotJson(data);
        metadataSnapshot = snapshotMetadata(metadata);
      } else {
        dataSnapshot = snapshotJsonSized(data);
        const dataBytes = snapshotBytes();
        metadataSnapshot = snapshotMetadata(metadata, true);
        bytes = bytesBesideKey(dataBytes, metadataBytesOf(metadataSnapshot), tags);
        if (!fitsEntry(key, bytes, budget.maxEntryBytes)) return undefined;
      }
    } catch {
      return undefined;
    }
    const slot = this.table.insert(
      key,
      dataSnapshot,
      metadataSnapshot,
      timestampMs,
      ttlSeconds,
      category,
      now,
      tags,
    );
    if (budget !== undefined) this.table.charge(slot, bytes);
    // Not an expiration this cache made: not counted, not told to the tier.
    if (expiredEarly) this.table.expire(slot, now);
    const entry = this.table.entryOf(slot);
    this.outcomes.announce();
    return entry;
  }
}

/**
 * Whether an entry of `bytesBesideKey` bytes under `key` is at most `maxEntryBytes`. The key's
 * characters are read only when a two-byte key could make the difference.
 */
function fitsEntry(key: string, bytesBesideKey: number, maxEntryBytes: number): boolean {
  if (bytesBesideKey + maxStringBytes(key.length) <= maxEntryBytes) return true;
  return bytesBesideKey + stringBytes(key) <= maxEntryBytes;
}

/** The estimate of a metadata snapshot just taken (sized): none given shares one empty object. */
function metadataBytesOf(metadata: JsonObject): number {
  return metadata === EMPTY_METADATA ? 0 : snapshotBytes();
}
