import { EventEmitter } from 'node:events';

import type { RedisClientLike } from '../../lib/redis/redis-tier.options.interface.js';

/**
 * A stand-in for a connected ioredis client that answers every command at once, except those
 * `stalls` picks by the length of their longest argument: they never get a reply, as a value
 * that takes forever to move, or a frozen Redis. Write scripts answer 1, reads null (nothing
 * stored). No server, no sockets: what the tier does with a stalled command depends on its
 * timers alone, which a test can fake.
 */
export class StallingRedisClient implements RedisClientLike {
  readonly status = 'ready';
  private readonly events = new EventEmitter();
  /** Commands sent, by the length of their longest argument. */
  readonly sent: number[] = [];
  stalls: (longestArgument: number) => boolean = () => false;

  private reply<R>(args: (string | number)[], value: R): Promise<R> {
    const longest = Math.max(0, ...args.map((arg) => String(arg).length));
    this.sent.push(longest);
    return this.stalls(longest) ? new Promise<R>(() => {}) : Promise.resolve(value);
  }

  get(key: string): Promise<string | null> {
    return this.reply([key], null);
  }
  set(key: string, value: string, ...args: (string | number)[]): Promise<unknown> {
    return this.reply([key, value, ...args], 'OK');
  }
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown> {
    return this.reply(args, script.includes("'SET'") || script.includes("'DEL'") ? 1 : null);
  }
  publish(): Promise<unknown> {
    return Promise.resolve(0);
  }
  subscribe(): Promise<unknown> {
    return Promise.resolve(1);
  }
  duplicate(): RedisClientLike {
    return new StallingRedisClient();
  }
  quit(): Promise<unknown> {
    return Promise.resolve('OK');
  }
  disconnect(): void {}
  on(event: string, listener: (...args: never[]) => void): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
  off(event: string, listener: (...args: never[]) => void): this {
    this.events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }
}
