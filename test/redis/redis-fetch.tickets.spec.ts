import { describe, expect, it } from '@jest/globals';

import type { TierEntry } from '../../lib/core/cache-tier.interface.js';
import { BusOperation } from '../../lib/redis/bus/redis-bus.codec.js';
import { FetchTickets } from '../../lib/redis/redis-fetch.tickets.js';

const entry: TierEntry = {
  data: 'v',
  timestampMs: 1000,
  ttlSeconds: 60,
  category: 'default',
  metadata: {},
};

describe('L2 reads overtaken by a change', () => {
  it('voids the reads of the key a removal names, and only those', () => {
    const tickets = new FetchTickets();
    const k = tickets.issue('k');
    const other = tickets.issue('other');

    tickets.overtake(BusOperation.KeyInvalidated, 'k');

    expect(k.void).toBe(true);
    expect(other.void).toBe(false);
    expect(tickets.admit(other, entry)).toBe(entry);
  });

  it('lets the reads of the key an expiry names be used STALE, not dropped', () => {
    const tickets = new FetchTickets();
    const k = tickets.issue('k');
    const other = tickets.issue('other');

    tickets.overtake(BusOperation.KeyExpired, 'k');

    expect(k.void).toBe(false);
    expect(tickets.admit(k, entry)).toEqual({ ...entry, expiredEarly: true });
    expect(tickets.admit(other, entry)).toBe(entry);
  });

  it.each([
    ['a category invalidation', BusOperation.CategoryInvalidated, 'void'],
    ['a tag invalidation', BusOperation.TagInvalidated, 'void'],
    ['a full clear', BusOperation.AllCleared, 'void'],
    ['a category expiry', BusOperation.CategoryExpired, 'expired'],
    ['a tag expiry', BusOperation.TagExpired, 'expired'],
  ] as const)('reaches the reads of every key with %s', (_, op, effect) => {
    const tickets = new FetchTickets();
    const read = [tickets.issue('a'), tickets.issue('b')];

    tickets.overtake(op, op === BusOperation.AllCleared ? undefined : 'arg');

    for (const ticket of read) expect(ticket[effect]).toBe(true);
  });

  it('admits an answer only as new as a write heard meanwhile', () => {
    const tickets = new FetchTickets();
    const k = tickets.issue('k');
    tickets.raiseFloor('k', 2000);
    expect(tickets.admit(k, entry)).toBeUndefined();
    expect(tickets.admit(k, { ...entry, timestampMs: 2000 })).toMatchObject({ timestampMs: 2000 });
    expect(tickets.admit(k, undefined)).toBeUndefined();
  });
});
