import { CacheStatus } from './cache-status.enum.js';
import type { JsonObject, JsonValue } from './json.interface.js';

/**
 * What an entry needs from the cache holding it: the time, and a way to report an invalidation
 * made on the entry itself so the cache's counters stay exact.
 * @internal
 */
export interface CacheEntryOwner {
  now(): number;
  onEntryInvalidated(entry: CacheEntry<unknown>): void;
}

/** The plain, JSON-ready form of an entry returned by {@link CacheEntry.toDict}. */
export interface CacheEntryDict<T = JsonValue> {
  data: T;
  /** When the data was cached, as an ISO 8601 string. */
  timestamp: string;
  ttlSeconds: number;
  category: string;
  metadata: JsonObject;
  accessCount: number;
  /** When the entry was last read, as an ISO 8601 string. */
  lastAccessed: string;
  status: CacheStatus;
  ageSeconds: number;
  remainingTtl: number;
  isFresh: boolean;
  isExpired: boolean;
}

/**
 * One cached value with its freshness: when it was written, how long it lives, its category and
 * metadata, and how often it was read. Status and age are computed at each call, so an entry
 * kept by the caller keeps telling the truth.
 *
 * Entries are created by the cache; `data` and `metadata` are deep-frozen snapshots.
 */
export class CacheEntry<T = JsonValue> {
  /** @internal Index of the entry's slot in its cache; -1 once it left the cache. */
  slot = -1;
  /** @internal Milliseconds since the epoch of the last read. */
  lastAccessedMs: number;
  /** @internal Whether the entry was invalidated. */
  invalidated = false;

  /** @internal */
  constructor(
    /** The key the entry is cached under. */
    readonly key: string,
    /** The cached data (deep-frozen). */
    readonly data: T,
    /** @internal Milliseconds since the epoch at which the data was cached. */
    readonly timestampMs: number,
    /** Time to live, in seconds. */
    readonly ttlSeconds: number,
    /** The entry's category. */
    readonly category: string,
    /** Metadata given with the data (deep-frozen). */
    readonly metadata: JsonObject,
    /** @internal The cache holding the entry, for the clock. */
    private owner: CacheEntryOwner | undefined,
    /** How many times the entry was read. */
    public accessCount = 0,
  ) {
    this.lastAccessedMs = timestampMs;
  }

  /** When the data was cached. */
  get timestamp(): Date {
    return new Date(this.timestampMs);
  }

  /** When the entry was last read (its creation time if never read). */
  get lastAccessed(): Date {
    return new Date(this.lastAccessedMs);
  }

  /** The entry's status now. */
  get status(): CacheStatus {
    return this.statusAt(this.now());
  }

  /** True while the entry is within its TTL and not invalidated. */
  isFresh(): boolean {
    return this.status === CacheStatus.FRESH;
  }

  /** True once the entry is older than twice its TTL. An invalidated entry is not "expired". */
  isExpired(): boolean {
    return this.status === CacheStatus.EXPIRED;
  }

  /** Seconds since the data was cached. */
  getAgeSeconds(): number {
    return (this.now() - this.timestampMs) / 1000;
  }

  /** Seconds left before the entry turns STALE; negative once past its TTL. */
  getRemainingTtl(): number {
    return this.ttlSeconds - this.getAgeSeconds();
  }

  /** Records a read: one more access, and now as the last access. The cache calls it on a hit. */
  markAccessed(): void {
    this.accessCount++;
    this.lastAccessedMs = this.now();
  }

  /** Marks the entry INVALID. On an entry still in its cache, this is `cache.invalidate(key)`. */
  invalidate(): void {
    if (this.owner !== undefined) this.owner.onEntryInvalidated(this);
    else this.invalidated = true;
  }

  /** The entry as a plain object for JSON, with dates as ISO strings. */
  toDict(): CacheEntryDict<T> {
    const now = this.now();
    const ageSeconds = (now - this.timestampMs) / 1000;
    const status = this.statusAt(now);
    return {
      data: this.data,
      timestamp: this.timestamp.toISOString(),
      ttlSeconds: this.ttlSeconds,
      category: this.category,
      metadata: this.metadata,
      accessCount: this.accessCount,
      lastAccessed: this.lastAccessed.toISOString(),
      status,
      ageSeconds,
      remainingTtl: this.ttlSeconds - ageSeconds,
      isFresh: status === CacheStatus.FRESH,
      isExpired: status === CacheStatus.EXPIRED,
    };
  }

  /** @internal The status at time `now` (ms). The single place the status rules live. */
  statusAt(now: number): CacheStatus {
    if (this.invalidated) return CacheStatus.INVALID;
    return statusOf(now - this.timestampMs, this.ttlSeconds * 1000);
  }

  /** @internal Called by the cache when the entry leaves it: it keeps the clock, not the link. */
  detach(detachedOwner: CacheEntryOwner): void {
    this.slot = -1;
    this.owner = detachedOwner;
  }

  private now(): number {
    return this.owner === undefined ? Date.now() : this.owner.now();
  }
}

/** FRESH while age < ttl, STALE while ttl <= age <= 2×ttl, EXPIRED after (milliseconds). */
export function statusOf(ageMs: number, ttlMs: number): CacheStatus {
  if (ageMs < ttlMs) return CacheStatus.FRESH;
  return ageMs <= 2 * ttlMs ? CacheStatus.STALE : CacheStatus.EXPIRED;
}
