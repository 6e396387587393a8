import type { CacheLogger } from '../core/logger.interface.js';
import type { RedisStore, RemovalOperation } from './store/redis-store.js';
import type { ResolvedRedisTierOptions } from './redis-tier.options.interface.js';
import { PENDING_REPLAYED } from './redis.messages.js';
import type { RedisCommandTransport } from './transport/redis-command.transport.js';

/**
 * Removals (and writes, which may leave an older value behind, and expiries, by key, category or
 * tag) that did not reach Redis, kept to be applied, and announced, when it returns: replayed when the command connection is ready
 * again (which also closes the circuit), when the circuit closes, and after each cooldown (the
 * replay is then the breaker's probe).
 *
 * Invariant: each (operation, argument) is kept once, in the order of its last failure; past
 * `maxPendingInvalidations`, or when a full clear failed, they are replaced by one full clear,
 * which supersedes every removal.
 */
export class PendingRemovals {
  /** Removals to replay when Redis returns, by operation and argument (each once). */
  private pending = new Map<string, { op: RemovalOperation; arg: string }>();
  /** Too many removals were missed: Redis must be cleared whole when it returns. */
  private clearAll = false;
  private replaying = false;
  private closed = false;
  /** Replays pending removals once the circuit's cooldown is over: they are the probe. */
  private probeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: RedisStore,
    private readonly transport: RedisCommandTransport,
    private readonly options: ResolvedRedisTierOptions,
    private readonly logger: CacheLogger,
  ) {}

  /** How many wait (-1: a full clear waits). */
  get size(): number {
    return this.clearAll ? -1 : this.pending.size;
  }

  /** A removal that failed: kept, to be replayed. */
  keep(op: RemovalOperation, arg: string): void {
    if (this.closed || this.clearAll) return;
    const id = `${op}\u0000${arg}`;
    this.pending.delete(id);
    this.pending.set(id, { op, arg });
    if (this.pending.size > this.options.maxPendingInvalidations) {
      this.pending.clear();
      this.clearAll = true;
    }
  }

  /** A full clear was made: it supersedes every removal still waiting. */
  supersede(): void {
    this.pending.clear();
  }

  /** A full clear failed: Redis is cleared whole when it returns. */
  keepClear(): void {
    this.clearAll = true;
  }

  /** Applies (and announces) the removals made while Redis was away, oldest first. */
  async replay(): Promise<void> {
    if (this.replaying || this.closed) return;
    if (!this.clearAll && this.pending.size === 0) return;
    // This replay is the probe a scheduled one would have been.
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.replaying = true;
    let replayed = 0;
    const clearedAll = this.clearAll;
    try {
      if (this.clearAll) {
        await this.store.clear();
        this.clearAll = false;
      }
      for (const [id, { op, arg }] of this.pending) {
        await this.store.remove(op, arg);
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

  /** Replays once the circuit lets a probe through (after `delayMs`, the cooldown by default). */
  scheduleProbe(delayMs = this.options.cooldown): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      // Timers may fire a little early by the clock the breaker reads.
      const wait = this.transport.msUntilProbe();
      if (wait > 0) this.scheduleProbe(wait + 1);
      else void this.replay();
    }, delayMs);
    this.probeTimer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.probeTimer);
  }
}
