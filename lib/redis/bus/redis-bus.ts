import type { CacheLogger } from '../../core/logger.interface.js';
import { ConnectionListeners } from '../redis-connection.util.js';
import type { RedisTierFaults } from '../redis-tier.faults.js';
import type { RedisClientLike } from '../redis-tier.options.interface.js';
import { BAD_MESSAGE, REDIS_CONNECTED, REDIS_DISCONNECTED } from '../redis.messages.js';
import { decodeBusMessage, type BusMessage } from './redis-bus.codec.js';

/**
 * The invalidation bus, as this instance hears it: the subscriber connection, the channel's
 * messages from the other instances, and gaps in hearing them. Sending is not here: every change
 * is announced by the script that makes it (see the store).
 *
 * Invariant: a message from another instance reaches the tier exactly when it is valid; when the
 * bus was lost and is heard again, the tier is told, once, before any message after the gap, so
 * it can drop what it may have missed.
 */

/** What the bus tells the tier. */
export interface BusListener {
  /** Another instance changed something: apply it to the in-memory cache. */
  onRemoteChange(message: BusMessage): void;
  /** The bus is heard again after a gap: messages sent meanwhile are lost. */
  onHeardAfterGap(): void;
}

export class RedisBus {
  /** Messages heard from other instances (valid ones). */
  messagesReceived = 0;
  private readonly listeners = new ConnectionListeners();
  private subscribed = false;
  /** Whether the bus was lost since it was last heard: L1 may have missed messages. */
  private gap = false;
  private closed = false;

  constructor(
    private readonly subscriber: RedisClientLike,
    private readonly channel: string,
    private readonly instanceId: string,
    private readonly faults: RedisTierFaults,
    private readonly logger: CacheLogger,
    private readonly listener: BusListener,
  ) {}

  /** Whether this instance hears the other instances now. */
  get isConnected(): boolean {
    return this.subscribed;
  }

  /** Starts watching the subscriber connection (it is connected by the tier). */
  start(): void {
    this.listeners.on(this.subscriber, 'ready', () => void this.subscribe());
    this.listeners.on(this.subscriber, 'close', () => {
      // Until `subscribe` succeeds again, messages may be lost: remember the gap.
      this.gap = true;
      if (!this.subscribed) return;
      this.subscribed = false;
      if (!this.closed) this.logger.warn(REDIS_DISCONNECTED('invalidation bus'));
    });
    this.listeners.on(this.subscriber, 'error', (error: Error) =>
      this.faults.connectionFailed(error),
    );
    this.listeners.on(this.subscriber, 'message', (channel: string, message: string) =>
      this.onMessage(channel, message),
    );
    if (this.subscriber.status === 'ready') void this.subscribe();
  }

  close(): void {
    this.closed = true;
    this.listeners.offAll();
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.faults.connectionFailed(error);
      return;
    }
    if (this.closed || this.subscribed) return;
    this.subscribed = true;
    this.logger.log(REDIS_CONNECTED('invalidation bus'));
    if (!this.gap) return;
    // Messages sent while we were not listening are lost: whatever L1 holds may have been
    // invalidated elsewhere. From here on we hear everything, so clearing now is enough.
    this.gap = false;
    this.listener.onHeardAfterGap();
  }

  private onMessage(channel: string, raw: string): void {
    if (channel !== this.channel || this.closed) return;
    const message = decodeBusMessage(String(raw));
    if (typeof message === 'string') {
      this.faults.badData(BAD_MESSAGE(message));
      return;
    }
    if (message.src === this.instanceId) return;
    this.messagesReceived++;
    this.listener.onRemoteChange(message);
  }
}
