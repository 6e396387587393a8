import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';

import { Cached, CacheManagerService, getCachedKey } from '../../lib/index.js';
import { NOT_CACHED_METHOD } from '../../lib/cached/cached.messages.js';
import { closeApps, startApp } from './cached.helpers.js';

@Injectable()
class UsersService {
  readonly lookups = jest.fn(async (id: number) => ({ id }));

  @Cached({ ttl: 60 })
  async findUser(id: number, options?: { withRoles?: boolean }): Promise<{ id: number }> {
    void options;
    return this.lookups(id);
  }

  @Cached({ key: (world: string) => `world_${world}` })
  async findWorld(world: string): Promise<string> {
    return world;
  }

  @Cached({ key: 'status' })
  async status(): Promise<string> {
    return 'up';
  }

  @Cached({ key: () => '' })
  async unkeyed(): Promise<string> {
    return 'x';
  }

  notCached(): number {
    return 1;
  }
}

class AdminUsersService extends UsersService {}

afterEach(closeApps);

describe('getCachedKey', () => {
  it('gives the key a call cached under, so code can reach exactly that entry', async () => {
    const { app } = await startApp({ providers: [UsersService] });
    const users = app.get(UsersService);
    const cache = app.get(CacheManagerService);
    await users.findUser(42, { withRoles: true });

    const key = getCachedKey(UsersService, 'findUser', [42, { withRoles: true }]);
    expect(key).toBe('UsersService.findUser(42,{"withRoles":true})');
    expect(cache.getData(key!)).toEqual({ id: 42 });

    expect(cache.invalidate(key!)).toBe(true);
    await users.findUser(42, { withRoles: true });
    expect(users.lookups).toHaveBeenCalledTimes(2);
  });

  it("honours the method's key option, fixed or a function of the arguments", () => {
    expect(getCachedKey(UsersService, 'findWorld', ['hub'])).toBe('world_hub');
    expect(getCachedKey(UsersService, 'status')).toBe('status');
  });

  it('names the subclass for calls on a subclass, as @Cached does', () => {
    expect(getCachedKey(AdminUsersService, 'findUser', [1])).toBe('AdminUsersService.findUser(1)');
  });

  it('is undefined when the arguments cannot make a key (such calls run uncached)', () => {
    expect(getCachedKey(UsersService, 'findUser', [new Map() as never])).toBeUndefined();
    expect(getCachedKey(UsersService, 'unkeyed')).toBeUndefined();
  });

  it('throws a TypeError for a method without @Cached', () => {
    expect(() => getCachedKey(UsersService, 'notCached')).toThrow(
      new TypeError(NOT_CACHED_METHOD('UsersService.notCached')),
    );
  });
});
