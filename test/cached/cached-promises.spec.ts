import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
// A value import: with a type-only one, TypeScript records no return type for decorators.
import { Observable, lastValueFrom, of } from 'rxjs';

import { Cached, CacheManagerService } from '../../lib/index.js';
import { KEY_FUNCTION_FAILED } from '../../lib/cached/cached.messages.js';
import { closeApps, deferred, flushPromises, startApp } from './cached.helpers.js';

/*
 * Promises of docs/decorators.md that mutation testing found no test holding (issue 15); each
 * test fails when the code it names is changed the way the surviving mutant changed it.
 */

interface Outcome {
  ok: boolean;
}

@Injectable()
class Probes {
  readonly source = jest.fn((_host: string): Observable<Outcome> => of({ ok: false }));
  readonly read = jest.fn((_host: string) => 'fresh reading');

  @Cached({ ttl: 10, unless: (outcome: Outcome) => !outcome.ok })
  ping(host: string): Observable<Outcome> {
    return this.source(host);
  }

  // No declared return type: its kind is learnt from its first call.
  @Cached({ ttl: 10, key: 'shared-reading' })
  reading(host: string) {
    return this.read(host);
  }

  @Cached({ ttl: 10, key: () => 42 as unknown as string })
  numericKey(): string {
    return this.read('numeric');
  }
}

afterEach(async () => {
  await closeApps();
});

describe('@Cached promises', () => {
  it('honours `unless` for Observable methods: a rejected result is emitted, not cached', async () => {
    const { app } = await startApp({ providers: [Probes] });
    const probes = app.get(Probes);
    const cache = app.get(CacheManagerService);
    expect(await lastValueFrom(probes.ping('db'))).toEqual({ ok: false });
    expect(await lastValueFrom(probes.ping('db'))).toEqual({ ok: false });
    expect(probes.source).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
    probes.source.mockReturnValue(of({ ok: true }));
    await lastValueFrom(probes.ping('db'));
    await lastValueFrom(probes.ping('db'));
    expect(probes.source).toHaveBeenCalledTimes(3);
  });

  it('a sync method called while a wrap of its key loads runs, and stays out of that load', async () => {
    const { app } = await startApp({ providers: [Probes] });
    const probes = app.get(Probes);
    const cache = app.get(CacheManagerService);
    const slow = deferred<string>();
    const wrapped = cache.wrap('shared-reading', () => slow.promise);
    expect(probes.reading('db')).toBe('fresh reading');
    // Not cached over the load under way, and not counted as a load of the key.
    expect(cache.getData('shared-reading')).toBeUndefined();
    expect(cache.getStats().totalLoads).toBe(0);
    slow.resolve('loaded by wrap');
    await expect(wrapped).resolves.toBe('loaded by wrap');
    await flushPromises();
    expect(cache.getData('shared-reading')).toBe('loaded by wrap');
  });

  it('a key function returning a non-string is reported with its own message, and the call runs uncached', async () => {
    const { app, logger } = await startApp({ providers: [Probes] });
    const probes = app.get(Probes);
    const cache = app.get(CacheManagerService);
    expect(probes.numericKey()).toBe('fresh reading');
    expect(probes.numericKey()).toBe('fresh reading');
    expect(probes.read).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
    expect(logger.warn.mock.calls.map(([line]) => line)).toEqual([
      KEY_FUNCTION_FAILED(
        'Probes.numericKey',
        'key',
        'the key must be a non-empty string, got number',
      ),
    ]);
  });
});
