import 'reflect-metadata';

import { afterAll, afterEach, beforeAll, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import request from 'supertest';

import { CacheManagerModule, CacheManagerService } from '../../lib/index.js';
import { RedisTierProvider } from '../../lib/redis/redis-tier.provider.js';
import type { RedisTierOptions } from '../../lib/redis/redis-tier.options.interface.js';
import { INVALID_REDIS_OPTION } from '../../lib/redis/redis.messages.js';
import { describeWithRedis } from './describe-with-redis.js';
import { RedisServerHarness } from './redis-server.harness.js';
import { adminClient, MemoryLogger } from './redis-tier.fixture.js';
import { waitFor } from './wait-for.util.js';

const PREFIX = 'nest:';
jest.setTimeout(20_000);

type Registration = 'forRoot' | 'forRootAsync';

describeWithRedis('CacheManagerModule with the redis option', () => {
  let redis: RedisServerHarness;
  let admin: Redis;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    redis = await RedisServerHarness.start();
    admin = adminClient(redis.url);
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await admin.flushall();
  });

  afterAll(async () => {
    await admin.quit();
    await redis.stop();
  });

  const cacheModule = (how: Registration, instanceId: string) => {
    const options = {
      cleanupInterval: 0,
      logger: new MemoryLogger(),
      redis: { url: redis.url, keyPrefix: PREFIX, instanceId } satisfies RedisTierOptions,
    };
    return how === 'forRoot'
      ? CacheManagerModule.forRoot(options)
      : CacheManagerModule.forRootAsync({ useFactory: async () => options });
  };

  const start = async (how: Registration, instanceId: string): Promise<INestApplication> => {
    const moduleRef = await Test.createTestingModule({
      imports: [cacheModule(how, instanceId)],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    apps.push(app);
    await app.init();
    return app;
  };

  /** The connections an instance holds open on Redis, by the name the tier gives them. */
  const connectionsOf = async (instanceId: string): Promise<number> => {
    const list = (await admin.client('LIST')) as string;
    return list.split('\n').filter((line) => line.includes(` name=fresh-cache:${instanceId} `))
      .length;
  };

  it.each<Registration>(['forRoot', 'forRootAsync'])(
    '%s: attaches the tier, reports it on GET /cache/stats, and closes its connections on app.close() without clearing Redis',
    async (how) => {
      const id = `app-${how}`;
      const app = await start(how, id);
      await waitFor(
        async () => {
          const { body } = await request(app.getHttpServer()).get('/cache/stats');
          return body.tier?.connected === true && body.tier?.busConnected === true;
        },
        { what: 'the tier connected, as the stats route reports it' },
      );
      const { body } = await request(app.getHttpServer()).get('/cache/stats').expect(200);
      expect(body.tier).toMatchObject({ connected: true, circuit: 'closed', instanceId: id });
      expect(app.get(RedisTierProvider).redisTier?.getStats().instanceId).toBe(id);

      // Writes go to the shared Redis.
      app.get(CacheManagerService).set('user:1', { name: 'Ada' });
      await waitFor(async () => (await admin.exists(`${PREFIX}e:user:1`)) === 1, {
        what: 'the write in Redis',
      });
      expect(await connectionsOf(id)).toBe(2);

      await app.close();
      apps.splice(apps.indexOf(app), 1);

      // Its connections are gone (no open handle), and what it shares with others stays.
      await waitFor(async () => (await connectionsOf(id)) === 0, { what: 'connections closed' });
      expect(await admin.exists(`${PREFIX}e:user:1`)).toBe(1);
      expect(app.get(RedisTierProvider).redisTier).toBeUndefined();
    },
  );

  it('shares values between two apps: one loads, the other is served from Redis', async () => {
    const a = await start('forRoot', 'app-A');
    const b = await start('forRootAsync', 'app-B');
    const ready = (app: INestApplication) =>
      app.get(CacheManagerService).getStats().tier?.connected === true;
    await waitFor(() => ready(a) && ready(b), { what: 'both apps connected' });
    await a.get(CacheManagerService).wrap('k', async () => 'from A');
    await waitFor(async () => (await admin.exists(`${PREFIX}e:k`)) === 1);
    const loader = jest.fn(async () => 'from B');

    await expect(b.get(CacheManagerService).wrap('k', loader)).resolves.toBe('from A');
    expect(loader).not.toHaveBeenCalled();
  });

  it('fails the bootstrap with an error naming the invalid redis option', async () => {
    const compile = Test.createTestingModule({
      imports: [
        CacheManagerModule.forRoot({ cleanupInterval: 0, redis: { url: 'http://cache:6379' } }),
      ],
    }).compile();

    await expect(compile).rejects.toThrow(
      INVALID_REDIS_OPTION('url', 'a redis:// or rediss:// URL', 'http://cache:6379'),
    );
  });
});
