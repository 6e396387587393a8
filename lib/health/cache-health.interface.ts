/**
 * Thresholds of {@link CacheHealthIndicator.isHealthy}: the Python original's `monitor_cache_health` checks.
 * A check past its threshold adds a warning to the details; the indicator stays `up`.
 */
export interface CacheHealthOptions {
  /**
   * Warn when the entries held are above this percentage of `maxEntries`, and (with `maxBytes`)
   * when their estimated bytes are above this percentage of `maxBytes`.
   * @default 80
   */
  maxUsagePercent?: number;
  /**
   * Warn when hits are below this percentage of reads (not checked before the first read).
   * @default 50
   */
  minHitRatePercent?: number;
  /**
   * Warn when STALE entries are above this percentage of the entries held (not checked on an
   * empty cache).
   * @default 25
   */
  maxStalePercent?: number;
  /**
   * The indicator's status when a check warns: `up` (the Python original's behaviour: warnings are advice),
   * or Terminus' `degraded` (the overall status becomes `degraded`, HTTP stays 200).
   * @default 'up'
   */
  warningStatus?: 'up' | 'degraded';
}

/**
 * What the indicator reports beside `status`. Percentages are rounded to one decimal. (A type, not
 * an interface, so it fits Terminus' `Record<string, unknown>` details.)
 */
export type CacheHealthDetails = {
  totalEntries: number;
  maxEntries: number;
  usagePercent: number;
  hitRatePercent: number;
  stalePercent: number;
  /** Estimated bytes held; only when the cache has `maxBytes`. */
  totalBytes?: number;
  /** The cache's `maxBytes`; only when it has one. */
  maxBytes?: number;
  /** `totalBytes` as a percentage of `maxBytes`; only when the cache has `maxBytes`. */
  bytesUsagePercent?: number;
  /** The Python original's messages for the checks past their threshold; empty when all is well. */
  warnings: string[];
  /** The second tier's health (the Redis tier's), when one is attached. */
  tier?: { connected: boolean; l2Errors: number };
  /** Why the indicator is `down`, when it is. */
  message?: string;
};
