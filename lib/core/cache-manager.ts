import { setImmediate as nextTurn } from 'node:timers/promises';

import { CacheEntry, type CacheEntryHost } from './cache-entry.js';
import { CacheRuns } from './cache-runs.js';
import type {
  CacheEventListener,
  CacheEventMap,
  CacheEventName,
  CacheMissReason,
} from './cache-events.interface.js';
import type {
  CacheManagerOptions,
  GetOptions,
  HasKeyOptions,
  SetOptions,
} from './cache-options.interface.js';
import { resolveCacheOptions } from './cache-options.util.js';
import { CacheStats } from './cache-stats.js';
import { CacheStatus } from './cache-status.enum.js';
import { isValidCategory, isValidTtl, statusOf } from './cache-status.util.js';
import {
  CACHE_HIT,
  CACHE_MISS,
  CACHED,
  CLEANED_UP,
  CLEANUP_FAILED,
  EVICTED,
  INVALID_CATEGORY,
  INVALID_KEY,
  INVALID_SET_OPTIONS,
  INVALID_TTL,
  NOT_JSON,
} from './cache.messages.js';
import type { CacheTier, TierEntry } from './cache-tier.interface.js';
import type { Clock } from './clock.interface.js';
import type { JsonObject, JsonValue } from './json.interface.js';
import { NotJsonError, snapshotJson } from './json-snapshot.util.js';
import {
  CacheSlots,
  EXPIRED,
  FRESH,
  FROZEN,
  INVALID,
  NIL,
  PHASE_MASK,
  QUEUED,
  STALE,
  appendSlot,
  unlinkSlot,
  type SlotList,
} from './cache-slots.js';
import { monotonicClock } from './monotonic-clock.js';
import type { CacheLogger } from './logger.interface.js';
import type { WrapOptions } from './wrap-options.interface.js';

const PHASE_OF_STATUS: Readonly<Record<CacheStatus, number>> = {
  [CacheStatus.FRESH]: FRESH,
  [CacheStatus.STALE]: STALE,
  [CacheStatus.EXPIRED]: EXPIRED,
  [CacheStatus.INVALID]: INVALID,
};

const INITIAL_SLOTS = 256;
const INITIAL_RUNS = 64;
/**
 * Longest slice of work an automatic cleanup does between two turns of the event loop, in
 * milliseconds, so that cleaning a million entries never stalls the application.
 */
export const CLEANUP_SLICE_MS = 4;
/** Runs recounted per slice of the settling an automatic cleanup also does. */
const SETTLE_SLICE_STEPS = 50_000;

const EMPTY_METADATA: JsonObject = Object.freeze({});

const consoleLogger: CacheLogger = {
  debug: (message) => console.debug(`[CacheManager] ${message}`),
  log: (message) => console.log(`[CacheManager] ${message}`),
  warn: (message) => console.warn(`[CacheManager] ${message}`),
  error: (message, stack) => console.error(`[CacheManager] ${message}`, ...(stack ? [stack] : [])),
};

/**
 * The entries of one category sharing one TTL, as a list of runs (see {@link CacheRuns}) in
 * write-time order, timestamps strictly increasing. With one TTL, age order is status order, so
 * two cursors split the runs into EXPIRED, STALE and FRESH: `[head, staleStart)` expired,
 * `[staleStart, freshStart)` stale, `[freshStart, tail]` fresh. A valid entry is counted under
 * the phase of its run's place; INVALID entries stay in their run and are counted apart. Moving
 * the cursors as time passes costs one step per run that changes status, never a scan of the
 * cache, and nothing is written per entry.
 */
interface TtlGroup extends SlotList {
  readonly ttlMs: number;
  readonly index: CategoryIndex;
  /** First run not EXPIRED, or NIL. */
  staleStart: number;
  /** First FRESH run, or NIL. */
  freshStart: number;
}

/** A category's entries in write order, how many it holds in each phase, and its TTL groups. */
interface CategoryIndex extends SlotList {
  readonly category: string;
  size: number;
  readonly phases: [number, number, number, number];
  readonly groups: Map<number, TtlGroup>;
}

/** A read's outcome as `wrap` needs it: the entry served (if any) and its status. */
interface Lookup {
  entry: CacheEntry<unknown> | undefined;
  status: CacheStatus | undefined;
}

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
  /** Default time to live of an entry, in seconds. */
  readonly defaultTtl: number;
  /** Most entries held at once. */
  readonly maxEntries: number;
  /** Seconds between automatic cleanups; 0 when off. */
  readonly cleanupInterval: number;

  protected readonly logger: CacheLogger;
  /** Whether debug lines are formatted and written. */
  protected debugEnabled: boolean;
  private readonly clock: Clock;
  private lastNow = 0;

  private readonly keyToSlot = new Map<string, number>();
  /** Every entry held, column by column (see CacheSlots). */
  private readonly slots = new CacheSlots();
  private usedSlots = 0;
  /** Every slot, from the least recently used (`head`) to the most recently used (`tail`). */
  private readonly lru: SlotList = { head: NIL, tail: NIL };
  /** What entry objects of this cache read from while their slot is theirs. */
  private readonly host: CacheEntryHost;

  /** Every TTL group of every category. */
  private readonly groups = new Set<TtlGroup>();
  private readonly runs = new CacheRuns<TtlGroup>(INITIAL_RUNS);
  private readonly categoryIndex = new Map<string, CategoryIndex>();
  /** Slots invalidated since the last cleanup (each at most once: see QUEUED). */
  private invalidQueue: number[] = [];
  /** Entries held in each phase, as of the last settle. */
  private readonly phaseCounts: [number, number, number, number] = [0, 0, 0, 0];

  private totalHits = 0;
  private totalMisses = 0;
  private totalSets = 0;
  private totalInvalidations = 0;
  private totalCleanups = 0;
  private totalEvictions = 0;
  private staleHits = 0;
  private totalLoads = 0;
  private totalLoadErrors = 0;
  private totalLoadTimeMs = 0;

  private readonly listeners: { [E in CacheEventName]?: CacheEventListener<E>[] } = {};
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private tier: CacheTier | undefined;
  private cleanupTimer: ReturnType<typeof setInterval> | undefined;
  private cleanupRunning = false;

  constructor(options: CacheManagerOptions = {}) {
    const resolved = resolveCacheOptions(options);
    this.defaultTtl = resolved.defaultTtl;
    this.maxEntries = resolved.maxEntries;
    this.cleanupInterval = resolved.cleanupInterval;
    this.logger = options.logger ?? consoleLogger;
    this.debugEnabled = options.debug ?? false;
    this.clock = options.clock ?? monotonicClock;
    this.host = {
      slots: this.slots,
      now: () => this.now(),
      invalidateSlot: (slot) => this.invalidate(this.slots.keys[slot]!),
    };
    this.slots.grow(Math.min(INITIAL_SLOTS, this.maxEntries));
    if (this.cleanupInterval > 0) this.startAutomaticCleanup();
  }

  /** Number of entries held, whatever their status. */
  get size(): number {
    return this.keyToSlot.size;
  }

  /** The cache's time in milliseconds since the epoch; it never goes backwards. */
  now(): number {
    const time = this.clock();
    if (time > this.lastNow) this.lastNow = time;
    return this.lastNow;
  }

  // ── Writing ────────────────────────────────────────────────────────────────────────────────

  /**
   * Caches a deep-frozen copy of `data` under `key`, FRESH from now for `ttl` seconds.
   * Replaces any entry held under `key`; at `maxEntries`, a new key evicts the least recently
   * used entry.
   *
   * @param options a TTL in seconds, or `{ ttl, category, metadata }`.
   * @returns true when cached; false (with a warning in the log, nothing stored) when `key` is
   *   not a non-empty string, or `data` or `metadata` is not a JSON value.
   * @throws RangeError when the TTL is not a finite number above 0, or the category is not a
   *   non-empty string.
   */
  set(key: string, data: unknown, options?: SetOptions): boolean {
    let ttlSeconds = this.defaultTtl;
    let category = 'default';
    let metadata: unknown;
    if (typeof options === 'number') {
      ttlSeconds = options;
    } else if (options !== undefined) {
      if (options === null || typeof options !== 'object') {
        throw new RangeError(INVALID_SET_OPTIONS(options));
      }
      // Each option is read once; an options object that throws when read (a getter, a Proxy)
      // is bad options like any other.
      let ttl: unknown;
      let categoryOption: unknown;
      try {
        ttl = options.ttl;
        categoryOption = options.category;
        metadata = options.metadata;
      } catch (error) {
        throw new RangeError(INVALID_SET_OPTIONS(options), { cause: error });
      }
      if (ttl !== undefined) ttlSeconds = ttl as number;
      if (categoryOption !== undefined) category = categoryOption as string;
    }
    assertTtl(ttlSeconds);
    assertCategory(category);
    const failure = this.store(key, data, ttlSeconds, category, metadata);
    if (failure !== undefined) {
      this.logger.warn(failure);
      return false;
    }
    return true;
  }

  /**
   * Validates and stores; returns why nothing was stored, or undefined on success.
   * Options are already checked.
   */
  private store(
    key: string,
    data: unknown,
    ttlSeconds: number,
    category: string,
    metadata: unknown,
  ): string | undefined {
    if (typeof key !== 'string' || key.length === 0) return INVALID_KEY(key);
    let dataSnapshot: unknown;
    let metadataSnapshot = EMPTY_METADATA;
    try {
      dataSnapshot = snapshotJson(data);
    } catch (error) {
      return NOT_JSON(key, 'data', reasonOf(error));
    }
    if (metadata !== undefined) {
      try {
        if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
          throw new NotJsonError('metadata must be a plain object');
        }
        metadataSnapshot = snapshotJson<JsonObject>(metadata);
      } catch (error) {
        return NOT_JSON(key, 'metadata', reasonOf(error));
      }
    }
    const now = this.now();
    const slot = this.insert(key, dataSnapshot, metadataSnapshot, now, ttlSeconds, category, now);
    this.totalSets++;
    if (this.tier !== undefined) this.tier.afterSet(this.entryOf(slot));
    if (this.listeners.set !== undefined) this.emit('set', { key, category, ttlSeconds });
    if (this.debugEnabled) this.logger.debug(CACHED(key, ttlSeconds, category));
    return undefined;
  }

  /**
   * Puts an entry in the key's slot (replacing what it held; the old entry object keeps a copy)
   * or in a new one, and links it into every index. @returns the slot.
   */
  private insert(
    key: string,
    data: unknown,
    metadata: JsonObject,
    timestampMs: number,
    ttlSeconds: number,
    category: string,
    now: number,
  ): number {
    const slots = this.slots;
    let slot = this.keyToSlot.get(key);
    if (slot !== undefined) {
      this.detachEntryObject(slot);
      if (slot !== this.lru.tail) this.moveToLruTail(slot);
      if (
        timestampMs === now &&
        slots.ttlSeconds[slot] === ttlSeconds &&
        slots.categories[slot] === category
      ) {
        // The common rewrite: same TTL and category, written now. It moves to the newest run of
        // its group and to the end of its category, with no index lookup at all.
        this.rewriteInPlace(slot, data, metadata, now);
        return slot;
      }
      this.unlinkFromGroupAndCategory(slot);
    } else {
      if (this.keyToSlot.size >= this.maxEntries) this.evictLeastRecentlyUsed();
      slot = this.allocateSlot();
      this.keyToSlot.set(key, slot);
      slots.keys[slot] = key;
      this.appendToLru(slot);
    }
    slots.data[slot] = data;
    slots.metadata[slot] = metadata;
    slots.categories[slot] = category;
    slots.ttlSeconds[slot] = ttlSeconds;
    slots.timestamps[slot] = timestampMs;
    slots.lastAccessed[slot] = timestampMs;
    slots.accessCounts[slot] = 0;
    // A new value: valid, not frozen yet (see CacheSlots.exposeData); the queue bit stays.
    slots.phase[slot]! &= QUEUED;
    const phase = PHASE_OF_STATUS[statusOf(now - timestampMs, ttlSeconds * 1000)];
    let index = this.categoryIndex.get(category);
    if (index === undefined) {
      index = { category, head: NIL, tail: NIL, size: 0, phases: [0, 0, 0, 0], groups: new Map() };
      this.categoryIndex.set(category, index);
    }
    let group = index.groups.get(ttlSeconds * 1000);
    if (group === undefined) {
      group = {
        ttlMs: ttlSeconds * 1000,
        index,
        head: NIL,
        tail: NIL,
        staleStart: NIL,
        freshStart: NIL,
      };
      index.groups.set(group.ttlMs, group);
      this.groups.add(group);
    }
    this.count(this.joinRun(slot, group, timestampMs, phase), index, +1);
    appendSlot(slots.categoryPrev, slots.categoryNext, index, slot);
    index.size++;
    return slot;
  }

  /** Writes a new value, FRESH from `now`, into a slot keeping its TTL and category. */
  private rewriteInPlace(slot: number, data: unknown, metadata: JsonObject, now: number): void {
    const slots = this.slots;
    const runs = this.runs;
    const run = slots.runOf[slot]!;
    const group = runs.groups[run]!;
    const index = group.index;
    const flags = slots.phase[slot]!;
    const wasInvalid = (flags & PHASE_MASK) === INVALID;
    this.count(wasInvalid ? INVALID : this.phaseOfRun(run, group), index, -1);
    slots.data[slot] = data;
    slots.metadata[slot] = metadata;
    slots.timestamps[slot] = now;
    slots.lastAccessed[slot] = now;
    slots.accessCounts[slot] = 0;
    slots.phase[slot] = flags & QUEUED;

    if (run === group.tail && runs.firstSlot[run] === runs.lastSlot[run]) {
      // Alone in the newest run (one key rewritten over and over): the run moves to now.
      runs.timestamps[run] = now;
      if (wasInvalid) runs.validCounts[run]++;
      if (group.freshStart === NIL) group.freshStart = run;
      if (group.staleStart === NIL) group.staleStart = run;
      this.count(FRESH, index, +1);
    } else {
      this.leaveRun(slot, run, group, wasInvalid);
      this.count(this.joinRun(slot, group, now, FRESH), index, +1);
    }
    if (slot !== index.tail) {
      unlinkSlot(slots.categoryPrev, slots.categoryNext, index, slot);
      appendSlot(slots.categoryPrev, slots.categoryNext, index, slot);
    }
  }

  /** The entry object of `slot`, created on first use and reused by every later read. */
  private entryOf(slot: number): CacheEntry<unknown> {
    const views = this.slots.views;
    let entry = views[slot] as CacheEntry<unknown> | undefined;
    if (entry === undefined) views[slot] = entry = new CacheEntry<unknown>(this.host, slot);
    return entry;
  }

  /**
   * Gives the entry object of `slot`, if one was handed out, a copy of the slot, so that it
   * keeps describing its own value once the slot is replaced, removed or reused.
   */
  private detachEntryObject(slot: number): void {
    const entry = this.slots.views[slot] as CacheEntry<unknown> | undefined;
    if (entry === undefined) return;
    entry.detach(this.slots.detachedCopy(slot));
    this.slots.views[slot] = undefined;
  }

  // ── Reading ────────────────────────────────────────────────────────────────────────────────

  /**
   * The entry cached under `key` if it is FRESH (or STALE, with `includeStale`); undefined
   * otherwise. EXPIRED and INVALID entries are never returned. Counts one hit or one miss, and a
   * hit marks the entry as the most recently used.
   */
  get<T = JsonValue>(key: string, options?: GetOptions): CacheEntry<T> | undefined {
    const slot = this.read(key, options);
    return slot === NIL ? undefined : (this.entryOf(slot) as CacheEntry<T>);
  }

  /**
   * The data cached under `key`, on the same terms as {@link get}. `undefined` means a miss; a
   * cached `null` comes back as `null`.
   */
  getData<T = JsonValue>(key: string, options?: GetOptions): T | undefined {
    // No entry object: a read of the data alone allocates nothing.
    const slot = this.read(key, options);
    return slot === NIL ? undefined : (this.slots.exposeData(slot) as T);
  }

  /**
   * The read behind `get` and `getData`: the slot of a FRESH (or, with `includeStale`, STALE)
   * entry, or NIL. Counts one hit or one miss; a hit is a use for the LRU order.
   */
  private read(key: string, options: GetOptions | undefined): number {
    const slot = this.keyToSlot.get(key);
    if (slot === undefined) return this.miss(key, 'absent');
    const slots = this.slots;
    if ((slots.phase[slot]! & PHASE_MASK) === INVALID) return this.miss(key, 'invalid');
    const now = this.now();
    const ageMs = now - slots.timestamps[slot]!;
    const ttlMs = slots.ttlSeconds[slot]! * 1000;
    if (ageMs >= ttlMs) {
      if (ageMs > 2 * ttlMs) return this.miss(key, 'expired');
      if (!readFlag(options, 'includeStale', true)) return this.miss(key, 'stale');
      this.staleHits++;
      if (this.listeners.staleHit !== undefined) {
        this.emit('staleHit', { key, category: slots.categories[slot]!, ageSeconds: ageMs / 1000 });
      }
    } else if (this.listeners.hit !== undefined) {
      this.emit('hit', { key, category: slots.categories[slot]!, ageSeconds: ageMs / 1000 });
    }
    this.totalHits++;
    slots.accessCounts[slot]!++;
    slots.lastAccessed[slot] = now;
    if (slot !== this.lru.tail) this.moveToLruTail(slot);
    if (this.debugEnabled) {
      this.logger.debug(CACHE_HIT(key, ageMs / 1000, statusOf(ageMs, ttlMs)));
    }
    return slot;
  }

  /**
   * Whether `key` holds a FRESH entry (or, with `freshOnly: false`, a FRESH or STALE one).
   * A look only: no hit or miss is counted and the LRU order does not change.
   */
  hasKey(key: string, options?: HasKeyOptions): boolean {
    const slot = this.keyToSlot.get(key);
    if (slot === undefined) return false;
    const status = this.slots.statusAt(slot, this.now());
    if (status === CacheStatus.FRESH) return true;
    return status === CacheStatus.STALE && readFlag(options, 'freshOnly', false);
  }

  private miss(key: string, reason: CacheMissReason): typeof NIL {
    this.totalMisses++;
    if (this.listeners.miss !== undefined) this.emit('miss', { key, reason });
    if (this.debugEnabled) this.logger.debug(CACHE_MISS(String(key), reason));
    return NIL;
  }

  // ── Invalidating and removing ──────────────────────────────────────────────────────────────

  /**
   * Marks the entry under `key` INVALID: it is no longer served and goes at the next cleanup.
   * @returns true if an entry was held under `key`.
   */
  invalidate(key: string): boolean {
    if (this.tier !== undefined) this.tier.afterInvalidate(key);
    const slot = this.keyToSlot.get(key);
    if (slot === undefined) return false;
    this.markInvalid(slot);
    return true;
  }

  /**
   * Marks every entry of `category` INVALID.
   * @returns how many entries the category held. Costs the size of the category.
   * @throws RangeError when `category` is not a non-empty string.
   */
  invalidateCategory(category: string): number {
    assertCategory(category);
    if (this.tier !== undefined) this.tier.afterInvalidateCategory(category);
    const index = this.categoryIndex.get(category);
    if (index === undefined) return 0;
    for (let slot = index.head; slot !== NIL; slot = this.slots.categoryNext[slot]!) {
      this.markInvalid(slot);
    }
    return index.size;
  }

  /** Removes the entry under `key`. @returns true if one was held. */
  delete(key: string): boolean {
    if (this.tier !== undefined) this.tier.afterDelete(key);
    const slot = this.keyToSlot.get(key);
    if (slot === undefined) return false;
    this.removeSlot(slot);
    return true;
  }

  /**
   * Removes every entry, or every entry of `category`.
   * @returns how many entries were removed.
   * @throws RangeError when `category` is given but not a non-empty string.
   */
  clear(category?: string): number {
    if (category !== undefined) assertCategory(category);
    if (this.tier !== undefined) this.tier.afterClear(category);
    if (category !== undefined) {
      const index = this.categoryIndex.get(category);
      if (index === undefined) return 0;
      const removed = index.size;
      let slot = index.head;
      while (slot !== NIL) {
        const next = this.slots.categoryNext[slot]!;
        this.removeSlot(slot);
        slot = next;
      }
      return removed;
    }
    const removed = this.keyToSlot.size;
    const views = this.slots.views;
    for (let slot = 0; slot < views.length; slot++) {
      if (views[slot] !== undefined) this.detachEntryObject(slot);
    }
    this.keyToSlot.clear();
    this.groups.clear();
    this.runs.reset(INITIAL_RUNS);
    this.categoryIndex.clear();
    this.invalidQueue = [];
    this.usedSlots = 0;
    this.lru.head = NIL;
    this.lru.tail = NIL;
    this.phaseCounts.fill(0);
    this.slots.reset(Math.min(INITIAL_SLOTS, this.maxEntries));
    return removed;
  }

  /**
   * Removes every EXPIRED and INVALID entry now.
   * @returns how many entries were removed (also added to `totalCleanups`).
   */
  cleanup(): number {
    const { removed } = this.removeDeadEntries(Infinity);
    if (removed > 0) this.logger.log(CLEANED_UP(removed));
    return removed;
  }

  /**
   * The cleanup the automatic timer runs: like {@link cleanup}, but in slices of at most
   * {@link CLEANUP_SLICE_MS} with a turn of the event loop between them, so a large cleanup never
   * stalls the application. It also brings the status counters up to date in slices, so the next
   * `getStats()` has little left to do.
   * @returns how many entries were removed.
   */
  async cleanupInSlices(): Promise<number> {
    let total = 0;
    for (;;) {
      const { removed, done } = this.removeDeadEntries(performance.now() + CLEANUP_SLICE_MS);
      total += removed;
      if (done) break;
      await nextTurn();
    }
    for (const group of [...this.groups]) {
      while (
        this.groups.has(group) &&
        this.settleGroup(group, this.now(), SETTLE_SLICE_STEPS) === SETTLE_SLICE_STEPS
      ) {
        await nextTurn();
      }
    }
    if (total > 0) this.logger.log(CLEANED_UP(total));
    return total;
  }

  /**
   * Runs {@link cleanupInSlices} unless a run is already under way; logs a failure instead of
   * throwing, so a scheduler calling it keeps running.
   */
  async runScheduledCleanup(): Promise<void> {
    if (this.cleanupRunning) return;
    this.cleanupRunning = true;
    try {
      await this.cleanupInSlices();
    } catch (error) {
      this.logger.error(CLEANUP_FAILED, error instanceof Error ? error.stack : String(error));
    } finally {
      this.cleanupRunning = false;
    }
  }

  /**
   * Stops automatic cleanup, detaches the second tier (if any) and removes every entry. The cache
   * stays usable, in memory only.
   */
  shutdown(): void {
    this.stopAutomaticCleanup();
    // One instance shutting down must not clear the tier the other instances share.
    this.tier = undefined;
    this.clear();
  }

  // ── Inspecting ─────────────────────────────────────────────────────────────────────────────

  /**
   * The statistics now. Costs the number of (TTL, category) pairs held, plus one step per
   * millisecond of writes whose status changed since the last call, not the number of entries.
   */
  getStats(): CacheStats {
    const now = this.now();
    const stats = new CacheStats();
    let oldest = Infinity;
    let newest = -Infinity;
    const timestamps = this.runs.timestamps;
    for (const group of this.groups) {
      this.settleGroup(group, now);
      oldest = Math.min(oldest, timestamps[group.head]!);
      newest = Math.max(newest, timestamps[group.tail]!);
    }
    stats.totalEntries = this.keyToSlot.size;
    [stats.freshEntries, stats.staleEntries, stats.expiredEntries, stats.invalidEntries] =
      this.phaseCounts;
    stats.totalHits = this.totalHits;
    stats.totalMisses = this.totalMisses;
    stats.totalSets = this.totalSets;
    stats.totalInvalidations = this.totalInvalidations;
    stats.totalCleanups = this.totalCleanups;
    stats.totalEvictions = this.totalEvictions;
    stats.staleHits = this.staleHits;
    stats.totalLoads = this.totalLoads;
    stats.totalLoadErrors = this.totalLoadErrors;
    stats.averageLoadTimeMs = this.totalLoads === 0 ? 0 : this.totalLoadTimeMs / this.totalLoads;
    const categories: Record<string, number> = Object.create(null);
    for (const [category, index] of this.categoryIndex) categories[category] = index.size;
    stats.categories = categories;
    if (this.tier !== undefined) stats.tier = this.tier.getStats();
    if (this.keyToSlot.size > 0) {
      stats.oldestEntryAge = (now - oldest) / 1000;
      stats.newestEntryAge = (now - newest) / 1000;
    }
    return stats;
  }

  /**
   * Entries held now in each category, by status. Costs like {@link getStats}.
   */
  getStatusCountsByCategory(): Map<string, Record<CacheStatus, number>> {
    const now = this.now();
    for (const group of this.groups) this.settleGroup(group, now);
    const result = new Map<string, Record<CacheStatus, number>>();
    for (const [category, { phases }] of this.categoryIndex) {
      result.set(category, {
        [CacheStatus.FRESH]: phases[FRESH],
        [CacheStatus.STALE]: phases[STALE],
        [CacheStatus.EXPIRED]: phases[EXPIRED],
        [CacheStatus.INVALID]: phases[INVALID],
      });
    }
    return result;
  }

  /**
   * Keys held, whatever their status: all of them from least to most recently used, or those of
   * `category` in the order they were written.
   */
  getKeys(category?: string): string[] {
    const keys: string[] = [];
    this.forEachSlot(category, (slot) => keys.push(this.slots.keys[slot]!));
    return keys;
  }

  /** Entries held, whatever their status, in the order of {@link getKeys}. Counts no hit. */
  getAllEntries(category?: string): Map<string, CacheEntry> {
    const entries = new Map<string, CacheEntry>();
    this.forEachSlot(category, (slot) => {
      entries.set(this.slots.keys[slot]!, this.entryOf(slot) as CacheEntry);
    });
    return entries;
  }

  private forEachSlot(category: string | undefined, visit: (slot: number) => void): void {
    if (category === undefined) {
      for (let slot = this.lru.head; slot !== NIL; slot = this.slots.lruNext[slot]!) visit(slot);
      return;
    }
    assertCategory(category);
    const index = this.categoryIndex.get(category);
    if (index === undefined) return;
    for (let slot = index.head; slot !== NIL; slot = this.slots.categoryNext[slot]!) visit(slot);
  }

  // ── Loading ────────────────────────────────────────────────────────────────────────────────

  /**
   * Returns the value cached under `key`, or loads it with `loader`, caches it and returns it.
   *
   * - A FRESH entry is returned as it is.
   * - With `staleWhileRevalidate`, a STALE entry is returned at once and one background refresh
   *   is started (never two at a time for a key).
   * - Otherwise the loader runs. Concurrent calls that miss on the same key share one run, and
   *   its failure reaches every one of them; nothing is cached then. With `staleIfError`, a
   *   STALE entry is returned instead of the failure (and the failure is logged).
   * - EXPIRED and INVALID entries are misses.
   * - With `forceRefresh`, the loader runs whatever is held, and its value replaces the entry.
   *
   * A loaded value that `unless` rejects, or that is not a JSON value, is returned uncached.
   */
  async wrap<T>(
    key: string,
    loader: () => T | PromiseLike<T>,
    options: WrapOptions<T> = {},
  ): Promise<T> {
    this.assertEntryOptions(options);
    if (options.forceRefresh === true) return this.load(key, loader, options);
    const { entry, status } = this.lookup(key, options);
    if (status === CacheStatus.FRESH) return entry!.data as T;
    if (status === CacheStatus.STALE) {
      if (options.staleWhileRevalidate === true) {
        this.refreshInBackground(key, loader, options);
        return entry!.data as T;
      }
      try {
        return await this.load(key, loader, options);
      } catch (error) {
        this.logger.error(
          `Loading key '${key}' failed; serving the stale entry (age ${entry!.getAgeSeconds().toFixed(1)}s)`,
          error instanceof Error ? error.stack : String(error),
        );
        return entry!.data as T;
      }
    }
    return this.load(key, loader, options);
  }

  /**
   * The read `wrap` starts with: STALE entries are looked at only when the options can use
   * them, and a STALE entry is returned without `staleWhileRevalidate` or `staleIfError` never.
   * @internal Shared with the `@Cached` decorator.
   */
  lookup(key: string, options: { staleWhileRevalidate?: boolean; staleIfError?: boolean }): Lookup {
    const includeStale = options.staleWhileRevalidate === true || options.staleIfError === true;
    const entry = this.get<unknown>(key, includeStale ? { includeStale } : undefined);
    if (entry === undefined) return { entry, status: undefined };
    // The status as of the clock reading `get` just made.
    return { entry, status: entry.statusAt(this.lastNow) };
  }

  /**
   * Starts a refresh of `key` unless one is under way; its failure is logged, never thrown.
   * @internal Shared with the `@Cached` decorator.
   */
  refreshInBackground<T>(
    key: string,
    loader: () => T | PromiseLike<T>,
    options: WrapOptions<T>,
  ): void {
    if (this.inFlight.has(key)) return;
    this.load(key, loader, options).catch((error: unknown) => {
      this.logger.error(
        `Background refresh of key '${key}' failed; the stale entry stays`,
        error instanceof Error ? error.stack : String(error),
      );
    });
  }

  /**
   * Runs `loader` for `key` once for all concurrent callers and caches its value.
   * @internal Shared with the `@Cached` decorator.
   */
  load<T>(key: string, loader: () => T | PromiseLike<T>, options: WrapOptions<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const promise = (async () => {
      try {
        const tier = this.tier;
        if (tier === undefined) return await this.runLoader(key, loader, options);
        if (options.forceRefresh !== true) {
          const shared = await tier.fetch(key);
          const restored = shared === undefined ? undefined : this.restore(key, shared);
          if (restored !== undefined && restored.statusAt(this.now()) === CacheStatus.FRESH) {
            return restored.data as T;
          }
        }
        if (tier.runExclusive === undefined) return await this.runLoader(key, loader, options);
        const outcome = await tier.runExclusive(key, () => this.runLoader(key, loader, options));
        if ('value' in outcome) return outcome.value;
        const loadedElsewhere = this.restore(key, outcome.entry);
        return (loadedElsewhere?.data ?? outcome.entry.data) as T;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, promise);
    return promise;
  }

  private async runLoader<T>(
    key: string,
    loader: () => T | PromiseLike<T>,
    options: WrapOptions<T>,
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
    this.cacheLoaded(key, value, options);
    return value;
  }

  /** Whether a load of `key` is under way. @internal */
  isLoading(key: string): boolean {
    return this.inFlight.has(key);
  }

  /**
   * Caches a loaded value unless `unless` says no or it is not JSON; never throws for the value.
   * @internal Shared with the `@Cached` decorator.
   */
  cacheLoaded<T>(key: string, value: T, options: WrapOptions<T>): boolean {
    if (options.unless !== undefined && options.unless(value)) return false;
    const failure = this.store(
      key,
      value,
      options.ttl ?? this.defaultTtl,
      options.category ?? 'default',
      options.metadata,
    );
    if (failure === undefined) return true;
    if (options.onUncacheable !== undefined) options.onUncacheable(failure);
    else this.logger.warn(failure);
    return false;
  }

  /**
   * Throws the `RangeError` that `set` would throw for these options, before anything is loaded.
   * @internal Shared with the `@Cached` decorator.
   */
  assertEntryOptions(options: { ttl?: unknown; category?: unknown }): void {
    if (options.ttl !== undefined) assertTtl(options.ttl);
    if (options.category !== undefined) assertCategory(options.category);
  }

  /** Counts one load (a loader call) and its duration. @internal */
  recordLoad(durationMs: number, failed: boolean): void {
    this.totalLoads++;
    this.totalLoadTimeMs += durationMs;
    if (failed) this.totalLoadErrors++;
  }

  // ── Tiers ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Attaches a second tier (see {@link CacheTier}); undefined detaches it.
   * @internal Used by the Redis tier.
   */
  attachTier(tier: CacheTier | undefined): void {
    this.tier = tier;
  }

  /**
   * Puts an entry that another tier held back in memory with its original timestamp, TTL,
   * category and metadata, so its age and status are the same as where it was written. Not a
   * `set`: the tier is not told, and `totalSets` does not move.
   * @returns the entry, or undefined when it is not JSON, or already EXPIRED.
   * @internal Used by the Redis tier.
   */
  restore(key: string, stored: TierEntry): CacheEntry<unknown> | undefined {
    if (typeof key !== 'string' || key.length === 0) return undefined;
    const { timestampMs, ttlSeconds, category } = stored;
    if (typeof timestampMs !== 'number' || !Number.isFinite(timestampMs)) return undefined;
    if (!isValidTtl(ttlSeconds) || !isValidCategory(category)) return undefined;
    let data: unknown;
    let metadata: JsonObject;
    try {
      data = snapshotJson(stored.data);
      const rawMetadata: unknown = stored.metadata ?? EMPTY_METADATA;
      if (rawMetadata === null || typeof rawMetadata !== 'object' || Array.isArray(rawMetadata)) {
        return undefined;
      }
      metadata = snapshotJson<JsonObject>(rawMetadata);
    } catch {
      return undefined;
    }
    const now = this.now();
    // A timestamp from another machine's clock may be slightly ahead of ours.
    const timestamp = Math.min(timestampMs, now);
    if (statusOf(now - timestamp, ttlSeconds * 1000) === CacheStatus.EXPIRED) return undefined;
    return this.entryOf(this.insert(key, data, metadata, timestamp, ttlSeconds, category, now));
  }

  // ── Events ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Calls `listener` on each `event` (see {@link CacheEventMap}). A listener that throws is
   * logged and does not affect the cache.
   * @returns a function that removes the listener.
   */
  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    const current = (this.listeners[event] ?? []) as CacheEventListener<E>[];
    this.listeners[event] = [...current, listener] as (typeof this.listeners)[E];
    return () => {
      const remaining = (this.listeners[event] ?? []).filter((l) => l !== listener);
      this.listeners[event] = (
        remaining.length > 0 ? remaining : undefined
      ) as (typeof this.listeners)[E];
    };
  }

  private emit<E extends CacheEventName>(event: E, payload: CacheEventMap[E]): void {
    for (const listener of this.listeners[event] as CacheEventListener<E>[]) {
      try {
        listener(payload);
      } catch (error) {
        this.logger.error(
          `A '${event}' cache event listener threw`,
          error instanceof Error ? error.stack : String(error),
        );
      }
    }
  }

  // ── Automatic cleanup ──────────────────────────────────────────────────────────────────────

  /**
   * Starts the automatic cleanup timer: every `cleanupInterval` seconds, unref'd so that a
   * forgotten cache never keeps the process alive. The Nest service replaces it with a job in
   * the app's scheduler.
   */
  protected startAutomaticCleanup(): void {
    this.stopAutomaticCleanup();
    this.cleanupTimer = setInterval(
      () => void this.runScheduledCleanup(),
      this.cleanupInterval * 1000,
    );
    this.cleanupTimer.unref();
  }

  /** Stops the automatic cleanup timer, if any. */
  protected stopAutomaticCleanup(): void {
    if (this.cleanupTimer !== undefined) clearInterval(this.cleanupTimer);
    this.cleanupTimer = undefined;
  }

  // ── Internals: slots and lists ─────────────────────────────────────────────────────────────

  private allocateSlot(): number {
    const slots = this.slots;
    if (slots.freeCount > 0) return slots.freeSlots[--slots.freeCount]!;
    const { capacity } = slots;
    if (this.usedSlots === capacity) slots.grow(Math.min(capacity * 2, this.maxEntries));
    return this.usedSlots++;
  }

  private appendToLru(slot: number): void {
    appendSlot(this.slots.lruPrev, this.slots.lruNext, this.lru, slot);
  }

  private moveToLruTail(slot: number): void {
    const { lruPrev, lruNext } = this.slots;
    unlinkSlot(lruPrev, lruNext, this.lru, slot);
    appendSlot(lruPrev, lruNext, this.lru, slot);
  }

  private evictLeastRecentlyUsed(): void {
    const slot = this.lru.head;
    const key = this.slots.keys[slot]!;
    const category = this.slots.categories[slot]!;
    this.removeSlot(slot);
    this.totalEvictions++;
    if (this.listeners.eviction !== undefined) this.emit('eviction', { key, category });
    if (this.debugEnabled) this.logger.debug(EVICTED(key, this.maxEntries));
  }

  /** Takes the entry in `slot` out of the cache entirely and frees the slot. */
  private removeSlot(slot: number): void {
    const slots = this.slots;
    this.detachEntryObject(slot);
    this.unlinkFromGroupAndCategory(slot);
    unlinkSlot(slots.lruPrev, slots.lruNext, this.lru, slot);
    this.keyToSlot.delete(slots.keys[slot]!);
    // Let the key, data and metadata be collected now, not when the slot is reused.
    slots.keys[slot] = undefined;
    slots.data[slot] = undefined;
    slots.metadata[slot] = undefined;
    slots.categories[slot] = undefined;
    slots.phase[slot]! &= QUEUED;
    slots.freeSlots[slots.freeCount++] = slot;
  }

  private unlinkFromGroupAndCategory(slot: number): void {
    const slots = this.slots;
    const run = slots.runOf[slot]!;
    const group = this.runs.groups[run]!;
    const index = group.index;
    const invalid = (slots.phase[slot]! & PHASE_MASK) === INVALID;
    this.count(invalid ? INVALID : this.phaseOfRun(run, group), index, -1);
    this.leaveRun(slot, run, group, invalid);
    if (group.head === NIL) {
      index.groups.delete(group.ttlMs);
      this.groups.delete(group);
    }
    unlinkSlot(slots.categoryPrev, slots.categoryNext, index, slot);
    if (--index.size === 0) this.categoryIndex.delete(index.category);
  }

  private markInvalid(slot: number): void {
    const slots = this.slots;
    const category = slots.categories[slot]!;
    this.totalInvalidations++;
    const flags = slots.phase[slot]!;
    if ((flags & PHASE_MASK) !== INVALID) {
      const run = slots.runOf[slot]!;
      const group = this.runs.groups[run]!;
      this.count(this.phaseOfRun(run, group), group.index, -1);
      this.count(INVALID, group.index, +1);
      this.runs.validCounts[run]--;
      slots.phase[slot] = (flags & FROZEN) | INVALID | QUEUED;
      if ((flags & QUEUED) === 0) this.invalidQueue.push(slot);
    }
    if (this.listeners.invalidation !== undefined) {
      this.emit('invalidation', { key: slots.keys[slot]!, category });
    }
  }

  /** Adds `delta` entries to `phase` in the cache's and the category's counters. */
  private count(phase: number, index: CategoryIndex, delta: number): void {
    this.phaseCounts[phase]! += delta;
    index.phases[phase]! += delta;
  }

  // TTL groups and their runs

  /** The phase the valid entries of `run` are counted under: where the run sits. */
  private phaseOfRun(run: number, group: TtlGroup): number {
    const timestamps = this.runs.timestamps;
    const timestamp = timestamps[run]!;
    if (group.freshStart !== NIL && timestamp >= timestamps[group.freshStart]!) return FRESH;
    if (group.staleStart !== NIL && timestamp >= timestamps[group.staleStart]!) return STALE;
    return EXPIRED;
  }

  /**
   * Puts the valid entry in `slot`, of status `phase` now, into the run of `group` for
   * `timestamp` (made if there is none). @returns the phase it is counted under.
   */
  private joinRun(slot: number, group: TtlGroup, timestamp: number, phase: number): number {
    const runs = this.runs;
    const timestamps = runs.timestamps;
    // A write goes last at no cost; an entry restored from another tier with its original
    // timestamp walks back past the newer runs.
    let prev = group.tail;
    while (prev !== NIL && timestamps[prev]! > timestamp) prev = runs.prev[prev]!;
    let run: number;
    if (prev !== NIL && timestamps[prev] === timestamp) {
      run = prev;
    } else {
      run = runs.allocate(group, timestamp);
      const next = prev === NIL ? group.head : runs.next[prev]!;
      runs.prev[run] = prev;
      runs.next[run] = next;
      if (prev === NIL) group.head = run;
      else runs.next[prev] = run;
      if (next === NIL) group.tail = run;
      else runs.prev[next] = run;
      // The cursors may lag behind `now` (they move when the group is settled), never run ahead
      // of it, and the settling moves them forward only. So a new run must not be placed ahead
      // of its status: a FRESH run never before `freshStart`, a STALE one never before
      // `staleStart`. Moving a cursor back to it passes no other run: a run between would be
      // younger than this one yet already counted in an older phase.
      if (
        phase === FRESH &&
        (group.freshStart === NIL || timestamp < timestamps[group.freshStart]!)
      ) {
        group.freshStart = run;
      }
      if (
        phase !== EXPIRED &&
        (group.staleStart === NIL || timestamp < timestamps[group.staleStart]!)
      ) {
        group.staleStart = run;
      }
    }
    const slots = this.slots;
    const last = runs.lastSlot[run]!;
    slots.runPrev[slot] = last;
    slots.runNext[slot] = NIL;
    if (last === NIL) runs.firstSlot[run] = slot;
    else slots.runNext[last] = slot;
    runs.lastSlot[run] = slot;
    slots.runOf[slot] = run;
    runs.validCounts[run]++;
    return this.phaseOfRun(run, group);
  }

  /** Takes `slot` out of its run, and the run out of its group once empty. */
  private leaveRun(slot: number, run: number, group: TtlGroup, invalid: boolean): void {
    const runs = this.runs;
    const { runPrev, runNext } = this.slots;
    if (!invalid) runs.validCounts[run]--;
    const before = runPrev[slot]!;
    const after = runNext[slot]!;
    if (before === NIL) runs.firstSlot[run] = after;
    else runNext[before] = after;
    if (after === NIL) runs.lastSlot[run] = before;
    else runPrev[after] = before;
    if (runs.firstSlot[run] !== NIL) return;
    const next = runs.next[run]!;
    if (group.freshStart === run) group.freshStart = next;
    if (group.staleStart === run) group.staleStart = next;
    unlinkSlot(runs.prev, runs.next, group, run);
    runs.release(run);
  }

  /**
   * Moves the group's cursors up to `now`, moving the valid entries of each run whose status
   * changed to their new phase in the counters, at most `maxSteps` runs.
   * @returns the number of steps taken.
   */
  private settleGroup(group: TtlGroup, now: number, maxSteps = Infinity): number {
    const { timestamps, validCounts, next } = this.runs;
    const { ttlMs, index } = group;
    // The entries passed are summed and counted once: the walk itself reads three numbers a run.
    let steps = 0;
    let moved = 0;
    let run = group.freshStart;
    while (run !== NIL && steps < maxSteps && now - timestamps[run]! >= ttlMs) {
      moved += validCounts[run]!;
      run = next[run]!;
      steps++;
    }
    group.freshStart = run;
    this.count(FRESH, index, -moved);
    this.count(STALE, index, moved);
    moved = 0;
    run = group.staleStart;
    const twiceTtlMs = 2 * ttlMs;
    while (
      run !== NIL &&
      run !== group.freshStart &&
      steps < maxSteps &&
      now - timestamps[run]! > twiceTtlMs
    ) {
      moved += validCounts[run]!;
      run = next[run]!;
      steps++;
    }
    group.staleStart = run;
    this.count(STALE, index, -moved);
    this.count(EXPIRED, index, moved);
    return steps;
  }

  /**
   * Removes EXPIRED and INVALID entries until none is left or `deadline` (a `performance.now()`
   * reading) passes: the expired runs at the head of each TTL group (write order is age order),
   * then the queue of invalidated slots. Costs what it removes plus the number of groups.
   */
  private removeDeadEntries(deadline: number): { removed: number; done: boolean } {
    const slots = this.slots;
    const now = this.now();
    let removed = 0;
    const byCategory = this.listeners.cleanup !== undefined ? new Map<string, number>() : undefined;
    const remove = (slot: number): boolean => {
      if (byCategory !== undefined) {
        const category = slots.categories[slot]!;
        byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
      }
      this.removeSlot(slot);
      removed++;
      // Reading the time costs more than a removal: look every 256 removals.
      return (removed & 255) !== 0 || performance.now() < deadline;
    };
    let done = true;
    const runs = this.runs;
    groups: for (const group of [...this.groups]) {
      const twiceTtlMs = 2 * group.ttlMs;
      // Removing a run's last slot frees the run, and the group's last run the group.
      for (let run = group.head; run !== NIL; run = group.head) {
        if (now - runs.timestamps[run]! <= twiceTtlMs) break;
        if (!remove(runs.firstSlot[run]!)) {
          done = false;
          break groups;
        }
      }
    }
    while (done && this.invalidQueue.length > 0) {
      const slot = this.invalidQueue.pop()!;
      slots.phase[slot]! &= ~QUEUED;
      const invalid = (slots.phase[slot]! & PHASE_MASK) === INVALID;
      if (slots.keys[slot] !== undefined && invalid && !remove(slot)) {
        done = this.invalidQueue.length === 0;
      }
    }
    this.totalCleanups += removed;
    if (byCategory !== undefined && removed > 0) {
      this.emit('cleanup', { removed, byCategory: Object.fromEntries(byCategory) });
    }
    return { removed, done };
  }
}

function assertTtl(ttl: unknown): asserts ttl is number {
  if (!isValidTtl(ttl)) {
    throw new RangeError(INVALID_TTL(ttl));
  }
}

function assertCategory(category: unknown): asserts category is string {
  if (!isValidCategory(category)) {
    throw new RangeError(INVALID_CATEGORY(category));
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof NotJsonError) return error.message;
  try {
    return `reading it threw: ${error instanceof Error ? error.message : String(error)}`;
  } catch {
    return 'reading it threw something that cannot be printed';
  }
}

/**
 * Whether the read option `name` is exactly `expected`. Read options are flags, not validated:
 * anything else (no options, null, an options object that throws when read) is the default.
 */
function readFlag(options: object | undefined, name: string, expected: boolean): boolean {
  if (options === undefined || options === null) return false;
  try {
    return (options as Record<string, unknown>)[name] === expected;
  } catch {
    return false;
  }
}
