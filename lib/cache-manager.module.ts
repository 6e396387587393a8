import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';

import { CacheCleanupScheduler } from './cache-cleanup.scheduler.js';
import { ConfigurableModuleClass, OPTIONS_TYPE } from './cache-manager.module-definition.js';
import { CacheManagerService } from './cache-manager.service.js';
import { CacheManager } from './core/cache-manager.js';
import { CachedExplorer } from './cached/cached.explorer.js';
import { RedisTierProvider } from './redis/redis-tier.provider.js';

/**
 * The cache as a Nest module: `CacheManagerModule.forRoot({ defaultTtl, maxEntries,
 * cleanupInterval })` or `CacheManagerModule.forRootAsync({ imports, inject, useFactory })`.
 *
 * Provides `CacheManagerService` (also injectable as `CacheManager`), globally by default; runs
 * the automatic cleanup on `@nestjs/schedule`; serves `GET /cache/stats` unless
 * `statsController: false`; binds `@Cached` and `@CacheInvalidate` methods to the cache; with
 * the `redis` option, shares the cache between the app's instances through Redis.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    CacheManagerService,
    { provide: CacheManager, useExisting: CacheManagerService },
    CacheCleanupScheduler,
    CachedExplorer,
    RedisTierProvider,
  ],
  exports: [CacheManagerService, CacheManager],
})
export class CacheManagerModule extends ConfigurableModuleClass {
  /**
   * The cache with `options` (every one has a default: `forRoot()` is a complete setup).
   * @param options cache options and the module extras `isGlobal` and `statsController`
   */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
