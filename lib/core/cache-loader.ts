import { entryStatusAt, entryTimestampMs, type CacheEntry } from './cache-entry.js';
import type { CacheInternals } from './cache-internals.interface.js';
import type { GetOptions } from './cache-options.interface.js';
import type { CacheStats } from './cache-stats.js';
import type { CacheWriter } from './cache-writer.js';
import { CacheStatus } from './cache-status.enum.js';
import { isValidCategory, isValidTtl, statusOf } from './cache-status.util.js';
import type { CacheTier, TierEntry } from './cache-tier.interface.js';
import { CacheLoadTimeoutError, timeoutOf } from './cache-load-timeout.error.js';
import {
  REFRESH_FAILED,
  STALE_SERVED_ON_ERROR,
  TAGS_FUNCTION_THREW,
  TAGS_NOT_CACHED,
} from './cache.messages.js';
import { NO_TAGS, snapshotTags } from './cache-tags.util.js';
import { errorMessage, errorStack } from './error-text.util.js';
import type { CacheLogger } from './logger.interface.js';
import type { WrapOptions } from './wrap-options.interface.js';

/*
 * Loading: `wrap` and what the `@Cached` decorator shares with it. A hit is served as it is; a
 * STALE entry is served while one background refresh runs (stale-while-revalidate) or when the
 * load fails (stale-if-error); otherwise the loader runs, after asking the second tier, if any,
 * and under its lease.
 *
 * Invariant (single flight): at most one load per key runs at a time in this cache. `inFlight`
 * holds the promise of the load under way for each key, from the moment it starts until it
 * settles; every caller that misses meanwhile gets that same promise, its value or its failure.
 * A failed load caches nothing. Every loader call is counted once in `loads` (and `loadErrors`
 * when it threw or rejected), with its duration.
 *
 * Timeouts are the caller's, not the load's: each caller waits for the shared load up to its own
 * `softTimeout` (then takes its STALE entry, the load goes on and is still cached) and
 * `hardTimeout` (then the load is abandoned: it leaves `inFlight` at once, so the next caller
 * starts a new one, and its late value is not cached over what the new load writes).
 */

/** One load under way: its shared promise, and whether a hard timeout abandoned it. */
interface Flight {
  promise: Promise<unknown>;
  abandoned: boolean;
}

/** A read's outcome as `wrap` needs it: the entry served (if any) and its status. */
export interface Lookup {
  entry: CacheEntry<unknown> | undefined;
  status: CacheStatus | undefined;
}

/** What loading needs from its cache. */
export interface LoaderHost {
  readonly defaultTtl: number;
  /** The module-wide load timeouts, in seconds; 0 is off. */
  readonly softTimeout: number;
  readonly hardTimeout: number;
  readonly logger: CacheLogger;
  now(): number;
  /** The clock reading the last `now()` returned, without reading the clock again. */
  lastNow(): number;
  /** `cache.get`: a counted read. */
  get(key: string, options: GetOptions | undefined): CacheEntry<unknown> | undefined;
}

/**
 * Loading, and the second tier it asks. It is also what `cacheInternals(cache)` returns: the
 * decorator shares its pieces, the tier attaches itself and restores entries through it.
 */
export class CacheLoader implements CacheInternals {
  /** The second tier, if one is attached: asked on a miss here, told of changes by the cache. */
  tier: CacheTier | undefined;
  /** Loader calls, failed loader calls and their total duration (ms), since the cache started. */
  loads = 0;
  loadErrors = 0;
  loadTimeMs = 0;
  readonly #inFlight = new Map<string, Flight>();

  /**
   * @param writer what stores a loaded value (as `set` would) or a restored one (with its
   *   original write time).
   */
  constructor(
    private readonly writer: CacheWriter,
    private readonly host: LoaderHost,
  ) {}

  /** See `CacheManager.wrap`; the options are already checked. */
  async wrap<T>(
    key: string,
    loader: () => T | PromiseLike<T>,
    options: WrapOptions<T>,
  ): Promise<T> {
    if (options.forceRefresh === true) return this.load(key, loader, options);
    const { entry, status } = this.lookup(key, options);
    if (status === CacheStatus.FRESH) return entry!.data as T;
    if (status === CacheStatus.STALE) {
      if (options.staleWhileRevalidate === true) {
        this.refreshInBackground(key, loader, options);
        return entry!.data as T;
      }
      try {
        return await this.load(key, loader, options, entry);
      } catch (error) {
        if (options.staleIfError !== true) throw error;
        this.host.logger.error(
          STALE_SERVED_ON_ERROR(key, entry!.getAgeSeconds(), timeoutOf(error)),
          errorStack(error),
        );
        return entry!.data as T;
      }
    }
    return this.load(key, loader, options);
  }

  /**
   * The read `wrap` starts with: STALE entries are looked at only when the options can use
   * them (`staleWhileRevalidate`, `staleIfError`, a soft timeout), and returned otherwise never.
   */
  lookup(
    key: string,
    options: { staleWhileRevalidate?: boolean; staleIfError?: boolean; softTimeout?: number },
  ): Lookup {
    const includeStale =
      options.staleWhileRevalidate === true ||
      options.staleIfError === true ||
      (options.softTimeout ?? this.host.softTimeout) > 0;
    const entry = this.host.get(key, includeStale ? { includeStale } : undefined);
    if (entry === undefined) return { entry, status: undefined };
    // The status as of the clock reading `get` just made.
    return { entry, status: entryStatusAt(entry, this.host.lastNow()) };
  }

  /** Starts a refresh of `key` unless one is under way; its failure is logged, never thrown. */
  refreshInBackground<T>(
    key: string,
    loader: () => T | PromiseLike<T>,
    options: WrapOptions<T>,
  ): void {
    if (this.#inFlight.has(key)) return;
    // The refresh itself waits for the loader: nobody is waiting on it, and a STALE copy the
    // second tier gives back must not end it early (see #start).
    const refresh =
      options.staleWhileRevalidate === true ? { ...options, staleWhileRevalidate: false } : options;
    this.load(key, loader, refresh).catch((error: unknown) => {
      this.host.logger.error(REFRESH_FAILED(key), errorStack(error));
    });
  }

  /**
   * Runs `loader` for `key` once for all concurrent callers and caches its value. This caller
   * waits at most its hard timeout, and with a STALE entry `stale`, at most its soft timeout
   * before it gets that entry's data.
   */
  load<T>(
    key: string,
    loader: () => T | PromiseLike<T>,
    options: WrapOptions<T>,
    stale?: CacheEntry<unknown>,
  ): Promise<T> {
    const flight = this.#inFlight.get(key) ?? this.#start(key, loader, options);
    const hard = options.hardTimeout ?? this.host.hardTimeout;
    const soft = stale === undefined ? 0 : (options.softTimeout ?? this.host.softTimeout);
    if (hard <= 0 && soft <= 0) return flight.promise as Promise<T>;
    return this.#waitFor(key, flight, soft, hard, stale) as Promise<T>;
  }

  #start<T>(key: string, loader: () => T | PromiseLike<T>, options: WrapOptions<T>): Flight {
    const flight: Flight = { promise: undefined!, abandoned: false };
    let refreshAfter = false;
    flight.promise = (async () => {
      try {
        const host = this.host;
        const tier = this.tier;
        if (tier === undefined) return await this.#runLoader(key, loader, options, flight);
        if (options.forceRefresh !== true) {
          // Asked first: another instance may have loaded the key already.
          const shared = await tier.fetch(key);
          const restored =
            shared === undefined || flight.abandoned ? undefined : this.restore(key, shared);
          const status = restored === undefined ? undefined : entryStatusAt(restored, host.now());
          if (status === CacheStatus.FRESH) return restored!.data as T;
          if (status === CacheStatus.STALE && options.staleWhileRevalidate === true) {
            // Stale-while-revalidate, for a STALE copy the second tier held as for one held here:
            // served at once, and one refresh runs once this flight has ended.
            refreshAfter = true;
            return restored!.data as T;
          }
        }
        const run = () => this.#runLoader(key, loader, options, flight);
        if (tier.runExclusive === undefined) return await run();
        const outcome = await tier.runExclusive(key, run);
        if ('value' in outcome) return outcome.value;
        const loadedElsewhere = flight.abandoned ? undefined : this.restore(key, outcome.entry);
        return (loadedElsewhere?.data ?? outcome.entry.data) as T;
      } finally {
        // An abandoned load has left already, and the key may be another load's now.
        if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
        if (refreshAfter) this.refreshInBackground(key, loader, options);
      }
    })();
    this.#inFlight.set(key, flight);
    return flight;
  }

  /** One caller's wait for `flight`, cut short by its soft (with `stale`) and hard timeouts. */
  #waitFor(
    key: string,
    flight: Flight,
    softSeconds: number,
    hardSeconds: number,
    stale: CacheEntry<unknown> | undefined,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let softTimer: ReturnType<typeof setTimeout> | undefined;
      let hardTimer: ReturnType<typeof setTimeout> | undefined;
      const stopTimers = () => {
        clearTimeout(softTimer);
        clearTimeout(hardTimer);
      };
      flight.promise.then(
        (value) => {
          stopTimers();
          resolve(value);
        },
        (error: unknown) => {
          stopTimers();
          reject(error);
        },
      );
      if (softSeconds > 0 && (hardSeconds <= 0 || softSeconds < hardSeconds)) {
        // The hard timer stays: the load this caller left behind must still free its key.
        softTimer = setTimeout(() => resolve(stale!.data), softSeconds * 1000);
      }
      if (hardSeconds > 0) {
        hardTimer = setTimeout(() => {
          stopTimers();
          flight.abandoned = true;
          if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
          reject(new CacheLoadTimeoutError(key, hardSeconds));
        }, hardSeconds * 1000);
      }
    });
  }

  /** Whether a load of `key` is under way. */
  isLoading(key: string): boolean {
    return this.#inFlight.has(key);
  }

  /**
   * Caches a loaded value unless `unless` says no, it is not JSON or its tags (from a function of
   * the value) are not valid (then warns, or tells `onUncacheable`); never throws for the value.
   */
  cacheLoaded<T>(key: string, value: T, options: WrapOptions<T>): void {
    if (options.unless !== undefined && options.unless(value)) return;
    let failure: string | undefined;
    let tags = NO_TAGS;
    // An array is a snapshot already (`readWrapOptions`, or the decorator): handed back as is.
    let given: unknown = options.tags;
    if (typeof given === 'function') {
      try {
        given = (given as (loaded: T) => unknown)(value);
      } catch (error) {
        failure = TAGS_FUNCTION_THREW(key, errorMessage(error));
      }
    }
    if (failure === undefined && given !== undefined) {
      try {
        tags = snapshotTags(given);
      } catch (error) {
        failure = TAGS_NOT_CACHED(key, errorMessage(error));
      }
    }
    failure ??= this.writer.store(
      key,
      value,
      options.ttl ?? this.host.defaultTtl,
      options.category ?? 'default',
      options.metadata,
      tags,
    );
    if (failure === undefined) return;
    if (options.onUncacheable !== undefined) options.onUncacheable(failure);
    else this.host.logger.warn(failure);
  }

  /** Counts one load (a loader call) and its duration. */
  recordLoad(durationMs: number, failed: boolean): void {
    this.loads++;
    this.loadTimeMs += durationMs;
    if (failed) this.loadErrors++;
  }

  /** Writes the load counters, and the tier's health if one is attached, into `stats`. */
  reportTo(stats: CacheStats): void {
    stats.totalLoads = this.loads;
    stats.totalLoadErrors = this.loadErrors;
    stats.averageLoadTimeMs = this.loads === 0 ? 0 : this.loadTimeMs / this.loads;
    if (this.tier !== undefined) stats.tier = this.tier.getStats();
  }

  /** Attaches a second tier (see {@link CacheTier}); undefined detaches it. */
  attachTier(tier: CacheTier | undefined): void {
    this.tier = tier;
  }

  /** Milliseconds since the epoch at which `entry`'s data was first cached. */
  timestampOf(entry: CacheEntry<unknown>): number {
    return entryTimestampMs(entry);
  }

  /**
   * Puts an entry that another tier held back in memory with its original timestamp, TTL,
   * category, metadata and tags, so its age and status are the same as where it was written (and
   * STALE if it was expired early there). Not a `set`: the tier is not told, and `totalSets` does
   * not move. @returns the entry, or undefined when it is not JSON, its tags are not valid, or it
   * is already EXPIRED.
   */
  restore(key: string, stored: TierEntry): CacheEntry<unknown> | undefined {
    // The key is the writer's to check, as for every write.
    const { timestampMs, ttlSeconds, category } = stored;
    if (typeof timestampMs !== 'number' || !Number.isFinite(timestampMs)) return undefined;
    if (!isValidTtl(ttlSeconds) || !isValidCategory(category)) return undefined;
    let tags: readonly string[];
    try {
      tags = snapshotTags(stored.tags ?? undefined);
    } catch {
      return undefined;
    }
    const now = this.host.now();
    // A timestamp from another machine's clock may be slightly ahead of ours.
    const timestamp = Math.min(timestampMs, now);
    if (statusOf(now - timestamp, ttlSeconds * 1000) === CacheStatus.EXPIRED) return undefined;
    return this.writer.restore(
      key,
      stored.data,
      stored.metadata ?? undefined,
      tags,
      stored.expiredEarly === true,
      timestamp,
      ttlSeconds,
      category,
      now,
    );
  }

  async #runLoader<T>(
    key: string,
    loader: () => T | PromiseLike<T>,
    options: WrapOptions<T>,
    flight: Flight,
  ): Promise<T> {
    const started = performance.now();
    let value: T;
    try {
      value = await loader();
    } catch (error) {
      this.recordLoad(performance.now() - started, true);
      throw error;
    }
    this.recordLoad(performance.now() - started, false);
    // Abandoned by a hard timeout: a newer load may own the key now.
    if (!flight.abandoned) this.cacheLoaded(key, value, options);
    return value;
  }
}
