import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
// A value import: with a type-only one, TypeScript records no return type for decorators.
import { Observable, lastValueFrom } from 'rxjs';

import { Cached, CacheLoadTimeoutError, CacheManagerService } from '../../lib/index.js';
import { INVALID_TIMEOUT } from '../../lib/core/cache.messages.js';
import { closeApps, deferred, flushPromises, startApp } from './cached.helpers.js';

/** Methods whose backend may hang: the seed's command runner, as a promise and as a stream. */
@Injectable()
class Commands {
  readonly run = jest.fn((_command: string) => new Promise<string>(() => undefined));

  @Cached({ ttl: 10, hardTimeout: 2 })
  async exec(command: string): Promise<string> {
    return this.run(command);
  }

  @Cached({ ttl: 10, softTimeout: 1, staleIfError: true })
  async execSoft(command: string): Promise<string> {
    return this.run(command);
  }

  @Cached({ ttl: 10, hardTimeout: 1, staleIfError: true })
  async execOrStale(command: string): Promise<string> {
    return this.run(command);
  }

  @Cached({ ttl: 10 })
  stream(command: string): Observable<string> {
    return new Observable<string>((subscriber) => {
      void this.run(command).then((value) => {
        subscriber.next(value);
        subscriber.complete();
      });
    });
  }

  @Cached({ ttl: 10 })
  async execDefault(command: string): Promise<string> {
    return this.run(command);
  }
}

afterEach(async () => {
  jest.useRealTimers();
  await closeApps();
});

describe('@Cached load timeouts', () => {
  it('hardTimeout: the call fails with CacheLoadTimeoutError and the next call runs the method', async () => {
    const { app } = await startApp({ providers: [Commands] });
    const commands = app.get(Commands);
    jest.useFakeTimers();
    const first = commands.exec('uptime');
    void first.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(2000);
    await expect(first).rejects.toBeInstanceOf(CacheLoadTimeoutError);
    commands.run.mockResolvedValueOnce('up 3 days');
    await expect(commands.exec('uptime')).resolves.toBe('up 3 days');
    expect(commands.run).toHaveBeenCalledTimes(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('hardTimeout with staleIfError: the STALE result, and a log line that says it timed out', async () => {
    const { app, clock, logger } = await startApp({ providers: [Commands] });
    const commands = app.get(Commands);
    commands.run.mockResolvedValueOnce('v1');
    await commands.execOrStale('df');
    clock.advanceSeconds(12);
    jest.useFakeTimers();
    const call = commands.execOrStale('df');
    await jest.advanceTimersByTimeAsync(1000);
    await expect(call).resolves.toBe('v1');
    expect(logger.error).toHaveBeenCalledWith(
      `Loading key 'Commands.execOrStale("df")' took longer than its hardTimeout (1s); ` +
        'serving the stale entry (age 12.0s)',
      expect.stringContaining('CacheLoadTimeoutError'),
    );
  });

  it('softTimeout: a STALE result is returned while the method goes on, and its result cached', async () => {
    const { app, clock } = await startApp({ providers: [Commands] });
    const commands = app.get(Commands);
    const cache = app.get(CacheManagerService);
    commands.run.mockResolvedValueOnce('v1');
    await commands.execSoft('ps');
    clock.advanceSeconds(15);
    jest.useFakeTimers();
    const slow = deferred<string>();
    commands.run.mockReturnValueOnce(slow.promise);
    const call = commands.execSoft('ps');
    await jest.advanceTimersByTimeAsync(1000);
    await expect(call).resolves.toBe('v1');
    slow.resolve('v2');
    await flushPromises();
    expect(cache.getData('Commands.execSoft("ps")')).toBe('v2');
  });

  it('forRoot({ hardTimeout }) applies to every @Cached method, Observables included', async () => {
    const { app } = await startApp({ providers: [Commands] }, { hardTimeout: 1 });
    const commands = app.get(Commands);
    jest.useFakeTimers();
    const promised = commands.execDefault('df');
    const streamed = lastValueFrom(commands.stream('df'));
    void promised.catch(() => undefined);
    void streamed.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(1000);
    await expect(promised).rejects.toBeInstanceOf(CacheLoadTimeoutError);
    await expect(streamed).rejects.toBeInstanceOf(CacheLoadTimeoutError);
  });

  it.each([
    ['softTimeout', -1],
    ['hardTimeout', '2'],
  ])('refuses %s = %p when the class is defined, naming the method', (option, value) => {
    expect(() => {
      class Bad {
        @Cached({ [option]: value })
        async m(): Promise<number> {
          return 1;
        }
      }
      return Bad;
    }).toThrow(new RangeError(`@Cached on Bad.m: ${INVALID_TIMEOUT(option, value)}`));
  });
});
