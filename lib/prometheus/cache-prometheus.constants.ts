/** Default prefix of the metric names: `fresh_cache_hits_total`, `fresh_cache_entries`… */
export const DEFAULT_METRICS_PREFIX = 'fresh_cache_';

/** Injection token of `CachePrometheusModule`'s options. */
export const CACHE_PROMETHEUS_OPTIONS = Symbol('CACHE_PROMETHEUS_OPTIONS');
