/**
 * The L2 reads under way. A read's answer travels on the command connection, the bus's messages
 * on another one, so a message may overtake the answer.
 *
 * Invariant: an answer is used only if its ticket is not void and the entry is not older than
 * the ticket's `notBefore`: an invalidation of the key heard (or made) meanwhile voids the
 * ticket, a write heard (or made) meanwhile raises its floor to the write's timestamp.
 */

/** One L2 read under way. */
export interface FetchTicket {
  readonly key: string;
  void: boolean;
  /** Entries written before this (ms since the epoch) are void. */
  notBefore: number;
}

export class FetchTickets {
  private readonly open = new Set<FetchTicket>();

  /** A ticket for a read of `key` starting now; give it back with `settle`. */
  issue(key: string): FetchTicket {
    const ticket: FetchTicket = { key, void: false, notBefore: -Infinity };
    this.open.add(ticket);
    return ticket;
  }

  settle(ticket: FetchTicket): void {
    this.open.delete(ticket);
  }

  voidKey(key: string): void {
    for (const ticket of this.open) if (ticket.key === key) ticket.void = true;
  }

  voidAll(): void {
    for (const ticket of this.open) ticket.void = true;
  }

  raiseFloor(key: string, timestampMs: number): void {
    for (const ticket of this.open) {
      if (ticket.key === key && timestampMs > ticket.notBefore) ticket.notBefore = timestampMs;
    }
  }
}
