import type { TierEntry } from '../../core/cache-tier.interface.js';
import { decodeHistory, type HistoryEntry } from '../bus/redis-bus-history.codec.js';
import { BusOperation, encodeBusMessage } from '../bus/redis-bus.codec.js';
import type { ResolvedRedisTierOptions } from '../redis-tier.options.interface.js';
import type { RedisCommandTransport } from '../transport/redis-command.transport.js';
import { RedisCommandError } from '../transport/redis-command.error.js';
import { expiresAtMs } from './redis-entry.codec.js';
import {
  CLEAR_SCRIPT,
  DELETE_SCRIPT,
  DROP_CATEGORY_SCRIPT,
  DROP_TAG_SCRIPT,
  EXPIRE_INDEXED_SCRIPT,
  EXPIRE_KEY_SCRIPT,
  LAST_IN_HISTORY_SCRIPT,
  PEEK_LOAD_SCRIPT,
  READ_ENTRY_SCRIPT,
  READ_HISTORY_SCRIPT,
  RELEASE_LEASE_SCRIPT,
  SET_SCRIPT,
} from './redis-store.scripts.js';

/**
 * The tier's operations as Redis commands, and the key layout they share: `{prefix}e:{key}`
 * entries, `{prefix}x:{category}` category indexes, `{prefix}categories`, `{prefix}t:{tag}` tag
 * indexes, `{prefix}tags:{key}` an entry's tags, `{prefix}l:{key}` leases, `{prefix}bus` the
 * channel, `{prefix}bus-history` the bus history. A plain store: no
 * policy (timeouts, breaker, counting are the transport's) and no knowledge of the in-memory
 * cache (that is the tier's).
 *
 * Invariant: every change is written, appended to the bus history and announced on the channel
 * by one script, so a receiver that hears of it and then reads Redis finds the change made, and
 * an instance that did not hear it finds it in the history (for as long as the history keeps it).
 */

/**
 * The operations replayed one by one as a removal: all but the full clear. A write is one too:
 * replayed, it drops the key (Redis may hold an older value the failed write did not replace);
 * so is an expiry, which takes away freshness only.
 */
export type RemovalOperation = Exclude<BusOperation, typeof BusOperation.AllCleared>;

/**
 * An entry read from Redis: its stored form, null when there is none, or its size in bytes when
 * it is larger than the reader's bound (it was not transferred).
 */
export type StoredRead = string | null | number;

export class RedisStore {
  readonly channel: string;
  readonly historyKey: string;
  private readonly entryPrefix: string;
  private readonly indexPrefix: string;
  private readonly categoriesKey: string;
  private readonly tagIndexPrefix: string;
  private readonly entryTagsPrefix: string;
  private readonly leasePrefix: string;
  private readonly instanceId: string;
  /** The history's bounds, as the announce step takes them: entries, and milliseconds. */
  private readonly historyBounds: [number, number];
  /** The largest reply a read of the history asks for (bytes). */
  private readonly maxReplyBytes: number;

  constructor(
    options: ResolvedRedisTierOptions,
    private readonly transport: RedisCommandTransport,
  ) {
    const { keyPrefix } = options;
    this.channel = `${keyPrefix}bus`;
    this.historyKey = `${keyPrefix}bus-history`;
    this.entryPrefix = `${keyPrefix}e:`;
    this.indexPrefix = `${keyPrefix}x:`;
    this.categoriesKey = `${keyPrefix}categories`;
    this.tagIndexPrefix = `${keyPrefix}t:`;
    this.entryTagsPrefix = `${keyPrefix}tags:`;
    this.leasePrefix = `${keyPrefix}l:`;
    this.instanceId = options.instanceId;
    this.historyBounds = [options.busHistoryMaxLength, options.busHistoryMaxAge * 1000];
    this.maxReplyBytes = options.maxValueBytes;
  }

  /**
   * Writes `entry` under `key` until it turns EXPIRED, and announces it (a background write).
   * `stored` is the entry's stored form (`encodeEntry(entry)`), made by the caller, who bounds
   * its size.
   */
  writeEntry(key: string, entry: TierEntry, stored: string): Promise<unknown> {
    return this.transport.queueWrite(
      SET_SCRIPT,
      [
        this.entryPrefix + key,
        this.indexPrefix + entry.category,
        this.categoriesKey,
        this.entryTagsPrefix + key,
        this.historyKey,
      ],
      [
        stored,
        expiresAtMs(entry),
        key,
        entry.category,
        this.tagIndexPrefix,
        ...(entry.tags ?? []),
        ...this.announcement(BusOperation.KeyWritten, key, entry.timestampMs),
      ],
      stored.length,
    );
  }

  /**
   * Drops, or expires early, a key, a category or a tag's entries, as `op` says, and announces it
   * as `op` (a background write). A category or a tag costs the entries it reaches.
   */
  remove(op: RemovalOperation, arg: string): Promise<unknown> {
    const announcement = this.announcement(op, arg);
    switch (op) {
      case BusOperation.KeyWritten:
      case BusOperation.KeyInvalidated:
      case BusOperation.KeyDeleted:
        return this.transport.queueWrite(
          DELETE_SCRIPT,
          [this.entryPrefix + arg, this.entryTagsPrefix + arg, this.historyKey],
          [this.tagIndexPrefix, arg, ...announcement],
        );
      case BusOperation.CategoryInvalidated:
      case BusOperation.CategoryCleared:
        return this.transport.queueWrite(
          DROP_CATEGORY_SCRIPT,
          [this.indexPrefix + arg, this.categoriesKey, this.historyKey],
          [this.entryPrefix, arg, this.entryTagsPrefix, this.tagIndexPrefix, ...announcement],
        );
      case BusOperation.TagInvalidated:
        return this.transport.queueWrite(
          DROP_TAG_SCRIPT,
          [this.tagIndexPrefix + arg, this.historyKey],
          [this.entryPrefix, this.entryTagsPrefix, this.tagIndexPrefix, ...announcement],
        );
      case BusOperation.KeyExpired:
        return this.transport.queueWrite(
          EXPIRE_KEY_SCRIPT,
          [this.entryPrefix + arg, this.historyKey],
          announcement,
        );
      case BusOperation.CategoryExpired:
      case BusOperation.TagExpired:
        return this.transport.queueWrite(
          EXPIRE_INDEXED_SCRIPT,
          [
            (op === BusOperation.TagExpired ? this.tagIndexPrefix : this.indexPrefix) + arg,
            this.historyKey,
          ],
          [this.entryPrefix, ...announcement],
        );
      default:
        return op satisfies never;
    }
  }

  /** Drops every entry and announces it (a background write). */
  clear(): Promise<unknown> {
    return this.transport.queueWrite(
      CLEAR_SCRIPT,
      [this.categoriesKey, this.historyKey],
      [
        this.entryPrefix,
        this.indexPrefix,
        this.entryTagsPrefix,
        this.tagIndexPrefix,
        ...this.announcement(BusOperation.AllCleared),
      ],
    );
  }

  /**
   * Up to `count` entries of the bus history, oldest first, from `start`: an id (that entry
   * included) or `(` and an id (after it); fewer when they add up to more than `maxValueBytes`
   * (at least one), so that the reply stays small. Rejects with a {@link RedisCommandError} when Redis cannot be asked, or when its
   * answer is not a history.
   */
  async readHistory(start: string, count: number): Promise<HistoryEntry[]> {
    return this.history(
      await this.transport.command(() =>
        this.transport.sendScript(
          READ_HISTORY_SCRIPT,
          [this.historyKey],
          [start, count, this.maxReplyBytes],
        ),
      ),
    );
  }

  /** The newest entry of the bus history, undefined when there is none; rejects as `readHistory`. */
  async lastInHistory(): Promise<HistoryEntry | undefined> {
    return this.history(
      await this.transport.command(() =>
        this.transport.sendScript(LAST_IN_HISTORY_SCRIPT, [this.historyKey], []),
      ),
    )[0];
  }

  /**
   * The stored form of `key`'s entry, null when there is none, or its size in bytes (a number)
   * when it is larger than `maxBytes`: then it is not transferred.
   */
  readEntry(key: string, maxBytes: number): Promise<StoredRead> {
    return this.transport.command(
      () =>
        this.transport.sendScript(
          READ_ENTRY_SCRIPT,
          [this.entryPrefix + key],
          [maxBytes],
        ) as Promise<StoredRead>,
    );
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

  /**
   * `[stored entry (as `readEntry` gives it), 1 if the lease is still held else 0]`, read
   * together.
   */
  peekLoad(key: string, maxBytes: number): Promise<unknown> {
    return this.transport.command(() =>
      this.transport.sendScript(
        PEEK_LOAD_SCRIPT,
        [this.entryPrefix + key, this.leasePrefix + key],
        [maxBytes],
      ),
    );
  }

  private history(reply: unknown): HistoryEntry[] {
    const entries = decodeHistory(reply);
    if (typeof entries === 'string') throw new RedisCommandError(`bus history: ${entries}`, true);
    return entries;
  }

  /** The last four arguments of a script that announces a change: see its announce step. */
  private announcement(op: BusOperation, arg?: string, timestampMs?: number): (string | number)[] {
    return [
      this.channel,
      encodeBusMessage(this.instanceId, op, arg, timestampMs),
      ...this.historyBounds,
    ];
  }
}
