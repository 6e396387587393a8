import type { CacheEntry } from './cache-entry.js';
import type { Lookup } from './cache-loader.js';
import type { CacheManagerOptions } from './cache-options.interface.js';
import type { CacheTier, TierEntry } from './cache-tier.interface.js';
import type { WrapOptions } from './wrap-options.interface.js';

/**
 * The core's one internal door: what the `@Cached` decorator and the Redis tier use beyond the
 * public API, reached with {@link cacheInternals}. Nothing here is exported
 * from the package, and `CacheManager`'s public type does not show it. Plain methods only, no
 * brand checks: the ESM and the CommonJS copy of the package may meet in one process.
 */
export interface CacheInternals {
  // For the `@Cached` decorator: the pieces of `wrap`, so that a sync method stays sync.
  /** The read `wrap` starts with (STALE entries only when the options can use them). */
  lookup(
    key: string,
    options: { staleWhileRevalidate?: boolean; staleIfError?: boolean; softTimeout?: number },
  ): Lookup;
  /** Whether a load of `key` is under way. */
  isLoading(key: string): boolean;
  /** Starts one background refresh of `key` unless one is under way; logs its failure. */
  refreshInBackground<T>(
    key: string,
    loader: () => T | PromiseLike<T>,
    options: WrapOptions<T>,
  ): void;
  /**
   * Runs `loader` once for all concurrent callers of `key` (single flight) and caches it; this
   * caller waits up to its timeouts (the soft one only when it gives its STALE entry).
   */
  load<T>(
    key: string,
    loader: () => T | PromiseLike<T>,
    options: WrapOptions<T>,
    stale?: CacheEntry<unknown>,
  ): Promise<T>;
  /** Caches a loaded value unless `unless` says no or it is not JSON; never throws for it. */
  cacheLoaded<T>(key: string, value: T, options: WrapOptions<T>): void;
  /** Counts one loader call and its duration in the statistics. */
  recordLoad(durationMs: number, failed: boolean): void;

  // For a second tier (the Redis tier).
  /** Attaches the tier the cache tells of every change and asks on a miss; undefined detaches. */
  attachTier(tier: CacheTier | undefined): void;
  /** Puts an entry the tier held back in memory with its original write time. */
  restore(key: string, stored: TierEntry): CacheEntry<unknown> | undefined;
  /** Milliseconds since the epoch at which `entry`'s data was first cached. */
  timestampOf(entry: CacheEntry<unknown>): number;
}

/**
 * Set in a cache's construction options, says that something outside the cache (the Nest app's
 * scheduler) runs its automatic cleanup, so the cache starts no timer of its own. Not part of
 * `CacheManagerOptions`: only the library's own Nest service sets it.
 */
export const CLEANUP_SCHEDULED_OUTSIDE: unique symbol = Symbol('cleanup scheduled outside');

/** The construction options the library itself may pass to a `CacheManager`. */
export interface InternalCacheOptions extends CacheManagerOptions {
  readonly [CLEANUP_SCHEDULED_OUTSIDE]?: boolean;
}

/**
 * The key of a cache's {@link CacheInternals}: a non-enumerable property no type declares, so it
 * is in no `.d.ts` and no autocomplete. It is a registered symbol, not a module's own, because the
 * package ships an ESM and a CommonJS copy and one process may load both: the decorator and the
 * tier of one copy must reach a cache made by the other.
 */
const INTERNALS = Symbol.for('nestjs-fresh-cache:internals@1');

/** Opens the door of `cache` onto `internals`; called once, by the cache's constructor. */
export function exposeInternals(cache: object, internals: CacheInternals): void {
  Object.defineProperty(cache, INTERNALS, { value: internals });
}

/**
 * The core's one internal door (see {@link CacheInternals}), for the `@Cached` decorator and the
 * Redis tier. Not exported from the package.
 */
export function cacheInternals(cache: object): CacheInternals {
  return (cache as { readonly [INTERNALS]: CacheInternals })[INTERNALS];
}
