import type { CacheSlots, DetachedEntry } from './cache-slots.js';
import { deepFreeze } from './json-snapshot.util.js';
import { CacheStatus } from './cache-status.enum.js';
import { statusOf } from './cache-status.util.js';
import type { JsonObject, JsonValue } from './json.interface.js';

/** Where an entry object reads its fields while its slot is its own (the cache's side). */
export interface CacheEntryHost {
  readonly slots: CacheSlots;
  now(): number;
  /** Invalidates the entry in `slot` (in the cache: `cache.invalidate(key)`). */
  invalidateSlot(slot: number): void;
}

/** The plain, JSON-ready form of an entry returned by {@link CacheEntry.toDict}. */
export interface CacheEntryDict<T = JsonValue> {
  data: T;
  /** When the data was cached, as an ISO 8601 string. */
  timestamp: string;
  ttlSeconds: number;
  category: string;
  metadata: JsonObject;
  /** The entry's tags (none: an empty array). */
  tags: readonly string[];
  accessCount: number;
  /** When the entry was last read, as an ISO 8601 string. */
  lastAccessed: string;
  status: CacheStatus;
  ageSeconds: number;
  remainingTtl: number;
  isFresh: boolean;
  isExpired: boolean;
}

// The core's side door into entries, set by the class's static block (which runs before any entry
// exists); none of it is exported from the package. The cache makes entries and detaches them
// from their slot; the loader and the Redis tier read an entry's timestamp and status.
let newEntry: (host: CacheEntryHost, slot: number) => CacheEntry<unknown>;
let timestampOf: (entry: CacheEntry<unknown>) => number;
let statusOfEntry: (entry: CacheEntry<unknown>, now: number) => CacheStatus;
let detach: (entry: CacheEntry<unknown>, copy: DetachedEntry) => void;

/**
 * One cached value with its freshness: when it was written, how long it lives, its category,
 * tags and metadata, and how often it was read. Status and age are computed at each call, so an entry
 * kept by the caller keeps telling the truth, even after its key was replaced or removed.
 *
 * Entries are created by the cache (one object per cached value, reused by every read);
 * `data` and `metadata` are deep-frozen snapshots.
 */
export class CacheEntry<T = JsonValue> {
  readonly #host: CacheEntryHost;
  readonly #slot: number;
  /** Set once the slot is no longer this entry's: from then on the entry reads its own copy. */
  #detached: DetachedEntry | undefined;

  /** Entries are made by their cache only. */
  private constructor(host: CacheEntryHost, slot: number) {
    this.#host = host;
    this.#slot = slot;
  }

  static {
    newEntry = (host, slot) => new CacheEntry(host, slot);
    timestampOf = (entry) => entry.#timestampMs;
    statusOfEntry = (entry, now) => entry.#statusAt(now);
    detach = (entry, copy) => {
      entry.#detached = copy;
    };
  }

  /** The key the entry is cached under. */
  get key(): string {
    return this.#detached?.key ?? this.#host.slots.keys[this.#slot]!;
  }

  /** The cached data (deep-frozen). */
  get data(): T {
    const detached = this.#detached;
    if (detached === undefined) return this.#host.slots.exposeData(this.#slot) as T;
    freezeDetached(detached);
    return detached.data as T;
  }

  /** Time to live, in seconds. */
  get ttlSeconds(): number {
    return this.#detached?.ttlSeconds ?? this.#host.slots.ttlSeconds[this.#slot]!;
  }

  /** The entry's category. */
  get category(): string {
    return this.#detached?.category ?? this.#host.slots.categories[this.#slot]!;
  }

  /** The tags given with the data (a frozen array of distinct strings; none: empty). */
  get tags(): readonly string[] {
    return this.#detached?.tags ?? this.#host.slots.tagsOf(this.#slot);
  }

  /** Metadata given with the data (deep-frozen). */
  get metadata(): JsonObject {
    const detached = this.#detached;
    if (detached === undefined) return this.#host.slots.exposeMetadata(this.#slot);
    freezeDetached(detached);
    return detached.metadata;
  }

  /** How many times the entry was read. */
  get accessCount(): number {
    return this.#detached?.accessCount ?? this.#host.slots.accessCounts[this.#slot]!;
  }

  /** When the data was cached. */
  get timestamp(): Date {
    return new Date(this.#timestampMs);
  }

  /** When the entry was last read (its creation time if never read). */
  get lastAccessed(): Date {
    return new Date(this.#detached?.lastAccessedMs ?? this.#host.slots.lastAccessed[this.#slot]!);
  }

  /** The entry's status now. */
  get status(): CacheStatus {
    return this.#statusAt(this.#host.now());
  }

  /** True while the entry is within its TTL, not expired early and not invalidated. */
  isFresh(): boolean {
    return this.status === CacheStatus.FRESH;
  }

  /** True once the entry is older than twice its TTL. An invalidated entry is not "expired". */
  isExpired(): boolean {
    return this.status === CacheStatus.EXPIRED;
  }

  /** Seconds since the data was cached. */
  getAgeSeconds(): number {
    return (this.#host.now() - this.#timestampMs) / 1000;
  }

  /**
   * Seconds left of the entry's TTL; negative once past it. An entry expired early (`expire`) is
   * STALE whatever this says.
   */
  getRemainingTtl(): number {
    return this.ttlSeconds - this.getAgeSeconds();
  }

  /** Records a read: one more access, and now as the last access. The cache calls it on a hit. */
  markAccessed(): void {
    const now = this.#host.now();
    const detached = this.#detached;
    if (detached !== undefined) {
      detached.accessCount++;
      detached.lastAccessedMs = now;
      return;
    }
    this.#host.slots.accessCounts[this.#slot]!++;
    this.#host.slots.lastAccessed[this.#slot] = now;
  }

  /**
   * Marks the entry INVALID. On an entry still in its cache this is `cache.invalidate(key)`; on
   * one whose key was since replaced or removed, it marks only this object.
   */
  invalidate(): void {
    if (this.#detached !== undefined) this.#detached.invalid = true;
    else this.#host.invalidateSlot(this.#slot);
  }

  /** The entry as a plain object for JSON, with dates as ISO strings. */
  toDict(): CacheEntryDict<T> {
    const now = this.#host.now();
    const ageSeconds = (now - this.#timestampMs) / 1000;
    const status = this.#statusAt(now);
    return {
      data: this.data,
      timestamp: this.timestamp.toISOString(),
      ttlSeconds: this.ttlSeconds,
      category: this.category,
      metadata: this.metadata,
      tags: this.tags,
      accessCount: this.accessCount,
      lastAccessed: this.lastAccessed.toISOString(),
      status,
      ageSeconds,
      remainingTtl: this.ttlSeconds - ageSeconds,
      isFresh: status === CacheStatus.FRESH,
      isExpired: status === CacheStatus.EXPIRED,
    };
  }

  /**
   * What `JSON.stringify` writes: {@link toDict}'s form, so a controller can return an entry as
   * it is (Nest serializes it with `JSON.stringify`).
   */
  toJSON(): CacheEntryDict<T> {
    return this.toDict();
  }

  /** Milliseconds since the epoch at which the data was cached. */
  get #timestampMs(): number {
    return this.#detached?.timestampMs ?? this.#host.slots.timestamps[this.#slot]!;
  }

  /** The status at time `now` (ms). */
  #statusAt(now: number): CacheStatus {
    const detached = this.#detached;
    if (detached !== undefined) {
      if (detached.invalid) return CacheStatus.INVALID;
      const ageMs = now - detached.timestampMs;
      return statusOf(ageMs, detached.ttlSeconds * 1000, detached.expiredEarly);
    }
    return this.#host.slots.statusAt(this.#slot, now);
  }
}

/** A new entry object reading `slot` of `host`'s columns. */
export function createEntry(host: CacheEntryHost, slot: number): CacheEntry<unknown> {
  return newEntry(host, slot);
}

/** Milliseconds since the epoch at which the entry's data was cached. */
export function entryTimestampMs(entry: CacheEntry<unknown>): number {
  return timestampOf(entry);
}

/** The entry's status at time `now` (ms): `status` without reading the clock again. */
export function entryStatusAt(entry: CacheEntry<unknown>, now: number): CacheStatus {
  return statusOfEntry(entry, now);
}

/** From now on `entry` reads `copy`: its slot was rewritten, freed or cleared. */
export function detachEntry(entry: CacheEntry<unknown>, copy: DetachedEntry): void {
  detach(entry, copy);
}

function freezeDetached(detached: DetachedEntry): void {
  if (detached.frozen) return;
  deepFreeze(detached.data);
  deepFreeze(detached.metadata);
  detached.frozen = true;
}
