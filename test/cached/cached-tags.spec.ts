import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { lastValueFrom, type Observable, of } from 'rxjs';

import {
  CacheInvalidate,
  Cached,
  CacheManagerService,
  CacheStatus,
  MAX_TAGS_PER_ENTRY,
  getCachedKey,
} from '../../lib/index.js';
import { INVALID_TAGS, TAGS_NOT_CACHED } from '../../lib/core/cache.messages.js';
import {
  INVALID_DECORATOR_OPTION,
  INVALIDATION_FAILED,
  KEY_FUNCTION_FAILED,
  NOTHING_TO_INVALIDATE,
  RESULT_NOT_CACHED,
} from '../../lib/cached/cached.messages.js';
import { closeApps, deferred, flushPromises, startApp } from './cached.helpers.js';

interface User {
  id: number;
  name: string;
}

/** A world's user list, whose entry depends on the world and on each user in it. */
@Injectable()
class WorldUsers {
  readonly backend = jest.fn(async (world: number): Promise<User[]> => [
    { id: world * 10 + 1, name: 'Ann' },
    { id: world * 10 + 2, name: 'Bob' },
  ]);
  readonly counter = jest.fn((): number => 1);

  @Cached({
    ttl: 60,
    key: (world: number) => `world:${world}:users`,
    tags: (world: number) => [`world:${world}`],
    resultTags: (users: User[]) => users.map((user) => `user:${user.id}`),
    staleWhileRevalidate: true,
  })
  async users(world: number): Promise<User[]> {
    return this.backend(world);
  }

  @Cached({ ttl: 60, tags: ['counters', 'counters'] })
  count(): number {
    return this.counter();
  }

  @Cached({ ttl: 60, resultTags: (value: string) => [`name:${value}`] })
  name$(name: string): Observable<string> {
    return of(name);
  }

  @Cached({
    ttl: 60,
    tags: (fail: boolean) => {
      if (fail) throw new Error('no tags today');
      return ['ok'];
    },
  })
  async flaky(fail: boolean): Promise<string> {
    return this.backend(0).then(() => `flaky:${fail}`);
  }

  @Cached({ ttl: 60, resultTags: (value: string) => (value === 'bad' ? [''] : ['fine']) })
  async echo(value: string): Promise<string> {
    return value;
  }

  /** Kicking a user: the lists that showed the user go STALE (answered at once, refreshed). */
  @CacheInvalidate({ tags: [(id: number) => `user:${id}`], expire: true })
  kick(id: number): number {
    return id;
  }

  @CacheInvalidate({ tags: (world: number) => [`world:${world}`] })
  async closeWorld(world: number): Promise<number> {
    return world;
  }

  @CacheInvalidate({ keys: ['count-key'], categories: ['cat'], tags: ['counters'], expire: true })
  softReset(): void {}

  @CacheInvalidate({ keys: ['count-key'], tags: [() => ''] })
  badTags(): string {
    return 'done';
  }
}

async function worldApp() {
  const test = await startApp({ providers: [WorldUsers] });
  return { ...test, service: test.app.get(WorldUsers), cache: test.app.get(CacheManagerService) };
}

afterEach(closeApps);

describe('@Cached with tags', () => {
  it('tags a result with the tags of its arguments and of the result itself', async () => {
    const { service, cache } = await worldApp();
    await service.users(1);
    const entry = cache.get('world:1:users')!;
    expect(entry.tags).toEqual(['world:1', 'user:11', 'user:12']);
    expect(cache.invalidateTag('user:12')).toBe(1);
    await service.users(1);
    expect(service.backend).toHaveBeenCalledTimes(2);
  });

  it('tags a sync method with a fixed list, snapshot once, duplicates collapsed', async () => {
    const { service, cache } = await worldApp();
    service.count();
    service.count();
    expect(service.counter).toHaveBeenCalledTimes(1);
    const key = getCachedKey(WorldUsers, 'count', [])!;
    expect(cache.get(key)!.tags).toEqual(['counters']);
    expect(cache.invalidateTag('counters')).toBe(1);
    service.count();
    expect(service.counter).toHaveBeenCalledTimes(2);
  });

  it('tags an Observable method from its last value', async () => {
    const { service, cache } = await worldApp();
    expect(await lastValueFrom(service.name$('ann'))).toBe('ann');
    expect(cache.get(getCachedKey(WorldUsers, 'name$', ['ann'])!)!.tags).toEqual(['name:ann']);
  });

  it('runs a call uncached, with one warning, when its tags function throws', async () => {
    const { service, cache, logger } = await worldApp();
    expect(await service.flaky(true)).toBe('flaky:true');
    expect(await service.flaky(true)).toBe('flaky:true');
    expect(cache.size).toBe(0);
    const warning = KEY_FUNCTION_FAILED('WorldUsers.flaky', 'tags', 'no tags today');
    expect(logger.warn.mock.calls.filter(([m]) => m === warning)).toHaveLength(1);
    await service.flaky(false);
    expect(cache.get(getCachedKey(WorldUsers, 'flaky', [false])!)!.tags).toEqual(['ok']);
  });

  it('returns a result uncached, with a warning, when its result tags are not valid', async () => {
    const { service, cache, logger } = await worldApp();
    expect(await service.echo('bad')).toBe('bad');
    expect(cache.size).toBe(0);
    expect(logger.warn).toHaveBeenCalledWith(
      RESULT_NOT_CACHED(
        'WorldUsers.echo',
        TAGS_NOT_CACHED(
          getCachedKey(WorldUsers, 'echo', ['bad'])!,
          INVALID_TAGS(MAX_TAGS_PER_ENTRY, 'tags[0] is an empty string'),
        ),
      ),
    );
    await service.echo('good');
    expect(cache.size).toBe(1);
  });

  it('refuses bad tag options when the class is defined', () => {
    const define = (options: object) => () => {
      class Bad {
        @Cached(options as never)
        method(): number {
          return 1;
        }
      }
      return Bad;
    };
    expect(define({ tags: [''] })).toThrow(RangeError);
    expect(define({ tags: [''] })).toThrow(
      `@Cached on Bad.method: ${INVALID_TAGS(MAX_TAGS_PER_ENTRY, 'tags[0] is an empty string')}`,
    );
    expect(define({ tags: 'users' })).toThrow(RangeError);
    expect(define({ resultTags: ['users'] })).toThrow(
      new TypeError(
        INVALID_DECORATOR_OPTION(
          '@Cached',
          'Bad.method',
          'resultTags',
          'a function of the result and the arguments',
        ),
      ),
    );
  });
});

describe('@CacheInvalidate with tags and expire', () => {
  it('invalidates the entries carrying the tags the arguments name', async () => {
    const { service, cache } = await worldApp();
    await service.users(1);
    await service.users(2);
    await service.closeWorld(1);
    expect(cache.getAllEntries().get('world:1:users')!.status).toBe(CacheStatus.INVALID);
    expect(cache.hasKey('world:2:users')).toBe(true);
    expect(cache.getStats().totalInvalidateTagCalls).toBe(1);
  });

  it('expires instead: the list is answered STALE at once and refreshed by one call', async () => {
    const { service, cache } = await worldApp();
    await service.users(1);
    service.kick(12);
    const entry = cache.get('world:1:users', { includeStale: true })!;
    expect(entry.status).toBe(CacheStatus.STALE);
    const refresh = deferred<User[]>();
    service.backend.mockReturnValueOnce(refresh.promise);
    const [first, second] = await Promise.all([service.users(1), service.users(1)]);
    expect(first).toEqual(entry.data);
    expect(second).toEqual(entry.data);
    expect(service.backend).toHaveBeenCalledTimes(2); // the first load, and one refresh
    refresh.resolve([{ id: 11, name: 'Ann' }]);
    await flushPromises();
    expect(cache.get('world:1:users')!.data).toEqual([{ id: 11, name: 'Ann' }]);
    expect(cache.get('world:1:users')!.tags).toEqual(['world:1', 'user:11']);
    expect(cache.getStats().totalExpirations).toBe(1);
  });

  it('expires keys, categories and tags alike with expire: true', async () => {
    const { service, cache } = await worldApp();
    cache.set('count-key', 1);
    cache.set('in-cat', 2, { category: 'cat' });
    service.count();
    service.softReset();
    const stats = cache.getStats();
    expect(stats.staleEntries).toBe(3);
    expect(stats.invalidEntries).toBe(0);
    expect(stats.totalExpireTagCalls).toBe(1);
  });

  it('invalidates nothing, and logs, when a tag function returns a bad tag', async () => {
    const { service, cache, logger } = await worldApp();
    cache.set('count-key', 1);
    expect(service.badTags()).toBe('done');
    expect(cache.hasKey('count-key')).toBe(true);
    expect(logger.error).toHaveBeenCalledWith(
      INVALIDATION_FAILED('WorldUsers.badTags', 'a tag function returned an empty string'),
    );
  });

  it('takes tags alone, and refuses bad tags or a bad expire when the class is defined', () => {
    const define = (options: object) => () => {
      class Admin {
        @CacheInvalidate(options as never)
        method(): void {}
      }
      return Admin;
    };
    expect(define({ tags: ['a', () => 'b'] })).not.toThrow();
    expect(define({ tags: [''] })).toThrow(
      new TypeError(
        INVALID_DECORATOR_OPTION(
          '@CacheInvalidate',
          'Admin.method',
          'tags',
          'an array of non-empty strings and functions, or a function',
        ),
      ),
    );
    expect(define({ tags: ['a'], expire: 'yes' })).toThrow(
      new TypeError(
        INVALID_DECORATOR_OPTION('@CacheInvalidate', 'Admin.method', 'expire', 'a boolean'),
      ),
    );
    expect(define({ expire: true })).toThrow(new TypeError(NOTHING_TO_INVALIDATE('Admin.method')));
  });
});
