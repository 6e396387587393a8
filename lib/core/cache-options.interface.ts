import type { Clock } from './clock.interface.js';
import type { JsonObject } from './json.interface.js';
import type { CacheLogger } from './logger.interface.js';

/** Options of a {@link CacheManager}. Every duration is in seconds; fractions are allowed. */
export interface CacheManagerOptions {
  /**
   * Time to live of an entry whose `set` names none, in seconds. An entry is FRESH for this long
   * and STALE (still usable on request) for as long again.
   * @default 300
   */
  defaultTtl?: number;
  /**
   * How many entries the cache holds at most, whatever their status. Writing a new key into a
   * full cache evicts the least recently used entry.
   * @default 1000
   */
  maxEntries?: number;
  /**
   * A memory budget, in bytes: the estimated size of every entry held (key, data, metadata and
   * the cache's own per-entry columns) stays at or below it. A write that would pass it first
   * evicts least recently used entries until it fits; `maxEntries` still applies, and whichever
   * bound is reached first evicts. The size is an estimate of V8's heap, made while the value is
   * copied (see docs/memory-budget.md for its model and measured accuracy).
   * @default undefined (no budget in bytes; sizes are not estimated)
   */
  maxBytes?: number;
  /**
   * The largest estimated size of one entry, in bytes: a bigger value is refused like other bad
   * input (`set` returns false with a warning naming its size; `wrap` and `@Cached` return it
   * uncached), so that one huge value cannot flush the whole cache. Needs `maxBytes`, and is at
   * most `maxBytes`.
   * @default maxBytes / 10, rounded down
   */
  maxEntryBytes?: number;
  /**
   * Seconds between two automatic cleanups (removal of EXPIRED and INVALID entries).
   * `0` turns automatic cleanup off; `cleanup()` still works.
   * @default 60
   */
  cleanupInterval?: number;
  /**
   * Where log lines go. Debug lines (the Python original's "Cached data for key…", "Cache hit…") are
   * formatted only when `debug` is true.
   * @default a logger that writes every line to the console, prefixed `[CacheManager]`
   */
  logger?: CacheLogger;
  /**
   * Whether to write a debug line per operation. Costs nothing when false.
   * @default false
   */
  debug?: boolean;
  /**
   * The clock, in milliseconds since the epoch. Inject one to control time in tests.
   * @default a monotonic clock (`performance.timeOrigin + performance.now()`, read at most once a
   *   millisecond)
   */
  clock?: Clock;
  /**
   * The `softTimeout` of every `wrap` and `@Cached` call that names none, in seconds: after it, a
   * caller holding a STALE entry gets that entry while the load goes on. `0` is off.
   * @default 0
   */
  softTimeout?: number;
  /**
   * The `hardTimeout` of every `wrap` and `@Cached` call that names none, in seconds: after it,
   * the caller gets a `CacheLoadTimeoutError` (or, with `staleIfError`, the STALE entry) and the
   * key is free for the next caller. `0` is off.
   * @default 0
   */
  hardTimeout?: number;
}

/** The options after defaults and validation. */
export interface ResolvedCacheManagerOptions {
  readonly defaultTtl: number;
  readonly maxEntries: number;
  readonly cleanupInterval: number;
  /** The budget in bytes; undefined when there is none. */
  readonly maxBytes: number | undefined;
  /** The largest entry in bytes; undefined when there is no `maxBytes`. */
  readonly maxEntryBytes: number | undefined;
  readonly softTimeout: number;
  readonly hardTimeout: number;
}

/** Options of {@link CacheManager.set}: a TTL in seconds, or an object. */
export type SetOptions = number | SetOptionsObject;

/** The object form of {@link SetOptions}. */
export interface SetOptionsObject {
  /** Time to live in seconds, a finite number above 0. @default the cache's `defaultTtl` */
  ttl?: number;
  /** The entry's category, for bulk invalidation and statistics. @default 'default' */
  category?: string;
  /** Free-form JSON object kept beside the data (the command that produced it, say). @default {} */
  metadata?: JsonObject | Record<string, unknown>;
  /**
   * What the entry depends on (`['user:42', 'world:1']`), for `invalidateTag` and `expireTag`:
   * non-empty strings, at most `MAX_TAGS_PER_ENTRY` (32) distinct ones, duplicates collapsed.
   * The next `set` of the key replaces them. Bad tags are bad options, like a bad category: a
   * `RangeError`.
   * @default [] (no tags)
   */
  tags?: readonly string[];
}

/** Options of {@link CacheManager.get} and {@link CacheManager.getData}. */
export interface GetOptions {
  /** Also return STALE entries (past their TTL, within twice it). @default false */
  includeStale?: boolean;
}

/** Options of {@link CacheManager.hasKey}. */
export interface HasKeyOptions {
  /** Answer true only for a FRESH entry; when false, a STALE one counts too. @default true */
  freshOnly?: boolean;
}
