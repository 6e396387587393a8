import { createHash, randomUUID } from 'node:crypto';

import type { CacheEntry } from '../core/cache-entry.js';
import type { CacheManager } from '../core/cache-manager.js';
import type { CacheTier, TierEntry, TierStats } from '../core/cache-tier.interface.js';
import type { CacheLogger } from '../core/logger.interface.js';
import { CircuitBreaker, type CircuitState } from './transport/circuit-breaker.js';
import { ErrorLogThrottle } from './error-log.throttle.js';
import { decodeBusMessage, encodeBusMessage, type BusOperation } from './bus/redis-bus.codec.js';
import { decodeEntry, encodeEntry, expiresAtMs } from './redis-entry.codec.js';
import type { RedisClientLike, ResolvedRedisTierOptions } from './redis-tier.options.interface.js';
import {
  CLEAR_SCRIPT,
  DELETE_SCRIPT,
  DROP_CATEGORY_SCRIPT,
  PEEK_LOAD_SCRIPT,
  RELEASE_LEASE_SCRIPT,
  SET_SCRIPT,
} from './redis-tier.scripts.js';
import {
  BAD_ENTRY,
  BAD_MESSAGE,
  CIRCUIT_CLOSED,
  CIRCUIT_OPENED,
  COMMAND_TIMED_OUT,
  L1_CLEARED_AFTER_RECONNECT,
  NOT_SENT,
  PENDING_REPLAYED,
  REDIS_CONNECTED,
  REDIS_DISCONNECTED,
  REDIS_ERRORS,
} from './redis.messages.js';

/** The Redis tier's health and counters, as `getStats().tier` reports them. */
export interface RedisTierStats extends TierStats {
  /** Whether the command connection is up. */
  connected: boolean;
  /** Whether this instance hears invalidations from the others now. */
  busConnected: boolean;
  /** Redis commands that failed or timed out since start. */
  l2Errors: number;
  /** Failed attempts to (re)connect since start. */
  connectionErrors: number;
  /** `closed` (using Redis), `open` (not trying it) or `half-open` (probing it). */
  circuit: CircuitState;
  /** Operations not sent to Redis because the circuit was open. */
  l2Skipped: number;
  /** Local misses found in Redis. */
  l2Hits: number;
  /** Local misses not found in Redis either. */
  l2Misses: number;
  /** Values found under the tier's prefix that were not valid entries (read as misses). */
  l2BadEntries: number;
  /** Invalidations made while Redis was unreachable, waiting to be applied there. */
  pendingInvalidations: number;
  /** Invalidations and writes heard from other instances and applied in memory. */
  busMessagesReceived: number;
  /** Times the in-memory cache was cleared because the bus came back after a gap. */
  l1ClearsAfterGap: number;
  /** Loads this instance ran holding the distributed lease. */
  leasesAcquired: number;
  /** Loads this instance left to another instance (served stale, or waited). */
  leaseWaits: number;
  /** The last error talking to Redis, if any. */
  lastError: string | undefined;
  /** This instance's id on the bus. */
  instanceId: string;
}

/**
 * An L2 read under way. Its answer travels on the command connection, the bus's messages on
 * another one, so a message may overtake the answer: an invalidation of the key heard meanwhile
 * makes the answer void, a write heard meanwhile makes older entries void.
 */
interface FetchTicket {
  readonly key: string;
  void: boolean;
  /** Entries written before this (ms since the epoch) are void. */
  notBefore: number;
}

/** Why a Redis command did not succeed. */
class TierError extends Error {
  constructor(
    message: string,
    /** Whether Redis itself answered with an error (it is up; the command or data is wrong). */
    readonly fromRedis = false,
  ) {
    super(message);
  }
}

/** Something that must be replayed when Redis returns: a removal made while it was away. */
interface PendingRemoval {
  op: Exclude<BusOperation, 'c'>;
  arg: string;
}

/** A command on its way to Redis, settled once: by its reply, its error, or its timeout. */
interface OutgoingCommand {
  readonly send: () => Promise<unknown>;
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: TierError) => void;
  settled: boolean;
}

const SKIPPED = new TierError(NOT_SENT);

/** SHA1 of each script, by source, for EVALSHA. */
const scriptShas = new Map<string, string>();
const shaOf = (source: string): string => {
  let sha = scriptShas.get(source);
  if (sha === undefined) {
    sha = createHash('sha1').update(source).digest('hex');
    scriptShas.set(source, sha);
  }
  return sha;
};

/**
 * Redis as the second cache tier (L2) behind the in-memory cache (L1), and as the bus that keeps
 * every instance's L1 coherent.
 *
 * - L1 stays the only tier synchronous reads see. Writes go to L1 at once and to Redis in the
 *   background, with the entry's original timestamp; Redis drops the entry when it turns
 *   EXPIRED. A local miss in `wrap`/`@Cached` reads Redis before calling the loader.
 * - Every write and removal is announced on a channel; the other instances drop their copy of
 *   the key (or category), so their next read of it goes to Redis. Messages are invalidations,
 *   never values.
 * - An instance that lost the bus may have missed messages: when it hears the bus again it
 *   clears its L1 before serving anything more from memory.
 * - Redis never takes the app down: every command is bounded by `commandTimeout`, repeated
 *   failures open a circuit breaker (Redis reads become misses at once), errors are counted and
 *   logged at a bounded rate, and removals made while Redis is away are kept and applied (and
 *   announced) when it returns.
 */
export class RedisTier implements CacheTier {
  private readonly breaker: CircuitBreaker;
  private readonly errorLog: ErrorLogThrottle;
  private readonly badDataLog: ErrorLogThrottle;
  private readonly channel: string;
  private readonly entryPrefix: string;
  private readonly indexPrefix: string;
  private readonly categoriesKey: string;
  private readonly leasePrefix: string;

  /** True while a message from another instance is applied to L1: the hooks must stay quiet. */
  private applyingRemote = false;
  private closed = false;
  private busSubscribed = false;
  /** Whether the bus was ever lost (or never reached at first): L1 may have missed messages. */
  private busGap = false;
  private commandConnected = false;
  private readonly fetches = new Set<FetchTicket>();
  /** Removals to replay when Redis returns, by operation and argument (each once). */
  private pending = new Map<string, PendingRemoval>();
  /** Too many removals were missed: Redis must be cleared whole when it returns. */
  private pendingClearAll = false;
  private replaying = false;
  /** Replays pending removals once the circuit's cooldown is over: they are the probe. */
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Background writes (sets, removals, lease releases) made since the last flush, in the order
   * they were made. They go out together when the current synchronous stretch of code ends, under
   * one timeout that starts then: a long synchronous job that sets many keys must not eat into
   * its writes' timeout before they could even be sent. Any other command flushes them first, so
   * Redis sees every command in the order it was made.
   */
  private writeQueue: OutgoingCommand[] = [];
  /** Scripts sent whole (EVAL) on the current command connection: later sends use EVALSHA. */
  private scriptsSent = new Set<string>();
  /** Waiters for another instance's load, woken when its write is announced. */
  private readonly loadWaiters = new Map<string, Set<() => void>>();
  private readonly listeners: [RedisClientLike, string, (...args: never[]) => void][] = [];

  private lastError: string | undefined;
  private l2Errors = 0;
  private connectionErrors = 0;
  private l2Skipped = 0;
  private l2Hits = 0;
  private l2Misses = 0;
  private l2BadEntries = 0;
  private busMessagesReceived = 0;
  private l1ClearsAfterGap = 0;
  private leasesAcquired = 0;
  private leaseWaits = 0;

  constructor(
    private readonly cache: CacheManager,
    private readonly client: RedisClientLike,
    private readonly subscriber: RedisClientLike,
    private readonly options: ResolvedRedisTierOptions,
    private readonly logger: CacheLogger,
    /** Whether the tier created `client` (and so closes it). The subscriber is always its own. */
    private readonly ownsClient: boolean,
  ) {
    const prefix = options.keyPrefix;
    this.channel = `${prefix}bus`;
    this.entryPrefix = `${prefix}e:`;
    this.indexPrefix = `${prefix}x:`;
    this.categoriesKey = `${prefix}categories`;
    this.leasePrefix = `${prefix}l:`;
    this.breaker = new CircuitBreaker(
      options.failureThreshold,
      options.cooldown,
      () => performance.now(),
      (state, failures) => {
        if (state === 'open') {
          this.logger.warn(CIRCUIT_OPENED(failures, options.cooldown));
          this.scheduleProbe();
        } else {
          this.logger.log(CIRCUIT_CLOSED);
          void this.replayPending();
        }
      },
    );
    this.errorLog = new ErrorLogThrottle(options.errorLogInterval, (count, last) =>
      this.logger.warn(REDIS_ERRORS(count, last)),
    );
    this.badDataLog = new ErrorLogThrottle(options.errorLogInterval, (count, last) =>
      this.logger.warn(count === 1 ? last : `${last} (and ${count - 1} more like it)`),
    );
  }

  /**
   * Starts watching both connections and connects them if they wait for it. Never waits for
   * Redis: the app starts (and serves from memory) whether Redis is there or not.
   */
  start(): void {
    this.listen(this.client, 'ready', () => this.onCommandReady());
    this.listen(this.client, 'close', () => {
      if (!this.commandConnected) return;
      this.commandConnected = false;
      if (!this.closed) this.logger.warn(REDIS_DISCONNECTED('command connection'));
    });
    this.listen(this.client, 'error', (error: Error) => this.connectionFailed(error));
    this.listen(this.subscriber, 'ready', () => void this.subscribe());
    this.listen(this.subscriber, 'close', () => {
      // Until `subscribe` succeeds again, messages may be lost: remember the gap.
      this.busGap = true;
      if (!this.busSubscribed) return;
      this.busSubscribed = false;
      if (!this.closed) this.logger.warn(REDIS_DISCONNECTED('invalidation bus'));
    });
    this.listen(this.subscriber, 'error', (error: Error) => this.connectionFailed(error));
    this.listen(this.subscriber, 'message', (channel: string, message: string) =>
      this.onBusMessage(channel, message),
    );
    if (this.client.status === 'ready') this.onCommandReady();
    if (this.subscriber.status === 'ready') void this.subscribe();
    for (const connection of [this.client, this.subscriber]) {
      if (connection.status === 'wait' && connection.connect !== undefined) {
        connection.connect().catch(() => {
          // Reported through the 'error' event; the client keeps retrying.
        });
      }
    }
  }

  private onCommandReady(): void {
    this.commandConnected = true;
    // A new connection may reach a Redis that holds none of our scripts (a restarted one).
    this.scriptsSent = new Set();
    this.logger.log(REDIS_CONNECTED('command connection'));
    void this.replayPending();
  }

  /** Stops the tier: no more Redis commands; closes the connections the tier owns. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Writes made before the close still go out; QUIT waits for their replies.
    this.flushWrites();
    this.closed = true;
    clearTimeout(this.probeTimer);
    for (const [connection, event, listener] of this.listeners) connection.off(event, listener);
    // Keep an 'error' listener: an unhandled 'error' event would crash the process.
    const ignore = (): void => {};
    this.subscriber.on('error', ignore);
    if (this.ownsClient) this.client.on('error', ignore);
    for (const waiters of this.loadWaiters.values()) for (const wake of waiters) wake();
    this.loadWaiters.clear();
    this.errorLog.flush();
    this.badDataLog.flush();
    const connections = this.ownsClient ? [this.subscriber, this.client] : [this.subscriber];
    await Promise.all(connections.map((connection) => this.quit(connection)));
  }

  getStats(): RedisTierStats {
    return {
      connected: this.commandConnected,
      busConnected: this.busSubscribed,
      l2Errors: this.l2Errors,
      connectionErrors: this.connectionErrors,
      circuit: this.breaker.current,
      l2Skipped: this.l2Skipped,
      l2Hits: this.l2Hits,
      l2Misses: this.l2Misses,
      l2BadEntries: this.l2BadEntries,
      pendingInvalidations: this.pendingClearAll ? -1 : this.pending.size,
      busMessagesReceived: this.busMessagesReceived,
      l1ClearsAfterGap: this.l1ClearsAfterGap,
      leasesAcquired: this.leasesAcquired,
      leaseWaits: this.leaseWaits,
      lastError: this.lastError,
      instanceId: this.options.instanceId,
    };
  }

  // ── Hooks: local changes, written to Redis in the background ──────────────────────────────

  afterSet(entry: CacheEntry<unknown>): void {
    if (this.applyingRemote || this.closed) return;
    const { key } = entry;
    this.raiseFetchFloor(key, entry.timestampMs);
    const tierEntry: TierEntry = {
      data: entry.data,
      timestampMs: entry.timestampMs,
      ttlSeconds: entry.ttlSeconds,
      category: entry.category,
      metadata: entry.metadata,
    };
    const value = encodeEntry(tierEntry);
    const write = this.script(
      SET_SCRIPT,
      [this.entryPrefix + key, this.indexPrefix + entry.category, this.categoriesKey],
      [
        value,
        expiresAtMs(tierEntry),
        key,
        entry.category,
        this.channel,
        this.message('s', key, entry.timestampMs),
      ],
    );
    // A write that did not reach Redis may leave an older value there: drop it when Redis is back.
    write.catch(() => this.keepPending('s', key));
  }

  afterInvalidate(key: string): void {
    this.removal('i', key);
  }

  afterDelete(key: string): void {
    this.removal('d', key);
  }

  afterInvalidateCategory(category: string): void {
    this.removal('ic', category);
  }

  afterClear(category: string | undefined): void {
    if (category === undefined) this.clearAll();
    else this.removal('cc', category);
  }

  // ── Reads ──────────────────────────────────────────────────────────────────────────────────

  async fetch(key: string): Promise<TierEntry | undefined> {
    if (this.closed) return undefined;
    const ticket: FetchTicket = { key, void: false, notBefore: -Infinity };
    this.fetches.add(ticket);
    let raw: string | null;
    try {
      raw = await this.command(() => this.client.get(this.entryPrefix + key));
    } catch (error) {
      // WRONGTYPE: something that is not a string sits under our prefix.
      if (error instanceof TierError && error.fromRedis) this.badEntry(key, error.message);
      return undefined;
    } finally {
      this.fetches.delete(ticket);
    }
    // An invalidation heard while the read was out may have come after Redis answered.
    if (ticket.void) return undefined;
    const entry = this.decode(key, raw);
    return entry !== undefined && entry.timestampMs < ticket.notBefore ? undefined : entry;
  }

  /**
   * With the distributed lock on, takes the key's lease in Redis and runs `load`; if another
   * instance holds it, serves this instance's STALE copy if it has one, else waits for the other
   * instance's value (up to the lease timeout, then loads itself). Without the lock, or when
   * Redis cannot be asked, runs `load` at once.
   */
  async runExclusive<T>(
    key: string,
    load: () => Promise<T>,
  ): Promise<{ value: T } | { entry: TierEntry }> {
    const lock = this.options.lock;
    if (lock === undefined || this.closed) return { value: await load() };
    const leaseKey = this.leasePrefix + key;
    const token = randomUUID();
    const deadline = performance.now() + lock.leaseTimeout;
    for (;;) {
      let acquired: boolean;
      try {
        const reply = await this.command(() =>
          this.client.set(leaseKey, token, 'PX', lock.leaseTimeout, 'NX'),
        );
        acquired = reply === 'OK';
      } catch {
        return { value: await load() };
      }
      if (acquired) {
        this.leasesAcquired++;
        try {
          return { value: await load() };
        } finally {
          // Sent after the loaded value's write, so waiters find the value when the lease goes.
          this.script(RELEASE_LEASE_SCRIPT, [leaseKey], [token]).catch(() => {
            // The lease expires on its own.
          });
        }
      }
      this.leaseWaits++;
      if (this.cache.hasKey(key, { freshOnly: false })) {
        const stale = this.cache.get<T>(key, { includeStale: true });
        if (stale !== undefined) return { value: stale.data };
      }
      const outcome = await this.waitForLoad(key, leaseKey, deadline, lock.pollInterval);
      if (typeof outcome === 'object') return { entry: outcome };
      if (outcome === 'timeout') return { value: await load() };
      // The lease is gone and no value came (the loader failed, or its value is not cached):
      // try to take the lease ourselves.
    }
  }

  /** Waits until the key's value is in Redis, its lease is gone, or the deadline passed. */
  private async waitForLoad(
    key: string,
    leaseKey: string,
    deadline: number,
    pollInterval: number,
  ): Promise<TierEntry | 'released' | 'timeout'> {
    for (;;) {
      const remaining = deadline - performance.now();
      if (remaining <= 0 || this.closed) return 'timeout';
      await this.sleepUntilAnnounced(key, Math.min(pollInterval, remaining));
      const ticket: FetchTicket = { key, void: false, notBefore: -Infinity };
      this.fetches.add(ticket);
      let reply: unknown;
      try {
        reply = await this.command(() =>
          this.sendScript(PEEK_LOAD_SCRIPT, [this.entryPrefix + key, leaseKey], []),
        );
      } catch {
        return 'timeout';
      } finally {
        this.fetches.delete(ticket);
      }
      const [raw, leased] = Array.isArray(reply) ? reply : [null, 0];
      if (!ticket.void && typeof raw === 'string') {
        const entry = this.decode(key, raw);
        if (entry !== undefined && entry.timestampMs >= ticket.notBefore) return entry;
      }
      if (leased === 0) return 'released';
    }
  }

  private sleepUntilAnnounced(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.loadWaiters.get(key);
      if (waiters === undefined) this.loadWaiters.set(key, (waiters = new Set()));
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && this.loadWaiters.get(key) === waiters)
          this.loadWaiters.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  }

  private decode(key: string, raw: string | null): TierEntry | undefined {
    if (raw === null) {
      this.l2Misses++;
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
    this.badDataLog.record(BAD_ENTRY(key, reason));
    return undefined;
  }

  // ── The bus ────────────────────────────────────────────────────────────────────────────────

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.connectionFailed(error);
      return;
    }
    if (this.closed || this.busSubscribed) return;
    this.busSubscribed = true;
    this.logger.log(REDIS_CONNECTED('invalidation bus'));
    if (!this.busGap) return;
    // Messages sent while we were not listening are lost: whatever L1 holds may have been
    // invalidated elsewhere. From here on we hear everything, so clearing now is enough.
    this.busGap = false;
    this.voidAllFetches();
    const removed = this.applyRemotely(() => this.cache.clear());
    this.l1ClearsAfterGap++;
    this.logger.warn(L1_CLEARED_AFTER_RECONNECT(removed ?? 0));
  }

  private onBusMessage(channel: string, raw: string): void {
    if (channel !== this.channel || this.closed) return;
    const message = decodeBusMessage(String(raw));
    if (typeof message === 'string') {
      this.badDataLog.record(BAD_MESSAGE(message));
      return;
    }
    if (message.src === this.options.instanceId) return;
    this.busMessagesReceived++;
    const arg = message.arg!;
    switch (message.op) {
      case 's':
        this.raiseFetchFloor(arg, message.t ?? Infinity);
        this.applyRemotely(() => this.cache.delete(arg));
        this.wakeWaiters(arg);
        break;
      case 'i':
        this.voidFetches(arg);
        this.applyRemotely(() => this.cache.invalidate(arg));
        break;
      case 'd':
        this.voidFetches(arg);
        this.applyRemotely(() => this.cache.delete(arg));
        break;
      case 'ic':
        this.voidAllFetches();
        this.applyRemotely(() => this.cache.invalidateCategory(arg));
        break;
      case 'cc':
        this.voidAllFetches();
        this.applyRemotely(() => this.cache.clear(arg));
        break;
      case 'c':
        this.voidAllFetches();
        this.applyRemotely(() => this.cache.clear());
        break;
    }
  }

  /** Applies another instance's change to L1 without announcing it again. */
  private applyRemotely<R>(change: () => R): R | undefined {
    this.applyingRemote = true;
    try {
      return change();
    } catch (error) {
      this.badDataLog.record(BAD_MESSAGE(error instanceof Error ? error.message : String(error)));
      return undefined;
    } finally {
      this.applyingRemote = false;
    }
  }

  private wakeWaiters(key: string): void {
    const waiters = this.loadWaiters.get(key);
    if (waiters !== undefined) for (const wake of [...waiters]) wake();
  }

  private voidFetches(key: string): void {
    for (const ticket of this.fetches) if (ticket.key === key) ticket.void = true;
  }

  private raiseFetchFloor(key: string, timestampMs: number): void {
    for (const ticket of this.fetches) {
      if (ticket.key === key && timestampMs > ticket.notBefore) ticket.notBefore = timestampMs;
    }
  }

  private voidAllFetches(): void {
    for (const ticket of this.fetches) ticket.void = true;
  }

  private message(op: BusOperation, arg?: string, timestampMs?: number): string {
    return encodeBusMessage(this.options.instanceId, op, arg, timestampMs);
  }

  // ── Removals, and their replay after an outage ─────────────────────────────────────────────

  private removal(op: PendingRemoval['op'], arg: string): void {
    if (this.applyingRemote || this.closed) return;
    if (op === 'ic' || op === 'cc') this.voidAllFetches();
    else this.voidFetches(arg);
    this.sendRemoval(op, arg).catch(() => this.keepPending(op, arg));
  }

  private sendRemoval(op: PendingRemoval['op'], arg: string): Promise<unknown> {
    if (op === 'ic' || op === 'cc') {
      return this.script(
        DROP_CATEGORY_SCRIPT,
        [this.indexPrefix + arg, this.categoriesKey],
        [this.entryPrefix, arg, this.channel, this.message(op, arg)],
      );
    }
    return this.script(
      DELETE_SCRIPT,
      [this.entryPrefix + arg],
      [this.channel, this.message(op, arg)],
    );
  }

  private clearAll(): void {
    if (this.applyingRemote || this.closed) return;
    this.voidAllFetches();
    // A clear supersedes every removal still waiting.
    this.pending.clear();
    this.sendClear().catch(() => {
      this.pendingClearAll = true;
    });
  }

  private sendClear(): Promise<unknown> {
    return this.script(
      CLEAR_SCRIPT,
      [this.categoriesKey],
      [this.entryPrefix, this.indexPrefix, this.channel, this.message('c')],
    );
  }

  private keepPending(op: PendingRemoval['op'], arg: string): void {
    if (this.closed || this.pendingClearAll) return;
    const id = `${op}\u0000${arg}`;
    this.pending.delete(id);
    this.pending.set(id, { op, arg });
    if (this.pending.size > this.options.maxPendingInvalidations) {
      this.pending.clear();
      this.pendingClearAll = true;
    }
  }

  /** Applies (and announces) the removals made while Redis was away, oldest first. */
  private async replayPending(): Promise<void> {
    if (this.replaying || this.closed) return;
    if (!this.pendingClearAll && this.pending.size === 0) return;
    this.replaying = true;
    let replayed = 0;
    const clearedAll = this.pendingClearAll;
    try {
      if (this.pendingClearAll) {
        await this.sendClear();
        this.pendingClearAll = false;
      }
      for (const [id, { op, arg }] of this.pending) {
        await this.sendRemoval(op, arg);
        this.pending.delete(id);
        replayed++;
      }
    } catch {
      // Redis failed again: what is left is tried again later.
      if (!this.closed) this.scheduleProbe();
    } finally {
      this.replaying = false;
    }
    if (replayed > 0 || clearedAll) this.logger.log(PENDING_REPLAYED(replayed, clearedAll));
  }

  private scheduleProbe(delayMs = this.options.cooldown): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      // Timers may fire a little early by the clock the breaker reads.
      const wait = this.breaker.msUntilProbe();
      if (wait > 0) this.scheduleProbe(wait + 1);
      else void this.replayPending();
    }, delayMs);
    this.probeTimer.unref();
  }

  // ── Commands ───────────────────────────────────────────────────────────────────────────────

  /**
   * Runs a Lua script as a background write (bounded by `writeTimeout`): queued, and sent with
   * the other writes of the same synchronous stretch when it ends.
   */
  private script(source: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.writeQueue.push({
        send: () => this.sendScript(source, keys, args),
        resolve,
        reject,
        settled: false,
      });
      if (this.writeQueue.length === 1) queueMicrotask(() => this.flushWrites());
    });
  }

  /** Sends the queued writes, all under one `writeTimeout`. */
  private flushWrites(): void {
    const batch = this.writeQueue;
    if (batch.length === 0) return;
    this.writeQueue = [];
    if (!this.mayCommand()) {
      this.l2Skipped += batch.length;
      for (const write of batch) write.reject(SKIPPED);
      return;
    }
    this.sendAll(batch, this.options.writeTimeout);
  }

  /**
   * Sends a script whole (EVAL) the first time on a connection, then by its SHA1 (EVALSHA): a
   * burst of writes sends each script's source once, not once per write. Should Redis have lost
   * it meanwhile (SCRIPT FLUSH), the script is sent whole again.
   */
  private sendScript(source: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    const client = this.client;
    if (client.evalsha === undefined || !this.scriptsSent.has(source)) {
      this.scriptsSent.add(source);
      return client.eval(source, keys.length, ...keys, ...args);
    }
    return client.evalsha(shaOf(source), keys.length, ...keys, ...args).catch((error: unknown) => {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(source, keys.length, ...keys, ...args);
    });
  }

  /**
   * Runs one Redis command under the circuit breaker and `timeoutMs` (the command timeout by
   * default), after the writes queued before it. Rejects with a {@link TierError} on failure,
   * timeout, or an open circuit; counts and logs failures.
   */
  private command<R>(send: () => Promise<R>, timeoutMs = this.options.commandTimeout): Promise<R> {
    this.flushWrites();
    if (!this.mayCommand()) {
      this.l2Skipped++;
      return Promise.reject(SKIPPED);
    }
    return new Promise<R>((resolve, reject) => {
      this.sendAll(
        [{ send, resolve: resolve as (reply: unknown) => void, reject, settled: false }],
        timeoutMs,
      );
    });
  }

  /** Whether a command may go out now (when not, it is known to fail, so it is not tried). */
  private mayCommand(): boolean {
    // Not connected: not sent (and not held in a client's offline queue).
    return !this.closed && this.client.status === 'ready' && this.breaker.allow();
  }

  /**
   * Sends `commands` under one timeout of `timeoutMs`. The timeout is judged only after the
   * event loop has had a turn to read replies (`setImmediate` runs after the poll phase): when
   * this process was busy past the deadline, its timers fire before the replies waiting in the
   * socket are read, and would fail commands Redis answered in time. A timeout counts once for
   * the circuit breaker, however many commands it fails.
   */
  private sendAll(commands: OutgoingCommand[], timeoutMs: number): void {
    let open = commands.length;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (open === 0) return;
        const message = COMMAND_TIMED_OUT(timeoutMs);
        for (const command of commands) {
          if (command.settled) continue;
          command.settled = true;
          this.l2Errors++;
          this.errorLog.record(message);
          command.reject(new TierError(message));
        }
        open = 0;
        this.lastError = message;
        this.breaker.failed();
      });
    }, timeoutMs);
    const settle = (command: OutgoingCommand): boolean => {
      if (command.settled) return false;
      command.settled = true;
      if (--open === 0) clearTimeout(timer);
      return true;
    };
    for (const command of commands) {
      let sent: Promise<unknown>;
      try {
        sent = command.send();
      } catch (error) {
        sent = Promise.reject(error);
      }
      sent.then(
        (reply) => {
          if (!settle(command)) return;
          this.breaker.succeeded();
          command.resolve(reply);
        },
        (error: unknown) => {
          if (!settle(command)) return;
          const message = error instanceof Error ? error.message : String(error);
          const fromRedis = error instanceof Error && error.name === 'ReplyError';
          if (fromRedis) {
            // Redis answered: it is up. Not a reason to stop using it.
            this.breaker.succeeded();
            this.lastError = message;
            this.l2Errors++;
            this.errorLog.record(message);
          } else {
            this.commandFailed(message);
          }
          command.reject(new TierError(message, fromRedis));
        },
      );
    }
  }

  private commandFailed(message: string): void {
    this.lastError = message;
    this.l2Errors++;
    this.breaker.failed();
    this.errorLog.record(message);
  }

  private connectionFailed(error: unknown): void {
    this.connectionErrors++;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.errorLog.record(this.lastError);
  }

  private listen(
    connection: RedisClientLike,
    event: string,
    listener: (...args: never[]) => void,
  ): void {
    connection.on(event, listener);
    this.listeners.push([connection, event, listener]);
  }

  private async quit(connection: RedisClientLike): Promise<void> {
    if (connection.status === 'end') return;
    if (connection.status !== 'ready') {
      // Not connected: QUIT would wait for a connection that may never come.
      connection.disconnect();
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        connection.quit(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('quit timed out')),
            this.options.commandTimeout,
          );
        }),
      ]);
    } catch {
      connection.disconnect();
    } finally {
      clearTimeout(timer);
    }
  }
}
