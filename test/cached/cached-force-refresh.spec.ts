import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { lastValueFrom, of, type Observable } from 'rxjs';

import { Cached, CacheManager, CacheManagerService, type CacheTier } from '../../lib/index.js';
import { KEY_FUNCTION_FAILED } from '../../lib/cached/cached.messages.js';
import { closeApps, deferred, startApp } from './cached.helpers.js';
import { cacheInternals } from '../../lib/core/cache-manager.js';
import { fakeTier } from '../support/fake-tier.js';

/**
 * The Python original's `get_cached_or_fresh_data(websocket, command, force_refresh)`: a
 * command whose cached result is served unless the caller asks for fresh data.
 */
@Injectable()
class CommandResponder {
  private version = 0;
  readonly execute = jest.fn(async (command: string) => `${command} v${++this.version}`);
  readonly executeSync = jest.fn((command: string) => `${command} v${++this.version}`);
  readonly stream = jest.fn((command: string) => of(`${command} v${++this.version}`));

  @Cached({
    ttl: 60,
    key: (command: string) => `command_result_${command}`,
    forceRefresh: (_command: string, forceRefresh?: boolean) => forceRefresh === true,
  })
  async respond(command: string, forceRefresh?: boolean): Promise<string> {
    void forceRefresh;
    return this.execute(command);
  }

  // The flag is an argument: the key leaves it out, so forced and normal calls share the entry.
  @Cached({
    ttl: 60,
    key: (command: string) => `sync_${command}`,
    forceRefresh: (_command: string, forceRefresh?: boolean) => forceRefresh === true,
  })
  respondSync(command: string, forceRefresh?: boolean): string {
    void forceRefresh;
    return this.executeSync(command);
  }

  @Cached({
    ttl: 60,
    key: (command: string) => `stream_${command}`,
    forceRefresh: (_command: string, forceRefresh?: boolean) => forceRefresh === true,
  })
  respondStream(command: string, forceRefresh?: boolean): Observable<string> {
    void forceRefresh;
    return this.stream(command);
  }

  @Cached({
    forceRefresh: () => {
      throw new Error('no flag');
    },
  })
  async broken(command: string): Promise<string> {
    return this.execute(command);
  }
}

afterEach(closeApps);

describe('@Cached forceRefresh', () => {
  it('runs the method when it says so, replaces the entry and returns the new result', async () => {
    const { app } = await startApp({ providers: [CommandResponder] });
    const responder = app.get(CommandResponder);
    const cache = app.get(CacheManagerService);

    expect(await responder.respond('users')).toBe('users v1');
    expect(await responder.respond('users')).toBe('users v1');
    expect(responder.execute).toHaveBeenCalledTimes(1);

    expect(await responder.respond('users', true)).toBe('users v2');
    expect(responder.execute).toHaveBeenCalledTimes(2);
    expect(cache.getData('command_result_users')).toBe('users v2');
    // Later calls without the flag are served the refreshed entry.
    expect(await responder.respond('users')).toBe('users v2');
    expect(responder.execute).toHaveBeenCalledTimes(2);
  });

  it('shares one run between concurrent forced calls of a key', async () => {
    const { app } = await startApp({ providers: [CommandResponder] });
    const responder = app.get(CommandResponder);
    const gate = deferred<string>();
    responder.execute.mockImplementationOnce(() => gate.promise);
    const calls = [responder.respond('worlds', true), responder.respond('worlds', true)];
    gate.resolve('worlds fresh');
    expect(await Promise.all(calls)).toEqual(['worlds fresh', 'worlds fresh']);
    expect(responder.execute).toHaveBeenCalledTimes(1);
  });

  it('leaves the entry as it was when a forced call fails', async () => {
    const { app } = await startApp({ providers: [CommandResponder] });
    const responder = app.get(CommandResponder);
    await responder.respond('status');
    responder.execute.mockRejectedValueOnce(new Error('queue down'));
    await expect(responder.respond('status', true)).rejects.toThrow('queue down');
    expect(await responder.respond('status')).toBe('status v1');
  });

  it('works for sync and Observable methods', async () => {
    const { app } = await startApp({ providers: [CommandResponder] });
    const responder = app.get(CommandResponder);

    expect(responder.respondSync('users')).toBe('users v1');
    expect(responder.respondSync('users')).toBe('users v1');
    expect(responder.respondSync('users', true)).toBe('users v2');
    expect(responder.respondSync('users')).toBe('users v2');
    expect(responder.executeSync).toHaveBeenCalledTimes(2);

    expect(await lastValueFrom(responder.respondStream('worlds'))).toBe('worlds v3');
    expect(await lastValueFrom(responder.respondStream('worlds'))).toBe('worlds v3');
    expect(await lastValueFrom(responder.respondStream('worlds', true))).toBe('worlds v4');
    expect(await lastValueFrom(responder.respondStream('worlds'))).toBe('worlds v4');
    expect(responder.stream).toHaveBeenCalledTimes(2);
  });

  it('runs the call uncached, warning once, when forceRefresh throws', async () => {
    const { app, logger } = await startApp({ providers: [CommandResponder] });
    const responder = app.get(CommandResponder);
    await responder.broken('users');
    await responder.broken('users');
    expect(responder.execute).toHaveBeenCalledTimes(2);
    expect(app.get(CacheManagerService).size).toBe(0);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      KEY_FUNCTION_FAILED('CommandResponder.broken', 'forceRefresh', 'no flag'),
    );
  });

  it('is refused when the class is defined if it is not a function', () => {
    expect(() => {
      class Misconfigured {
        @Cached({ forceRefresh: true as never })
        run(): number {
          return 1;
        }
      }
      return Misconfigured;
    }).toThrow(
      new TypeError(
        '@Cached on Misconfigured.run: option "forceRefresh" must be a function of the arguments.',
      ),
    );
  });
});

describe('CacheManager.wrap forceRefresh', () => {
  it('runs the loader over a FRESH entry and replaces it', async () => {
    const { app } = await startApp({});
    const cache = app.get(CacheManagerService);
    cache.set('k', 'old');
    expect(await cache.wrap('k', () => 'new')).toBe('old');
    expect(await cache.wrap('k', () => 'new', { forceRefresh: true })).toBe('new');
    expect(cache.getData('k')).toBe('new');
  });
});

describe('CacheManager.wrap forceRefresh with a second tier', () => {
  it('does not take the shared copy: the loader runs', async () => {
    const now = Date.now();
    const cache = new CacheManager({ cleanupInterval: 0, clock: () => now });
    const fetch = jest.fn<CacheTier['fetch']>(async () => ({
      data: 'shared',
      timestampMs: now,
      ttlSeconds: 60,
      category: 'default',
      metadata: {},
    }));
    const tier = fakeTier({ fetch });
    cacheInternals(cache).attachTier(tier);
    expect(await cache.wrap('k', () => 'loaded')).toBe('shared');
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(await cache.wrap('k', () => 'loaded', { forceRefresh: true })).toBe('loaded');
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(cache.getData('k')).toBe('loaded');
    cache.shutdown();
  });
});
