import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';

import type { Redis } from 'ioredis';

import { CacheInstanceProcess } from './cache-instance.process.js';
import { describeWithRedis } from './describe-with-redis.js';
import { RedisServerHarness } from './redis-server.harness.js';
import { adminClient } from './redis-tier.fixture.js';
import { waitFor } from './wait-for.util.js';

jest.setTimeout(60_000);

describeWithRedis('Two app instances in separate processes on one Redis', () => {
  let redis: RedisServerHarness;
  let a: CacheInstanceProcess;
  let b: CacheInstanceProcess;
  let admin: Redis;
  /** Waits until A's background write of `key` is in Redis. */
  const written = (...keys: string[]) =>
    waitFor(
      async () => (await admin.exists(...keys.map((key) => `e2e:e:${key}`))) === keys.length,
      {
        what: `${keys.join(', ')} in Redis`,
      },
    );

  const connected = async (instance: CacheInstanceProcess) => {
    const tier = await instance.tier();
    return tier.connected === true && tier.busConnected === true;
  };

  beforeAll(async () => {
    redis = await RedisServerHarness.start();
    admin = adminClient(redis.url);
    admin.on('error', () => {});
    const env = (id: string) => ({ REDIS_URL: redis.url, KEY_PREFIX: 'e2e:', INSTANCE_ID: id });
    [a, b] = await Promise.all([
      CacheInstanceProcess.start(env('A')),
      CacheInstanceProcess.start(env('B')),
    ]);
    await waitFor(async () => (await connected(a)) && (await connected(b)), {
      timeoutMs: 20_000,
      what: 'both instances to reach Redis',
    });
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    admin?.disconnect();
    await redis?.stop();
  });

  it('serves a value loaded on A to B without calling B’s loader', async () => {
    await expect(a.send({ op: 'wrap', key: 'k', value: 'from A' })).resolves.toBe('from A');
    await written('k');

    await expect(b.send({ op: 'wrap', key: 'k', value: 'from B' })).resolves.toBe('from A');

    expect(await b.loaderCalls('k')).toBe(0);
    expect(await a.loaderCalls('k')).toBe(1);
  });

  it('applies an invalidation made on A to B', async () => {
    await a.send({ op: 'set', key: 'inv', value: 'v1' });
    await written('inv');
    await expect(b.send({ op: 'wrap', key: 'inv', value: 'unused' })).resolves.toBe('v1');
    expect(await b.send({ op: 'get', key: 'inv' })).toBe('v1');

    await a.send({ op: 'invalidate', key: 'inv' });

    await waitFor(async () => (await b.send({ op: 'get', key: 'inv' })) === null, {
      what: 'B to drop the key',
    });
    await expect(b.send({ op: 'wrap', key: 'inv', value: 'v2 from B' })).resolves.toBe('v2 from B');
  });

  it('takes a category invalidation to every instance', async () => {
    await a.send({ op: 'set', key: 'u1', value: 'x', category: 'users' });
    await a.send({ op: 'set', key: 'u2', value: 'y', category: 'users' });
    await a.send({ op: 'set', key: 'w1', value: 'z', category: 'worlds' });
    await written('u1', 'u2', 'w1');
    for (const key of ['u1', 'u2', 'w1']) await b.send({ op: 'wrap', key, value: 'unused' });
    expect(await b.send({ op: 'get', key: 'u2' })).toBe('y');

    await b.send({ op: 'invalidateCategory', category: 'users' });

    await waitFor(
      async () =>
        (await a.send({ op: 'get', key: 'u1' })) === null &&
        (await a.send({ op: 'get', key: 'u2' })) === null,
      { what: 'A to drop the category' },
    );
    expect(await a.send({ op: 'get', key: 'w1' })).toBe('z');
  });

  it('runs a loader once across both instances when they miss together (distributed lock)', async () => {
    const [fromA, fromB] = await Promise.all([
      a.send({ op: 'wrap', key: 'slow', value: 'A', loadMs: 300 }),
      b.send({ op: 'wrap', key: 'slow', value: 'B', loadMs: 300 }),
    ]);

    expect(fromA).toBe(fromB);
    expect((await a.loaderCalls('slow')) + (await b.loaderCalls('slow'))).toBe(1);
  });

  it('keeps both serving while Redis is down; after it returns, B never serves what A invalidated meanwhile', async () => {
    await a.send({ op: 'set', key: 'outage', value: 'old' });
    await written('outage');
    await expect(b.send({ op: 'wrap', key: 'outage', value: 'unused' })).resolves.toBe('old');

    await redis.kill();
    await waitFor(async () => !(await connected(a)) && !(await connected(b)), {
      what: 'both to see Redis gone',
    });
    expect(await b.send({ op: 'get', key: 'outage' })).toBe('old');
    await expect(a.send({ op: 'wrap', key: 'during', value: 'A' })).resolves.toBe('A');
    await expect(b.send({ op: 'wrap', key: 'during', value: 'B' })).resolves.toBe('B');
    await a.send({ op: 'invalidate', key: 'outage' });

    await redis.restart();
    await waitFor(async () => (await connected(a)) && (await connected(b)), {
      timeoutMs: 20_000,
      what: 'both to reconnect',
    });

    expect(await b.send({ op: 'get', key: 'outage' })).toBeNull();
    await expect(b.send({ op: 'wrap', key: 'outage', value: 'new' })).resolves.toBe('new');
    const tierB = await b.tier();
    expect(tierB.l1ClearsAfterGap).toBe(1);
  });
});
