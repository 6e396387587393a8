import type { SetOptionsObject } from './cache-options.interface.js';

/** Options of {@link CacheManager.wrap}: where and how long the loaded value is cached, and when. */
export interface WrapOptions<T = unknown> extends SetOptionsObject {
  /**
   * Serve a STALE entry at once and refresh it in the background (one refresh per key at a
   * time). Without it, a STALE entry is a miss.
   * @default false
   */
  staleWhileRevalidate?: boolean;
  /**
   * When loading fails and a STALE entry is held, serve it (and log the error) instead of
   * failing.
   * @default false
   */
  staleIfError?: boolean;
  /** When it returns true for a loaded value, the value is returned but not cached. */
  unless?: (value: T) => boolean;
  /**
   * Called when a loaded value cannot be cached because it is not a JSON value, with the reason.
   * @default a warning in the cache's log, each time
   */
  onUncacheable?: (reason: string) => void;
}
