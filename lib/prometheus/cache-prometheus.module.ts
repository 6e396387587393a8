import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';

import { CacheManager } from '../core/cache-manager.js';
import { CACHE_PROMETHEUS_OPTIONS } from './cache-prometheus.constants.js';
import type { CachePrometheusOptions } from './cache-prometheus.interface.js';
import { CachePrometheusMetrics } from './cache-prometheus.metrics.js';
import { ConfigurableModuleClass } from './cache-prometheus.module-definition.js';

/**
 * Exports the cache's metrics to Prometheus: `CachePrometheusModule.forRoot({ registry })`, or
 * `forRootAsync({ inject, useFactory })` to take the registry from another provider. Needs
 * `CacheManagerModule` (global by default) and `prom-client`.
 *
 * The metrics are registered when the module is created and removed from the registry when the
 * app closes. {@link CachePrometheusMetrics} is injectable, for the registry it uses.
 */
@Module({
  providers: [
    {
      provide: CachePrometheusMetrics,
      useFactory: (cache: CacheManager, options: CachePrometheusOptions) =>
        new CachePrometheusMetrics(cache, options),
      inject: [CacheManager, CACHE_PROMETHEUS_OPTIONS],
    },
  ],
  exports: [CachePrometheusMetrics],
})
export class CachePrometheusModule extends ConfigurableModuleClass implements OnModuleDestroy {
  constructor(@Inject(CachePrometheusMetrics) private readonly metrics: CachePrometheusMetrics) {
    super();
  }

  onModuleDestroy(): void {
    this.metrics.unregister();
  }
}
