import type { CacheManagerOptions } from '../core/cache-options.interface.js';
import type { RedisTierOptions } from '../redis/redis-tier.options.interface.js';

/**
 * Options of `CacheManagerModule.forRoot()` (and what `forRootAsync()` factories return): the
 * cache's own options. The module writes its log lines through Nest's `Logger` (context
 * `CacheManager`); pass `logger` only to send them elsewhere.
 */
export interface CacheManagerModuleOptions extends CacheManagerOptions {
  /**
   * Share the cache between the app's instances through Redis: a second tier behind the
   * in-memory one, and a bus that carries invalidations between instances. `ioredis` (an
   * optional peer dependency) is loaded only when this is set with a `url`.
   * @default undefined (memory only)
   */
  redis?: RedisTierOptions;
}

/** Where the statistics route is served: `false` for nowhere, `{ path }` to move it. */
export type StatsControllerOption = boolean | { path: string };

/**
 * Options that change the module's shape, given beside the cache options to `forRoot()` and
 * `forRootAsync()`.
 */
export interface CacheManagerModuleExtras {
  /**
   * Register the module globally, so `CacheManagerService` is injectable everywhere.
   * @default true
   */
  isGlobal?: boolean;
  /**
   * Serve `GET /cache/stats` (`true`), serve it at another path (`{ path: 'ops/cache' }`), or
   * not at all (`false`).
   * @default true
   */
  statsController?: StatsControllerOption;
}

/**
 * A class that `forRootAsync({ useClass })` or `forRootAsync({ useExisting })` can use to
 * provide the options.
 */
export interface CacheManagerOptionsFactory {
  createCacheManagerOptions(): CacheManagerModuleOptions | Promise<CacheManagerModuleOptions>;
}
