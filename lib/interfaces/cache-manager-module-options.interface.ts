import type { CacheManagerOptions } from '../core/cache-options.interface.js';

/**
 * Options of `CacheManagerModule.forRoot()` (and what `forRootAsync()` factories return): the
 * cache's own options. The module writes its log lines through Nest's `Logger` (context
 * `CacheManager`); pass `logger` only to send them elsewhere.
 */
export type CacheManagerModuleOptions = CacheManagerOptions;

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
