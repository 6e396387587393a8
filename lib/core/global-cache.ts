import { CacheManager } from './cache-manager.js';

let globalCache: CacheManager | undefined;

/**
 * The process-wide cache. Inside a Nest app that imports `CacheManagerModule`, it is the app's
 * `CacheManagerService` from initialisation to close; elsewhere, a `CacheManager` with the
 * default options, created on first use.
 */
export function getGlobalCache(): CacheManager {
  return (globalCache ??= new CacheManager());
}

/** Shuts the process-wide cache down (stops its cleanup, removes its entries) and forgets it. */
export function cleanupGlobalCache(): void {
  const cache = globalCache;
  globalCache = undefined;
  cache?.shutdown();
}

/**
 * Makes `cache` the process-wide cache, or forgets the current one when `cache` is undefined.
 * @internal Used by `CacheManagerService` while its app runs.
 */
export function setGlobalCache(cache: CacheManager | undefined): void {
  globalCache = cache;
}

/** The process-wide cache if one exists, without creating it. @internal */
export function peekGlobalCache(): CacheManager | undefined {
  return globalCache;
}
