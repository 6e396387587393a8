/** Why a read returned nothing. */
export type CacheMissReason = 'absent' | 'stale' | 'expired' | 'invalid';

/**
 * The events a cache emits, by name, with what each listener receives. Events are emitted
 * synchronously, after the operation took effect; a cache with no listener for an event does
 * not build its payload.
 */
export interface CacheEventMap {
  /** A read returned a FRESH entry. */
  hit: { key: string; category: string; ageSeconds: number };
  /** A read that allowed stale data returned a STALE entry. */
  staleHit: { key: string; category: string; ageSeconds: number };
  /** A read returned nothing. */
  miss: { key: string; reason: CacheMissReason };
  /** `set` stored an entry. */
  set: { key: string; category: string; ttlSeconds: number };
  /** An entry was evicted to make room under `maxEntries`. */
  eviction: { key: string; category: string };
  /** An entry was invalidated (by key, by category, by tag, or on the entry itself). */
  invalidation: { key: string; category: string };
  /** A FRESH entry was expired early (by `expire`, `expireCategory` or `expireTag`): STALE now. */
  expiration: { key: string; category: string };
  /** A cleanup (or one slice of an automatic cleanup) removed entries. */
  cleanup: { removed: number; byCategory: Readonly<Record<string, number>> };
}

/** A cache event's name. */
export type CacheEventName = keyof CacheEventMap;

/** A listener of event `E`. */
export type CacheEventListener<E extends CacheEventName> = (event: CacheEventMap[E]) => void;
