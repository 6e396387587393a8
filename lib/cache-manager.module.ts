import { Module } from '@nestjs/common';

import { CacheCleanupScheduler } from './cache-cleanup.scheduler.js';
import { ConfigurableModuleClass } from './cache-manager.module-definition.js';
import { CacheManagerService } from './cache-manager.service.js';
import { CacheManager } from './core/cache-manager.js';

/**
 * The cache as a Nest module: `CacheManagerModule.forRoot({ defaultTtl, maxEntries,
 * cleanupInterval })` or `CacheManagerModule.forRootAsync({ imports, inject, useFactory })`.
 *
 * Provides `CacheManagerService` (also injectable as `CacheManager`), globally by default; runs
 * the automatic cleanup on `@nestjs/schedule`; serves `GET /cache/stats` unless
 * `statsController: false`.
 */
@Module({
  providers: [
    CacheManagerService,
    { provide: CacheManager, useExisting: CacheManagerService },
    CacheCleanupScheduler,
  ],
  exports: [CacheManagerService, CacheManager],
})
export class CacheManagerModule extends ConfigurableModuleClass {}
