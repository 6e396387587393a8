/** Name of the cleanup job in the app's `SchedulerRegistry`. */
export const CACHE_CLEANUP_JOB = 'cache-manager-cleanup';

/** Context of the cache's log lines. */
export const CACHE_LOGGER_CONTEXT = 'CacheManager';

/** Default path of the statistics route. */
export const DEFAULT_STATS_PATH = 'cache/stats';

/** Injection token of the module's options (what `forRoot` was given or the factory returned). */
export const CACHE_MANAGER_OPTIONS = Symbol('CACHE_MANAGER_OPTIONS');
