import type { TierStats } from './cache-tier.interface.js';

/** The plain, JSON-ready form of {@link CacheStats}, from {@link CacheStats.toDict}. */
export interface CacheStatsDict {
  totalEntries: number;
  freshEntries: number;
  staleEntries: number;
  expiredEntries: number;
  invalidEntries: number;
  totalHits: number;
  totalMisses: number;
  totalSets: number;
  totalInvalidations: number;
  totalExpirations: number;
  totalCleanups: number;
  totalEvictions: number;
  staleHits: number;
  totalLoads: number;
  totalLoadErrors: number;
  averageLoadTimeMs: number;
  categories: Record<string, number>;
  oldestEntryAge: number;
  newestEntryAge: number;
  hitRatePercent: number;
  oldestEntryAgeSeconds: number;
  newestEntryAgeSeconds: number;
  taggedEntries: number;
  totalInvalidateTagCalls: number;
  totalExpireTagCalls: number;
  /** The estimated bytes of the entries held; only with `maxBytes`. */
  totalBytes?: number;
  /** The cache's `maxBytes`; only with `maxBytes`. */
  maxBytes?: number;
  /** `totalBytes` as a percentage of `maxBytes`, from 0 to 100; only with `maxBytes`. */
  bytesUsagePercent?: number;
  /** The second tier's health, when one is attached. */
  tier?: TierStats;
}

/**
 * A snapshot of the cache's counters, taken by `getStats()`. Counts of entries by status are
 * those held at that moment; `total*` counters run from the cache's creation.
 */
export class CacheStats {
  /** Entries held, whatever their status. */
  totalEntries = 0;
  freshEntries = 0;
  staleEntries = 0;
  /** Entries past twice their TTL, waiting for cleanup. */
  expiredEntries = 0;
  /** Invalidated entries, waiting for cleanup. */
  invalidEntries = 0;
  /** Reads (`get`, `getData`, and the lookups of `wrap`) that returned an entry. */
  totalHits = 0;
  /** Reads that returned nothing. */
  totalMisses = 0;
  /** Entries stored by a successful `set`, and values cached by `wrap` and `@Cached`. */
  totalSets = 0;
  /**
   * Held entries that `invalidate`, `invalidateCategory`, `invalidateTag` or `entry.invalidate()`
   * touched, counted again when one already INVALID is invalidated again.
   */
  totalInvalidations = 0;
  /**
   * FRESH entries that `expire`, `expireCategory` or `expireTag` turned STALE early. An entry
   * that was STALE, EXPIRED or INVALID already is left as it is, and not counted.
   */
  totalExpirations = 0;
  /**
   * Entries removed by cleanup (`cleanup()`, `cleanupInSlices()` and the automatic job): a
   * count of entries, not of cleanup runs. The name is the Python original's, kept for
   * compatibility.
   */
  totalCleanups = 0;
  /** Entries evicted to make room under `maxEntries` (or `maxBytes`). */
  totalEvictions = 0;
  /** Hits that returned a STALE entry. */
  staleHits = 0;
  /** Loader calls made by `wrap` and `@Cached` (including failed ones). */
  totalLoads = 0;
  /** Loader calls that threw or rejected. */
  totalLoadErrors = 0;
  /** Mean duration of the loader calls, in milliseconds (0 before the first). */
  averageLoadTimeMs = 0;
  /** Entries held now, by category. */
  categories: Record<string, number> = {};
  /** Age of the oldest entry held, in seconds (0 when empty). */
  oldestEntryAge = 0;
  /** Age of the newest entry held, in seconds (0 when empty). */
  newestEntryAge = 0;
  /** Entries held that carry at least one tag. */
  taggedEntries = 0;
  /** Calls of `invalidateTag` (each counts once, whatever the number of entries it reached). */
  totalInvalidateTagCalls = 0;
  /** Calls of `expireTag`. */
  totalExpireTagCalls = 0;
  /**
   * The estimated bytes of the entries held (see docs/memory-budget.md); undefined when the
   * cache has no `maxBytes` (then sizes are not estimated at all).
   */
  totalBytes: number | undefined;
  /** The cache's memory budget in bytes; undefined when it has none. */
  maxBytes: number | undefined;
  /** The second tier's health (the Redis tier's, say), when one is attached. */
  tier: TierStats | undefined;

  /** `totalBytes` as a percentage of `maxBytes`; undefined when the cache has no `maxBytes`. */
  getBytesUsage(): number | undefined {
    // The cache sets totalBytes exactly when it sets maxBytes.
    if (this.maxBytes === undefined) return undefined;
    return (this.totalBytes! / this.maxBytes) * 100;
  }

  /** Hits as a percentage of reads; 0 before the first read. */
  getHitRate(): number {
    const requests = this.totalHits + this.totalMisses;
    return requests === 0 ? 0 : (this.totalHits / requests) * 100;
  }

  /** The statistics as a plain object for JSON. */
  toDict(): CacheStatsDict {
    return {
      totalEntries: this.totalEntries,
      freshEntries: this.freshEntries,
      staleEntries: this.staleEntries,
      expiredEntries: this.expiredEntries,
      invalidEntries: this.invalidEntries,
      totalHits: this.totalHits,
      totalMisses: this.totalMisses,
      totalSets: this.totalSets,
      totalInvalidations: this.totalInvalidations,
      totalExpirations: this.totalExpirations,
      totalCleanups: this.totalCleanups,
      totalEvictions: this.totalEvictions,
      staleHits: this.staleHits,
      totalLoads: this.totalLoads,
      totalLoadErrors: this.totalLoadErrors,
      averageLoadTimeMs: this.averageLoadTimeMs,
      categories: { ...this.categories },
      oldestEntryAge: this.oldestEntryAge,
      newestEntryAge: this.newestEntryAge,
      hitRatePercent: this.getHitRate(),
      oldestEntryAgeSeconds: this.oldestEntryAge,
      newestEntryAgeSeconds: this.newestEntryAge,
      taggedEntries: this.taggedEntries,
      totalInvalidateTagCalls: this.totalInvalidateTagCalls,
      totalExpireTagCalls: this.totalExpireTagCalls,
      // Only under a budget: the statistics of a cache without one keep their shape.
      ...(this.maxBytes !== undefined
        ? {
            totalBytes: this.totalBytes!,
            maxBytes: this.maxBytes,
            bytesUsagePercent: this.getBytesUsage()!,
          }
        : {}),
      ...(this.tier !== undefined ? { tier: { ...this.tier } } : {}),
    };
  }
}
