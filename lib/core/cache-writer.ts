import { entryBytes } from './cache-byte-budget.js';
import { EMPTY_METADATA, notJsonReason, snapshotMetadata } from './cache-input.util.js';
import type { CacheOutcomes } from './cache-outcomes.js';
import { NIL } from './cache-slots.js';
import type { CacheTable } from './cache-table.js';
import type { CacheTier } from './cache-tier.interface.js';
import { NO_TAGS } from './cache-tags.util.js';
import { INVALID_KEY, NOT_JSON, TOO_LARGE } from './cache.messages.js';
import type { JsonObject } from './json.interface.js';
import { snapshotBytes, snapshotJson, snapshotJsonSized } from './json-snapshot.util.js';

/*
 * Writing: how a value handed to the cache becomes an entry.
 *
 * Invariant: the table is only ever given a snapshot (data and metadata copied at the call, JSON
 * only; see json-snapshot.util.ts; tags as a snapshot of their own, see cache-tags.util.ts) under
 * a non-empty string key and, with a byte budget, no larger than `maxEntryBytes` (tags included),
 * sized in the same walk that copies it. A write someone asked for (`set`,
 * a loaded value) is counted once and told to the second tier; an entry restored from the tier is
 * neither. Options (TTL, category) are checked before anything reaches this file.
 */

export class CacheWriter {
  // The snapshot `#take` just made, handed to the table at once and then dropped: out-values
  // instead of a result object, because every `set` passes through here.
  #data: unknown = undefined;
  #metadata: JsonObject = EMPTY_METADATA;
  #tags: readonly string[] = NO_TAGS;
  #bytes = 0;

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
    const failure = this.#take(key, data, metadata, tags);
    if (failure !== undefined) return failure;
    const now = this.now();
    const slot = this.#insert(key, now, ttlSeconds, category, now);
    this.outcomes.set(key, category, ttlSeconds);
    this.tier()?.afterSet(this.table.entryOf(slot));
    return undefined;
  }

  /**
   * Puts back an entry another tier held, written at `timestampMs` (fields already checked,
   * `tags` a snapshot), STALE when it was expired early there.
   * @returns its slot, or NIL when it is not JSON or too large for this cache's budget (it then
   *   stays in the other tier only).
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
  ): number {
    if (this.#take(key, data, metadata, tags) !== undefined) return NIL;
    const slot = this.#insert(key, timestampMs, ttlSeconds, category, now);
    // Not an expiration this cache made: not counted, not told to the tier.
    if (expiredEarly) this.table.expire(slot, now);
    return slot;
  }

  /** Takes the snapshot of an entry into the out-values. @returns why it cannot be stored. */
  #take(
    key: string,
    data: unknown,
    metadata: unknown,
    tags: readonly string[],
  ): string | undefined {
    if (typeof key !== 'string' || key.length === 0) return INVALID_KEY(key);
    const sized = this.table.budget !== undefined;
    try {
      this.#data = sized ? snapshotJsonSized(data) : snapshotJson(data);
    } catch (error) {
      return NOT_JSON(key, 'data', notJsonReason(error));
    }
    const dataBytes = sized ? snapshotBytes() : 0;
    if (metadata !== undefined) {
      try {
        this.#metadata = snapshotMetadata(metadata, sized);
      } catch (error) {
        this.#data = undefined;
        return NOT_JSON(key, 'metadata', notJsonReason(error));
      }
    }
    this.#tags = tags;
    if (!sized) return undefined;
    const bytes = entryBytes(
      key,
      dataBytes,
      this.#metadata === EMPTY_METADATA ? 0 : snapshotBytes(),
      tags,
    );
    const maxEntryBytes = this.table.budget!.maxEntryBytes;
    if (bytes > maxEntryBytes) {
      this.#drop();
      return TOO_LARGE(key, bytes, maxEntryBytes);
    }
    this.#bytes = bytes;
    return undefined;
  }

  /** Hands the snapshot taken to the table. @returns the slot. */
  #insert(key: string, timestampMs: number, ttlSeconds: number, category: string, now: number) {
    const slot = this.table.insert(
      key,
      this.#data,
      this.#metadata,
      timestampMs,
      ttlSeconds,
      category,
      now,
      this.#bytes,
      this.#tags,
    );
    this.#drop();
    return slot;
  }

  /** Forgets the snapshot: the writer must not keep a value alive after the cache let it go. */
  #drop(): void {
    this.#data = undefined;
    this.#metadata = EMPTY_METADATA;
    this.#tags = NO_TAGS;
    this.#bytes = 0;
  }
}
