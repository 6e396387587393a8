import type { TierEntry } from '../core/cache-tier.interface.js';
import { isExpiryOperation, isKeyOperation, type BusOperation } from './bus/redis-bus.codec.js';

/**
 * The L2 reads under way. A read's answer travels on the command connection, the bus's messages
 * on another one, so a message may overtake the answer.
 *
 * Invariant: an answer is used only if its ticket is not void and the entry is not older than
 * the ticket's `notBefore`, and it is used STALE if its ticket is expired: an invalidation of
 * the key heard (or made) meanwhile voids the ticket, an expiry expires it, a write heard (or
 * made) meanwhile raises its floor to the write's timestamp.
 */

/** One L2 read under way. */
export interface FetchTicket {
  readonly key: string;
  void: boolean;
  /** The key was expired meanwhile: the answer is used as expired early (STALE). */
  expired: boolean;
  /** Entries written before this (ms since the epoch) are void. */
  notBefore: number;
}

export class FetchTickets {
  private readonly open = new Set<FetchTicket>();

  /** A ticket for a read of `key` starting now; give it back with `settle`. */
  issue(key: string): FetchTicket {
    const ticket: FetchTicket = { key, void: false, expired: false, notBefore: -Infinity };
    this.open.add(ticket);
    return ticket;
  }

  settle(ticket: FetchTicket): void {
    this.open.delete(ticket);
  }

  voidAll(): void {
    for (const ticket of this.open) ticket.void = true;
  }

  /**
   * A change (made here or heard) overtakes the reads under way that it may reach: their answers
   * may predate it. A removal voids them, an expiry expires them (a write is better told to
   * `raiseFloor`, which keeps the answers as new as it). One that names a category, a tag or
   * nothing (a full clear) may reach any key.
   */
  overtake(op: BusOperation, arg: string | undefined): void {
    const key = isKeyOperation(op) ? arg : undefined;
    const expiry = isExpiryOperation(op);
    for (const ticket of this.open) {
      if (key !== undefined && ticket.key !== key) continue;
      if (expiry) ticket.expired = true;
      else ticket.void = true;
    }
  }

  /**
   * The entry a read answered, as the ticket (not void) lets it be used: undefined when it is
   * older than the ticket's floor, expired early when the ticket was expired.
   */
  admit(ticket: FetchTicket, entry: TierEntry | undefined): TierEntry | undefined {
    if (entry === undefined || entry.timestampMs < ticket.notBefore) return undefined;
    return ticket.expired ? { ...entry, expiredEarly: true } : entry;
  }

  raiseFloor(key: string, timestampMs: number): void {
    for (const ticket of this.open) {
      if (ticket.key === key && timestampMs > ticket.notBefore) ticket.notBefore = timestampMs;
    }
  }
}
