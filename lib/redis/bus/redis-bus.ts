import type { CacheLogger } from '../../core/logger.interface.js';
import { ConnectionListeners } from '../redis-connection.util.js';
import type { RedisTierFaults } from '../redis-tier.faults.js';
import type { RedisClientLike } from '../redis-tier.options.interface.js';
import { BAD_MESSAGE, REDIS_CONNECTED, REDIS_DISCONNECTED } from '../redis.messages.js';
import { decodeBusMessage, type BusMessage } from './redis-bus.codec.js';

/**
 * The invalidation bus, as this instance hears it: the subscriber connection, the channel's
 * messages, and gaps in hearing them. Sending is not here: every change is announced by the
 * script that makes it (see the store).
 *
 * Invariant: every valid message reaches the tier (this instance's own too: they carry its
 * position in the bus history), and only valid ones. The tier is told of every loss of the bus,
 * and of every subscription that follows, once, with whether messages may have been missed
 * since the last one; the bus says it is connected only once the tier has dealt with them.
 */

/** What the bus tells the tier. */
export interface BusListener {
  /** A valid message on the channel (this instance's own included). */
  onMessage(message: BusMessage): void;
  /** The subscriber connection closed: until the next subscription, messages are lost. */
  onLost(): void;
  /**
   * Subscribed (again); `afterGap` when messages may have been lost since the last subscription
   * (or since the start). Messages heard from now on come after it. The bus reports itself
   * connected once the returned promise settles (it never rejects), unless it was lost again
   * meanwhile.
   */
  onSubscribed(afterGap: boolean): Promise<void>;
}

export class RedisBus {
  /** Messages heard from other instances (valid ones). */
  messagesReceived = 0;
  private readonly listeners = new ConnectionListeners();
  private subscribed = false;
  /** Whether the bus was lost since it was last subscribed: L1 may have missed messages. */
  private gap = false;
  /** Counts the losses of the subscriber connection: a subscription belongs to one. */
  private connection = 0;
  /** The connection whose subscription was handed to the tier. */
  private handedOver = -1;
  private closed = false;

  constructor(
    private readonly subscriber: RedisClientLike,
    private readonly channel: string,
    private readonly instanceId: string,
    private readonly faults: RedisTierFaults,
    private readonly logger: CacheLogger,
    private readonly listener: BusListener,
  ) {}

  /** Whether this instance hears the other instances now, and has caught up with them. */
  get isConnected(): boolean {
    return this.subscribed;
  }

  /** Starts watching the subscriber connection (it is connected by the tier). */
  start(): void {
    this.listeners.on(this.subscriber, 'ready', () => void this.subscribe());
    this.listeners.on(this.subscriber, 'close', () => {
      // Until `subscribe` succeeds again, messages may be lost: remember the gap.
      this.gap = true;
      this.connection++;
      if (!this.closed) this.listener.onLost();
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
    const connection = this.connection;
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.faults.connectionFailed(error);
      return;
    }
    if (this.closed || connection !== this.connection || this.handedOver === connection) return;
    this.handedOver = connection;
    const afterGap = this.gap;
    this.gap = false;
    await this.listener.onSubscribed(afterGap);
    // Lost again while the tier caught up: the next subscription takes over.
    if (this.closed || connection !== this.connection) return;
    this.subscribed = true;
    this.logger.log(REDIS_CONNECTED('invalidation bus'));
  }

  private onMessage(channel: string, raw: string): void {
    if (channel !== this.channel || this.closed) return;
    const message = decodeBusMessage(String(raw));
    if (typeof message === 'string') {
      this.faults.badData(BAD_MESSAGE(message));
      return;
    }
    if (message.src !== this.instanceId) this.messagesReceived++;
    this.listener.onMessage(message);
  }
}
