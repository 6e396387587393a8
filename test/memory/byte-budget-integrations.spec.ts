import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Registry } from 'prom-client';

import { CacheManager } from '../../lib/index.js';
import { cacheStatsResponse } from '../../lib/cache-stats.controller.js';
import { CacheHealthIndicator } from '../../lib/health/index.js';
import { BYTES_USAGE_HIGH } from '../../lib/health/cache-health.messages.js';
import { CachePrometheusMetrics } from '../../lib/prometheus/index.js';
import { TestClock } from '../support/test-clock.js';
import { silentLogger } from '../support/test-loggers.js';

function cacheWith(maxBytes?: number): CacheManager {
  return new CacheManager({
    maxBytes,
    maxEntryBytes: maxBytes,
    cleanupInterval: 0,
    clock: new TestClock().read,
    logger: silentLogger,
  });
}

/** A cache at `fill` of a budget set to fit exactly what `keys` entries of one value take. */
function filledCache(entries: number, ofEntries: number): CacheManager {
  const probe = cacheWith(1_000_000);
  probe.set('k0', { v: 'x'.repeat(100) });
  const one = probe.getStats().totalBytes!;
  const cache = cacheWith(one * ofEntries);
  for (let i = 0; i < entries; i++) cache.set(`k${i}`, { v: 'x'.repeat(100) });
  return cache;
}

describe('the byte budget in the stats route, Prometheus and the health indicator', () => {
  it('serves totalBytes, maxBytes and bytesUsagePercent on the stats route', () => {
    const cache = filledCache(1, 4);
    expect(cacheStatsResponse(cache)).toMatchObject({
      maxBytes: cache.maxBytes,
      totalBytes: cache.maxBytes! / 4,
      bytesUsagePercent: 25,
    });
    expect(cacheStatsResponse(cacheWith())).not.toHaveProperty('maxBytes');
  });

  it('exports the bytes held and the budget as gauges, only for a cache with maxBytes', async () => {
    const cache = filledCache(2, 4);
    const registry = new Registry();
    const metrics = new CachePrometheusMetrics(cache, { registry });
    const text = await registry.metrics();
    expect(text).toContain(`fresh_cache_bytes ${cache.maxBytes! / 2}`);
    expect(text).toContain(`fresh_cache_max_bytes ${cache.maxBytes}`);
    metrics.unregister();

    const plain = new CachePrometheusMetrics(cacheWith(), { registry });
    expect(plain.metricNames).not.toContain('fresh_cache_bytes');
    plain.unregister();
  });

  it('warns past the usage threshold by bytes, as it does by entries', () => {
    const indicator = (cache: CacheManager) =>
      new CacheHealthIndicator(new HealthIndicatorService(), cache);
    const full = indicator(filledCache(9, 10)).isHealthy('cache').cache;
    expect(full.warnings).toEqual([BYTES_USAGE_HIGH(90)]);
    expect(full).toMatchObject({ bytesUsagePercent: 90, status: 'up' });
    const half = indicator(filledCache(5, 10)).isHealthy('cache', { maxUsagePercent: 60 }).cache;
    expect(half.warnings).toEqual([]);
    expect(indicator(cacheWith()).isHealthy('cache').cache).not.toHaveProperty('totalBytes');
  });
});
