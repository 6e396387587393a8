import type { CacheEntry } from './cache-entry.js';
import type { JsonObject } from './json.interface.js';

/** An entry as a shared tier stores it: enough to rebuild it with its real age. */
export interface TierEntry {
  data: unknown;
  /** Milliseconds since the epoch at which the data was first cached (on any instance). */
  timestampMs: number;
  ttlSeconds: number;
  category: string;
  metadata: JsonObject;
  /** The entry's tags; none when absent. An entry whose tags are not valid is not restored. */
  tags?: readonly string[];
  /** Whether the entry was expired early (`expire`): restored STALE, not FRESH. */
  expiredEarly?: boolean;
}

/** The health of a second tier, reported in `getStats()` as `tier`. */
export interface TierStats {
  /** Whether the tier is reachable now. */
  connected: boolean;
  /** Errors talking to the tier since start. */
  l2Errors: number;
  /** Anything else the tier reports (circuit state, last error…). */
  [detail: string]: unknown;
}

/**
 * A second cache tier behind the in-memory one (the Redis tier, say). The library attaches it
 * (`attachRedisTier`, or the module's `redis` option) through the core's internal interface.
 *
 * The in-memory cache stays the synchronous first tier: reads never wait for the tier. It tells
 * the tier about every change made locally (the `after*` hooks, called synchronously after the
 * change; they must not throw and should do their I/O in the background), and on a miss in
 * `wrap`/`@Cached` it asks the tier before calling the loader.
 */
export interface CacheTier {
  /** The tier's health, for statistics. */
  getStats(): TierStats;
  afterSet(entry: CacheEntry<unknown>): void;
  afterInvalidate(key: string): void;
  afterInvalidateCategory(category: string): void;
  afterDelete(key: string): void;
  afterClear(category: string | undefined): void;
  /**
   * Soft expiry and tags (optional, so that a tier written before them still attaches; one
   * without them keeps these changes to the instance that made them). Each is called whether or
   * not this instance holds anything they reach: other instances may.
   */
  afterExpire?(key: string): void;
  afterExpireCategory?(category: string): void;
  afterInvalidateTag?(tag: string): void;
  afterExpireTag?(tag: string): void;
  /**
   * Looks `key` up in the tier on a local miss of `wrap`/`@Cached`. Resolves undefined on a
   * miss, on an error or after the tier's timeout; never rejects.
   */
  fetch(key: string): Promise<TierEntry | undefined>;
  /**
   * Runs `load` for `key` so that at most one instance loads a key at a time (a lease), when
   * the tier offers that; resolves to the loaded value, or to an entry another instance loaded
   * meanwhile. Optional: without it, `load` runs directly.
   */
  runExclusive?<T>(
    key: string,
    load: () => Promise<T>,
  ): Promise<{ value: T } | { entry: TierEntry }>;
}
