/**
 * `nestjs-fresh-cache/prometheus`: the cache's metrics for prom-client (an optional peer
 * dependency, needed only by apps that import this entry point).
 */
export { CachePrometheusModule } from './cache-prometheus.module.js';
export { CachePrometheusMetrics } from './cache-prometheus.metrics.js';
export { CACHE_PROMETHEUS_OPTIONS, DEFAULT_METRICS_PREFIX } from './cache-prometheus.constants.js';
export type { CachePrometheusOptions } from './cache-prometheus.interface.js';
