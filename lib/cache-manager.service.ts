import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';

import { CACHE_LOGGER_CONTEXT, CACHE_MANAGER_OPTIONS } from './cache-manager.constants.js';
import {
  CLEANUP_SCHEDULED_OUTSIDE,
  type InternalCacheOptions,
} from './core/cache-internals.interface.js';
import { CacheManager } from './core/cache-manager.js';
import { peekGlobalCache, setGlobalCache } from './core/global-cache.js';
import type { CacheManagerModuleOptions } from './interfaces/cache-manager-module-options.interface.js';

/**
 * The app's cache: a {@link CacheManager} configured by `CacheManagerModule`, one per app,
 * injectable anywhere. While the app runs it is also what `getGlobalCache()` returns.
 *
 * Its automatic cleanup runs as the `cache-manager-cleanup` job of the app's scheduler (see
 * `CacheCleanupScheduler`), not on a timer of its own: the cache is built with
 * `CLEANUP_SCHEDULED_OUTSIDE`, so it never starts one.
 */
@Injectable()
export class CacheManagerService
  extends CacheManager
  implements OnModuleInit, OnApplicationShutdown
{
  constructor(@Inject(CACHE_MANAGER_OPTIONS) options: CacheManagerModuleOptions) {
    const coreOptions: InternalCacheOptions = {
      ...options,
      logger: options.logger ?? new Logger(CACHE_LOGGER_CONTEXT),
      [CLEANUP_SCHEDULED_OUTSIDE]: true,
    };
    super(coreOptions);
  }

  onModuleInit(): void {
    setGlobalCache(this);
  }

  onApplicationShutdown(): void {
    if (peekGlobalCache() === this) setGlobalCache(undefined);
    this.shutdown();
  }
}
