import { ConfigurableModuleBuilder } from '@nestjs/common';

import type {
  CacheManagerModuleExtras,
  CacheManagerModuleOptions,
} from './interfaces/cache-manager-module-options.interface.js';
import { CACHE_MANAGER_OPTIONS } from './cache-manager.constants.js';
import { createStatsController } from './cache-stats.controller.js';

const DEFAULT_EXTRAS: Required<CacheManagerModuleExtras> = {
  isGlobal: true,
  statsController: true,
};

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<CacheManagerModuleOptions>({
    moduleName: 'CacheManager',
    optionsInjectionToken: CACHE_MANAGER_OPTIONS,
  })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createCacheManagerOptions')
    .setExtras<CacheManagerModuleExtras>(DEFAULT_EXTRAS, (definition, extras) => {
      const statsController = extras.statsController ?? DEFAULT_EXTRAS.statsController;
      const controller = createStatsController(statsController);
      return {
        ...definition,
        global: extras.isGlobal ?? DEFAULT_EXTRAS.isGlobal,
        controllers: [...(definition.controllers ?? []), ...(controller ? [controller] : [])],
      };
    })
    .build();
