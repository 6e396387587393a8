import { isValidCategory, isValidTtl } from '../../core/cache-status.util.js';
import { snapshotTags } from '../../core/cache-tags.util.js';
import type { TierEntry } from '../../core/cache-tier.interface.js';

/**
 * How an entry is stored in Redis: one JSON string per key, with the entry's original
 * timestamp, so that every instance computes the same age and status. `v` versions the format:
 * a value of another version (or anything else found under our prefix) is not ours, and reads
 * as a miss.
 *
 * Invariant: the stored form begins with the early-expiry mark, `{"x":0` (or `{"x":1` once
 * expired early), so that a script marks an entry expired by overwriting one byte (at
 * {@link EXPIRED_MARK_OFFSET}) without reading or rewriting the value. Fields added since the
 * first release (`x`, `g`) are optional: an entry stored without them still decodes (not
 * expired, no tags), and a reader of that release ignores them.
 */
interface StoredEntry {
  /** 1 when the entry was expired early (it reads STALE), else 0; absent in earlier entries. */
  x?: 0 | 1;
  v: 1;
  /** Milliseconds since the epoch at which the data was first cached. */
  t: number;
  ttl: number;
  c: string;
  m: unknown;
  /** The entry's tags; absent when it has none. */
  g?: readonly string[];
  d: unknown;
}

/** Where the early-expiry mark's digit is in a stored entry (`{"x":` is five bytes). */
export const EXPIRED_MARK_OFFSET = 5;

/** The stored form of an entry. `data` and `metadata` are JSON snapshots already. */
export function encodeEntry(entry: TierEntry): string {
  const stored: StoredEntry = {
    x: entry.expiredEarly === true ? 1 : 0,
    v: 1,
    t: entry.timestampMs,
    ttl: entry.ttlSeconds,
    c: entry.category,
    m: entry.metadata,
    // Left out by JSON.stringify when undefined.
    g: entry.tags !== undefined && entry.tags.length > 0 ? entry.tags : undefined,
    d: entry.data,
  };
  return JSON.stringify(stored);
}

/** The entry in `raw`, or why it is not one of ours (a string). Never throws. */
export function decodeEntry(raw: string): TierEntry | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return `not JSON (${raw.length} characters)`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return 'not an entry object';
  }
  const stored = parsed as Partial<StoredEntry>;
  if (stored.v !== 1) return `unknown format version ${JSON.stringify(stored.v)}`;
  const { t, ttl, c, m, x, g } = stored;
  if (typeof t !== 'number' || !Number.isFinite(t)) return 'no valid timestamp';
  if (!isValidTtl(ttl)) return 'no valid ttl';
  if (!isValidCategory(c)) return 'no valid category';
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return 'no valid metadata';
  if (x !== undefined && x !== 0 && x !== 1) return 'no valid early-expiry mark';
  let tags: readonly string[];
  try {
    tags = snapshotTags(g);
  } catch {
    return 'no valid tags';
  }
  if (!('d' in stored)) return 'no data';
  const entry: TierEntry = {
    data: stored.d,
    timestampMs: t,
    ttlSeconds: ttl,
    category: c,
    metadata: m as TierEntry['metadata'],
  };
  if (tags.length > 0) entry.tags = tags;
  if (x === 1) entry.expiredEarly = true;
  return entry;
}

/** Milliseconds since the epoch at which an entry becomes EXPIRED: Redis drops it then. */
export function expiresAtMs(entry: Pick<TierEntry, 'timestampMs' | 'ttlSeconds'>): number {
  return Math.ceil(entry.timestampMs + 2 * entry.ttlSeconds * 1000);
}
