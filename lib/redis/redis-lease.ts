import { randomUUID } from 'node:crypto';

import type { CacheManager } from '../core/cache-manager.js';
import type { TierEntry } from '../core/cache-tier.interface.js';
import type { FetchTickets } from './redis-fetch.tickets.js';
import type { RedisStore, StoredRead } from './store/redis-store.js';
import type { ResolvedRedisTierOptions } from './redis-tier.options.interface.js';

/**
 * The distributed lock: a lease in Redis per key, so that one instance at a time runs a key's
 * loader while the others serve their STALE copy or wait for its value.
 *
 * Invariant: a lease is held for at most `leaseTimeout` (Redis expires it), released only by the
 * token that took it, and released after the loaded value's write was queued, so a waiter that
 * sees the lease gone finds the value (if it was cached). A waiter never waits past the lease
 * timeout, nor for a closed tier: then it loads itself. When Redis cannot be asked, loads run at
 * once.
 */
export class DistributedLease {
  /** Loads this instance ran holding the lease. */
  acquired = 0;
  /** Loads this instance left to another instance (served stale, or waited). */
  waits = 0;
  private closed = false;
  /** Waiters for another instance's load, woken when its write is announced. */
  private readonly loadWaiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly cache: CacheManager,
    private readonly store: RedisStore,
    private readonly fetches: FetchTickets,
    private readonly options: ResolvedRedisTierOptions,
    /** The entry in a stored value (counted as an L2 hit, miss or bad entry). */
    private readonly decode: (key: string, raw: StoredRead) => TierEntry | undefined,
  ) {}

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
    const token = randomUUID();
    const deadline = performance.now() + lock.leaseTimeout;
    for (;;) {
      let acquired: boolean;
      try {
        const reply = await this.store.takeLease(key, token, lock.leaseTimeout);
        acquired = reply === 'OK';
      } catch {
        return { value: await load() };
      }
      if (acquired) {
        this.acquired++;
        try {
          return { value: await load() };
        } finally {
          // Sent after the loaded value's write, so waiters find the value when the lease goes.
          this.store.releaseLease(key, token).catch(() => {
            // The lease expires on its own.
          });
        }
      }
      this.waits++;
      if (this.cache.hasKey(key, { freshOnly: false })) {
        const stale = this.cache.get<T>(key, { includeStale: true });
        if (stale !== undefined) return { value: stale.data };
      }
      const outcome = await this.waitForLoad(key, deadline, lock.pollInterval);
      if (typeof outcome === 'object') return { entry: outcome };
      if (outcome === 'timeout') return { value: await load() };
      // The lease is gone and no value came (the loader failed, or its value is not cached):
      // try to take the lease ourselves.
    }
  }

  /** Another instance wrote `key`: whoever waits for its load looks in Redis now. */
  wake(key: string): void {
    const waiters = this.loadWaiters.get(key);
    if (waiters !== undefined) for (const wake of [...waiters]) wake();
  }

  /** Wakes every waiter (they then load themselves) and lets no one wait again. */
  close(): void {
    this.closed = true;
    for (const waiters of this.loadWaiters.values()) for (const wake of waiters) wake();
    this.loadWaiters.clear();
  }

  /** Waits until the key's value is in Redis, its lease is gone, or the deadline passed. */
  private async waitForLoad(
    key: string,
    deadline: number,
    pollInterval: number,
  ): Promise<TierEntry | 'released' | 'timeout'> {
    for (;;) {
      const remaining = deadline - performance.now();
      if (remaining <= 0 || this.closed) return 'timeout';
      await this.sleepUntilAnnounced(key, Math.min(pollInterval, remaining));
      const ticket = this.fetches.issue(key);
      let reply: unknown;
      try {
        reply = await this.store.peekLoad(key, this.options.maxValueBytes);
      } catch {
        return 'timeout';
      } finally {
        this.fetches.settle(ticket);
      }
      const [raw, leased] = Array.isArray(reply) ? reply : [null, 0];
      if (typeof raw === 'number') {
        // The holder's value is there, but too large for this instance to take: load it here.
        this.decode(key, raw);
        return 'timeout';
      }
      if (!ticket.void && typeof raw === 'string') {
        const entry = this.fetches.admit(ticket, this.decode(key, raw));
        if (entry !== undefined) return entry;
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
}
