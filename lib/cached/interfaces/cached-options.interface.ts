/* eslint-disable @typescript-eslint/no-explicit-any -- the arguments and result of a decorated
   method are whatever that method takes and returns; `any` lets key functions and `unless` be
   written without casts, and the generic parameters let callers narrow them. */

/** A cache key computed from a decorated method's arguments. */
export type CacheKeyFunction<A extends unknown[] = any[]> = (...args: A) => string;

/** Options of `@Cached()`. Every duration is in seconds. */
export interface CachedOptions<A extends unknown[] = any[], R = any> {
  /**
   * Time to live of a cached result, in seconds: FRESH for this long, then STALE for as long
   * again.
   * @default the cache's `defaultTtl`
   */
  ttl?: number;
  /** Category of the cached results, for `invalidateCategory` and statistics. @default 'default' */
  category?: string;
  /**
   * The cache key: a fixed string, or a function of the method's arguments.
   * @default `ClassName.method(<arguments>)`, the arguments serialized with sorted object keys;
   *   calls whose arguments cannot be serialized (functions, class instances, cycles) run
   *   uncached, with one warning per method
   */
  key?: string | CacheKeyFunction<A>;
  /**
   * Metadata kept with each cached result (a JSON object), or a function of the arguments that
   * returns it.
   * @default {}
   */
  metadata?: Record<string, unknown> | ((...args: A) => Record<string, unknown>);
  /**
   * Tags of each cached result, for `invalidateTag` / `expireTag` and `@CacheInvalidate({ tags })`:
   * a fixed list, or a function of the arguments that returns one (`(id: number) => ['user:' + id]`).
   * Non-empty strings, at most `MAX_TAGS_PER_ENTRY` distinct ones. A bad fixed list fails when
   * the class is defined (a `RangeError`, as a bad category); a function that throws or returns
   * bad tags makes that call run uncached, with one warning per method (as a `key` function).
   * @default [] (no tags)
   */
  tags?: readonly string[] | ((...args: A) => readonly string[]);
  /**
   * More tags, from the result itself (the ids of the users in a list, say), added to `tags`.
   * A separate option, not a second form of `tags`, because it runs at another time: only when
   * a result is cached (after the method returned, never on a hit), and it sees that result.
   * If it throws or returns bad tags, the result is returned but not cached, with one warning
   * per method (as a result that is not JSON).
   * @example `resultTags: (users: User[]) => users.map((u) => 'user:' + u.id)`
   * @default none
   */
  resultTags?: (result: R, ...args: A) => readonly string[];
  /**
   * Serve a STALE result at once and refresh it in the background, one refresh per key at a
   * time. Without it, a STALE result is a miss.
   * @default false
   */
  staleWhileRevalidate?: boolean;
  /**
   * When the method fails and a STALE result is held, return that result (and log the error)
   * instead of failing.
   * @default false
   */
  staleIfError?: boolean;
  /**
   * When it returns true for a result (the value a promise resolves to, or the last value of an
   * Observable), the result is returned but not cached: a failed command's result, say.
   */
  unless?: (result: R) => boolean;
  /**
   * A function of the arguments; when it returns `true` for a call, the method runs whatever is
   * cached, and its result replaces the entry and is returned (the Python original's
   * `force_refresh` parameter). Concurrent calls of the key share the run; a forced call that
   * fails throws and leaves the entry as it was. If it throws, the call runs uncached (one
   * warning per method). When the flag is one of the method's arguments, give a `key` that
   * leaves it out: the default key includes every argument, so a forced call would cache under
   * a key of its own.
   * @example `key: (command: string) => command, forceRefresh: (_c: string, refresh?: boolean) => refresh === true`
   * @default never
   */
  forceRefresh?: (...args: A) => boolean;
  /**
   * Seconds a call that holds a STALE result waits for the method before it gets the STALE
   * result instead; the method's run goes on and its result is still cached. For methods that
   * return a promise or an Observable. `0` turns it off.
   * @default the module's `softTimeout` (off unless set)
   */
  softTimeout?: number;
  /**
   * Seconds a call waits for the method at most: then it fails with a `CacheLoadTimeoutError`
   * (with `staleIfError` and a STALE result held: returns that result), and the next call of the
   * key runs the method again at once; the late result is not cached. For methods that return a
   * promise or an Observable. `0` turns it off.
   * @default the module's `hardTimeout` (off unless set)
   */
  hardTimeout?: number;
}

/** Keys or tags computed from a decorated method's arguments: one, or a list. */
export type CacheNamesFunction<A extends unknown[] = any[]> = (
  ...args: A
) => string | readonly string[];

/** Options of `@CacheInvalidate()`. Give `keys`, `categories`, `tags`, or several. */
export interface CacheInvalidateOptions<A extends unknown[] = any[]> {
  /**
   * Keys to invalidate: strings, functions of the method's arguments returning a key or a list
   * of keys, or one such function for the whole list.
   */
  keys?: ReadonlyArray<string | CacheNamesFunction<A>> | CacheNamesFunction<A>;
  /** Categories whose entries are all invalidated. */
  categories?: readonly string[];
  /**
   * Tags whose entries are all invalidated: strings, functions of the method's arguments
   * returning a tag or a list of tags, or one such function for the whole list.
   */
  tags?: ReadonlyArray<string | CacheNamesFunction<A>> | CacheNamesFunction<A>;
  /**
   * Expire instead of invalidating: the entries reached turn STALE (`expire`, `expireCategory`,
   * `expireTag`) rather than INVALID, so readers with `staleWhileRevalidate` are answered at once
   * while one refresh runs, instead of all waiting for a load.
   * @default false
   */
  expire?: boolean;
}
