import { CacheManager } from './cache-manager.js';

/*
 * The process-wide cache lives on `globalThis` under a registered symbol, not in a module
 * variable: the package ships an ESM and a CommonJS copy, and one process can load both (an ESM
 * app whose dependency `require()`s the package, or a CommonJS app that `import()`s it). Two
 * module variables would give that process two "global" caches; `Symbol.for` gives it one. The
 * `@1` names the shape of what is stored, so a future incompatible shape gets its own slot.
 */
const GLOBAL_CACHE = Symbol.for('nestjs-fresh-cache:global-cache@1');

/** `globalThis`, seen as the holder of the process-wide cache. */
const holder = globalThis as { [GLOBAL_CACHE]?: CacheManager };

/**
 * The process-wide cache. Inside a Nest app that imports `CacheManagerModule`, it is the app's
 * `CacheManagerService` from initialisation to close; elsewhere, a `CacheManager` with the
 * default options, created on first use. The ESM and the CommonJS build of this package share it.
 */
export function getGlobalCache(): CacheManager {
  return (holder[GLOBAL_CACHE] ??= new CacheManager());
}

/** Shuts the process-wide cache down (stops its cleanup, removes its entries) and forgets it. */
export function cleanupGlobalCache(): void {
  const cache = holder[GLOBAL_CACHE];
  holder[GLOBAL_CACHE] = undefined;
  cache?.shutdown();
}

/**
 * Makes `cache` the process-wide cache, or forgets the current one when `cache` is undefined.
 * @internal Used by `CacheManagerService` while its app runs.
 */
export function setGlobalCache(cache: CacheManager | undefined): void {
  holder[GLOBAL_CACHE] = cache;
}

/** The process-wide cache if one exists, without creating it. @internal */
export function peekGlobalCache(): CacheManager | undefined {
  return holder[GLOBAL_CACHE];
}
