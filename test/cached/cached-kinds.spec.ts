import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import {
  EMPTY,
  isObservable,
  lastValueFrom,
  // A value import: with a type-only one, TypeScript records no return type for decorators.
  Observable,
  of,
  Subject,
  throwError,
  toArray,
} from 'rxjs';

import { Cached, CacheManagerService } from '../../lib/index.js';
import { STALE_SERVED_ON_ERROR } from '../../lib/cached/cached.messages.js';
import { closeApps, deferred, flushPromises, startApp } from './cached.helpers.js';

interface Metric {
  container: string;
  cpu: number;
}

/** Sync methods: the seed's system metrics, read synchronously. */
@Injectable()
class SystemMetrics {
  readonly read = jest.fn((container: string): Metric => ({ container, cpu: 0.5 }));

  @Cached({ ttl: 10 })
  cpu(container: string): Metric {
    return this.read(container);
  }

  @Cached({ ttl: 10, staleWhileRevalidate: true })
  cpuSwr(container: string) {
    return this.read(container);
  }

  @Cached({ ttl: 10, staleIfError: true })
  cpuStaleIfError(container: string): Metric {
    return this.read(container);
  }
}

/** Observable methods: a world's user list, from a stream that completes. */
@Injectable()
class WorldFeed {
  readonly source = jest.fn((world: string): Observable<string[]> => of([`${world}-alice`]));

  @Cached({ ttl: 10 })
  users(world: string): Observable<string[]> {
    return this.source(world);
  }

  @Cached({ ttl: 10 })
  usersUndeclared(world: string) {
    return this.source(world);
  }

  @Cached({ ttl: 10, staleWhileRevalidate: true })
  usersSwr(world: string): Observable<string[]> {
    return this.source(world);
  }
}

/** A method that returns a promise without being `async` or declaring its return type. */
@Injectable()
class LegacyQueue {
  readonly execute = jest.fn((command: string) => Promise.resolve(`${command} output`));

  @Cached({ key: (command: string) => `legacy:${command}` })
  run(command: string) {
    return this.execute(command);
  }
}

/** Like LegacyQueue, never called before the test below (what a method returns is learnt once). */
@Injectable()
class PrewarmedQueue {
  readonly execute = jest.fn((command: string) => Promise.resolve(`${command} output`));

  @Cached({ key: (command: string) => `prewarmed:${command}` })
  run(command: string) {
    return this.execute(command);
  }
}

/** Methods whose declared return type tells `@Cached` their kind before any call. */
@Injectable()
class Declared {
  readonly compute = jest.fn(() => 42);

  @Cached({ key: 'sync' })
  sync(): number {
    return this.compute();
  }

  @Cached({ key: 'promise' })
  promise(): Promise<number> {
    return Promise.resolve(this.compute());
  }

  @Cached({ key: 'observable' })
  observable(): Observable<number> {
    return of(this.compute());
  }
}

async function kindsApp() {
  const test = await startApp({
    providers: [SystemMetrics, WorldFeed, LegacyQueue, PrewarmedQueue, Declared],
  });
  return {
    ...test,
    metrics: test.app.get(SystemMetrics),
    feed: test.app.get(WorldFeed),
    legacy: test.app.get(LegacyQueue),
    cache: test.app.get(CacheManagerService),
  };
}

afterEach(closeApps);

describe('@Cached on sync methods', () => {
  it('stays sync: returns the value itself, on a miss and on a hit', async () => {
    const { metrics } = await kindsApp();
    const miss = metrics.cpu('c1');
    expect(miss).toEqual({ container: 'c1', cpu: 0.5 });
    const hit = metrics.cpu('c1');
    expect(hit).not.toBeInstanceOf(Promise);
    expect(hit).toEqual({ container: 'c1', cpu: 0.5 });
    expect(metrics.read).toHaveBeenCalledTimes(1);
  });

  it('throws synchronously what the method throws, and caches nothing', async () => {
    const { metrics, cache } = await kindsApp();
    metrics.read.mockImplementationOnce(() => {
      throw new Error('no such container');
    });
    expect(() => metrics.cpu('c9')).toThrow('no such container');
    expect(cache.getKeys()).toEqual([]);
    expect(metrics.cpu('c9')).toEqual({ container: 'c9', cpu: 0.5 });
    expect(cache.getStats()).toMatchObject({ totalLoads: 2, totalLoadErrors: 1 });
  });

  it('staleWhileRevalidate: returns STALE synchronously and refreshes once, after the caller got it', async () => {
    const { metrics, clock } = await kindsApp();
    metrics.cpuSwr('c1');
    clock.advanceSeconds(11);
    metrics.read.mockReturnValue({ container: 'c1', cpu: 0.9 });
    expect(metrics.cpuSwr('c1')).toEqual({ container: 'c1', cpu: 0.5 });
    expect(metrics.cpuSwr('c1')).toEqual({ container: 'c1', cpu: 0.5 });
    expect(metrics.read).toHaveBeenCalledTimes(1);
    await flushPromises();
    expect(metrics.read).toHaveBeenCalledTimes(2);
    expect(metrics.cpuSwr('c1')).toEqual({ container: 'c1', cpu: 0.9 });
  });

  it('staleIfError: returns STALE when the method throws, and logs it', async () => {
    const { metrics, clock, logger } = await kindsApp();
    metrics.cpuStaleIfError('c1');
    clock.advanceSeconds(15);
    metrics.read.mockImplementationOnce(() => {
      throw new Error('probe failed');
    });
    expect(metrics.cpuStaleIfError('c1')).toEqual({ container: 'c1', cpu: 0.5 });
    expect(logger.error).toHaveBeenCalledWith(
      STALE_SERVED_ON_ERROR('SystemMetrics.cpuStaleIfError("c1")', 15),
      expect.stringContaining('probe failed'),
    );
  });
});

describe('@Cached on Observable methods', () => {
  it('stays Observable, on a miss and on a hit, and calls the method once', async () => {
    const { feed } = await kindsApp();
    const miss = feed.users('w1');
    expect(isObservable(miss)).toBe(true);
    expect(await lastValueFrom(miss)).toEqual(['w1-alice']);
    const hit = feed.users('w1');
    expect(isObservable(hit)).toBe(true);
    expect(await lastValueFrom(hit)).toEqual(['w1-alice']);
    expect(feed.source).toHaveBeenCalledTimes(1);
  });

  it('caches (and emits) the value the Observable completes with', async () => {
    const { feed, cache } = await kindsApp();
    feed.source.mockReturnValueOnce(of(['a'], ['a', 'b'], ['a', 'b', 'c']));
    expect(await lastValueFrom(feed.users('w1').pipe(toArray()))).toEqual([['a', 'b', 'c']]);
    expect(cache.getData('WorldFeed.users("w1")')).toEqual(['a', 'b', 'c']);
  });

  it('runs when subscribed, like an Observable: a call nobody subscribes to does nothing', async () => {
    const { feed } = await kindsApp();
    const users = feed.users('w1');
    expect(feed.source).not.toHaveBeenCalled();
    await lastValueFrom(users);
    expect(feed.source).toHaveBeenCalledTimes(1);
  });

  it('lets concurrent subscriptions that miss share one call of the method', async () => {
    const { feed } = await kindsApp();
    const stream = new Subject<string[]>();
    feed.source.mockReturnValueOnce(stream);
    const results = [lastValueFrom(feed.users('w1')), lastValueFrom(feed.users('w1'))];
    await flushPromises();
    stream.next(['late']);
    stream.complete();
    expect(await Promise.all(results)).toEqual([['late'], ['late']]);
    expect(feed.source).toHaveBeenCalledTimes(1);
  });

  it('sends an error to the subscriber and caches nothing', async () => {
    const { feed, cache } = await kindsApp();
    feed.source.mockReturnValueOnce(throwError(() => new Error('world offline')));
    await expect(lastValueFrom(feed.users('w1'))).rejects.toThrow('world offline');
    expect(cache.getKeys()).toEqual([]);
  });

  it('completes without a value, caching nothing, when the method’s Observable does', async () => {
    const { feed, cache } = await kindsApp();
    feed.source.mockReturnValueOnce(EMPTY);
    expect(await lastValueFrom(feed.users('w1').pipe(toArray()))).toEqual([]);
    expect(cache.getKeys()).toEqual([]);
  });

  it('learns the kind from the first result when the return type is not declared', async () => {
    const { feed } = await kindsApp();
    const first = feed.usersUndeclared('w1');
    expect(isObservable(first)).toBe(true);
    expect(await lastValueFrom(first)).toEqual(['w1-alice']);
    const hit = feed.usersUndeclared('w1');
    expect(isObservable(hit)).toBe(true);
    expect(await lastValueFrom(hit)).toEqual(['w1-alice']);
    expect(feed.source).toHaveBeenCalledTimes(1);
  });

  it('staleWhileRevalidate: emits STALE at once, then the refreshed value', async () => {
    const { feed, clock } = await kindsApp();
    await lastValueFrom(feed.usersSwr('w1'));
    clock.advanceSeconds(11);
    feed.source.mockReturnValue(of(['w1-bob']));
    expect(await lastValueFrom(feed.usersSwr('w1'))).toEqual(['w1-alice']);
    await flushPromises();
    expect(await lastValueFrom(feed.usersSwr('w1'))).toEqual(['w1-bob']);
    expect(feed.source).toHaveBeenCalledTimes(2);
  });
});

describe('@Cached on a method whose kind is not declared', () => {
  it('learns from the first result that it returns promises, with single flight from the first call', async () => {
    const { legacy } = await kindsApp();
    const gate = deferred<string>();
    legacy.execute.mockReturnValueOnce(gate.promise);
    const calls = [legacy.run('users'), legacy.run('users'), legacy.run('users')];
    for (const call of calls) expect(call).toBeInstanceOf(Promise);
    gate.resolve('once');
    expect(await Promise.all(calls)).toEqual(['once', 'once', 'once']);
    expect(await legacy.run('users')).toBe('once');
    expect(legacy.execute).toHaveBeenCalledTimes(1);
  });

  it('runs the method on its first call even when its key is pre-warmed, then serves hits', async () => {
    const { app, cache } = await kindsApp();
    const queue = app.get(PrewarmedQueue);
    cache.set('prewarmed:users', 'prewarmed');
    expect(await queue.run('users')).toBe('users output');
    expect(await queue.run('users')).toBe('users output');
    expect(queue.execute).toHaveBeenCalledTimes(1);
  });

  it('sends a first call’s rejection to its caller and caches nothing', async () => {
    const { legacy, cache } = await kindsApp();
    legacy.execute.mockReturnValueOnce(Promise.reject(new Error('down')));
    await expect(legacy.run('users')).rejects.toThrow('down');
    expect(cache.getKeys()).toEqual([]);
  });
});

describe('@Cached before the first call', () => {
  it('serves pre-warmed keys in the declared kind, without calling the method', async () => {
    const { app, cache } = await kindsApp();
    for (const key of ['sync', 'promise', 'observable']) cache.set(key, 7);
    const declared = app.get(Declared);
    expect(declared.sync()).toBe(7);
    const promise = declared.promise();
    expect(promise).toBeInstanceOf(Promise);
    expect(await promise).toBe(7);
    const observable = declared.observable();
    expect(isObservable(observable)).toBe(true);
    expect(await lastValueFrom(observable)).toBe(7);
    expect(declared.compute).not.toHaveBeenCalled();
  });
});
