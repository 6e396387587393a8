import type { SetOptionsObject } from './cache-options.interface.js';

/** Options of {@link CacheManager.wrap}: where and how long the loaded value is cached, and when. */
export interface WrapOptions<T = unknown> extends Omit<SetOptionsObject, 'tags'> {
  /**
   * The tags of the cached value (see `SetOptionsObject.tags`), or a function of the loaded value
   * that returns them, for tags only the result knows (the ids of the users in a list, say).
   * Bad tags given as an array are bad options: the call rejects with a `RangeError` before
   * anything is loaded, as for a bad category. Bad tags returned by the function (or a function
   * that throws) leave that value uncached, like a value that is not JSON (`onUncacheable`).
   * @default [] (no tags)
   */
  tags?: readonly string[] | ((value: T) => readonly string[]);
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
  /**
   * Run the loader even when a FRESH entry is held (the Python original's `force_refresh`):
   * its value replaces the entry and is returned. A load of the key already under way is
   * joined, not repeated (it is fetching fresh data too); with a Redis tier, the shared copy is
   * not read first. A forced load that fails throws and leaves the entry as it was.
   * @default false
   */
  forceRefresh?: boolean;
  /** When it returns true for a loaded value, the value is returned but not cached. */
  unless?: (value: T) => boolean;
  /**
   * Called when a loaded value cannot be cached because it is not a JSON value, with the reason.
   * @default a warning in the cache's log, each time
   */
  onUncacheable?: (reason: string) => void;
  /**
   * Seconds a caller that holds a STALE entry waits for the load before it gets the STALE value
   * instead; the load goes on (one per key, as always) and its value is still cached. A caller
   * with nothing STALE to fall back on keeps waiting (up to `hardTimeout`). With a soft timeout
   * set, a STALE entry is looked at even without `staleWhileRevalidate` or `staleIfError`.
   * `0` turns it off.
   * @default the cache's `softTimeout` (off unless set)
   */
  softTimeout?: number;
  /**
   * Seconds a caller waits for the load at most: then the call rejects with a
   * `CacheLoadTimeoutError` (with `staleIfError` and a STALE entry held: returns that entry),
   * and the load is abandoned: the key is free for the next caller at once, and the abandoned
   * load's value, if it ever comes, is not cached. A loader that never settles cannot block its
   * key. `0` turns it off.
   * @default the cache's `hardTimeout` (off unless set)
   */
  hardTimeout?: number;
}
