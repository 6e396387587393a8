import type { RedisClientLike } from './redis-tier.options.interface.js';

/**
 * Helpers for the tier's two connections (commands and bus): the listeners each part puts on a
 * connection, removed together when the tier closes, and how a connection is connected and shut.
 */

/** A connection event's listener, as the client declares it. */
type Listener = Parameters<RedisClientLike['on']>[1];

/** Listeners put on connections, so that `offAll()` can take exactly them off again. */
export class ConnectionListeners {
  private readonly listeners: [RedisClientLike, string, Listener][] = [];

  on(connection: RedisClientLike, event: string, listener: Listener): void {
    connection.on(event, listener);
    this.listeners.push([connection, event, listener]);
  }

  offAll(): void {
    for (const [connection, event, listener] of this.listeners) connection.off(event, listener);
    this.listeners.length = 0;
  }
}

/** Connects a client created with `lazyConnect` that waits for it; never throws. */
export function connectIfWaiting(connection: RedisClientLike): void {
  if (connection.status === 'wait' && connection.connect !== undefined) {
    connection.connect().catch(() => {
      // Reported through the 'error' event; the client keeps retrying.
    });
  }
}

/**
 * Closes a connection: QUIT when it is up (bounded by `timeoutMs`, so that writes sent before get
 * their replies), else a plain disconnect. Never throws.
 */
export async function quitConnection(
  connection: RedisClientLike,
  timeoutMs: number,
): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status !== 'ready') {
    // Not connected: QUIT would wait for a connection that may never come.
    connection.disconnect();
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      connection.quit(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('quit timed out')), timeoutMs);
      }),
    ]);
  } catch {
    connection.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
