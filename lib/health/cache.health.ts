import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';

import { CacheManager } from '../core/cache-manager.js';
import type { CacheStats } from '../core/cache-stats.js';
import type { CacheHealthDetails, CacheHealthOptions } from './cache-health.interface.js';
import {
  BYTES_USAGE_HIGH,
  INVALID_HEALTH_OPTION,
  LOW_HIT_RATE,
  MANY_STALE,
  STATS_UNAVAILABLE,
  TIER_DISCONNECTED,
  USAGE_HIGH,
} from './cache-health.messages.js';
import { errorMessage } from '../core/error-text.util.js';

const DEFAULT_HEALTH_OPTIONS: Readonly<Required<CacheHealthOptions>> = Object.freeze({
  maxUsagePercent: 80,
  minHitRatePercent: 50,
  maxStalePercent: 25,
  warningStatus: 'up',
});

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * A `@nestjs/terminus` health indicator for the cache. Add it to the `providers` of a module that
 * imports `TerminusModule`, and call it from your `@HealthCheck()` route:
 *
 * ```ts
 * check() {
 *   return this.health.check([() => this.cacheHealth.isHealthy('cache')]);
 * }
 * ```
 *
 * It runs the Python original's `monitor_cache_health` checks (usage above 80% of `maxEntries`, and of
 * `maxBytes` when the cache has a memory budget, hit rate
 * below 50%, more than 25% of entries STALE) and reports them as warnings in the details. Those are
 * tuning advice, not outages: the indicator stays `up` (or `degraded`, if asked) and only goes
 * `down` when the cache itself is broken: its statistics cannot be read, or its second tier (the
 * Redis tier) reports it is not connected.
 *
 * A check costs one `getStats()`: never a scan of the entries. It changes nothing in the cache
 * (the Python original's `cleanup()` on many stale entries is left to the automatic cleanup).
 */
@Injectable()
export class CacheHealthIndicator {
  constructor(
    private readonly healthIndicatorService: HealthIndicatorService,
    private readonly cache: CacheManager,
  ) {}

  /**
   * The cache's health under `key` in the Terminus result.
   * @param key the result's key. @default 'cache'
   * @throws RangeError when a threshold is not a number from 0 to 100, or `warningStatus` is
   *   neither `up` nor `degraded`.
   */
  isHealthy<const Key extends string = 'cache'>(
    key: Key = 'cache' as Key,
    options: CacheHealthOptions = {},
  ): HealthIndicatorResult<Key> {
    const { maxUsagePercent, minHitRatePercent, maxStalePercent, warningStatus } =
      resolveHealthOptions(options);
    const check = this.healthIndicatorService.check(key);

    let stats: CacheStats;
    try {
      stats = this.cache.getStats();
    } catch (error) {
      return check.down({
        message: STATS_UNAVAILABLE(errorMessage(error)),
      });
    }

    const maxEntries = this.cache.maxEntries;
    const usagePercent = (stats.totalEntries / maxEntries) * 100;
    const hitRatePercent = stats.getHitRate();
    const stalePercent =
      stats.totalEntries === 0 ? 0 : (stats.staleEntries / stats.totalEntries) * 100;
    const warnings: string[] = [];
    if (usagePercent > maxUsagePercent) warnings.push(USAGE_HIGH(usagePercent));
    const bytesUsagePercent = stats.getBytesUsage();
    if (bytesUsagePercent !== undefined && bytesUsagePercent > maxUsagePercent) {
      warnings.push(BYTES_USAGE_HIGH(bytesUsagePercent));
    }
    if (stats.totalHits + stats.totalMisses > 0 && hitRatePercent < minHitRatePercent) {
      warnings.push(LOW_HIT_RATE(hitRatePercent));
    }
    if (stalePercent > maxStalePercent) warnings.push(MANY_STALE(stalePercent));

    const details: CacheHealthDetails = {
      totalEntries: stats.totalEntries,
      maxEntries,
      usagePercent: round1(usagePercent),
      hitRatePercent: round1(hitRatePercent),
      stalePercent: round1(stalePercent),
      warnings,
    };
    if (bytesUsagePercent !== undefined) {
      details.totalBytes = stats.totalBytes;
      details.maxBytes = stats.maxBytes;
      details.bytesUsagePercent = round1(bytesUsagePercent);
    }
    if (stats.tier !== undefined) {
      details.tier = { connected: stats.tier.connected, l2Errors: stats.tier.l2Errors };
      if (stats.tier.connected === false) {
        return check.down({ ...details, message: TIER_DISCONNECTED });
      }
    }
    if (warnings.length > 0 && warningStatus === 'degraded') return check.degraded(details);
    return check.up(details);
  }
}

function resolveHealthOptions(options: CacheHealthOptions): Required<CacheHealthOptions> {
  if (options === null || typeof options !== 'object') {
    throw new RangeError(INVALID_HEALTH_OPTION('options', 'an object', options));
  }
  const resolved: Required<CacheHealthOptions> = {
    maxUsagePercent: options.maxUsagePercent ?? DEFAULT_HEALTH_OPTIONS.maxUsagePercent,
    minHitRatePercent: options.minHitRatePercent ?? DEFAULT_HEALTH_OPTIONS.minHitRatePercent,
    maxStalePercent: options.maxStalePercent ?? DEFAULT_HEALTH_OPTIONS.maxStalePercent,
    warningStatus: options.warningStatus ?? DEFAULT_HEALTH_OPTIONS.warningStatus,
  };
  for (const name of ['maxUsagePercent', 'minHitRatePercent', 'maxStalePercent'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !(value >= 0 && value <= 100)) {
      throw new RangeError(INVALID_HEALTH_OPTION(name, 'a percentage from 0 to 100', value));
    }
  }
  if (resolved.warningStatus !== 'up' && resolved.warningStatus !== 'degraded') {
    throw new RangeError(
      INVALID_HEALTH_OPTION('warningStatus', "'up' or 'degraded'", resolved.warningStatus),
    );
  }
  return resolved;
}
