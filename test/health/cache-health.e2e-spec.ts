import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';

import {
  CacheManagerModule,
  CacheManagerService,
  type CacheTier,
  type TierStats,
} from '../../lib/index.js';
import { CacheHealthIndicator, type CacheHealthOptions } from '../../lib/health/index.js';
import {
  INVALID_HEALTH_OPTION,
  LOW_HIT_RATE,
  MANY_STALE,
  STATS_UNAVAILABLE,
  TIER_DISCONNECTED,
  USAGE_HIGH,
} from '../../lib/health/cache-health.messages.js';
import { cacheInternals } from '../../lib/core/cache-manager.js';
import { TestClock } from '../support/test-clock.js';
import { silentLogger } from '../support/test-loggers.js';

/** A hand-driven clock: time moves only when a test says so. */
/** A second tier that only reports its health, like the Redis tier will. */
function fakeTier(stats: TierStats): CacheTier {
  return {
    getStats: () => stats,
    afterSet: () => {},
    afterInvalidate: () => {},
    afterInvalidateCategory: () => {},
    afterDelete: () => {},
    afterClear: () => {},
    fetch: () => Promise.resolve(undefined),
  };
}

describe('CacheHealthIndicator in a Terminus /health route', () => {
  let app: INestApplication | undefined;
  const clock = new TestClock();
  let healthOptions: CacheHealthOptions = {};

  @Controller('health')
  class HealthController {
    constructor(
      private readonly health: HealthCheckService,
      private readonly cacheHealth: CacheHealthIndicator,
    ) {}

    @Get()
    @HealthCheck()
    check() {
      return this.health.check([() => this.cacheHealth.isHealthy('cache', healthOptions)]);
    }
  }

  @Module({
    imports: [TerminusModule.forRoot({ logger: false })],
    controllers: [HealthController],
    providers: [CacheHealthIndicator],
  })
  class HealthModule {}

  async function start(maxEntries = 10): Promise<{
    cache: CacheManagerService;
    health: () => Promise<request.Response>;
  }> {
    @Module({
      imports: [
        CacheManagerModule.forRoot({
          maxEntries,
          cleanupInterval: 0,
          clock: clock.read,
          logger: silentLogger,
        }),
        HealthModule,
      ],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const server = app.getHttpServer();
    return { cache: app.get(CacheManagerService), health: () => request(server).get('/health') };
  }

  afterEach(async () => {
    await app?.close();
    app = undefined;
    healthOptions = {};
  });

  it('is up with the figures and no warning on a healthy cache', async () => {
    const { cache, health } = await start();
    cache.set('users', [1], { ttl: 60, category: 'resonite_data' });
    cache.get('users');

    const res = await health();

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      info: {
        cache: {
          status: 'up',
          totalEntries: 1,
          maxEntries: 10,
          usagePercent: 10,
          hitRatePercent: 100,
          stalePercent: 0,
          warnings: [],
        },
      },
      error: {},
      details: expect.any(Object),
    });
  });

  it('does not warn about the hit rate before the first read, nor about stale entries when empty', async () => {
    const { health } = await start();
    const res = await health();
    expect(res.body.details.cache).toMatchObject({ status: 'up', warnings: [] });
  });

  it('reports each seed check past its threshold as a warning, and stays up', async () => {
    const { cache, health } = await start(10);
    for (let i = 0; i < 9; i++) cache.set(`user:${i}`, i, { ttl: i < 3 ? 10 : 600 });
    cache.get('user:5');
    cache.get('absent-1');
    cache.get('absent-2');
    clock.advanceSeconds(15); // user:0..2 turn STALE: 3 of 9 entries

    const res = await health();

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.cache).toEqual({
      status: 'up',
      totalEntries: 9,
      maxEntries: 10,
      usagePercent: 90,
      hitRatePercent: 33.3,
      stalePercent: 33.3,
      warnings: [USAGE_HIGH(90), LOW_HIT_RATE(100 / 3), MANY_STALE(100 / 3)],
    });
    expect(res.body.details.cache.warnings).toEqual([
      'Cache usage high: 90.0%',
      'Low hit rate: 33.3% - consider adjusting TTLs',
      'Many stale entries: 33.3% - consider cleanup',
    ]);
  });

  it('takes other thresholds, and can report warnings as Terminus "degraded"', async () => {
    const { cache, health } = await start(10);
    cache.set('a', 1);
    cache.get('a');
    healthOptions = { maxUsagePercent: 5, warningStatus: 'degraded' };

    const res = await health();

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.details.cache).toMatchObject({
      status: 'degraded',
      warnings: [USAGE_HIGH(10)],
    });
  });

  it('is down (503) when the cache cannot report its statistics', async () => {
    const { cache, health } = await start();
    cache.getStats = () => {
      throw new Error('corrupted index');
    };

    const res = await health();

    expect(res.status).toBe(503);
    expect(res.body.status).toBe('error');
    expect(res.body.error.cache).toEqual({
      status: 'down',
      message: STATS_UNAVAILABLE('corrupted index'),
    });
  });

  it('is down when the second tier reports it is not connected, up when it is', async () => {
    const { cache, health } = await start();
    const tierStats: TierStats = { connected: true, l2Errors: 0 };
    cacheInternals(cache).attachTier(fakeTier(tierStats));

    let res = await health();
    expect(res.status).toBe(200);
    expect(res.body.details.cache).toMatchObject({
      status: 'up',
      tier: { connected: true, l2Errors: 0 },
    });

    tierStats.connected = false;
    tierStats.l2Errors = 3;
    res = await health();
    expect(res.status).toBe(503);
    expect(res.body.error.cache).toMatchObject({
      status: 'down',
      message: TIER_DISCONNECTED,
      tier: { connected: false, l2Errors: 3 },
    });
    cacheInternals(cache).attachTier(undefined);
  });

  it.each([
    [{ maxUsagePercent: 120 }, 'maxUsagePercent', 'a percentage from 0 to 100', 120],
    [{ minHitRatePercent: Number.NaN }, 'minHitRatePercent', 'a percentage from 0 to 100', NaN],
    [{ maxStalePercent: '25' }, 'maxStalePercent', 'a percentage from 0 to 100', '25'],
    [{ warningStatus: 'down' }, 'warningStatus', "'up' or 'degraded'", 'down'],
    [null, 'options', 'an object', null],
  ])('rejects %p with a RangeError naming the option', async (options, name, expected, value) => {
    await start();
    const indicator = app!.get(CacheHealthIndicator);
    expect(() => indicator.isHealthy('cache', options as never)).toThrow(
      new RangeError(INVALID_HEALTH_OPTION(name, expected, value)),
    );
  });
});
