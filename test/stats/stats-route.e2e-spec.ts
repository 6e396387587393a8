import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  Injectable,
  Module,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';

import {
  CacheManagerModule,
  CacheManagerService,
  cacheStatsResponse,
  type CacheStatsResponse,
} from '../../lib/index.js';
import { INVALID_OPTION } from '../../lib/core/cache.messages.js';
import { TestClock } from '../support/test-clock.js';

/** A hand-driven clock: time moves only when a test says so. */
/** Lets a request through only with the header `x-ops-token: let-me-in`. */
@Injectable()
class OpsTokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string> }>();
    return req.headers['x-ops-token'] === 'let-me-in';
  }
}

describe('GET /cache/stats', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(
    imports: unknown[],
    configure?: (app: INestApplication) => void,
    providers: unknown[] = [],
  ): Promise<INestApplication> {
    @Module({ imports: imports as never[], providers: providers as never[] })
    class TestAppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [TestAppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    configure?.(app);
    await app.init();
    return app;
  }

  it('answers 200 JSON with the statistics, maxEntries and usagePercent', async () => {
    const clock = new TestClock();
    const server = await start([
      CacheManagerModule.forRoot({ maxEntries: 8, cleanupInterval: 0, clock: clock.read }),
    ]);
    const cache = app!.get(CacheManagerService);
    cache.set('users', ['alice'], { ttl: 60, category: 'resonite_data' });
    cache.set('worlds', ['hub'], { ttl: 60, category: 'resonite_data' });
    cache.set('status', 'ok', { ttl: 30, category: 'container_status' });
    cache.get('users');
    cache.get('nope');
    clock.advanceSeconds(40); // status turns STALE, the others stay FRESH

    const res = await request(server.getHttpServer()).get('/cache/stats').expect(200);

    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = res.body as CacheStatsResponse;
    expect(body).toMatchObject({
      totalEntries: 3,
      freshEntries: 2,
      staleEntries: 1,
      totalHits: 1,
      totalMisses: 1,
      totalSets: 3,
      hitRatePercent: 50,
      categories: { resonite_data: 2, container_status: 1 },
      oldestEntryAge: 40,
      maxEntries: 8,
      usagePercent: 37.5,
    });
    expect(body).toEqual(JSON.parse(JSON.stringify(cacheStatsResponse(cache))));
  });

  it('shows the counters moving between two scrapes', async () => {
    const server = await start([CacheManagerModule.forRoot({ cleanupInterval: 0 })]);
    const cache = app!.get(CacheManagerService);
    const before = (await request(server.getHttpServer()).get('/cache/stats')).body;
    cache.set('users', [1]);
    cache.get('users');
    const after = (await request(server.getHttpServer()).get('/cache/stats')).body;
    expect(after.totalHits - before.totalHits).toBe(1);
    expect(after.totalSets - before.totalSets).toBe(1);
    expect(after.totalEntries).toBe(1);
  });

  it('exposes counts and category names, never keys or cached data', async () => {
    const server = await start([CacheManagerModule.forRoot({ cleanupInterval: 0 })]);
    const cache = app!.get(CacheManagerService);
    cache.set(
      'session:alice-secret-key',
      { token: 'tok-3f9a-do-not-leak' },
      {
        category: 'user_sessions',
        metadata: { user: 'meta-do-not-leak' },
      },
    );
    cache.get('session:alice-secret-key');

    const res = await request(server.getHttpServer()).get('/cache/stats').expect(200);

    expect(res.text).toContain('user_sessions');
    expect(res.text).not.toContain('alice-secret-key');
    expect(res.text).not.toContain('tok-3f9a-do-not-leak');
    expect(res.text).not.toContain('meta-do-not-leak');
    const values = Object.values(res.body as Record<string, unknown>);
    expect(
      values.every((v) => typeof v === 'number' || (typeof v === 'object' && v !== null)),
    ).toBe(true);
    expect(Object.values((res.body as CacheStatsResponse).categories)).toEqual([1]);
  });

  it('is removed by statsController: false', async () => {
    const server = await start([
      CacheManagerModule.forRoot({ cleanupInterval: 0, statsController: false }),
    ]);
    await request(server.getHttpServer()).get('/cache/stats').expect(404);
  });

  it('moves with statsController: { path }', async () => {
    const server = await start([
      CacheManagerModule.forRoot({ cleanupInterval: 0, statsController: { path: 'ops/cache' } }),
    ]);
    await request(server.getHttpServer()).get('/cache/stats').expect(404);
    const res = await request(server.getHttpServer()).get('/ops/cache').expect(200);
    expect(res.body).toMatchObject({ totalEntries: 0, maxEntries: 1000, usagePercent: 0 });
  });

  it('is served by forRootAsync too', async () => {
    const server = await start([
      CacheManagerModule.forRootAsync({
        useFactory: () => ({ maxEntries: 4, cleanupInterval: 0 }),
        statsController: { path: 'stats' },
      }),
    ]);
    const res = await request(server.getHttpServer()).get('/stats').expect(200);
    expect(res.body.maxEntries).toBe(4);
  });

  it.each([{ path: '' }, { path: 42 }, { path: '   ' }, 'cache/stats', 1])(
    'rejects statsController %p with a RangeError naming the option',
    (option) => {
      expect(() => CacheManagerModule.forRoot({ statsController: option as never })).toThrow(
        new RangeError(
          INVALID_OPTION('statsController', 'true, false or { path: a non-empty string }', option),
        ),
      );
    },
  );

  describe('behind the app’s own guards', () => {
    it('is protected by app.useGlobalGuards', async () => {
      const server = await start([CacheManagerModule.forRoot({ cleanupInterval: 0 })], (app) =>
        app.useGlobalGuards(new OpsTokenGuard()),
      );
      await request(server.getHttpServer()).get('/cache/stats').expect(403);
      await request(server.getHttpServer())
        .get('/cache/stats')
        .set('x-ops-token', 'let-me-in')
        .expect(200);
    });

    it('is protected by a global APP_GUARD provider', async () => {
      const server = await start(
        [CacheManagerModule.forRoot({ cleanupInterval: 0, statsController: { path: 'ops/c' } })],
        undefined,
        [{ provide: APP_GUARD, useClass: OpsTokenGuard }],
      );
      await request(server.getHttpServer()).get('/ops/c').expect(403);
      await request(server.getHttpServer())
        .get('/ops/c')
        .set('x-ops-token', 'let-me-in')
        .expect(200);
    });

    it('can be served by a controller of the app with its own guard', async () => {
      @Controller('admin/cache-stats')
      @UseGuards(OpsTokenGuard)
      class AdminStatsController {
        constructor(private readonly cache: CacheManagerService) {}
        @Get()
        stats(): CacheStatsResponse {
          return cacheStatsResponse(this.cache);
        }
      }
      @Module({ controllers: [AdminStatsController] })
      class AdminModule {}
      const server = await start([
        CacheManagerModule.forRoot({ cleanupInterval: 0, statsController: false }),
        AdminModule,
      ]);
      await request(server.getHttpServer()).get('/cache/stats').expect(404);
      await request(server.getHttpServer()).get('/admin/cache-stats').expect(403);
      const res = await request(server.getHttpServer())
        .get('/admin/cache-stats')
        .set('x-ops-token', 'let-me-in')
        .expect(200);
      expect(res.body).toMatchObject({ totalEntries: 0, maxEntries: 1000 });
    });
  });
});
