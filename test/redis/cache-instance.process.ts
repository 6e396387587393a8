import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { InstanceCommand } from './fixtures/cache-instance.child.js';

const CHILD = fileURLToPath(new URL('./fixtures/cache-instance.child.ts', import.meta.url));
const LOADER = fileURLToPath(new URL('./fixtures/register-ts.mjs', import.meta.url));

/** An app instance running in a child process, driven over IPC. */
export class CacheInstanceProcess {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
      const waiter = message.id === undefined ? undefined : this.waiting.get(message.id);
      if (waiter === undefined) return;
      this.waiting.delete(message.id!);
      if (message.error !== undefined) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error('instance exited'));
      this.waiting.clear();
    });
  }

  static async start(env: Record<string, string>): Promise<CacheInstanceProcess> {
    const child = fork(CHILD, [], {
      execArgv: ['--import', LOADER, '--no-warnings'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
    });
    return new CacheInstanceProcess(child);
  }

  send<T = unknown>(command: Omit<InstanceCommand, 'id'>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...command, id });
    });
  }

  async tier(): Promise<Record<string, unknown>> {
    return (await this.send<{ tier: Record<string, unknown> }>({ op: 'stats' })).tier;
  }

  async loaderCalls(key: string): Promise<number> {
    const { loaderCalls } = await this.send<{ loaderCalls: Record<string, number> }>({
      op: 'stats',
    });
    return loaderCalls[key] ?? 0;
  }

  /** Closes the app (its shutdown hooks run) and waits for the process to end. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await this.send({ op: 'close' }).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
