import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { waitFor } from './wait-for.util.js';

/** Where `redis-server` is: `REDIS_SERVER_BIN`, or the first one on the PATH. */
export function findRedisServer(): string | undefined {
  const candidates = process.env.REDIS_SERVER_BIN
    ? [process.env.REDIS_SERVER_BIN]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'redis-server'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** A TCP port nobody listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether a Redis on `port` answers PING, over a raw socket (no client library involved). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

/**
 * A throwaway `redis-server` for one test file, on a free port, in a temp dir, with no
 * persistence: tests can stop it (as a crash would) and start it again on the same port.
 */
export class RedisServerHarness {
  readonly url: string;
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'fresh-cache-redis-'));

  private constructor(
    private readonly binary: string,
    readonly port: number,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(binary = findRedisServer()!): Promise<RedisServerHarness> {
    const harness = new RedisServerHarness(binary, await freePort());
    await harness.restart();
    return harness;
  }

  get running(): boolean {
    return this.process !== undefined;
  }

  /** Starts the server (again) on the same port and waits until it answers. */
  async restart(): Promise<void> {
    if (this.process !== undefined) return;
    const child = spawn(
      this.binary,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    this.process = child;
    child.once('exit', () => {
      if (this.process === child) this.process = undefined;
    });
    await waitFor(() => ping(this.port), {
      timeoutMs: 10_000,
      what: `redis-server on ${this.port}`,
    });
  }

  /** Kills the server (SIGKILL: no goodbye to the clients, as in a crash) and waits for it. */
  async kill(): Promise<void> {
    const child = this.process;
    if (child === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  /** Stops the server and removes its directory. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
