import { CacheManager } from './cache-manager.js';

/*
 * The process-wide cache lives on `globalThis` under a registered symbol, not in a module
 * variable: the package ships an ESM and a CommonJS copy, and one process can load both (an ESM
 * app whose dependency `require()`s the package, or a CommonJS app that `import()`s it). Two
 * module variables would give that process two "global" caches; `Symbol.for` gives it one. The
 * `@1` names the shape of what is stored, so a future incompatible shape gets its own slot.
 *
 * What is stored is a frozen pair of closures, not the cache: Jest 30 "soft-deletes" the own
 * properties of every value a test file left on its global (it turns them into accessors whose
 * setter calls itself), so a cache stored there directly overflows the stack when its cleanup
 * timer fires after the file ended. A frozen object's properties cannot be redefined.
 */
interface GlobalCacheSlot {
  readonly get: () => CacheManager | undefined;
  readonly set: (cache: CacheManager | undefined) => void;
}

function createSlot(): GlobalCacheSlot {
  let cache: CacheManager | undefined;
  return Object.freeze({
    get: () => cache,
    set: (next: CacheManager | undefined) => {
      cache = next;
    },
  });
}

const GLOBAL_CACHE = Symbol.for('nestjs-fresh-cache:global-cache@1');
const slot = ((globalThis as { [GLOBAL_CACHE]?: GlobalCacheSlot })[GLOBAL_CACHE] ??= createSlot());

/**
 * The process-wide cache. Inside a Nest app that imports `CacheManagerModule`, it is the app's
 * `CacheManagerService` from initialisation to close; elsewhere, a `CacheManager` with the
 * default options, created on first use. The ESM and the CommonJS build of this package share it.
 */
export function getGlobalCache(): CacheManager {
  let cache = slot.get();
  if (cache === undefined) slot.set((cache = new CacheManager()));
  return cache;
}

/** Shuts the process-wide cache down (stops its cleanup, removes its entries) and forgets it. */
export function cleanupGlobalCache(): void {
  const cache = slot.get();
  slot.set(undefined);
  cache?.shutdown();
}

/**
 * Makes `cache` the process-wide cache, or forgets the current one when `cache` is undefined.
 * Used by `CacheManagerService` while its app runs; not exported from the package.
 */
export function setGlobalCache(cache: CacheManager | undefined): void {
  slot.set(cache);
}

/** The process-wide cache if one exists, without creating it. Not exported from the package. */
export function peekGlobalCache(): CacheManager | undefined {
  return slot.get();
}
