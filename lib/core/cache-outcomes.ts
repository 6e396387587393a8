import type {
  CacheEventListener,
  CacheEventMap,
  CacheEventName,
  CacheMissReason,
} from './cache-events.interface.js';
import { NIL, type CacheSlots } from './cache-slots.js';
import type { CacheStats } from './cache-stats.js';
import { statusOf } from './cache-status.util.js';
import { CACHE_HIT, CACHE_MISS, CACHED, EVICTED, LISTENER_THREW } from './cache.messages.js';
import { errorStack } from './error-text.util.js';
import type { CacheLogger } from './logger.interface.js';

/*
 * What a cache tells about its operations: counters (for `getStats()`), events (for listeners)
 * and debug lines (with `debug: true`).
 *
 * Invariant: each outcome (a hit, a stale hit, a miss, a set, an eviction, an invalidation, an
 * expiration, a tag operation) is recorded by one method here, which counts it, emits its event
 * and writes its debug line, so the three never disagree. The events of reads and writes (hit,
 * stale hit, miss, set, eviction) are told when the operation is done, by the `announce()` its
 * caller makes. An event nobody listens to costs one check: its payload is not built; a debug
 * line is not formatted unless debug is on. A listener that throws is logged and the
 * others still run.
 */

type Listeners = { [E in CacheEventName]?: CacheEventListener<E>[] };

export class CacheOutcomes {
  hits = 0;
  staleHits = 0;
  misses = 0;
  sets = 0;
  evictions = 0;
  /** Held entries an `invalidate*` call touched, already invalid or not. */
  invalidations = 0;
  /** FRESH entries an `expire*` call turned STALE. */
  expirations = 0;
  /** Calls of `invalidateTag` and of `expireTag`. */
  invalidateTagCalls = 0;
  expireTagCalls = 0;
  /** Each event's listeners; an event nobody listens to has none (undefined), not `[]`. */
  readonly listeners: Listeners = {};
  /**
   * The events of a read or write under way, as event name, payload, name, payload...: a hit, a
   * miss, a set or an eviction happens in the middle of the table's work, and a listener that
   * read or wrote the cache there would meet it half done (an eviction's slot not freed yet, the
   * entry being read not yet returned). They wait here until {@link announce}.
   */
  #deferred: unknown[] = [];

  constructor(
    private readonly logger: CacheLogger,
    private readonly debug: boolean,
    private readonly maxEntries: number,
  ) {}

  /**
   * A read served the FRESH entry in `slot`, `ageMs` old. Small on purpose: it is inlined into
   * every hit, and the work done only for listeners or debug lines is out of line.
   */
  hit(slots: CacheSlots, slot: number, key: string, ageMs: number, ttlMs: number): void {
    if (this.listeners.hit === undefined && !this.debug) this.hits++;
    else this.#announceHit(slots, slot, key, ageMs, ttlMs, false);
  }

  /** A read that allowed stale data served the STALE entry in `slot`. */
  staleHit(slots: CacheSlots, slot: number, key: string, ageMs: number, ttlMs: number): void {
    this.staleHits++;
    this.#announceHit(slots, slot, key, ageMs, ttlMs, true);
  }

  #announceHit(
    slots: CacheSlots,
    slot: number,
    key: string,
    ageMs: number,
    ttlMs: number,
    stale: boolean,
  ): void {
    const event = stale ? 'staleHit' : 'hit';
    if (this.listeners[event] !== undefined) {
      this.#defer(event, { key, category: slots.categories[slot]!, ageSeconds: ageMs / 1000 });
    }
    this.hits++;
    if (this.debug) {
      this.logger.debug(CACHE_HIT(key, ageMs / 1000, statusOf(ageMs, ttlMs, stale)));
    }
  }

  /** A read found nothing to serve. @returns NIL, the "no slot" a read returns. */
  miss(key: string, reason: CacheMissReason): typeof NIL {
    this.misses++;
    if (this.listeners.miss !== undefined) this.#defer('miss', { key, reason });
    if (this.debug) this.logger.debug(CACHE_MISS(String(key), reason));
    return NIL;
  }

  /** `set` (or a load) stored an entry. */
  set(key: string, category: string, ttlSeconds: number): void {
    this.sets++;
    if (this.listeners.set !== undefined) this.#defer('set', { key, category, ttlSeconds });
    if (this.debug) this.logger.debug(CACHED(key, ttlSeconds, category));
  }

  /** The entry in `slot` is about to be evicted to make room. */
  eviction(slots: CacheSlots, slot: number): void {
    this.evictions++;
    const key = slots.keys[slot]!;
    if (this.listeners.eviction !== undefined) {
      this.#defer('eviction', { key, category: slots.categories[slot]! });
    }
    if (this.debug) this.logger.debug(EVICTED(key, this.maxEntries));
  }

  /** The entry in `slot` was invalidated (or touched by an invalidation while invalid). */
  invalidation(slots: CacheSlots, slot: number): void {
    this.invalidations++;
    if (this.listeners.invalidation !== undefined) {
      this.emit('invalidation', { key: slots.keys[slot]!, category: slots.categories[slot]! });
    }
  }

  /** The FRESH entry in `slot` was expired early (turned STALE). */
  expiration(slots: CacheSlots, slot: number): void {
    this.expirations++;
    if (this.listeners.expiration !== undefined) {
      this.emit('expiration', { key: slots.keys[slot]!, category: slots.categories[slot]! });
    }
  }

  /** `invalidateTag` or `expireTag` was called (with a valid tag). */
  tagOperation(operation: 'invalidate' | 'expire'): void {
    if (operation === 'invalidate') this.invalidateTagCalls++;
    else this.expireTagCalls++;
  }

  /** Writes the counters into `stats`. */
  reportTo(stats: CacheStats): void {
    stats.totalHits = this.hits;
    stats.staleHits = this.staleHits;
    stats.totalMisses = this.misses;
    stats.totalSets = this.sets;
    stats.totalEvictions = this.evictions;
    stats.totalInvalidations = this.invalidations;
    stats.totalExpirations = this.expirations;
    stats.totalInvalidateTagCalls = this.invalidateTagCalls;
    stats.totalExpireTagCalls = this.expireTagCalls;
  }

  /** The `cleanup` event's emitter while someone listens to it, else undefined. */
  cleanupListener(): ((payload: CacheEventMap['cleanup']) => void) | undefined {
    if (this.listeners.cleanup === undefined) return undefined;
    return (payload) => this.emit('cleanup', payload);
  }

  /** Adds `listener`; @returns a function that removes it. */
  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    const listeners = this.listeners;
    const current = (listeners[event] ?? []) as CacheEventListener<E>[];
    listeners[event] = [...current, listener] as Listeners[E];
    return () => {
      const remaining = (listeners[event] ?? []).filter((l) => l !== listener);
      listeners[event] = (remaining.length > 0 ? remaining : undefined) as Listeners[E];
    };
  }

  /**
   * Tells the listeners of the events that the read or write just done deferred. Its caller calls
   * it once the table is whole again and what the caller returns is in hand.
   */
  announce(): void {
    // Inlined into every read and write: the loop is out of line.
    if (this.#deferred.length !== 0) this.#announceDeferred();
  }

  #announceDeferred(): void {
    const deferred = this.#deferred;
    // A listener's own reads and writes announce theirs; these are told once.
    this.#deferred = [];
    for (let i = 0; i < deferred.length; i += 2) {
      this.emit(deferred[i] as CacheEventName, deferred[i + 1] as never);
    }
  }

  #defer<E extends CacheEventName>(event: E, payload: CacheEventMap[E]): void {
    this.#deferred.push(event, payload);
  }

  private emit<E extends CacheEventName>(event: E, payload: CacheEventMap[E]): void {
    for (const listener of this.listeners[event] as CacheEventListener<E>[]) {
      try {
        listener(payload);
      } catch (error) {
        this.logger.error(LISTENER_THREW(event), errorStack(error));
      }
    }
  }
}
