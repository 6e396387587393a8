import type { TierEntry } from '../../core/cache-tier.interface.js';
import { BusOperation, encodeBusMessage, isCategoryOperation } from '../bus/redis-bus.codec.js';
import type { RedisCommandTransport } from '../transport/redis-command.transport.js';
import { encodeEntry, expiresAtMs } from './redis-entry.codec.js';
import {
  CLEAR_SCRIPT,
  DELETE_SCRIPT,
  DROP_CATEGORY_SCRIPT,
  PEEK_LOAD_SCRIPT,
  RELEASE_LEASE_SCRIPT,
  SET_SCRIPT,
} from './redis-store.scripts.js';

/**
 * The tier's operations as Redis commands, and the key layout they share: `{prefix}e:{key}`
 * entries, `{prefix}x:{category}` category indexes, `{prefix}categories`, `{prefix}l:{key}`
 * leases, `{prefix}bus` the channel. A plain store: no policy (timeouts, breaker, counting are
 * the transport's) and no knowledge of the in-memory cache (that is the tier's).
 *
 * Invariant: every change is written and announced on the channel by one script, so a receiver
 * that hears of it and then reads Redis finds the change made.
 */

/**
 * The operations replayed one by one as a removal: all but the full clear. A write is one too:
 * replayed, it drops the key (Redis may hold an older value the failed write did not replace).
 */
export type RemovalOperation = Exclude<BusOperation, typeof BusOperation.AllCleared>;

export class RedisStore {
  readonly channel: string;
  private readonly entryPrefix: string;
  private readonly indexPrefix: string;
  private readonly categoriesKey: string;
  private readonly leasePrefix: string;

  constructor(
    keyPrefix: string,
    private readonly instanceId: string,
    private readonly transport: RedisCommandTransport,
  ) {
    this.channel = `${keyPrefix}bus`;
    this.entryPrefix = `${keyPrefix}e:`;
    this.indexPrefix = `${keyPrefix}x:`;
    this.categoriesKey = `${keyPrefix}categories`;
    this.leasePrefix = `${keyPrefix}l:`;
  }

  /** Writes `entry` under `key` until it turns EXPIRED, and announces it (a background write). */
  writeEntry(key: string, entry: TierEntry): Promise<unknown> {
    return this.transport.queueWrite(
      SET_SCRIPT,
      [this.entryPrefix + key, this.indexPrefix + entry.category, this.categoriesKey],
      [
        encodeEntry(entry),
        expiresAtMs(entry),
        key,
        entry.category,
        this.channel,
        this.message(BusOperation.KeyWritten, key, entry.timestampMs),
      ],
    );
  }

  /** Drops a key or a category, and announces it as `op` (a background write). */
  remove(op: RemovalOperation, arg: string): Promise<unknown> {
    if (isCategoryOperation(op)) {
      return this.transport.queueWrite(
        DROP_CATEGORY_SCRIPT,
        [this.indexPrefix + arg, this.categoriesKey],
        [this.entryPrefix, arg, this.channel, this.message(op, arg)],
      );
    }
    return this.transport.queueWrite(
      DELETE_SCRIPT,
      [this.entryPrefix + arg],
      [this.channel, this.message(op, arg)],
    );
  }

  /** Drops every entry and announces it (a background write). */
  clear(): Promise<unknown> {
    return this.transport.queueWrite(
      CLEAR_SCRIPT,
      [this.categoriesKey],
      [this.entryPrefix, this.indexPrefix, this.channel, this.message(BusOperation.AllCleared)],
    );
  }

  /** The stored form of `key`'s entry, or null. */
  readEntry(key: string): Promise<string | null> {
    return this.transport.command((client) => client.get(this.entryPrefix + key));
  }

  /** Takes `key`'s lease for `ttlMs` if nobody holds it; Redis answers `'OK'` when it did. */
  takeLease(key: string, token: string, ttlMs: number): Promise<unknown> {
    return this.transport.command((client) =>
      client.set(this.leasePrefix + key, token, 'PX', ttlMs, 'NX'),
    );
  }

  /** Releases `key`'s lease if `token` still holds it (a background write). */
  releaseLease(key: string, token: string): Promise<unknown> {
    return this.transport.queueWrite(RELEASE_LEASE_SCRIPT, [this.leasePrefix + key], [token]);
  }

  /** `[stored entry or null, 1 if the lease is still held else 0]`, read together. */
  peekLoad(key: string): Promise<unknown> {
    return this.transport.command(() =>
      this.transport.sendScript(
        PEEK_LOAD_SCRIPT,
        [this.entryPrefix + key, this.leasePrefix + key],
        [],
      ),
    );
  }

  private message(op: BusOperation, arg?: string, timestampMs?: number): string {
    return encodeBusMessage(this.instanceId, op, arg, timestampMs);
  }
}
