/**
 * Runs one sequence of operations against the real cache and the reference model side by side,
 * and throws (with both sides printed) at the first step where they disagree.
 */
import { CacheEntry } from '../../lib/core/cache-entry.js';
import { cacheInternals, CacheManager } from '../../lib/core/cache-manager.js';
import { CacheStatus } from '../../lib/core/cache-status.enum.js';
import { silentLogger } from '../support/test-loggers.js';
import { CacheModel, canonical, type ModelRecord, type Outcome } from './cache.model.js';

/** One call on the cache, with its arguments as given (they may be anything). */
export type Op =
  | { kind: 'set'; key: unknown; data: unknown; options: unknown; mutateAfter: boolean }
  /** `restore` (what the Redis tier does): an entry written `ageMs` ago, maybe older than others. */
  | {
      kind: 'restore';
      key: string;
      data: unknown;
      ttl: number;
      category: string;
      ageMs: number;
      tags?: unknown;
      expiredEarly?: boolean;
    }
  | { kind: 'get'; key: unknown; options: unknown; dataOnly: boolean }
  | { kind: 'hasKey'; key: unknown; options: unknown }
  | { kind: 'invalidate'; key: unknown }
  | { kind: 'invalidateCategory'; category: unknown }
  | { kind: 'expire'; key: unknown }
  | { kind: 'expireCategory'; category: unknown }
  | { kind: 'invalidateTag'; tag: unknown }
  | { kind: 'expireTag'; tag: unknown }
  | { kind: 'delete'; key: unknown }
  | { kind: 'clear'; category: unknown }
  | { kind: 'cleanup' }
  | { kind: 'stats' }
  | { kind: 'keys'; category: unknown }
  | { kind: 'entries'; category: unknown }
  /** Moves the clock forward. */
  | { kind: 'advance'; ms: number }
  /** Moves the clock to (about) the FRESH→STALE (times 1) or STALE→EXPIRED (times 2) edge. */
  | { kind: 'boundary'; pick: number; times: 1 | 2; deltaMs: number }
  /** Moves the clock backwards (the cache must not see it). */
  | { kind: 'back'; ms: number }
  /** `entry.invalidate()` on an entry handed out earlier (maybe replaced since). */
  | { kind: 'entryInvalidate'; pick: number }
  | { kind: 'entryMarkAccessed'; pick: number };

export const CLOCK_START = 1_700_000_000_000;

const MAX_HANDLES = 12;

/** How a read-options flag is seen: a property read, where an unreadable one is the default. */
export function readFlag(options: unknown, name: string): unknown {
  if (options === null || options === undefined) return undefined;
  try {
    return (options as Record<string, unknown>)[name];
  } catch {
    return undefined;
  }
}

export class ModelMismatch extends Error {
  override name = 'ModelMismatch';
}

interface Handle {
  entry: CacheEntry<unknown>;
  record: ModelRecord;
}

export interface HarnessOptions {
  maxEntries: number;
  defaultTtl: number;
  /** Compare the whole state after every step (else only answers, and the state at the end). */
  fullCheck: boolean;
  /** Categories whose key lists are compared at each check. */
  categories: readonly string[];
  /** The memory budget, if any (sizes are then tracked by the model too). */
  maxBytes?: number;
  maxEntryBytes?: number;
}

export class ModelHarness {
  raw = CLOCK_START;
  readonly cache: CacheManager;
  readonly model: CacheModel;
  private handles: Handle[] = [];
  private stepIndex = 0;
  private lastOp: Op | undefined;

  constructor(private readonly options: HarnessOptions) {
    this.cache = new CacheManager({
      maxEntries: options.maxEntries,
      defaultTtl: options.defaultTtl,
      maxBytes: options.maxBytes,
      maxEntryBytes: options.maxEntryBytes,
      cleanupInterval: 0,
      clock: () => this.raw,
      logger: silentLogger,
    });
    this.model = new CacheModel(
      options.maxEntries,
      options.defaultTtl,
      options.maxBytes,
      options.maxEntryBytes,
    );
  }

  run(ops: readonly Op[]): void {
    for (const op of ops) this.step(op);
    this.check();
  }

  step(op: Op): void {
    this.stepIndex++;
    this.lastOp = op;
    this.apply(op);
    if (this.options.fullCheck) this.check();
  }

  private apply(op: Op): void {
    const { cache, model } = this;
    // The cache reads the clock during a call, never between calls: clock moves are seen by the
    // next call (in full-check mode, by the check that follows the move).
    const movesClock = op.kind === 'advance' || op.kind === 'boundary' || op.kind === 'back';
    if (!movesClock) model.observe(this.raw);
    switch (op.kind) {
      case 'set': {
        // Generated values are reused by fast-check: mutate a copy, never the value itself.
        const data = op.mutateAfter ? copyJson(op.data) : op.data;
        const expected = model.set(op.key, op.data, op.options);
        const actual = outcomeOf(() => cache.set(op.key as string, data, op.options as never));
        this.same('set', actual, expected);
        if (op.mutateAfter) mutate(data);
        return;
      }
      case 'restore': {
        const timestampMs = this.raw - op.ageMs;
        const expiredEarly = op.expiredEarly === true;
        const expected = model.restore(
          op.key,
          op.data,
          op.ttl,
          op.category,
          timestampMs,
          op.tags,
          expiredEarly,
        );
        const entry = cacheInternals(cache).restore(op.key, {
          data: op.data,
          metadata: {},
          ttlSeconds: op.ttl,
          category: op.category,
          timestampMs,
          tags: op.tags as string[] | undefined,
          expiredEarly,
        });
        this.same('restore', entry !== undefined, expected);
        return;
      }
      case 'get': {
        const includeStale = readFlag(op.options, 'includeStale') === true;
        const record = model.get(op.key, includeStale);
        if (op.dataOnly) {
          const data = cache.getData(op.key as string, op.options as never);
          this.same(
            'getData',
            data === undefined ? 'miss' : canonical(data),
            record === undefined ? 'miss' : record.dataJson,
          );
          return;
        }
        const entry = cache.get<unknown>(op.key as string, op.options as never);
        this.same(
          'get',
          entry === undefined ? 'miss' : this.describeEntry(entry),
          record === undefined ? 'miss' : this.describeRecord(record),
        );
        if (entry !== undefined && record !== undefined) {
          if (entry.data !== null && typeof entry.data === 'object' && !Object.isFrozen(entry.data))
            throw new ModelMismatch('get returned data that is not frozen');
          this.keepHandle(entry, record);
        }
        return;
      }
      case 'hasKey': {
        const freshOnly = readFlag(op.options, 'freshOnly') !== false;
        this.same(
          'hasKey',
          cache.hasKey(op.key as string, op.options as never),
          model.hasKey(op.key, freshOnly),
        );
        return;
      }
      case 'invalidate':
        this.same('invalidate', cache.invalidate(op.key as string), model.invalidate(op.key));
        return;
      case 'invalidateCategory':
        this.same(
          'invalidateCategory',
          outcomeOf(() => cache.invalidateCategory(op.category as string)),
          model.invalidateCategory(op.category),
        );
        return;
      case 'expire':
        this.same('expire', cache.expire(op.key as string), model.expire(op.key));
        return;
      case 'expireCategory':
        this.same(
          'expireCategory',
          outcomeOf(() => cache.expireCategory(op.category as string)),
          model.expireCategory(op.category),
        );
        return;
      case 'invalidateTag':
        this.same(
          'invalidateTag',
          outcomeOf(() => cache.invalidateTag(op.tag as string)),
          model.invalidateTag(op.tag),
        );
        return;
      case 'expireTag':
        this.same(
          'expireTag',
          outcomeOf(() => cache.expireTag(op.tag as string)),
          model.expireTag(op.tag),
        );
        return;
      case 'delete':
        this.same('delete', cache.delete(op.key as string), model.delete(op.key));
        return;
      case 'clear':
        this.same(
          'clear',
          outcomeOf(() => cache.clear(op.category as string)),
          model.clear(op.category),
        );
        return;
      case 'cleanup':
        this.same('cleanup', cache.cleanup(), model.cleanup());
        return;
      case 'stats':
        this.same('getStats', cache.getStats().toDict(), model.stats());
        this.same(
          'getStatusCountsByCategory',
          sortedPairs(cache.getStatusCountsByCategory()),
          model.statusCountsByCategory(),
        );
        return;
      case 'keys':
        this.same(
          'getKeys',
          outcomeOf(() => cache.getKeys(op.category as string)),
          model.keys(op.category),
        );
        return;
      case 'entries': {
        const expected = model.keys(op.category);
        let actual: Outcome;
        try {
          const entries = cache.getAllEntries(op.category as string);
          actual = { value: [...entries.keys()] };
          const records = model.recordsInOrder(op.category as string | undefined);
          this.same(
            'getAllEntries',
            [...entries.values()].map((e) => this.describeEntry(e as CacheEntry<unknown>)),
            'threw' in expected ? [] : records.map((r) => this.describeRecord(r)),
          );
          [...entries.values()].forEach((e, i) =>
            this.keepHandle(e as CacheEntry<unknown>, records[i]!),
          );
        } catch (error) {
          actual = thrown(error);
        }
        this.same('getAllEntries keys', actual, expected);
        return;
      }
      case 'advance':
        this.raw += op.ms;
        return;
      case 'boundary': {
        const candidates = [...model.entries, ...this.handles.map((h) => h.record)];
        if (candidates.length === 0) return;
        const record = candidates[op.pick % candidates.length]!;
        const ttlMs = record.ttlSeconds * 1000;
        const target = record.timestampMs + (op.times === 2 ? 2 * ttlMs : ttlMs) + op.deltaMs;
        this.raw = this.options.fullCheck ? target : Math.max(this.raw, target);
        return;
      }
      case 'back':
        if (this.options.fullCheck) this.raw -= op.ms;
        return;
      case 'entryInvalidate': {
        const handle = this.handles[op.pick % Math.max(1, this.handles.length)];
        if (handle === undefined) return;
        handle.entry.invalidate();
        model.invalidateRecord(handle.record);
        return;
      }
      case 'entryMarkAccessed': {
        const handle = this.handles[op.pick % Math.max(1, this.handles.length)];
        if (handle === undefined) return;
        handle.entry.markAccessed();
        model.markAccessed(handle.record);
        return;
      }
    }
  }

  /** Compares everything observable: statistics, key orders, every entry, kept handles. */
  check(): void {
    const { cache, model } = this;
    model.observe(this.raw);
    const categories = new Set([
      ...this.options.categories,
      ...model.entries.map((r) => r.category),
    ]);
    const actual = {
      stats: cache.getStats().toDict(),
      byCategoryAndStatus: sortedPairs(cache.getStatusCountsByCategory()),
      size: cache.size,
      keys: cache.getKeys(),
      byCategory: [...categories].map((c) => [c, cache.getKeys(c)]),
      entries: [...cache.getAllEntries().values()].map((e) =>
        this.describeEntry(e as CacheEntry<unknown>),
      ),
      handles: this.handles.map((h) => [h.entry.status, h.entry.accessCount]),
    };
    const expected = {
      stats: model.stats(),
      byCategoryAndStatus: model.statusCountsByCategory(),
      size: model.entries.length,
      keys: (model.keys() as { value: string[] }).value,
      byCategory: [...categories].map((c) => [c, (model.keys(c) as { value: string[] }).value]),
      entries: model.entries.map((r) => this.describeRecord(r)),
      handles: this.handles.map((h) => [model.status(h.record), h.record.accessCount]),
    };
    this.same('state', actual, expected);
  }

  private keepHandle(entry: CacheEntry<unknown>, record: ModelRecord): void {
    if (this.handles.some((h) => h.entry === entry)) return;
    this.handles.push({ entry, record });
    if (this.handles.length > MAX_HANDLES) this.handles.shift();
  }

  /** One string per entry, so a check compares a handful of strings. */
  private describeEntry(entry: CacheEntry<unknown>): string {
    return [
      entry.key,
      jsonOf(entry.data),
      jsonOf(entry.metadata),
      entry.ttlSeconds,
      entry.category,
      jsonOf(entry.tags),
      entry.timestamp.getTime(),
      entry.getAgeSeconds(),
      entry.getRemainingTtl(),
      entry.status,
      entry.isFresh(),
      entry.isExpired(),
      entry.accessCount,
      entry.lastAccessed.getTime(),
    ].join(' | ');
  }

  private describeRecord(record: ModelRecord): string {
    const age = (this.model.now - record.timestampMs) / 1000;
    const status = this.model.status(record);
    return [
      record.key,
      record.dataJson,
      record.metadataJson,
      record.ttlSeconds,
      record.category,
      canonical(record.tags),
      new Date(record.timestampMs).getTime(),
      age,
      record.ttlSeconds - age,
      status,
      status === CacheStatus.FRESH,
      status === CacheStatus.EXPIRED,
      record.accessCount,
      new Date(record.lastAccessedMs).getTime(),
    ].join(' | ');
  }

  private same(what: string, actual: unknown, expected: unknown): void {
    if (deepEqual(actual, expected)) return;
    const a = canonical(actual);
    const e = canonical(expected);
    {
      throw new ModelMismatch(
        `${what} disagrees at step ${this.stepIndex} (${describeOp(this.lastOp)}), clock +${this.raw - CLOCK_START}ms\n` +
          `  cache: ${a}\n  model: ${e}`,
      );
    }
  }
}

function sortedPairs<V>(map: Map<string, V>): [string, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const jsonCache = new WeakMap<object, string>();

/** `canonical(value)`, remembered per (frozen) object: the checks read the same data often. */
function jsonOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return canonical(value);
  let json = jsonCache.get(value);
  if (json === undefined) {
    json = canonical(value);
    jsonCache.set(value, json);
  }
  return json;
}

/** Structural equality of plain values (numbers by Object.is, so -0 and 0 differ). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
      return false;
  }
  return true;
}

function outcomeOf(call: () => unknown): Outcome {
  try {
    return { value: call() };
  } catch (error) {
    return thrown(error);
  }
}

/** A thrown error as an outcome; anything but a RangeError with a message is a failure. */
function thrown(error: unknown): Outcome {
  if (error instanceof RangeError && typeof error.message === 'string' && error.message.length > 0)
    return { threw: 'RangeError' };
  throw error;
}

/** A fresh copy of a JSON value (structuredClone would build it in another realm under jest). */
function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(copy, k, {
      value: copyJson(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** Changes a value the caller passed to `set` after the call, as a careless caller would. */
function mutate(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  if (Array.isArray(value)) value.push('mutated');
  else (value as Record<string, unknown>).mutatedAfterSet = true;
}

function describeOp(op: Op | undefined): string {
  if (op === undefined) return 'none';
  try {
    return JSON.stringify(op, (_k, v: unknown) =>
      typeof v === 'string' && v.length > 60 ? `${v.slice(0, 60)}…(${v.length})` : v,
    );
  } catch {
    return op.kind;
  }
}
