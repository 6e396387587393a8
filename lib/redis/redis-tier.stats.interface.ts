import type { CircuitState } from './transport/circuit-breaker.js';
import type { TierStats } from '../core/cache-tier.interface.js';

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
  /**
   * Entries kept out of Redis because their stored form is larger than `maxValueBytes`: local
   * writes kept in memory only, and values found in Redis read as misses (not transferred).
   * Not errors.
   */
  l2Oversized: number;
  /** Invalidations made while Redis was unreachable, waiting to be applied there. */
  pendingInvalidations: number;
  /** Invalidations and writes heard from other instances and applied in memory. */
  busMessagesReceived: number;
  /**
   * Times the in-memory cache was cleared because the bus came back after a gap that the bus
   * history could not cover (see `busHistory`).
   */
  l1ClearsAfterGap: number;
  /**
   * Times the bus came back after a gap and this instance applied the changes it missed, from
   * the bus history, keeping the rest of its memory.
   */
  busCatchUps: number;
  /** Changes of other instances applied from the bus history after gaps. */
  busChangesCaughtUp: number;
  /** Loads this instance ran holding the distributed lease. */
  leasesAcquired: number;
  /** Loads this instance left to another instance (served stale, or waited). */
  leaseWaits: number;
  /** The last error talking to Redis, if any. */
  lastError: string | undefined;
  /** This instance's id on the bus. */
  instanceId: string;
}
