import { createHash } from 'node:crypto';

import type { CacheLogger } from '../../core/logger.interface.js';
import { ConnectionListeners } from '../redis-connection.util.js';
import type { RedisTierFaults } from '../redis-tier.faults.js';
import type { RedisClientLike, ResolvedRedisTierOptions } from '../redis-tier.options.interface.js';
import {
  CIRCUIT_CLOSED,
  CIRCUIT_OPENED,
  COMMAND_TIMED_OUT,
  REDIS_CONNECTED,
  REDIS_DISCONNECTED,
} from '../redis.messages.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { SKIPPED, RedisCommandError } from './redis-command.error.js';
import { errorMessage } from '../../core/error-text.util.js';

/**
 * The command connection, and the policy every command to Redis goes through: Redis never takes
 * the app down.
 *
 * Invariant: every command is settled exactly once (by its reply, its error, or its timeout),
 * and Redis receives the commands in the order they were made. Background writes made in one
 * synchronous stretch of code go out together when it ends, under one `writeTimeout` that starts
 * then; any other command flushes them first. A command is not sent when the connection is not
 * ready or the circuit breaker is open: it fails at once (counted as skipped). Timeouts are judged
 * after the event loop had a turn to read replies; repeated failures open the breaker.
 *
 * What counts for the breaker is what says Redis is unwell: connection errors, and timeouts of
 * commands that move little data. Every command is small but a batch of writes: no value larger
 * than `maxValueBytes` is written (the tier keeps it in memory) nor read (Redis answers with its
 * size instead). A batch whose values add up to more than `maxValueBytes` may just take long to
 * move: its timeout fails its writes (they are replayed as removals) but does not count.
 */

/** A command on its way to Redis, settled once: by its reply, its error, or its timeout. */
interface OutgoingCommand {
  readonly send: () => Promise<unknown>;
  /** The size of the value it carries, in UTF-16 units (0 for a command without one). */
  readonly valueLength: number;
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: RedisCommandError) => void;
  settled: boolean;
}

/** What the transport tells the tier about. */
export interface TransportEvents {
  /** The command connection is (again) ready. */
  onReady(): void;
  /** The circuit opened: Redis is not tried until the cooldown is over. */
  onCircuitOpened(): void;
  /** The circuit closed: Redis answers again. */
  onCircuitClosed(): void;
}

/** SHA1 of each script, by source, for EVALSHA. */
const scriptShas = new Map<string, string>();
const shaOf = (source: string): string => {
  let sha = scriptShas.get(source);
  if (sha === undefined) {
    sha = createHash('sha1').update(source).digest('hex');
    scriptShas.set(source, sha);
  }
  return sha;
};

export class RedisCommandTransport {
  /** Operations not sent to Redis because it was not connected or the circuit was open. */
  skipped = 0;
  private readonly breaker: CircuitBreaker;
  private readonly listeners = new ConnectionListeners();
  private closed = false;
  private connected = false;
  /**
   * Background writes (sets, removals, lease releases) made since the last flush, in the order
   * they were made. They go out together when the current synchronous stretch of code ends, under
   * one timeout that starts then: a long synchronous job that sets many keys must not eat into
   * its writes' timeout before they could even be sent. Any other command flushes them first, so
   * Redis sees every command in the order it was made.
   */
  private writeQueue: OutgoingCommand[] = [];
  /** Scripts sent whole (EVAL) on the current command connection: later sends use EVALSHA. */
  private scriptsSent = new Set<string>();

  constructor(
    private readonly client: RedisClientLike,
    private readonly options: ResolvedRedisTierOptions,
    private readonly faults: RedisTierFaults,
    private readonly logger: CacheLogger,
    private readonly events: TransportEvents,
  ) {
    this.breaker = new CircuitBreaker(
      options.failureThreshold,
      options.cooldown,
      () => performance.now(),
      (state, failures) => {
        if (state === 'open') {
          this.logger.warn(CIRCUIT_OPENED(failures, options.cooldown));
          this.events.onCircuitOpened();
        } else {
          this.logger.log(CIRCUIT_CLOSED);
          this.events.onCircuitClosed();
        }
      },
    );
  }

  /** Whether the command connection is up. */
  get isConnected(): boolean {
    return this.connected;
  }

  get circuit(): CircuitState {
    return this.breaker.current;
  }

  /** Milliseconds until an open circuit lets a probe through (0 when it would now). */
  msUntilProbe(): number {
    return this.breaker.msUntilProbe();
  }

  /** Starts watching the command connection (it is connected by the tier). */
  start(): void {
    this.listeners.on(this.client, 'ready', () => this.onReady());
    this.listeners.on(this.client, 'close', () => {
      if (!this.connected) return;
      this.connected = false;
      if (!this.closed) this.logger.warn(REDIS_DISCONNECTED('command connection'));
    });
    this.listeners.on(this.client, 'error', (error: Error) => this.faults.connectionFailed(error));
    if (this.client.status === 'ready') this.onReady();
  }

  /** Sends the writes made so far, then refuses every command; stops watching the connection. */
  close(): void {
    if (this.closed) return;
    // Writes made before the close still go out; QUIT waits for their replies.
    this.flushWrites();
    this.closed = true;
    this.listeners.offAll();
  }

  private onReady(): void {
    this.connected = true;
    // A new connection may reach a Redis that holds none of our scripts (a restarted one).
    this.scriptsSent = new Set();
    this.logger.log(REDIS_CONNECTED('command connection'));
    // A connection that became ready again has just heard Redis answer (the client's ready
    // check): an open circuit would only hold back the removals kept meanwhile until its
    // cooldown ends. Closing it replays them now (the circuit-closed event).
    this.breaker.reset();
    this.events.onReady();
  }

  /**
   * Runs a Lua script as a background write (bounded by `writeTimeout`): queued, and sent with
   * the other writes of the same synchronous stretch when it ends. `valueLength` is the length
   * of the value it writes, if any (see the breaker rule above).
   */
  queueWrite(
    source: string,
    keys: string[],
    args: (string | number)[],
    valueLength = 0,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.writeQueue.push({
        send: () => this.sendScript(source, keys, args),
        valueLength,
        resolve,
        reject,
        settled: false,
      });
      if (this.writeQueue.length === 1) queueMicrotask(() => this.flushWrites());
    });
  }

  /** Sends the queued writes, all under one `writeTimeout`. */
  flushWrites(): void {
    const batch = this.writeQueue;
    if (batch.length === 0) return;
    this.writeQueue = [];
    if (!this.mayCommand()) {
      this.skipped += batch.length;
      for (const write of batch) write.reject(SKIPPED);
      return;
    }
    this.sendAll(batch, this.options.writeTimeout);
  }

  /**
   * Sends a script whole (EVAL) the first time on a connection, then by its SHA1 (EVALSHA): a
   * burst of writes sends each script's source once, not once per write. Should Redis have lost
   * it meanwhile (SCRIPT FLUSH), the script is sent whole again.
   */
  sendScript(source: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    const client = this.client;
    if (client.evalsha === undefined || !this.scriptsSent.has(source)) {
      this.scriptsSent.add(source);
      return client.eval(source, keys.length, ...keys, ...args);
    }
    return client.evalsha(shaOf(source), keys.length, ...keys, ...args).catch((error: unknown) => {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(source, keys.length, ...keys, ...args);
    });
  }

  /**
   * Runs one Redis command under the circuit breaker and `timeoutMs` (the command timeout by
   * default), after the writes queued before it. Rejects with a {@link RedisCommandError} on failure,
   * timeout, or an open circuit; counts and logs failures.
   */
  command<R>(
    send: (client: RedisClientLike) => Promise<R>,
    timeoutMs = this.options.commandTimeout,
  ): Promise<R> {
    this.flushWrites();
    if (!this.mayCommand()) {
      this.skipped++;
      return Promise.reject(SKIPPED);
    }
    return new Promise<R>((resolve, reject) => {
      this.sendAll(
        [
          {
            send: () => send(this.client),
            valueLength: 0,
            resolve: resolve as (reply: unknown) => void,
            reject,
            settled: false,
          },
        ],
        timeoutMs,
      );
    });
  }

  /** Whether a command may go out now (when not, it is known to fail, so it is not tried). */
  private mayCommand(): boolean {
    // Not connected: not sent (and not held in a client's offline queue).
    return !this.closed && this.client.status === 'ready' && this.breaker.allow();
  }

  /**
   * Sends `commands` under one timeout of `timeoutMs`. The timeout is judged only after the
   * event loop has had a turn to read replies (`setImmediate` runs after the poll phase): when
   * this process was busy past the deadline, its timers fire before the replies waiting in the
   * socket are read, and would fail commands Redis answered in time. A timeout counts once for
   * the circuit breaker, however many commands it fails, and not at all for a batch that carries
   * more than `maxValueBytes`.
   */
  private sendAll(commands: OutgoingCommand[], timeoutMs: number): void {
    let open = commands.length;
    let carried = 0;
    for (const command of commands) carried += command.valueLength;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (open === 0) return;
        const message = COMMAND_TIMED_OUT(timeoutMs);
        for (const command of commands) {
          if (command.settled) continue;
          command.settled = true;
          this.faults.commandFailed(message);
          command.reject(new RedisCommandError(message));
        }
        open = 0;
        // UTF-16 units are a lower bound of the bytes: a batch that may be under the bound counts.
        if (carried <= this.options.maxValueBytes) this.breaker.failed();
      });
    }, timeoutMs);
    const settle = (command: OutgoingCommand): boolean => {
      if (command.settled) return false;
      command.settled = true;
      if (--open === 0) clearTimeout(timer);
      return true;
    };
    for (const command of commands) {
      let sent: Promise<unknown>;
      try {
        sent = command.send();
      } catch (error) {
        sent = Promise.reject(error);
      }
      sent.then(
        (reply) => {
          if (!settle(command)) return;
          this.breaker.succeeded();
          command.resolve(reply);
        },
        (error: unknown) => {
          if (!settle(command)) return;
          const message = errorMessage(error);
          const fromRedis = error instanceof Error && error.name === 'ReplyError';
          if (fromRedis) {
            // Redis answered: it is up. Not a reason to stop using it.
            this.breaker.succeeded();
          } else {
            this.breaker.failed();
          }
          this.faults.commandFailed(message);
          command.reject(new RedisCommandError(message, fromRedis));
        },
      );
    }
  }
}
