import type { Registry } from 'prom-client';

/** Options of {@link CachePrometheusMetrics} and `CachePrometheusModule.forRoot()`. */
export interface CachePrometheusOptions {
  /**
   * The registry the metrics are registered in: pass the one the app's `/metrics` route serves.
   * @default prom-client's global `register` (the one `collectDefaultMetrics()` and
   *   `@willsoto/nestjs-prometheus` use by default)
   */
  registry?: Registry;
  /**
   * Prefix of every metric name. Change it to export two caches into one registry.
   * @default 'fresh_cache_'
   */
  prefix?: string;
}
