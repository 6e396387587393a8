import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Logger, Module, type INestApplication } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';

import {
  CACHE_CLEANUP_JOB,
  CacheManager,
  CacheManagerModule,
  CacheManagerService,
  getGlobalCache,
  type CacheManagerModuleOptions,
  type CacheManagerOptionsFactory,
} from '../../lib/index.js';
import { INVALID_OPTION } from '../../lib/core/cache.messages.js';
import { TestClock } from '../support/test-clock.js';

@Injectable()
class CommandService {
  constructor(readonly cache: CacheManagerService) {}
}

@Module({ providers: [CommandService], exports: [CommandService] })
class FeatureModule {}

@Injectable()
class CacheConfig implements CacheManagerOptionsFactory {
  createCacheManagerOptions(): CacheManagerModuleOptions {
    return { defaultTtl: 7, maxEntries: 3, cleanupInterval: 0 };
  }
}

@Module({ providers: [CacheConfig], exports: [CacheConfig] })
class ConfigModule {}

const apps: INestApplication[] = [];
async function start(imports: unknown[]): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [...(imports as never[]), FeatureModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  apps.push(app);
  await app.init();
  return app;
}

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  jest.useRealTimers();
});

describe('CacheManagerModule.forRoot', () => {
  it('provides one CacheManagerService, a CacheManager, injectable in any module', async () => {
    const app = await start([
      CacheManagerModule.forRoot({ defaultTtl: 120, maxEntries: 50, cleanupInterval: 0 }),
    ]);
    const service = app.get(CacheManagerService);
    expect(service).toBeInstanceOf(CacheManager);
    expect(app.get(CacheManager)).toBe(service);
    expect(app.get(CommandService).cache).toBe(service);
    expect(service.defaultTtl).toBe(120);
    expect(service.maxEntries).toBe(50);
    service.set('users', { total: 1 });
    expect(app.get(CommandService).cache.getData('users')).toEqual({ total: 1 });
  });

  it('is what getGlobalCache() returns while the app runs', async () => {
    const app = await start([CacheManagerModule.forRoot({ cleanupInterval: 0 })]);
    const service = app.get(CacheManagerService);
    expect(getGlobalCache()).toBe(service);
    await app.close();
    apps.length = 0;
    expect(getGlobalCache()).not.toBe(service);
  });

  it('fails at startup with a message naming a bad option', async () => {
    await expect(start([CacheManagerModule.forRoot({ maxEntries: -1 })])).rejects.toThrow(
      INVALID_OPTION('maxEntries', 'a whole number from 1 to 2147483646', -1),
    );
  });

  it.each([
    ['forRoot()', () => CacheManagerModule.forRoot()],
    ['forRoot({})', () => CacheManagerModule.forRoot({})],
  ])('boots with every default from %s', async (_name, forRoot) => {
    const app = await start([forRoot()]);
    const service = app.get(CacheManagerService);
    expect([service.defaultTtl, service.maxEntries, service.cleanupInterval]).toEqual([
      300, 1000, 60,
    ]);
    expect(app.get(CommandService).cache).toBe(service);
  });

  it('names the fix when a numeric option arrives as a string (as config values do)', async () => {
    await expect(
      start([CacheManagerModule.forRoot({ defaultTtl: '60' as unknown as number })]),
    ).rejects.toThrow(
      INVALID_OPTION(
        'defaultTtl',
        'a finite number of seconds above 0 (a number, not the string; convert it with Number(...))',
        '60',
      ),
    );
  });
});

describe('CacheManagerModule.forRootAsync', () => {
  it('takes options from a factory with injected dependencies', async () => {
    const app = await start([
      CacheManagerModule.forRootAsync({
        imports: [ConfigModule],
        inject: [CacheConfig],
        useFactory: (config: CacheConfig) => ({
          ...config.createCacheManagerOptions(),
          defaultTtl: 9,
        }),
      }),
    ]);
    const service = app.get(CacheManagerService);
    expect(service.defaultTtl).toBe(9);
    expect(service.maxEntries).toBe(3);
    expect(app.get(CommandService).cache).toBe(service);
  });

  it('takes options from an async factory', async () => {
    const app = await start([
      CacheManagerModule.forRootAsync({
        useFactory: async () => ({ maxEntries: 2, cleanupInterval: 0 }),
      }),
    ]);
    expect(app.get(CacheManagerService).maxEntries).toBe(2);
  });

  it('takes options from a class (useClass) and an existing provider (useExisting)', async () => {
    const viaClass = await start([CacheManagerModule.forRootAsync({ useClass: CacheConfig })]);
    expect(viaClass.get(CacheManagerService).defaultTtl).toBe(7);
    const viaExisting = await start([
      CacheManagerModule.forRootAsync({ imports: [ConfigModule], useExisting: CacheConfig }),
    ]);
    expect(viaExisting.get(CacheManagerService).maxEntries).toBe(3);
  });

  it('validates what the factory returns', async () => {
    await expect(
      start([CacheManagerModule.forRootAsync({ useFactory: () => ({ defaultTtl: 0 }) })]),
    ).rejects.toThrow(/defaultTtl/);
  });
});

describe('automatic cleanup on @nestjs/schedule', () => {
  it(`registers '${CACHE_CLEANUP_JOB}' in the app's SchedulerRegistry and runs it every cleanupInterval`, async () => {
    jest.useFakeTimers();
    const clock = new TestClock();
    const app = await start([
      ScheduleModule.forRoot(),
      CacheManagerModule.forRoot({ cleanupInterval: 30, clock: clock.read }),
    ]);
    const registry = app.get(SchedulerRegistry);
    expect(registry.getIntervals()).toEqual([CACHE_CLEANUP_JOB]);
    const cache = app.get(CacheManagerService);
    cache.set('short', 1, 1);
    cache.set('long', 2, 1000);
    clock.advanceSeconds(5);
    await jest.advanceTimersByTimeAsync(29_000);
    expect(cache.getKeys()).toEqual(['short', 'long']);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(cache.getKeys()).toEqual(['long']);
    cache.invalidate('long');
    await jest.advanceTimersByTimeAsync(30_000);
    expect(cache.size).toBe(0);
    expect(cache.getStats().totalCleanups).toBe(2);
  });

  it('works the same with forRootAsync options', async () => {
    jest.useFakeTimers();
    const clock = new TestClock();
    const app = await start([
      ScheduleModule.forRoot(),
      CacheManagerModule.forRootAsync({
        useFactory: async () => ({ cleanupInterval: 2, clock: clock.read }),
      }),
    ]);
    const cache = app.get(CacheManagerService);
    cache.set('k', 1, 0.5);
    clock.advanceSeconds(2);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(cache.size).toBe(0);
  });

  it('keeps running after a cleanup that throws, and logs it', async () => {
    jest.useFakeTimers();
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const app = await start([
      ScheduleModule.forRoot(),
      CacheManagerModule.forRoot({ cleanupInterval: 1 }),
    ]);
    const cache = app.get(CacheManagerService);
    const cleanup = jest.spyOn(cache, 'cleanupInSlices');
    cleanup.mockRejectedValueOnce(new Error('boom'));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(error).toHaveBeenCalledWith(
      expect.stringContaining('cleanup failed'),
      expect.stringContaining('boom'),
    );
    await jest.advanceTimersByTimeAsync(1_000);
    expect(cleanup).toHaveBeenCalledTimes(2);
    error.mockRestore();
  });

  it('removes the job on app.close()', async () => {
    jest.useFakeTimers();
    const app = await start([
      ScheduleModule.forRoot(),
      CacheManagerModule.forRoot({ cleanupInterval: 10 }),
    ]);
    const registry = app.get(SchedulerRegistry);
    const cache = app.get(CacheManagerService);
    const cleanup = jest.spyOn(cache, 'runScheduledCleanup');
    await app.close();
    apps.length = 0;
    expect(registry.doesExist('interval', CACHE_CLEANUP_JOB)).toBe(false);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(cleanup).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('registers no job with cleanupInterval 0', async () => {
    const app = await start([
      ScheduleModule.forRoot(),
      CacheManagerModule.forRoot({ cleanupInterval: 0 }),
    ]);
    expect(app.get(SchedulerRegistry).getIntervals()).toEqual([]);
  });

  it('still cleans up without ScheduleModule, and says how to register the job', async () => {
    jest.useFakeTimers();
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const clock = new TestClock();
    const app = await start([
      CacheManagerModule.forRoot({ cleanupInterval: 5, clock: clock.read }),
    ]);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('ScheduleModule.forRoot()'));
    const cache = app.get(CacheManagerService);
    cache.set('k', 1, 1);
    clock.advanceSeconds(3);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(cache.size).toBe(0);
    await app.close();
    apps.length = 0;
    expect(jest.getTimerCount()).toBe(0);
    log.mockRestore();
  });
});

describe('logging through Nest', () => {
  it("writes the seed's debug lines through Logger with context CacheManager when debug: true", async () => {
    const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const moduleRef = await Test.createTestingModule({
      imports: [CacheManagerModule.forRoot({ cleanupInterval: 0, debug: true })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: ['debug', 'log', 'warn', 'error'] });
    apps.push(app);
    await app.init();
    app.get(CacheManagerService).set('debug_key', { test: 'data' });
    expect(debug).toHaveBeenCalledWith(
      "Cached data for key 'debug_key' (TTL: 300s, Category: default)",
    );
    expect((debug.mock.contexts[0] as Logger & { context?: string }).context).toBe('CacheManager');
    debug.mockRestore();
  });

  it('writes no debug line by default, even with every log level of the app on', async () => {
    const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const moduleRef = await Test.createTestingModule({
      imports: [CacheManagerModule.forRoot({ cleanupInterval: 0 })],
    }).compile();
    // What `nest new` apps run with: Nest's default logger, every level enabled.
    const app = moduleRef.createNestApplication({
      logger: ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'],
    });
    apps.push(app);
    await app.init();
    const cache = app.get(CacheManagerService);
    cache.set('k', 1);
    cache.get('k');
    cache.get('missing');
    expect(debug).not.toHaveBeenCalled();
    debug.mockRestore();
  });

  it('formats no debug line when debug is not enabled', async () => {
    const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const moduleRef = await Test.createTestingModule({
      imports: [CacheManagerModule.forRoot({ cleanupInterval: 0 })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: ['log', 'warn', 'error'] });
    apps.push(app);
    await app.init();
    app.get(CacheManagerService).set('k', 1);
    app.get(CacheManagerService).get('k');
    expect(debug).not.toHaveBeenCalled();
    debug.mockRestore();
  });
});
