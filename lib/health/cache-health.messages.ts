/** The health indicator's messages (the Python original's `monitor_cache_health` lines), shared with tests. */

const pct = (value: number): string => `${value.toFixed(1)}%`;

export const USAGE_HIGH = (usagePercent: number): string =>
  `Cache usage high: ${pct(usagePercent)}`;

export const BYTES_USAGE_HIGH = (bytesUsagePercent: number): string =>
  `Cache memory usage high: ${pct(bytesUsagePercent)} of maxBytes`;

export const LOW_HIT_RATE = (hitRatePercent: number): string =>
  `Low hit rate: ${pct(hitRatePercent)} - consider adjusting TTLs`;

export const MANY_STALE = (stalePercent: number): string =>
  `Many stale entries: ${pct(stalePercent)} - consider cleanup`;

export const STATS_UNAVAILABLE = (reason: string): string =>
  `The cache could not report its statistics: ${reason}`;

export const TIER_DISCONNECTED = 'The cache’s second tier is not connected';

export const INVALID_HEALTH_OPTION = (option: string, expected: string, value: unknown): string =>
  `Invalid cache health option "${option}": expected ${expected}, got ${
    typeof value === 'string'
      ? JSON.stringify(value)
      : value !== null && typeof value === 'object'
        ? 'an object'
        : String(value)
  }.`;
