import { afterAll, afterEach, beforeAll, expect, it, jest } from '@jest/globals';
import type { Redis } from 'ioredis';

import { CacheStatus } from '../../lib/core/cache-status.enum.js';
import { BAD_ENTRY } from '../../lib/redis/redis.messages.js';
import { describeWithRedis } from './describe-with-redis.js';
import { RedisServerHarness } from './redis-server.harness.js';
import { adminClient, createInstance, type Instance } from './redis-tier.fixture.js';
import { waitFor } from './wait-for.util.js';

const PREFIX = 'spec:';

describeWithRedis('Redis tier: two instances on one Redis', () => {
  let redis: RedisServerHarness;
  let admin: Redis;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    redis = await RedisServerHarness.start();
    admin = adminClient(redis.url);
  });

  afterAll(async () => {
    await admin.quit();
    await redis.stop();
  });

  const startPair = async (): Promise<void> => {
    a = await createInstance(redis.url, { keyPrefix: PREFIX, instanceId: 'A' });
    b = await createInstance(redis.url, { keyPrefix: PREFIX, instanceId: 'B' });
    const up = (one: Instance) => one.tier.getStats().busConnected && one.tier.getStats().connected;
    await waitFor(() => up(a) && up(b), { what: 'both instances connected' });
  };

  afterEach(async () => {
    await a?.close();
    await b?.close();
    await admin.flushall();
  });

  const inRedis = async (key: string): Promise<boolean> =>
    (await admin.exists(`${PREFIX}e:${key}`)) === 1;

  it('serves a value set on A to B from Redis, without calling B’s loader, with A’s age', async () => {
    await startPair();
    a.cache.set('user:1', { name: 'Ada' }, { ttl: 30, category: 'users', metadata: { v: 1 } });
    await waitFor(() => inRedis('user:1'), { what: 'the write to reach Redis' });
    const loader = jest.fn(async () => ({ name: 'loaded on B' }));

    await expect(b.cache.wrap('user:1', loader)).resolves.toEqual({ name: 'Ada' });

    expect(loader).not.toHaveBeenCalled();
    const onA = a.cache.get('user:1')!;
    const onB = b.cache.get('user:1')!;
    expect(onB.timestamp).toEqual(onA.timestamp);
    expect(onB).toMatchObject({ ttlSeconds: 30, category: 'users', metadata: { v: 1 } });
    expect(b.tier.getStats()).toMatchObject({ l2Hits: 1, connected: true });
  });

  it('keeps an entry in Redis until it turns EXPIRED (2 × ttl after its timestamp), not longer', async () => {
    await startPair();
    a.cache.set('k', 1, 40);
    await waitFor(() => inRedis('k'));
    const expiresAt = await admin.pexpiretime(`${PREFIX}e:k`);
    const timestamp = a.cache.get('k')!.timestamp.getTime();
    expect(Math.abs(expiresAt - (timestamp + 80_000))).toBeLessThanOrEqual(1);
  });

  it('restores a STALE entry from Redis with its real age, and does not serve it as fresh', async () => {
    await startPair();
    const timestampMs = Date.now() - 15_000;
    const stored = { v: 1, t: timestampMs, ttl: 10, c: 'default', m: {}, d: 'old' };
    await admin.set(`${PREFIX}e:k`, JSON.stringify(stored), 'PX', 60_000);
    const loader = jest.fn(async () => 'new');

    await expect(b.cache.wrap('k', loader)).resolves.toBe('new');

    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('applies an invalidation made on A to B’s memory and to Redis', async () => {
    await startPair();
    a.cache.set('k', 'v1');
    await waitFor(() => inRedis('k'));
    await b.cache.wrap('k', async () => 'unused');
    expect(b.cache.getData('k')).toBe('v1');

    a.cache.invalidate('k');

    await waitFor(() => b.cache.get('k') === undefined, { what: 'B to drop k' });
    expect(await inRedis('k')).toBe(false);
    const loader = jest.fn(async () => 'v2');
    await expect(b.cache.wrap('k', loader)).resolves.toBe('v2');
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('drops B’s copy when A writes a newer value, so B’s next load reads the new one', async () => {
    await startPair();
    b.cache.set('k', 'old');
    await waitFor(() => inRedis('k'));
    a.cache.set('k', 'new');

    await waitFor(() => b.cache.get('k') === undefined, { what: 'B to drop its old copy' });
    await expect(b.cache.wrap('k', async () => 'loader')).resolves.toBe('new');
  });

  it('applies a category invalidation everywhere, without touching other categories', async () => {
    await startPair();
    a.cache.set('u1', 1, { category: 'users' });
    a.cache.set('u2', 2, { category: 'users' });
    a.cache.set('w1', 3, { category: 'worlds' });
    await waitFor(async () => (await inRedis('u2')) && (await inRedis('w1')));
    for (const key of ['u1', 'u2', 'w1']) await b.cache.wrap(key, async () => -1);

    b.cache.invalidateCategory('users');

    await waitFor(() => a.cache.get('u1') === undefined && a.cache.get('u2') === undefined);
    expect(a.cache.getData('w1')).toBe(3);
    expect(b.cache.getData('w1')).toBe(3);
    expect(await inRedis('u1')).toBe(false);
    expect(await inRedis('u2')).toBe(false);
    expect(await inRedis('w1')).toBe(true);
    expect(a.cache.get('u1', { includeStale: true })).toBeUndefined();
    expect(a.cache.getAllEntries('users').get('u1')?.status).toBe(CacheStatus.INVALID);
  });

  it('applies delete, clear(category) and clear() everywhere', async () => {
    await startPair();
    a.cache.set('d', 1);
    a.cache.set('c1', 1, { category: 'temp' });
    a.cache.set('keep', 1, { category: 'other' });
    await waitFor(
      async () => (await inRedis('d')) && (await inRedis('c1')) && (await inRedis('keep')),
    );
    for (const key of ['d', 'c1', 'keep']) await b.cache.wrap(key, async () => -1);

    a.cache.delete('d');
    await waitFor(() => !b.cache.getKeys().includes('d'), { what: 'delete on B' });
    a.cache.clear('temp');
    await waitFor(() => !b.cache.getKeys().includes('c1'), { what: 'clear(category) on B' });
    expect(b.cache.getKeys()).toEqual(['keep']);
    expect(await inRedis('c1')).toBe(false);
    expect(await inRedis('keep')).toBe(true);

    b.cache.clear();
    await waitFor(() => a.cache.size === 0, { what: 'clear() on A' });
    // Only the bus history is left: instances that missed the clear read it there.
    expect(await admin.keys(`${PREFIX}*`)).toEqual([`${PREFIX}bus-history`]);
  });

  it('never applies its own messages twice, nor announces what it heard', async () => {
    await startPair();
    a.cache.set('k', 1);
    await waitFor(() => inRedis('k'));
    a.cache.invalidate('k');
    a.cache.set('k2', 2);
    await waitFor(() => b.tier.getStats().busMessagesReceived === 3, {
      what: 'B hears 3 messages',
    });
    a.cache.set('sentinel', 1);
    await waitFor(() => b.tier.getStats().busMessagesReceived === 4);
    expect(a.tier.getStats().busMessagesReceived).toBe(0);
    expect(a.cache.getData('k2')).toBe(2);
  });

  it('reads a foreign or truncated value under its prefix as a miss, logged, never thrown', async () => {
    await startPair();
    await admin.set(`${PREFIX}e:foreign`, 'hello');
    await admin.set(`${PREFIX}e:truncated`, '{"v":1,"t":1,"ttl":');
    await admin.set(
      `${PREFIX}e:wrong`,
      JSON.stringify({ v: 1, t: 'x', ttl: 1, c: 'a', m: {}, d: 1 }),
    );
    await admin.sadd(`${PREFIX}e:aset`, 'member');

    for (const key of ['foreign', 'truncated', 'wrong', 'aset']) {
      await expect(b.cache.wrap(key, async () => `loaded ${key}`)).resolves.toBe(`loaded ${key}`);
    }
    expect(b.tier.getStats().l2BadEntries).toBe(4);
    expect(b.tier.getStats().circuit).toBe('closed');
    expect(b.logger.lines.map((line) => line.message)).toContain(
      BAD_ENTRY('foreign', 'not JSON (5 characters)'),
    );
  });

  it('ignores garbage on the channel', async () => {
    await startPair();
    a.cache.set('k', 1);
    await admin.publish(`${PREFIX}bus`, 'not json');
    await admin.publish(`${PREFIX}bus`, JSON.stringify({ v: 1, src: 'X', op: 'i' }));
    await admin.publish(`${PREFIX}bus`, JSON.stringify({ v: 1, src: 'X', op: 'i', arg: 'k' }));
    await waitFor(() => a.cache.get('k') === undefined, { what: 'the valid message' });
    expect(a.logger.count(/ignoring a message/)).toBeGreaterThanOrEqual(1);
  });
});
