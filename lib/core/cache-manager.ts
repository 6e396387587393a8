import { CacheByteBudget } from './cache-byte-budget.js';
import { CacheCleanup } from './cache-cleanup.js';
import type { CacheEntry } from './cache-entry.js';
import type { CacheEventListener, CacheEventName } from './cache-events.interface.js';
import { assertCategory, assertTtl, readSetOptions, readWrapOptions } from './cache-input.util.js';
import {
  CLEANUP_SCHEDULED_OUTSIDE,
  exposeInternals,
  type InternalCacheOptions,
} from './cache-internals.interface.js';
import { CacheInvalidation } from './cache-invalidation.js';
import { CacheLoader } from './cache-loader.js';
import type {
  CacheManagerOptions,
  GetOptions,
  HasKeyOptions,
  SetOptions,
} from './cache-options.interface.js';
import { resolveCacheOptions } from './cache-options.util.js';
import { CacheOutcomes } from './cache-outcomes.js';
import { CacheReader } from './cache-reader.js';
import { NIL, type CacheSlots } from './cache-slots.js';
import { CacheStats } from './cache-stats.js';
import { CacheStatus } from './cache-status.enum.js';
import { CacheTable } from './cache-table.js';
import { NO_TAGS, assertTag, snapshotTags } from './cache-tags.util.js';
import type { Clock } from './clock.interface.js';
import { consoleLogger } from './console.logger.js';
import type { JsonValue } from './json.interface.js';
import type { CacheLogger } from './logger.interface.js';
import { monotonicClock } from './monotonic-clock.js';
import { CacheWriter } from './cache-writer.js';
import type { WrapOptions } from './wrap-options.interface.js';

export { CLEANUP_SLICE_MS } from './cache-cleanup.js';
// The internal door lives with its interface; importers of the door from here keep working.
export { cacheInternals } from './cache-internals.interface.js';

/**
 * An in-process cache that knows how fresh each entry is.
 *
 * Every entry has a timestamp, a TTL, a category and metadata, and a status: FRESH within its TTL,
 * STALE up to twice its TTL (served on request), then EXPIRED; INVALID once invalidated. At
 * `maxEntries` the least recently used entry is evicted. Only JSON values are stored, as frozen
 * snapshots. Reads, writes, deletes, invalidations and evictions are O(1); category operations
 * cost the size of the category; statistics cost the number of (TTL, category) pairs held.
 *
 * Node runs this code on one thread: no call can interleave with another, so there are no locks.
 */
export class CacheManager {
  // The public API: options, validation and the clock, over parts that each keep one invariant
  // (docs/architecture.md): table, reader, writer, invalidation, outcomes, loader, cleanup.

  /** Default time to live of an entry, in seconds. */
  readonly defaultTtl: number;
  /** Most entries held at once. */
  readonly maxEntries: number;
  /** Seconds between automatic cleanups; 0 when off. */
  readonly cleanupInterval: number;
  /** The memory budget in estimated bytes; undefined when there is none. */
  readonly maxBytes: number | undefined;
  /** The largest entry cached, in estimated bytes; undefined when there is no `maxBytes`. */
  readonly maxEntryBytes: number | undefined;
  /** Default load timeouts of `wrap` and `@Cached`, in seconds; 0 when off. */
  readonly softTimeout: number;
  readonly hardTimeout: number;

  readonly #logger: CacheLogger;
  readonly #clock: Clock;
  #lastNow = 0;
  readonly #table: CacheTable;
  /** The table's storage engine, read directly by the hot paths. */
  readonly #slots: CacheSlots;
  readonly #outcomes: CacheOutcomes;
  readonly #reader: CacheReader;
  readonly #writer: CacheWriter;
  readonly #loader: CacheLoader;
  readonly #cleanup: CacheCleanup;
  readonly #invalidation: CacheInvalidation;

  constructor(options: CacheManagerOptions = {}) {
    const resolved = resolveCacheOptions(options);
    this.defaultTtl = resolved.defaultTtl;
    this.maxEntries = resolved.maxEntries;
    this.cleanupInterval = resolved.cleanupInterval;
    this.maxBytes = resolved.maxBytes;
    this.maxEntryBytes = resolved.maxEntryBytes;
    this.softTimeout = resolved.softTimeout;
    this.hardTimeout = resolved.hardTimeout;
    const logger = (this.#logger = options.logger ?? consoleLogger);
    this.#clock = options.clock ?? monotonicClock;
    const now = () => this.now();
    const outcomes = (this.#outcomes = new CacheOutcomes(
      logger,
      options.debug ?? false,
      this.maxEntries,
    ));
    const table = (this.#table = new CacheTable(
      this.maxEntries,
      now,
      (key) => this.invalidate(key),
      (slot) => outcomes.eviction(table.slots, slot),
      resolved.maxBytes === undefined
        ? undefined
        : new CacheByteBudget(resolved.maxBytes, resolved.maxEntryBytes!),
    ));
    this.#slots = table.slots;
    this.#reader = new CacheReader(table.slots, outcomes, now);
    // The writer tells the tier the loader holds of each write: the tier can be attached later.
    const writer = (this.#writer = new CacheWriter(table, outcomes, now, () => loader.tier));
    const loader: CacheLoader = (this.#loader = new CacheLoader(writer, {
      defaultTtl: this.defaultTtl,
      softTimeout: this.softTimeout,
      hardTimeout: this.hardTimeout,
      logger,
      now,
      lastNow: () => this.#lastNow,
      get: (key, getOptions) => this.get<unknown>(key, getOptions),
    }));
    this.#invalidation = new CacheInvalidation(table, outcomes, () => loader.tier);
    this.#cleanup = new CacheCleanup(table, logger, now, () => outcomes.cleanupListener());
    exposeInternals(this, loader);
    const scheduledOutside = (options as InternalCacheOptions)[CLEANUP_SCHEDULED_OUTSIDE] === true;
    if (this.cleanupInterval > 0 && !scheduledOutside) {
      this.#cleanup.startTimer(this.cleanupInterval, () => void this.runScheduledCleanup());
    }
  }

  /** Number of entries held, whatever their status. */
  get size(): number {
    return this.#slots.size;
  }

  /** The cache's time in milliseconds since the epoch; it never goes backwards. */
  now(): number {
    const time = this.#clock();
    if (time > this.#lastNow) this.#lastNow = time;
    return this.#lastNow;
  }

  // ── Writing ────────────────────────────────────────────────────────────────────────────────

  /**
   * Caches a deep-frozen copy of `data` under `key`, FRESH from now for `ttl` seconds.
   * Replaces any entry held under `key`; at `maxEntries`, a new key evicts the least recently
   * used entry, and with `maxBytes`, least recently used entries are evicted until it fits.
   *
   * @param options a TTL in seconds, or `{ ttl, category, metadata, tags }`; the tags replace
   *   those the key had.
   * @returns true when cached; false (with a warning in the log, nothing stored) when `key` is
   *   not a non-empty string, `data` or `metadata` is not a JSON value, or the entry's estimated
   *   size (tags included) is above `maxEntryBytes`.
   * @throws RangeError when the TTL is not a finite number above 0, the category is not a
   *   non-empty string, or the tags are not an array of at most `MAX_TAGS_PER_ENTRY` distinct
   *   non-empty strings (nothing is stored).
   */
  set(key: string, data: unknown, options?: SetOptions): boolean {
    let ttlSeconds: unknown = this.defaultTtl;
    let category: unknown = 'default';
    let metadata: unknown;
    let tags = NO_TAGS;
    if (typeof options === 'number') {
      ttlSeconds = options;
    } else if (options !== undefined) {
      const given = readSetOptions(options);
      if (given.ttl !== undefined) ttlSeconds = given.ttl;
      if (given.category !== undefined) category = given.category;
      metadata = given.metadata;
      tags = snapshotTags(given.tags);
    }
    assertTtl(ttlSeconds);
    assertCategory(category);
    const failure = this.#writer.store(key, data, ttlSeconds, category, metadata, tags);
    if (failure === undefined) return true;
    this.#logger.warn(failure);
    return false;
  }

  // ── Reading ────────────────────────────────────────────────────────────────────────────────

  /**
   * The entry cached under `key` if it is FRESH (or STALE, with `includeStale`); undefined
   * otherwise. EXPIRED and INVALID entries are never returned. Counts one hit or one miss, and a
   * hit marks the entry as the most recently used.
   */
  get<T = JsonValue>(key: string, options?: GetOptions): CacheEntry<T> | undefined {
    const slot = this.#reader.read(key, options);
    const entry = slot === NIL ? undefined : (this.#table.entryOf(slot) as CacheEntry<T>);
    this.#outcomes.announce();
    return entry;
  }

  /**
   * The data cached under `key`, on the same terms as {@link get}. `undefined` means a miss; a
   * cached `null` comes back as `null`.
   */
  getData<T = JsonValue>(key: string, options?: GetOptions): T | undefined {
    // No entry object: a read of the data alone allocates nothing.
    const slot = this.#reader.read(key, options);
    const data = slot === NIL ? undefined : (this.#slots.exposeData(slot) as T);
    this.#outcomes.announce();
    return data;
  }

  /**
   * Whether `key` holds a FRESH entry (or, with `freshOnly: false`, a FRESH or STALE one).
   * A look only: no hit or miss is counted and the LRU order does not change.
   */
  hasKey(key: string, options?: HasKeyOptions): boolean {
    return this.#reader.has(key, options);
  }

  // ── Invalidating, expiring and removing ────────────────────────────────────────────────────

  /**
   * Marks the entry under `key` INVALID: it is no longer served and goes at the next cleanup.
   * @returns true if an entry was held under `key`.
   */
  invalidate(key: string): boolean {
    return this.#invalidation.invalidate(key);
  }

  /**
   * Marks every entry of `category` INVALID.
   * @returns how many entries the category held. Costs the size of the category.
   * @throws RangeError when `category` is not a non-empty string.
   */
  invalidateCategory(category: string): number {
    assertCategory(category);
    return this.#invalidation.invalidateCategory(category);
  }

  /**
   * Marks every entry carrying `tag` INVALID.
   * @returns how many entries carried it. Costs that many steps, never a scan.
   * @throws RangeError when `tag` is not a non-empty string.
   */
  invalidateTag(tag: string): number {
    assertTag(tag);
    return this.#invalidation.invalidateTag(tag);
  }

  /**
   * Expires the entry under `key` now: a FRESH one turns STALE, for every reader and statistic,
   * keeping its data and age, until EXPIRED at twice its TTL (or FRESH again after a `set`).
   * @returns true if an entry was held under `key`, whatever its status (as `invalidate`).
   */
  expire(key: string): boolean {
    return this.#invalidation.expire(key, this.now());
  }

  /**
   * Expires every entry of `category` (see {@link expire}).
   * @returns how many entries the category held. Costs the size of the category.
   * @throws RangeError when `category` is not a non-empty string.
   */
  expireCategory(category: string): number {
    assertCategory(category);
    return this.#invalidation.expireCategory(category, this.now());
  }

  /**
   * Expires every entry carrying `tag` (see {@link expire}).
   * @returns how many entries carried it. Costs that many steps, never a scan.
   * @throws RangeError when `tag` is not a non-empty string.
   */
  expireTag(tag: string): number {
    assertTag(tag);
    return this.#invalidation.expireTag(tag, this.now());
  }

  /** Removes the entry under `key`. @returns true if one was held. */
  delete(key: string): boolean {
    this.#loader.tier?.afterDelete(key);
    const slot = this.#slots.keyToSlot.get(key);
    if (slot === undefined) return false;
    this.#table.remove(slot);
    return true;
  }

  /**
   * Removes every entry, or every entry of `category`.
   * @returns how many entries were removed.
   * @throws RangeError when `category` is given but not a non-empty string.
   */
  clear(category?: string): number {
    if (category !== undefined) assertCategory(category);
    this.#loader.tier?.afterClear(category);
    return this.#table.clear(category);
  }

  /**
   * Removes every EXPIRED and INVALID entry now.
   * @returns how many entries were removed (also added to `totalCleanups`).
   */
  cleanup(): number {
    return this.#cleanup.runNow();
  }

  /**
   * The cleanup the automatic timer runs: like {@link cleanup}, but in slices of at most
   * {@link CLEANUP_SLICE_MS} with a turn of the event loop between them, so a large cleanup never
   * stalls the application. It also brings the status counters up to date in slices, so the next
   * `getStats()` has little left to do.
   * @returns how many entries were removed.
   */
  cleanupInSlices(): Promise<number> {
    return this.#cleanup.runInSlices();
  }

  /**
   * Runs {@link cleanupInSlices} unless a run started this way is still under way; logs a
   * failure instead of throwing. What the automatic cleanup calls, and what a scheduler of your
   * own (with `cleanupInterval: 0`) can call.
   */
  runScheduledCleanup(): Promise<void> {
    return this.#cleanup.runScheduled(() => this.cleanupInSlices());
  }

  /**
   * Stops automatic cleanup, detaches the second tier (if any) and removes every entry. The cache
   * stays usable, in memory only.
   */
  shutdown(): void {
    this.#cleanup.stopTimer();
    // One instance shutting down must not clear the tier the other instances share.
    this.#loader.tier = undefined;
    this.clear();
  }

  // ── Inspecting ─────────────────────────────────────────────────────────────────────────────

  /**
   * The statistics now. Costs the number of (TTL, category) pairs held, plus one step per
   * millisecond of writes whose status changed since the last call, not the number of entries.
   */
  getStats(): CacheStats {
    const stats = new CacheStats();
    stats.totalCleanups = this.#cleanup.entriesRemoved;
    this.#table.reportTo(stats, this.now());
    this.#outcomes.reportTo(stats);
    this.#loader.reportTo(stats);
    return stats;
  }

  /** Entries held now in each category, by status. Costs like {@link getStats}. */
  getStatusCountsByCategory(): Map<string, Record<CacheStatus, number>> {
    this.#table.index.settleAll(this.now());
    return this.#table.index.countsByCategory();
  }

  /**
   * Keys held, whatever their status: all of them from least to most recently used, or those of
   * `category` in the order they were written.
   */
  getKeys(category?: string): string[] {
    if (category !== undefined) assertCategory(category);
    return this.#table.keys(category);
  }

  /** Entries held, whatever their status, in the order of {@link getKeys}. Counts no hit. */
  getAllEntries(category?: string): Map<string, CacheEntry> {
    if (category !== undefined) assertCategory(category);
    return this.#table.entries(category) as Map<string, CacheEntry>;
  }

  // ── Loading and events ─────────────────────────────────────────────────────────────────────

  /**
   * Returns the value cached under `key`, or loads it with `loader`, caches it and returns it.
   *
   * - A FRESH entry is returned as it is.
   * - With `staleWhileRevalidate`, a STALE entry is returned at once and one background refresh
   *   is started (never two at a time for a key).
   * - Otherwise the loader runs. Concurrent calls that miss on the same key share one run, and
   *   its failure reaches every one of them; nothing is cached then. With `staleIfError`, a
   *   STALE entry is returned instead of the failure (and the failure is logged).
   * - EXPIRED and INVALID entries are misses. With `forceRefresh`, the loader runs whatever is
   *   held, and its value replaces the entry. A loaded value that `unless` rejects, or that is
   *   not a JSON value, is returned uncached.
   * - After `softTimeout` seconds a caller holding a STALE entry gets it while the load goes on;
   *   after `hardTimeout` seconds the call rejects with a `CacheLoadTimeoutError` (or, with
   *   `staleIfError`, returns the STALE entry) and the key is free for the next load.
   *
   * @throws RangeError (as a rejection) for options that are not a readable object, or a bad
   *   ttl, category, tags or timeout: the `RangeError` `set` gives for the same options.
   */
  async wrap<T>(
    key: string,
    loader: () => T | PromiseLike<T>,
    options: WrapOptions<T> = {},
  ): Promise<T> {
    // Thrown before anything is loaded: the RangeError `set` would throw for these options.
    return this.#loader.wrap(key, loader, readWrapOptions(options));
  }

  /**
   * Calls `listener` on each `event` (see `CacheEventMap`). A listener that throws is logged and
   * does not affect the cache.
   * @returns a function that removes the listener.
   */
  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    return this.#outcomes.on(event, listener);
  }
}
