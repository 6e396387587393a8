import { ConfigurableModuleBuilder } from '@nestjs/common';

import { CACHE_PROMETHEUS_OPTIONS } from './cache-prometheus.constants.js';
import type { CachePrometheusOptions } from './cache-prometheus.interface.js';

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<CachePrometheusOptions>({
    moduleName: 'CachePrometheus',
    optionsInjectionToken: CACHE_PROMETHEUS_OPTIONS,
  })
    .setClassMethodName('forRoot')
    .build();
