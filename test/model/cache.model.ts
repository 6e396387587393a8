/**
 * A deliberately simple reference model of the cache: a plain array of records scanned on every
 * call, in least → most recently used order, with its own counters. It is slow and obviously
 * correct; the real cache must answer exactly as it does.
 *
 * The rules it encodes are the contract of issue 2 (the README's status system): FRESH while
 * age < ttl, STALE while ttl <= age <= 2×ttl, EXPIRED after, INVALID once invalidated; ages in
 * milliseconds compare `now - timestampMs` with `ttlSeconds * 1000`. Issue 13 adds tags and
 * soft expiry: an entry expired while FRESH is STALE until twice its TTL, and tag operations
 * reach the entries whose tags include the tag (found here by a scan, of course).
 */
import { CacheStatus } from '../../lib/core/cache-status.enum.js';
import { MAX_JSON_DEPTH } from '../../lib/core/json-snapshot.util.js';
import { entryBytesOf } from './size.model.js';

/** The most distinct tags an entry takes (the cache's MAX_TAGS_PER_ENTRY, written out). */
const MAX_TAGS = 32;

export interface ModelRecord {
  key: string;
  /** The data as JSON text, taken when it was set (the cache must keep that snapshot). */
  dataJson: string;
  metadataJson: string;
  ttlSeconds: number;
  category: string;
  timestampMs: number;
  /** Distinct tags in the order first given. */
  tags: string[];
  invalid: boolean;
  /** Expired while FRESH (`expire*`): STALE until its usual EXPIRED age. */
  expiredEarly: boolean;
  accessCount: number;
  lastAccessedMs: number;
  /** Write order, for `getKeys(category)`. */
  writeSeq: number;
  /** The estimated size (see size.model.ts); counted only when the cache has `maxBytes`. */
  bytes: number;
}

/** What a call did: its return value, or the class of error it threw. */
export type Outcome = { value: unknown } | { threw: 'RangeError' };

const RANGE: Outcome = { threw: 'RangeError' };

/** Whether `value` is a JSON value the cache must accept (see issue 2, "Bad input"). */
export function isJsonValue(value: unknown, ancestors: object[] = []): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object') return false;
  if (ancestors.length >= MAX_JSON_DEPTH || ancestors.includes(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  ancestors.push(value);
  let ok: boolean;
  if (Array.isArray(value)) {
    ok = prototype === Array.prototype;
    for (let i = 0; ok && i < value.length; i++) {
      ok = i in value && isJsonValue(value[i], ancestors);
    }
  } else {
    ok =
      (prototype === Object.prototype || prototype === null) &&
      Object.getOwnPropertySymbols(value).length === 0 &&
      Object.keys(value).every((k) =>
        isJsonValue((value as Record<string, unknown>)[k], ancestors),
      );
  }
  ancestors.pop();
  return ok;
}

/** Strings longer than this are compared by length and ends (10 MB strings are in play). */
const LONG_STRING = 100_000;

/** `isJsonValue`, where a value that throws when read (a hostile Proxy, a getter) is not JSON. */
function isJson(value: unknown): boolean {
  try {
    return isJsonValue(value);
  } catch {
    return false;
  }
}

/** Metadata must be a plain JSON object (not an array, not null). */
function isJsonObject(value: unknown): boolean {
  try {
    return (
      value !== null && typeof value === 'object' && !Array.isArray(value) && isJsonValue(value)
    );
  } catch {
    return false;
  }
}

/** The distinct tags of `tags` in order, or undefined when the cache must refuse them. */
function readTags(tags: unknown): string[] | undefined {
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) return undefined;
  const distinct: string[] = [];
  for (const tag of tags as unknown[]) {
    if (typeof tag !== 'string' || tag === '') return undefined;
    if (!distinct.includes(tag)) distinct.push(tag);
  }
  return distinct.length > MAX_TAGS ? undefined : distinct;
}

/** JSON text with object keys sorted, so two equal values give the same string. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'string' && v.length > LONG_STRING) {
      return `<string of ${v.length}: ${v.slice(0, 16)}…${v.slice(-16)}>`;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      Object.defineProperty(sorted, k, {
        value: (v as Record<string, unknown>)[k],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return sorted;
  });
}

export class CacheModel {
  /** Least recently used first. */
  entries: ModelRecord[] = [];
  /** The time the cache has seen (never goes backwards). */
  now = 0;
  hits = 0;
  misses = 0;
  sets = 0;
  invalidations = 0;
  cleanups = 0;
  evictions = 0;
  staleHits = 0;
  expirations = 0;
  invalidateTagCalls = 0;
  expireTagCalls = 0;
  private writeSeq = 0;

  constructor(
    readonly maxEntries: number,
    readonly defaultTtl: number,
    /** The memory budget, if any: entries are evicted, least recently used first, to stay under. */
    readonly maxBytes?: number,
    /** The largest entry taken (default: a tenth of `maxBytes`). */
    readonly maxEntryBytes = maxBytes === undefined ? undefined : maxBytes / 10,
  ) {}

  /** The estimated bytes of every entry held. */
  get totalBytes(): number {
    return this.entries.reduce((sum, r) => sum + r.bytes, 0);
  }

  /** Whether an entry of `bytes` is above the budget's `maxEntryBytes`. */
  private tooLarge(bytes: number): boolean {
    return this.maxEntryBytes !== undefined && bytes > this.maxEntryBytes;
  }

  /** The cache read its clock and got `reading`. */
  observe(reading: number): void {
    if (reading > this.now) this.now = reading;
  }

  status(record: ModelRecord): CacheStatus {
    if (record.invalid) return CacheStatus.INVALID;
    const age = this.now - record.timestampMs;
    const ttlMs = record.ttlSeconds * 1000;
    if (age < ttlMs && !record.expiredEarly) return CacheStatus.FRESH;
    if (age <= 2 * ttlMs) return CacheStatus.STALE;
    return CacheStatus.EXPIRED;
  }

  find(key: unknown): ModelRecord | undefined {
    return this.entries.find((r) => r.key === key);
  }

  holds(record: ModelRecord): boolean {
    return this.entries.includes(record);
  }

  private remove(record: ModelRecord): void {
    this.entries = this.entries.filter((r) => r !== record);
  }

  private use(record: ModelRecord): void {
    this.remove(record);
    this.entries.push(record);
  }

  /**
   * `set(key, data, options)`: options first (RangeError), then key (false), then data and
   * metadata (false). `options` is read the way a caller would expect: each property once.
   */
  set(key: unknown, data: unknown, options: unknown): Outcome {
    let ttl: unknown = this.defaultTtl;
    let category: unknown = 'default';
    let metadata: unknown;
    let tagsGiven: unknown;
    if (typeof options === 'number') ttl = options;
    else if (options !== undefined) {
      if (options === null || typeof options !== 'object') return RANGE;
      try {
        const o = options as Record<string, unknown>;
        const t = o.ttl;
        const c = o.category;
        metadata = o.metadata;
        tagsGiven = o.tags;
        if (t !== undefined) ttl = t;
        if (c !== undefined) category = c;
      } catch {
        return RANGE;
      }
    }
    if (typeof ttl !== 'number' || !(ttl > 0) || ttl === Infinity) return RANGE;
    if (typeof category !== 'string' || category === '') return RANGE;
    const tags = readTags(tagsGiven);
    if (tags === undefined) return RANGE;
    if (typeof key !== 'string' || key === '') return { value: false };
    if (!isJson(data)) return { value: false };
    if (metadata !== undefined && !isJsonObject(metadata)) return { value: false };
    const bytes = entryBytesOf(key, data, metadata, tags);
    if (this.tooLarge(bytes)) return { value: false };
    this.put(key, data, metadata ?? {}, ttl, category, this.now, bytes, tags);
    this.sets++;
    return { value: true };
  }

  /**
   * `restore(key, { data, metadata, ttlSeconds, category, timestampMs, tags, expiredEarly })`, as
   * the Redis tier calls it: puts the entry in with its own timestamp (at most now) unless it is
   * EXPIRED or its tags are not valid; STALE if it was expired early.
   */
  restore(
    key: string,
    data: unknown,
    ttlSeconds: number,
    category: string,
    timestampMs: number,
    tagsGiven: unknown,
    expiredEarly: boolean,
  ): boolean {
    const timestamp = Math.min(timestampMs, this.now);
    const tags = readTags(tagsGiven);
    if (tags === undefined) return false;
    // The tier's entry comes with metadata `{}`, which is sized like any given metadata.
    const bytes = entryBytesOf(key, data, {}, tags);
    if (this.tooLarge(bytes)) return false;
    if (this.now - timestamp > 2 * ttlSeconds * 1000) return false;
    this.put(key, data, {}, ttlSeconds, category, timestamp, bytes, tags);
    if (expiredEarly) this.entries[this.entries.length - 1]!.expiredEarly = true;
    return true;
  }

  private put(
    key: string,
    data: unknown,
    metadata: unknown,
    ttlSeconds: number,
    category: string,
    timestampMs: number,
    bytes: number,
    tags: string[],
  ): void {
    const old = this.find(key);
    if (old !== undefined) this.remove(old);
    else if (this.entries.length >= this.maxEntries) {
      this.entries.shift();
      this.evictions++;
    }
    if (this.maxBytes !== undefined) {
      while (this.entries.length > 0 && this.totalBytes + bytes > this.maxBytes) {
        this.entries.shift();
        this.evictions++;
      }
    }
    this.entries.push({
      key,
      dataJson: canonical(data),
      metadataJson: canonical(metadata),
      ttlSeconds,
      category,
      timestampMs,
      tags,
      invalid: false,
      expiredEarly: false,
      accessCount: 0,
      lastAccessedMs: timestampMs,
      writeSeq: this.writeSeq++,
      bytes,
    });
  }

  /** `get(key, { includeStale })`: the record served, or undefined. */
  get(key: unknown, includeStale: boolean): ModelRecord | undefined {
    const record = this.find(key);
    const status = record === undefined ? undefined : this.status(record);
    if (
      record === undefined ||
      (status !== CacheStatus.FRESH && !(status === CacheStatus.STALE && includeStale))
    ) {
      this.misses++;
      return undefined;
    }
    if (status === CacheStatus.STALE) this.staleHits++;
    this.hits++;
    record.accessCount++;
    record.lastAccessedMs = this.now;
    this.use(record);
    return record;
  }

  hasKey(key: unknown, freshOnly: boolean): boolean {
    const record = this.find(key);
    if (record === undefined) return false;
    const status = this.status(record);
    return status === CacheStatus.FRESH || (status === CacheStatus.STALE && !freshOnly);
  }

  invalidate(key: unknown): boolean {
    const record = this.find(key);
    if (record === undefined) return false;
    record.invalid = true;
    this.invalidations++;
    return true;
  }

  /** `entry.invalidate()` on an entry handed out earlier. */
  invalidateRecord(record: ModelRecord): void {
    record.invalid = true;
    if (this.holds(record)) this.invalidations++;
  }

  /** `entry.markAccessed()` on an entry handed out earlier. */
  markAccessed(record: ModelRecord): void {
    record.accessCount++;
    record.lastAccessedMs = this.now;
  }

  invalidateCategory(category: unknown): Outcome {
    if (typeof category !== 'string' || category === '') return RANGE;
    const held = this.entries.filter((r) => r.category === category);
    for (const r of held) {
      r.invalid = true;
      this.invalidations++;
    }
    return { value: held.length };
  }

  /** What an `expire*` call does to one held record: FRESH → STALE, counted; others stay. */
  private expireRecord(record: ModelRecord): void {
    if (this.status(record) !== CacheStatus.FRESH) return;
    record.expiredEarly = true;
    this.expirations++;
  }

  expire(key: unknown): boolean {
    const record = this.find(key);
    if (record === undefined) return false;
    this.expireRecord(record);
    return true;
  }

  expireCategory(category: unknown): Outcome {
    if (typeof category !== 'string' || category === '') return RANGE;
    const held = this.entries.filter((r) => r.category === category);
    for (const r of held) this.expireRecord(r);
    return { value: held.length };
  }

  invalidateTag(tag: unknown): Outcome {
    if (typeof tag !== 'string' || tag === '') return RANGE;
    this.invalidateTagCalls++;
    const carriers = this.entries.filter((r) => r.tags.includes(tag));
    for (const r of carriers) {
      r.invalid = true;
      this.invalidations++;
    }
    return { value: carriers.length };
  }

  expireTag(tag: unknown): Outcome {
    if (typeof tag !== 'string' || tag === '') return RANGE;
    this.expireTagCalls++;
    const carriers = this.entries.filter((r) => r.tags.includes(tag));
    for (const r of carriers) this.expireRecord(r);
    return { value: carriers.length };
  }

  delete(key: unknown): boolean {
    const record = this.find(key);
    if (record === undefined) return false;
    this.remove(record);
    return true;
  }

  clear(category?: unknown): Outcome {
    if (category !== undefined && (typeof category !== 'string' || category === '')) return RANGE;
    const gone = this.entries.filter((r) => category === undefined || r.category === category);
    this.entries = this.entries.filter((r) => !gone.includes(r));
    return { value: gone.length };
  }

  cleanup(): number {
    const dead = this.entries.filter((r) => {
      const s = this.status(r);
      return s === CacheStatus.EXPIRED || s === CacheStatus.INVALID;
    });
    this.entries = this.entries.filter((r) => !dead.includes(r));
    this.cleanups += dead.length;
    return dead.length;
  }

  /** `getKeys(category?)` / the order of `getAllEntries(category?)`. */
  keys(category?: unknown): Outcome {
    if (category === undefined) return { value: this.entries.map((r) => r.key) };
    if (typeof category !== 'string' || category === '') return RANGE;
    const inCategory = this.entries
      .filter((r) => r.category === category)
      .sort((a, b) => a.writeSeq - b.writeSeq);
    return { value: inCategory.map((r) => r.key) };
  }

  recordsInOrder(category?: string): ModelRecord[] {
    if (category === undefined) return [...this.entries];
    return this.entries
      .filter((r) => r.category === category)
      .sort((a, b) => a.writeSeq - b.writeSeq);
  }

  /** What `getStatusCountsByCategory()` must return, as sorted [category, counts] pairs. */
  statusCountsByCategory(): [string, Record<CacheStatus, number>][] {
    const categories = [...new Set(this.entries.map((r) => r.category))].sort();
    return categories.map((category) => {
      const counts = {
        [CacheStatus.FRESH]: 0,
        [CacheStatus.STALE]: 0,
        [CacheStatus.EXPIRED]: 0,
        [CacheStatus.INVALID]: 0,
      };
      for (const r of this.entries) if (r.category === category) counts[this.status(r)]++;
      return [category, counts];
    });
  }

  /** What `getStats().toDict()` must return. */
  stats(): Record<string, unknown> {
    const count = (status: CacheStatus) =>
      this.entries.filter((r) => this.status(r) === status).length;
    const counts = new Map<string, number>();
    for (const r of this.entries) counts.set(r.category, (counts.get(r.category) ?? 0) + 1);
    const categories: Record<string, number> = {};
    for (const [category, count] of counts) {
      Object.defineProperty(categories, category, {
        value: count,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    let oldest = 0;
    let newest = 0;
    if (this.entries.length > 0) {
      const stamps = this.entries.map((r) => r.timestampMs);
      oldest = (this.now - Math.min(...stamps)) / 1000;
      newest = (this.now - Math.max(...stamps)) / 1000;
    }
    const requests = this.hits + this.misses;
    return {
      totalEntries: this.entries.length,
      freshEntries: count(CacheStatus.FRESH),
      staleEntries: count(CacheStatus.STALE),
      expiredEntries: count(CacheStatus.EXPIRED),
      invalidEntries: count(CacheStatus.INVALID),
      totalHits: this.hits,
      totalMisses: this.misses,
      totalSets: this.sets,
      totalInvalidations: this.invalidations,
      totalExpirations: this.expirations,
      totalCleanups: this.cleanups,
      totalEvictions: this.evictions,
      staleHits: this.staleHits,
      totalLoads: 0,
      totalLoadErrors: 0,
      averageLoadTimeMs: 0,
      categories,
      oldestEntryAge: oldest,
      newestEntryAge: newest,
      hitRatePercent: requests === 0 ? 0 : (this.hits / requests) * 100,
      oldestEntryAgeSeconds: oldest,
      newestEntryAgeSeconds: newest,
      taggedEntries: this.entries.filter((r) => r.tags.length > 0).length,
      totalInvalidateTagCalls: this.invalidateTagCalls,
      totalExpireTagCalls: this.expireTagCalls,
      ...(this.maxBytes === undefined
        ? {}
        : {
            totalBytes: this.totalBytes,
            maxBytes: this.maxBytes,
            bytesUsagePercent: (this.totalBytes / this.maxBytes) * 100,
          }),
    };
  }
}
