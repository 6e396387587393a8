import { isValidCategory, isValidTtl } from '../../core/cache-status.util.js';
import type { TierEntry } from '../../core/cache-tier.interface.js';

/**
 * How an entry is stored in Redis: one JSON string per key, with the entry's original
 * timestamp, so that every instance computes the same age and status. `v` versions the format:
 * a value of another version (or anything else found under our prefix) is not ours, and reads
 * as a miss.
 */
interface StoredEntry {
  v: 1;
  /** Milliseconds since the epoch at which the data was first cached. */
  t: number;
  ttl: number;
  c: string;
  m: unknown;
  d: unknown;
}

/** The stored form of an entry. `data` and `metadata` are JSON snapshots already. */
export function encodeEntry(entry: TierEntry): string {
  const stored: StoredEntry = {
    v: 1,
    t: entry.timestampMs,
    ttl: entry.ttlSeconds,
    c: entry.category,
    m: entry.metadata,
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
  const { t, ttl, c, m } = stored;
  if (typeof t !== 'number' || !Number.isFinite(t)) return 'no valid timestamp';
  if (!isValidTtl(ttl)) return 'no valid ttl';
  if (!isValidCategory(c)) return 'no valid category';
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return 'no valid metadata';
  if (!('d' in stored)) return 'no data';
  return {
    data: stored.d,
    timestampMs: t,
    ttlSeconds: ttl,
    category: c,
    metadata: m as TierEntry['metadata'],
  };
}

/** Milliseconds since the epoch at which an entry becomes EXPIRED: Redis drops it then. */
export function expiresAtMs(entry: Pick<TierEntry, 'timestampMs' | 'ttlSeconds'>): number {
  return Math.ceil(entry.timestampMs + 2 * entry.ttlSeconds * 1000);
}
