import type { CacheEntry } from '../core/cache-entry.js';
import { cacheInternals, type CacheManager } from '../core/cache-manager.js';
import type { CacheTier, TierEntry } from '../core/cache-tier.interface.js';
import type { CacheLogger } from '../core/logger.interface.js';
import { BusCatchUp } from './bus/redis-bus.catch-up.js';
import { BusOperation, type BusMessage } from './bus/redis-bus.codec.js';
import { RedisBus } from './bus/redis-bus.js';
import { PendingRemovals } from './pending-removals.js';
import { connectIfWaiting, quitConnection } from './redis-connection.util.js';
import { decodeEntry, encodeEntry } from './store/redis-entry.codec.js';
import { exceedsBytes } from './store/redis-entry-size.util.js';
import { FetchTickets } from './redis-fetch.tickets.js';
import { DistributedLease } from './redis-lease.js';
import { RedisStore, type RemovalOperation, type StoredRead } from './store/redis-store.js';
import { RedisTierFaults } from './redis-tier.faults.js';
import type { RedisClientLike, ResolvedRedisTierOptions } from './redis-tier.options.interface.js';
import type { RedisTierStats } from './redis-tier.stats.interface.js';
import {
  BAD_ENTRY,
  BAD_MESSAGE,
  ENTRY_KEPT_IN_MEMORY,
  ENTRY_TOO_LARGE_IN_REDIS,
  L1_CAUGHT_UP_AFTER_RECONNECT,
  L1_CLEARED_AFTER_RECONNECT,
} from './redis.messages.js';
import { RedisCommandError } from './transport/redis-command.error.js';
import { RedisCommandTransport } from './transport/redis-command.transport.js';
import { errorMessage } from '../core/error-text.util.js';

export type { RedisTierStats } from './redis-tier.stats.interface.js';

/**
 * Redis as the second cache tier (L2) behind the in-memory cache (L1), and as the bus that keeps
 * every instance's L1 coherent. This class is the composition root: it wires the command
 * transport (batching, timeouts, breaker), the store (key layout and scripts), the bus and its
 * catch-up after gaps, the distributed lease and the pending removals, and turns the cache's hooks into their calls.
 *
 * - L1 stays the only tier synchronous reads see. Writes go to L1 at once and to Redis in the
 *   background, with the entry's original timestamp; Redis drops the entry when it turns
 *   EXPIRED. A local miss in `wrap`/`@Cached` reads Redis before calling the loader.
 * - Every write and removal is announced on a channel; the other instances drop their copy of
 *   the key (or category, or tag), so their next read of it goes to Redis. An expiry (`expire*`)
 *   is marked in Redis and announced too: the other instances mark their copy STALE, and a later
 *   read of Redis restores it STALE. Messages are invalidations and expiries, never values.
 * - Every announced change is also appended to the bus history (a stream) by the same script.
 *   An instance that lost the bus may have missed messages: when it hears the bus again it
 *   applies what it missed from the history before it reports the bus connected, and clears its
 *   L1 instead only when the history no longer reaches back to the last change it saw.
 * - Redis never takes the app down: every command is bounded by `commandTimeout`, repeated
 *   failures open a circuit breaker (Redis reads become misses at once), errors are counted and
 *   logged at a bounded rate, and removals made while Redis is away are kept and applied (and
 *   announced) when it returns.
 *
 * Invariant: a change heard from another instance is applied to L1 without being announced or
 * written back (the hooks stay quiet while it is applied).
 */
export class RedisTier implements CacheTier {
  private readonly faults: RedisTierFaults;
  private readonly transport: RedisCommandTransport;
  private readonly store: RedisStore;
  private readonly bus: RedisBus;
  private readonly catchUp: BusCatchUp;
  private readonly fetches = new FetchTickets();
  private readonly lease: DistributedLease;
  private readonly pending: PendingRemovals;

  /** True while a message from another instance is applied to L1: the hooks must stay quiet. */
  private applyingRemoteChange = false;
  private closed = false;

  private l2Hits = 0;
  private l2Misses = 0;
  private l2BadEntries = 0;
  private l2Oversized = 0;
  private l1ClearsAfterGap = 0;

  constructor(
    private readonly cache: CacheManager,
    private readonly client: RedisClientLike,
    private readonly subscriber: RedisClientLike,
    private readonly options: ResolvedRedisTierOptions,
    private readonly logger: CacheLogger,
    /** Whether the tier created `client` (and so closes it). The subscriber is always its own. */
    private readonly ownsClient: boolean,
  ) {
    this.faults = new RedisTierFaults(options.errorLogInterval, logger);
    this.transport = new RedisCommandTransport(client, options, this.faults, logger, {
      onReady: () => {
        this.catchUp.commandsReady();
        void this.pending.replay();
      },
      onCircuitOpened: () => this.pending.scheduleProbe(),
      onCircuitClosed: () => void this.pending.replay(),
    });
    this.store = new RedisStore(options, this.transport);
    this.pending = new PendingRemovals(this.store, this.transport, options, logger);
    this.lease = new DistributedLease(cache, this.store, this.fetches, options, (key, raw) =>
      this.decode(key, raw),
    );
    this.catchUp = new BusCatchUp(
      this.store,
      options.instanceId,
      () => this.transport.isConnected,
      logger,
      {
        apply: (message) => this.applyRemoteChange(message),
        clear: (reason) => this.clearAfterGap(reason),
        caughtUp: (applied) =>
          this.logger.log(L1_CAUGHT_UP_AFTER_RECONNECT(applied, this.cache.size)),
      },
    );
    this.bus = new RedisBus(
      subscriber,
      this.store.channel,
      options.instanceId,
      this.faults,
      logger,
      {
        onMessage: (message) => {
          if (message.src !== options.instanceId) this.applyRemoteChange(message);
          this.catchUp.heard(message);
        },
        onLost: () => this.catchUp.lost(),
        onSubscribed: (afterGap) => this.catchUp.subscribed(afterGap),
      },
    );
  }

  /**
   * Starts watching both connections and connects them if they wait for it. Never waits for
   * Redis: the app starts (and serves from memory) whether Redis is there or not.
   */
  start(): void {
    this.transport.start();
    this.bus.start();
    connectIfWaiting(this.client);
    connectIfWaiting(this.subscriber);
  }

  /** Stops the tier: no more Redis commands; closes the connections the tier owns. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Writes made before the close still go out; QUIT waits for their replies.
    this.transport.close();
    this.closed = true;
    this.pending.close();
    this.bus.close();
    this.catchUp.close();
    // Keep an 'error' listener: an unhandled 'error' event would crash the process.
    const ignore = (): void => {};
    this.subscriber.on('error', ignore);
    if (this.ownsClient) this.client.on('error', ignore);
    this.lease.close();
    this.faults.flush();
    const connections = this.ownsClient ? [this.subscriber, this.client] : [this.subscriber];
    await Promise.all(
      connections.map((connection) => quitConnection(connection, this.options.commandTimeout)),
    );
  }

  getStats(): RedisTierStats {
    return {
      connected: this.transport.isConnected,
      busConnected: this.bus.isConnected,
      l2Errors: this.faults.commandErrors,
      connectionErrors: this.faults.connectionErrors,
      circuit: this.transport.circuit,
      l2Skipped: this.transport.skipped,
      l2Hits: this.l2Hits,
      l2Misses: this.l2Misses,
      l2BadEntries: this.l2BadEntries,
      l2Oversized: this.l2Oversized,
      pendingInvalidations: this.pending.size,
      busMessagesReceived: this.bus.messagesReceived,
      l1ClearsAfterGap: this.l1ClearsAfterGap,
      busCatchUps: this.catchUp.catchUps,
      busChangesCaughtUp: this.catchUp.changesCaughtUp,
      leasesAcquired: this.lease.acquired,
      leaseWaits: this.lease.waits,
      lastError: this.faults.lastError,
      instanceId: this.options.instanceId,
    };
  }

  // ── Hooks: local changes, written to Redis in the background ──────────────────────────────

  afterSet(entry: CacheEntry<unknown>): void {
    if (this.applyingRemoteChange || this.closed) return;
    const { key } = entry;
    const timestampMs = cacheInternals(this.cache).timestampOf(entry);
    this.fetches.raiseFloor(key, timestampMs);
    const tierEntry: TierEntry = {
      data: entry.data,
      timestampMs,
      ttlSeconds: entry.ttlSeconds,
      category: entry.category,
      metadata: entry.metadata,
    };
    if (entry.tags.length > 0) tierEntry.tags = entry.tags;
    const stored = encodeEntry(tierEntry);
    if (exceedsBytes(stored, this.options.maxValueBytes)) {
      this.keepInMemoryOnly(key, stored);
      return;
    }
    // A write that did not reach Redis may leave an older value there: drop it when Redis is back.
    this.store
      .writeEntry(key, tierEntry, stored)
      .catch(() => this.pending.keep(BusOperation.KeyWritten, key));
  }

  /**
   * An entry too large for Redis (`maxValueBytes`) stays in L1 only. It is still a write: the
   * value Redis holds and the other instances' copies are older, so they are dropped, and
   * announced as a write, as a write that failed is when replayed.
   */
  private keepInMemoryOnly(key: string, stored: string): void {
    this.l2Oversized++;
    const bytes = Buffer.byteLength(stored, 'utf8');
    this.faults.oversized(ENTRY_KEPT_IN_MEMORY(key, bytes, this.options.maxValueBytes));
    this.store
      .remove(BusOperation.KeyWritten, key)
      .catch(() => this.pending.keep(BusOperation.KeyWritten, key));
  }

  afterInvalidate(key: string): void {
    this.removal(BusOperation.KeyInvalidated, key);
  }

  afterDelete(key: string): void {
    this.removal(BusOperation.KeyDeleted, key);
  }

  afterInvalidateCategory(category: string): void {
    this.removal(BusOperation.CategoryInvalidated, category);
  }

  afterClear(category: string | undefined): void {
    if (category === undefined) this.clearAll();
    else this.removal(BusOperation.CategoryCleared, category);
  }

  // Called whether or not this instance holds the key (or anything in the category or tag).
  afterExpire(key: string): void {
    this.removal(BusOperation.KeyExpired, key);
  }

  afterExpireCategory(category: string): void {
    this.removal(BusOperation.CategoryExpired, category);
  }

  afterInvalidateTag(tag: string): void {
    this.removal(BusOperation.TagInvalidated, tag);
  }

  afterExpireTag(tag: string): void {
    this.removal(BusOperation.TagExpired, tag);
  }

  /** A local removal or expiry: applied in Redis and announced, or kept until Redis returns. */
  private removal(op: RemovalOperation, arg: string): void {
    if (this.applyingRemoteChange || this.closed) return;
    this.fetches.overtake(op, arg);
    this.store.remove(op, arg).catch(() => this.pending.keep(op, arg));
  }

  private clearAll(): void {
    if (this.applyingRemoteChange || this.closed) return;
    this.fetches.voidAll();
    // A clear supersedes every removal still waiting.
    this.pending.supersede();
    this.store.clear().catch(() => this.pending.keepClear());
  }

  // ── Reads ──────────────────────────────────────────────────────────────────────────────────

  async fetch(key: string): Promise<TierEntry | undefined> {
    if (this.closed) return undefined;
    const ticket = this.fetches.issue(key);
    let raw: StoredRead;
    try {
      raw = await this.store.readEntry(key, this.options.maxValueBytes);
    } catch (error) {
      // WRONGTYPE: something that is not a string sits under our prefix.
      if (error instanceof RedisCommandError && error.fromRedis) this.badEntry(key, error.message);
      return undefined;
    } finally {
      this.fetches.settle(ticket);
    }
    // An invalidation heard while the read was out may have come after Redis answered.
    if (ticket.void) return undefined;
    return this.fetches.admit(ticket, this.decode(key, raw));
  }

  /**
   * With the distributed lock on, takes the key's lease in Redis and runs `load`; if another
   * instance holds it, serves this instance's STALE copy if it has one, else waits for the other
   * instance's value (up to the lease timeout, then loads itself). Without the lock, or when
   * Redis cannot be asked, runs `load` at once.
   */
  runExclusive<T>(
    key: string,
    load: () => Promise<T>,
  ): Promise<{ value: T } | { entry: TierEntry }> {
    return this.lease.runExclusive(key, load);
  }

  private decode(key: string, raw: StoredRead): TierEntry | undefined {
    if (raw === null) {
      this.l2Misses++;
      return undefined;
    }
    if (typeof raw === 'number') {
      // Larger than this instance's bound (an instance with a higher one wrote it): not read.
      this.l2Oversized++;
      this.l2Misses++;
      this.faults.oversized(ENTRY_TOO_LARGE_IN_REDIS(key, raw, this.options.maxValueBytes));
      return undefined;
    }
    const entry = decodeEntry(raw);
    if (typeof entry === 'string') return this.badEntry(key, entry);
    this.l2Hits++;
    return entry;
  }

  private badEntry(key: string, reason: string): undefined {
    this.l2BadEntries++;
    this.l2Misses++;
    this.faults.badData(BAD_ENTRY(key, reason));
    return undefined;
  }

  // ── Changes heard on the bus, or read from its history ──────────────────────────────────────

  /** Applies another instance's change to L1. A new kind of message needs its case here. */
  private applyRemoteChange(message: BusMessage): void {
    const { op } = message;
    const arg = message.arg!;
    switch (op) {
      case BusOperation.KeyWritten:
        this.fetches.raiseFloor(arg, message.t ?? Infinity);
        this.applyLocally(() => this.cache.delete(arg));
        this.lease.wake(arg);
        return;
      case BusOperation.KeyInvalidated:
        return this.applyHeard(op, arg, () => this.cache.invalidate(arg));
      case BusOperation.KeyDeleted:
        return this.applyHeard(op, arg, () => this.cache.delete(arg));
      case BusOperation.CategoryInvalidated:
        return this.applyHeard(op, arg, () => this.cache.invalidateCategory(arg));
      case BusOperation.CategoryCleared:
        return this.applyHeard(op, arg, () => this.cache.clear(arg));
      case BusOperation.AllCleared:
        return this.applyHeard(op, arg, () => this.cache.clear());
      // An expiry makes this instance's copy STALE (served to readers that take STALE entries,
      // refreshed once by stale-while-revalidate), not gone.
      case BusOperation.KeyExpired:
        return this.applyHeard(op, arg, () => this.cache.expire(arg));
      case BusOperation.CategoryExpired:
        return this.applyHeard(op, arg, () => this.cache.expireCategory(arg));
      case BusOperation.TagInvalidated:
        return this.applyHeard(op, arg, () => this.cache.invalidateTag(arg));
      case BusOperation.TagExpired:
        return this.applyHeard(op, arg, () => this.cache.expireTag(arg));
      default:
        op satisfies never;
    }
  }

  /** A heard removal or expiry: it overtakes the L2 reads under way, then applies to L1. */
  private applyHeard(op: BusOperation, arg: string | undefined, change: () => unknown): void {
    this.fetches.overtake(op, arg);
    this.applyLocally(change);
  }

  /** The bus came back after a gap the history could not cover: L1 may hold anything. */
  private clearAfterGap(reason: string): void {
    this.fetches.voidAll();
    const removed = this.applyLocally(() => this.cache.clear());
    this.l1ClearsAfterGap++;
    this.logger.warn(L1_CLEARED_AFTER_RECONNECT(removed ?? 0, reason));
  }

  /**
   * Runs `change` (another instance's change) on L1 with the hooks quiet, so that it is not
   * written back to Redis nor announced again. A change that throws is logged as a bad message.
   */
  private applyLocally<R>(change: () => R): R | undefined {
    this.applyingRemoteChange = true;
    try {
      return change();
    } catch (error) {
      this.faults.badData(BAD_MESSAGE(errorMessage(error)));
      return undefined;
    } finally {
      this.applyingRemoteChange = false;
    }
  }
}
