import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';

import { Cached, CacheManagerService, CacheStatus } from '../../lib/index.js';
import {
  KEY_FUNCTION_FAILED,
  RESULT_NOT_CACHED,
  STALE_SERVED_ON_ERROR,
} from '../../lib/cached/cached.messages.js';
import { NOT_JSON } from '../../lib/core/cache.messages.js';
import { closeApps, deferred, flushPromises, startApp } from './cached.helpers.js';

interface CommandResult {
  success: boolean;
  output: string;
}

/** The seed's command queue: slow commands whose results are worth caching. */
@Injectable()
class CommandQueue {
  /** The real work, counted: each call is one command sent to the queue. */
  readonly execute = jest.fn(
    async (command: string, ..._rest: unknown[]): Promise<CommandResult> => ({
      success: true,
      output: `${command} output`,
    }),
  );

  @Cached({ ttl: 10, category: 'command_results' })
  async run(command: string, options?: Record<string, unknown>): Promise<CommandResult> {
    return this.execute(command, options);
  }

  @Cached({
    ttl: 10,
    key: (command: string) => `command_result_${command}`,
    metadata: (command: string) => ({ command, container: 'resonite-headless' }),
  })
  async runKeyed(command: string): Promise<CommandResult> {
    return this.execute(command);
  }

  @Cached({ key: 'status' })
  async status(): Promise<CommandResult> {
    return this.execute('status');
  }

  @Cached({ ttl: 10, staleWhileRevalidate: true })
  async runSwr(command: string): Promise<CommandResult> {
    return this.execute(command);
  }

  @Cached({ ttl: 10, staleIfError: true })
  async runStaleIfError(command: string): Promise<CommandResult> {
    return this.execute(command);
  }

  @Cached({ unless: (result: CommandResult) => !result.success })
  async runUnlessFailed(command: string): Promise<CommandResult> {
    return this.execute(command);
  }

  @Cached()
  async runWithCallback(command: string, onDone: () => void): Promise<CommandResult> {
    const result = await this.execute(command);
    onDone();
    return result;
  }

  @Cached()
  async runAsMap(command: string): Promise<Map<string, string>> {
    const result = await this.execute(command);
    return new Map([['output', result.output]]);
  }

  @Cached({
    key: (command: string) => {
      if (command === 'bad') throw new Error('no key for bad');
      return command === 'empty' ? '' : `k:${command}`;
    },
  })
  async runWithFragileKey(command: string): Promise<CommandResult> {
    return this.execute(command);
  }
}

async function commandApp() {
  const test = await startApp({ providers: [CommandQueue] });
  const queue = test.app.get(CommandQueue);
  const cache = test.app.get(CacheManagerService);
  return { ...test, queue, cache };
}

afterEach(closeApps);

describe('@Cached on async methods', () => {
  it('calls the method once per key and returns the cached result as a promise', async () => {
    const { queue } = await commandApp();
    const first = queue.run('users');
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual({ success: true, output: 'users output' });
    const second = queue.run('users');
    expect(second).toBeInstanceOf(Promise);
    expect(await second).toEqual({ success: true, output: 'users output' });
    expect(queue.execute).toHaveBeenCalledTimes(1);
    await queue.run('worlds');
    expect(queue.execute).toHaveBeenCalledTimes(2);
  });

  it('stores under ClassName.method(arguments), with the ttl and category given', async () => {
    const { queue, cache } = await commandApp();
    await queue.run('users', { world: 'w1' });
    expect(cache.getKeys()).toEqual(['CommandQueue.run("users",{"world":"w1"})']);
    const entry = cache.get('CommandQueue.run("users",{"world":"w1"})')!;
    expect(entry.ttlSeconds).toBe(10);
    expect(entry.category).toBe('command_results');
  });

  it('ignores the key order of object arguments', async () => {
    const { queue } = await commandApp();
    await queue.run('users', { world: 'w1', limit: 10 });
    await queue.run('users', { limit: 10, world: 'w1' });
    expect(queue.execute).toHaveBeenCalledTimes(1);
  });

  it('never mixes up arguments that only look alike', async () => {
    const { queue } = await commandApp();
    await queue.run('users', { limit: 1 });
    await queue.run('users', { limit: '1' });
    await queue.run('users', {});
    await queue.run('users');
    expect(queue.execute).toHaveBeenCalledTimes(4);
    expect(queue.execute.mock.calls.map((call) => call[1])).toEqual([
      { limit: 1 },
      { limit: '1' },
      {},
      undefined,
    ]);
  });

  it('uses a key function of the arguments, and metadata from the arguments', async () => {
    const { queue, cache } = await commandApp();
    await queue.runKeyed('users');
    await queue.runKeyed('users');
    expect(queue.execute).toHaveBeenCalledTimes(1);
    expect(cache.getKeys()).toEqual(['command_result_users']);
    expect(cache.get('command_result_users')!.metadata).toEqual({
      command: 'users',
      container: 'resonite-headless',
    });
  });

  it('uses a fixed key', async () => {
    const { queue, cache } = await commandApp();
    await queue.status();
    await queue.status();
    expect(queue.execute).toHaveBeenCalledTimes(1);
    expect(cache.getKeys()).toEqual(['status']);
  });

  it('runs a call whose key function throws or returns no key uncached, with one warning', async () => {
    const { queue, logger, cache } = await commandApp();
    for (let i = 0; i < 2; i++) {
      expect(await queue.runWithFragileKey('bad')).toEqual({ success: true, output: 'bad output' });
      await queue.runWithFragileKey('empty');
    }
    expect(queue.execute).toHaveBeenCalledTimes(4);
    expect(cache.getKeys()).toEqual([]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      KEY_FUNCTION_FAILED('CommandQueue.runWithFragileKey', 'key', 'no key for bad'),
    );
    await queue.runWithFragileKey('good');
    await queue.runWithFragileKey('good');
    expect(queue.execute).toHaveBeenCalledTimes(5);
  });

  it('runs calls whose arguments cannot be serialized uncached, with one warning naming the method', async () => {
    const { queue, logger, cache } = await commandApp();
    const onDone = jest.fn();
    await queue.runWithCallback('users', onDone);
    await queue.runWithCallback('users', onDone);
    expect(queue.execute).toHaveBeenCalledTimes(2);
    expect(onDone).toHaveBeenCalledTimes(2);
    expect(cache.getKeys()).toEqual([]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![0]).toContain('@Cached CommandQueue.runWithCallback');
    expect(logger.warn.mock.calls[0]![0]).toContain('args[1] is a function');
  });

  describe('single flight', () => {
    it('lets concurrent misses on a key share one call of the method', async () => {
      const { queue } = await commandApp();
      const gate = deferred<CommandResult>();
      queue.execute.mockImplementationOnce(() => gate.promise);
      const calls = [queue.run('users'), queue.run('users'), queue.run('users')];
      gate.resolve({ success: true, output: 'once' });
      for (const call of calls) expect(await call).toEqual({ success: true, output: 'once' });
      expect(queue.execute).toHaveBeenCalledTimes(1);
    });

    it('sends the rejection to every waiter and caches nothing', async () => {
      const { queue, cache } = await commandApp();
      const gate = deferred<CommandResult>();
      queue.execute.mockImplementationOnce(() => gate.promise);
      const calls = [queue.run('users'), queue.run('users')];
      const failure = new Error('queue full');
      gate.reject(failure);
      for (const call of calls) await expect(call).rejects.toBe(failure);
      expect(queue.execute).toHaveBeenCalledTimes(1);
      expect(cache.getKeys()).toEqual([]);
      expect(await queue.run('users')).toEqual({ success: true, output: 'users output' });
      expect(queue.execute).toHaveBeenCalledTimes(2);
    });
  });

  describe('freshness', () => {
    it('treats a STALE result as a miss without staleWhileRevalidate or staleIfError', async () => {
      const { queue, clock } = await commandApp();
      await queue.run('users');
      clock.advanceSeconds(11);
      await queue.run('users');
      expect(queue.execute).toHaveBeenCalledTimes(2);
    });

    it('staleWhileRevalidate: serves STALE at once, refreshes once in the background, then serves the new result', async () => {
      const { queue, clock, cache } = await commandApp();
      await queue.runSwr('users');
      clock.advanceSeconds(11);
      const gate = deferred<CommandResult>();
      queue.execute.mockImplementationOnce(() => gate.promise);
      expect(await queue.runSwr('users')).toEqual({ success: true, output: 'users output' });
      expect(await queue.runSwr('users')).toEqual({ success: true, output: 'users output' });
      expect(queue.execute).toHaveBeenCalledTimes(2);
      gate.resolve({ success: true, output: 'fresh users' });
      await flushPromises();
      expect(await queue.runSwr('users')).toEqual({ success: true, output: 'fresh users' });
      expect(queue.execute).toHaveBeenCalledTimes(2);
      const stats = cache.getStats().toDict();
      expect(stats.staleHits).toBe(2);
      expect(stats.totalLoads).toBe(2);
    });

    it('staleWhileRevalidate: an EXPIRED or INVALID result is a miss', async () => {
      const { queue, clock, cache } = await commandApp();
      await queue.runSwr('users');
      clock.advanceSeconds(21);
      queue.execute.mockResolvedValueOnce({ success: true, output: 'new' });
      expect(await queue.runSwr('users')).toEqual({ success: true, output: 'new' });
      cache.invalidate('CommandQueue.runSwr("users")');
      queue.execute.mockResolvedValueOnce({ success: true, output: 'newer' });
      expect(await queue.runSwr('users')).toEqual({ success: true, output: 'newer' });
      expect(queue.execute).toHaveBeenCalledTimes(3);
    });

    it('staleIfError: serves STALE when the method fails, and logs the failure', async () => {
      const { queue, clock, logger } = await commandApp();
      await queue.runStaleIfError('users');
      clock.advanceSeconds(12);
      queue.execute.mockRejectedValueOnce(new Error('queue down'));
      expect(await queue.runStaleIfError('users')).toEqual({
        success: true,
        output: 'users output',
      });
      expect(logger.error).toHaveBeenCalledWith(
        STALE_SERVED_ON_ERROR('CommandQueue.runStaleIfError("users")', 12),
        expect.stringContaining('queue down'),
      );
      clock.advanceSeconds(9);
      queue.execute.mockRejectedValueOnce(new Error('still down'));
      await expect(queue.runStaleIfError('users')).rejects.toThrow('still down');
    });
  });

  it('returns but does not cache a result `unless` rejects', async () => {
    const { queue, cache } = await commandApp();
    queue.execute.mockResolvedValueOnce({ success: false, output: 'error: busy' });
    expect(await queue.runUnlessFailed('users')).toEqual({ success: false, output: 'error: busy' });
    expect(cache.getKeys()).toEqual([]);
    expect(await queue.runUnlessFailed('users')).toEqual({ success: true, output: 'users output' });
    expect(await queue.runUnlessFailed('users')).toEqual({ success: true, output: 'users output' });
    expect(queue.execute).toHaveBeenCalledTimes(2);
  });

  it('returns but does not cache a result that is not JSON, with one warning for the method', async () => {
    const { queue, cache, logger } = await commandApp();
    const first = await queue.runAsMap('users');
    expect(first).toEqual(new Map([['output', 'users output']]));
    await queue.runAsMap('worlds');
    expect(queue.execute).toHaveBeenCalledTimes(2);
    expect(cache.getKeys()).toEqual([]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      RESULT_NOT_CACHED(
        'CommandQueue.runAsMap',
        NOT_JSON('CommandQueue.runAsMap("users")', 'data', '$ is a Map'),
      ),
    );
  });

  it('serves a key written beforehand (pre-warmed) without calling the method', async () => {
    const { queue, cache } = await commandApp();
    cache.set('command_result_users', { success: true, output: 'prewarmed' });
    expect(await queue.runKeyed('users')).toEqual({ success: true, output: 'prewarmed' });
    expect(queue.execute).not.toHaveBeenCalled();
  });

  it('counts loads, failed loads and their mean duration in the statistics', async () => {
    const { queue, cache } = await commandApp();
    await queue.run('a');
    await queue.run('a');
    queue.execute.mockRejectedValueOnce(new Error('x'));
    await expect(queue.run('b')).rejects.toThrow('x');
    const stats = cache.getStats();
    expect(stats.totalLoads).toBe(2);
    expect(stats.totalLoadErrors).toBe(1);
    expect(stats.totalHits).toBe(1);
    expect(stats.averageLoadTimeMs).toBeGreaterThanOrEqual(0);
    expect(stats.toDict()).toMatchObject({ totalLoads: 2, totalLoadErrors: 1 });
    expect(cache.get('CommandQueue.run("a")')!.status).toBe(CacheStatus.FRESH);
  });
});
