import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { lastValueFrom, type Observable, of, Subject, throwError } from 'rxjs';

import { CacheInvalidate, Cached, CacheManagerService } from '../../lib/index.js';
import { INVALIDATION_FAILED } from '../../lib/cached/cached.messages.js';
import { closeApps, deferred, startApp } from './cached.helpers.js';

const usersKey = (world: string) => `command_result_users:${world}`;

/** The seed's Resonite commands: reads cached by world, writes that make them stale. */
@Injectable()
class WorldAdmin {
  readonly backend = jest.fn(async (..._args: unknown[]): Promise<unknown> => 'ok');

  @Cached({ key: (world: string) => usersKey(world), category: 'resonite_data' })
  async users(world: string): Promise<unknown> {
    return this.backend('users', world);
  }

  @CacheInvalidate({ keys: [(world: string) => usersKey(world), 'status'] })
  async kick(world: string, user: string): Promise<unknown> {
    return this.backend('kick', world, user);
  }

  @CacheInvalidate({ categories: ['resonite_data'] })
  restartSync(fail: boolean): string {
    if (fail) throw new Error('restart refused');
    return 'restarted';
  }

  @CacheInvalidate({ keys: (world: string) => [usersKey(world), `worlds:${world}`] })
  close(world: string): Observable<string> {
    return this.closing(world);
  }

  readonly closing = jest.fn((_world: string): Observable<string> => of('closed'));

  @CacheInvalidate({
    keys: [
      () => {
        throw new Error('no key');
      },
      'status',
    ],
  })
  async broken(): Promise<string> {
    return 'done';
  }
}

async function adminApp() {
  const test = await startApp({ providers: [WorldAdmin] });
  const cache = test.app.get(CacheManagerService);
  cache.set(usersKey('w1'), ['alice'], { category: 'resonite_data' });
  cache.set(usersKey('w2'), ['bob'], { category: 'resonite_data' });
  cache.set('status', 'up');
  cache.set('worlds:w1', ['w1']);
  return { ...test, admin: test.app.get(WorldAdmin), cache };
}

afterEach(closeApps);

describe('@CacheInvalidate', () => {
  it('invalidates the listed keys (strings and functions of the arguments) once the promise resolves', async () => {
    const { admin, cache } = await adminApp();
    const gate = deferred<unknown>();
    admin.backend.mockReturnValueOnce(gate.promise);
    const kick = admin.kick('w1', 'alice');
    expect(cache.hasKey(usersKey('w1'))).toBe(true);
    gate.resolve('kicked');
    expect(await kick).toBe('kicked');
    expect(cache.hasKey(usersKey('w1'))).toBe(false);
    expect(cache.hasKey('status')).toBe(false);
    expect(cache.hasKey(usersKey('w2'))).toBe(true);
  });

  it('invalidates nothing when the promise rejects', async () => {
    const { admin, cache } = await adminApp();
    admin.backend.mockRejectedValueOnce(new Error('not allowed'));
    await expect(admin.kick('w1', 'alice')).rejects.toThrow('not allowed');
    expect(cache.hasKey(usersKey('w1'))).toBe(true);
    expect(cache.hasKey('status')).toBe(true);
  });

  it('makes the next @Cached read call the method again', async () => {
    const { admin } = await adminApp();
    expect(await admin.users('w1')).toEqual(['alice']);
    await admin.kick('w1', 'alice');
    admin.backend.mockResolvedValueOnce(['bob']);
    expect(await admin.users('w1')).toEqual(['bob']);
    expect(admin.backend).toHaveBeenCalledWith('users', 'w1');
  });

  it('invalidates categories after a sync method returns, and nothing when it throws', async () => {
    const { admin, cache } = await adminApp();
    expect(() => admin.restartSync(true)).toThrow('restart refused');
    expect(cache.hasKey(usersKey('w1'))).toBe(true);
    expect(admin.restartSync(false)).toBe('restarted');
    expect(cache.hasKey(usersKey('w1'))).toBe(false);
    expect(cache.hasKey(usersKey('w2'))).toBe(false);
    expect(cache.hasKey('status')).toBe(true);
  });

  it('invalidates when the Observable completes, not before, and nothing when it errors', async () => {
    const { admin, cache } = await adminApp();
    const closing = new Subject<string>();
    admin.closing.mockReturnValueOnce(closing);
    const done = lastValueFrom(admin.close('w1'));
    closing.next('closing');
    expect(cache.hasKey(usersKey('w1'))).toBe(true);
    closing.complete();
    expect(await done).toBe('closing');
    expect(cache.hasKey(usersKey('w1'))).toBe(false);
    expect(cache.hasKey('worlds:w1')).toBe(false);

    cache.set(usersKey('w1'), ['alice']);
    admin.closing.mockReturnValueOnce(throwError(() => new Error('world busy')));
    await expect(lastValueFrom(admin.close('w1'))).rejects.toThrow('world busy');
    expect(cache.hasKey(usersKey('w1'))).toBe(true);
  });

  it('logs a key function that throws and returns the result, invalidating nothing', async () => {
    const { admin, cache, logger } = await adminApp();
    expect(await admin.broken()).toBe('done');
    expect(cache.hasKey('status')).toBe(true);
    expect(logger.error).toHaveBeenCalledWith(INVALIDATION_FAILED('WorldAdmin.broken', 'no key'));
  });

  it('only runs the method outside an initialised app', async () => {
    const { app } = await startApp({ providers: [WorldAdmin] }, { init: false });
    expect(app.get(WorldAdmin).restartSync(false)).toBe('restarted');
    expect(await app.get(WorldAdmin).kick('w1', 'alice')).toBe('ok');
  });
});
