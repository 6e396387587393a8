import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';

import { CACHE_MANAGER_OPTIONS } from '../cache-manager.constants.js';
import { CacheManagerService } from '../cache-manager.service.js';
import { cacheInternals } from '../core/cache-manager.js';
import type { CacheManagerModuleOptions } from '../interfaces/cache-manager-module-options.interface.js';
import { attachRedisTier } from './redis-tier.factory.js';
import type { RedisTier } from './redis-tier.js';
import { resolveRedisTierOptions } from './redis-tier.options.util.js';

/** Context of the Redis tier's log lines. */
const REDIS_TIER_LOGGER_CONTEXT = 'CacheManagerRedis';

/**
 * Gives the app's cache its Redis tier when the module's `redis` option is set: checks the
 * option when the module is built (a bad option fails the bootstrap with a clear error),
 * creates and attaches the tier at init without waiting for Redis (an app starts while Redis is
 * down), and detaches and closes it before the app shuts down, so that shutting one instance
 * down never clears the cache the others share.
 */
@Injectable()
export class RedisTierProvider implements OnModuleInit, BeforeApplicationShutdown {
  private tier: RedisTier | undefined;

  constructor(
    private readonly cache: CacheManagerService,
    @Inject(CACHE_MANAGER_OPTIONS) private readonly options: CacheManagerModuleOptions,
  ) {
    if (options.redis !== undefined) resolveRedisTierOptions(options.redis);
  }

  async onModuleInit(): Promise<void> {
    if (this.options.redis === undefined) return;
    this.tier = await attachRedisTier(
      this.cache,
      this.options.redis,
      this.options.logger ?? new Logger(REDIS_TIER_LOGGER_CONTEXT),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    const tier = this.tier;
    if (tier === undefined) return;
    this.tier = undefined;
    cacheInternals(this.cache).attachTier(undefined);
    await tier.close();
  }

  /** The tier, while attached (for tests and diagnostics). */
  get redisTier(): RedisTier | undefined {
    return this.tier;
  }
}
