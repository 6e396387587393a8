import { Redis } from 'ioredis';

/**
 * A tier's bus connection under a test's control: the test kills it on the server (as a network
 * cut or a Redis that dropped it would), keeps it down while other instances change things, and
 * lets it come back when it chooses. No timing: the connection stays down until `release()`.
 *
 * The tier is given `client` (the command connection, which the test owns and disconnects);
 * the tier makes its bus connection with `client.duplicate()`, which this control wraps.
 */
export class BusConnectionControl {
  readonly client: Redis;
  private subscriber: Redis | undefined;
  private held = false;

  constructor(
    url: string,
    readonly instanceId: string,
  ) {
    this.client = new Redis(url, {
      enableOfflineQueue: false,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 20,
      connectTimeout: 1000,
      // The name `CLIENT KILL` finds the bus connection by (the duplicate keeps it).
      connectionName: connectionNameOf(instanceId),
    });
    const duplicate = this.client.duplicate.bind(this.client);
    this.client.duplicate = (override?: Partial<Redis['options']>) => {
      // A held connection does not reconnect by itself (ioredis ends it): `release` connects it.
      this.subscriber = duplicate({ ...override, retryStrategy: () => (this.held ? null : 20) });
      return this.subscriber;
    };
  }

  /**
   * From now on, the bus connection stays down once lost, until `release()`. Resolves when it
   * has been lost and the client has given up on it.
   */
  hold(): Promise<void> {
    const subscriber = this.subscriber!;
    this.held = true;
    return new Promise((resolve) => subscriber.once('end', () => resolve()));
  }

  /** Kills the bus connection on the server and keeps it down (see `killBusConnection`). */
  async killAndHold(admin: Redis): Promise<void> {
    const ended = this.hold();
    await killBusConnection(admin, this.instanceId);
    await ended;
  }

  /** Lets the bus connection come back (the tier subscribes again and catches up). */
  async release(): Promise<void> {
    this.held = false;
    await this.subscriber!.connect();
  }

  disconnect(): void {
    this.client.disconnect();
  }
}

/** The connection name the tier gives its connections (`fresh-cache:{instanceId}`). */
export const connectionNameOf = (instanceId: string): string => `fresh-cache:${instanceId}`;

/**
 * `CLIENT KILL` of the bus connection of one instance only: by its id, found by name among the
 * server's pub/sub clients, so that the other instances (and tests) on the server are untouched.
 */
export async function killBusConnection(admin: Redis, instanceId: string): Promise<void> {
  const list = (await admin.client('LIST', 'TYPE', 'PUBSUB')) as string;
  const name = connectionNameOf(instanceId);
  for (const line of list.split('\n')) {
    const fields = new Map(line.split(' ').map((field) => field.split('=', 2) as [string, string]));
    if (fields.get('name') === name) {
      await admin.client('KILL', 'ID', fields.get('id')!);
      return;
    }
  }
  throw new Error(`no pub/sub connection named ${name}: ${list}`);
}
