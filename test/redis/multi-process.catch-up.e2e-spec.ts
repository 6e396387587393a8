import { afterAll, afterEach, beforeAll, beforeEach, expect, it, jest } from '@jest/globals';

import type { Redis } from 'ioredis';

import { killBusConnection } from './bus-connection.control.js';
import { CacheInstanceProcess } from './cache-instance.process.js';
import { describeWithRedis } from './describe-with-redis.js';
import { RedisServerHarness } from './redis-server.harness.js';
import { adminClient } from './redis-tier.fixture.js';
import { waitFor } from './wait-for.util.js';

jest.setTimeout(60_000);

/**
 * Two app instances in separate processes; B's bus connection is killed on the server
 * (`CLIENT KILL` of that one connection) and held down while A changes things.
 */
describeWithRedis(
  'Two app processes: B catches up on what it missed while its bus was down',
  () => {
    let redis: RedisServerHarness;
    let admin: Redis;
    let a: CacheInstanceProcess;
    let b: CacheInstanceProcess;
    let tests = 0;
    let prefix = '';

    const connected = async (instance: CacheInstanceProcess) => {
      const tier = await instance.tier();
      return tier.connected === true && tier.busConnected === true;
    };
    const written = (...keys: string[]) =>
      waitFor(
        async () => (await admin.exists(...keys.map((key) => `${prefix}e:${key}`))) === keys.length,
        { what: `${keys.join(', ')} in Redis` },
      );
    const historyLength = () => admin.xlen(`${prefix}bus-history`);
    const get = (instance: CacheInstanceProcess, key: string) => instance.send({ op: 'get', key });

    beforeAll(async () => {
      redis = await RedisServerHarness.start();
      admin = adminClient(redis.url);
      admin.on('error', () => {});
    });

    beforeEach(async () => {
      prefix = `gap-${++tests}:`;
      const env = (id: string) => ({ REDIS_URL: redis.url, KEY_PREFIX: prefix, INSTANCE_ID: id });
      [a, b] = await Promise.all([
        CacheInstanceProcess.start(env('A')),
        CacheInstanceProcess.start({ ...env('B'), BUS_CONTROL: '1' }),
      ]);
      await waitFor(async () => (await connected(a)) && (await connected(b)), {
        timeoutMs: 20_000,
        what: 'both instances to reach Redis',
      });
    });

    afterEach(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
    });

    afterAll(async () => {
      admin?.disconnect();
      await redis?.stop();
    });

    /** B holds every key, read from Redis (A wrote them): no loader ran on B. */
    const fill = async (keys: string[], users: string[]) => {
      for (const key of keys) await a.send({ op: 'set', key, value: `${key} from A` });
      for (const key of users) {
        await a.send({ op: 'set', key, value: `${key} from A`, category: 'users' });
      }
      await written(...keys, ...users);
      for (const key of [...keys, ...users]) {
        await expect(b.send({ op: 'wrap', key, value: 'loaded on B' })).resolves.toBe(
          `${key} from A`,
        );
      }
    };

    /** Kills B's bus connection (that one only) and waits until B knows it. */
    const cutB = async () => {
      await b.send({ op: 'holdBus' });
      await killBusConnection(admin, 'B');
      await waitFor(async () => (await b.tier()).busConnected === false, {
        what: 'B to lose its bus',
      });
    };

    it('applies exactly what A invalidated, deleted and wrote meanwhile; the rest is served from memory without a loader call', async () => {
      const kept = ['keep1', 'keep2', 'keep3'];
      await fill([...kept, 'inv', 'del', 'upd'], ['u1', 'u2']);
      const before = await historyLength();

      await cutB();
      await a.send({ op: 'invalidate', key: 'inv' });
      await a.send({ op: 'delete', key: 'del' });
      await a.send({ op: 'set', key: 'upd', value: 'upd v2 from A' });
      await a.send({ op: 'invalidateCategory', category: 'users' });
      await waitFor(async () => (await historyLength()) === before + 4, { what: 'A’s changes' });
      // B heard none of them.
      expect(await get(b, 'inv')).toBe('inv from A');

      await b.send({ op: 'releaseBus' });
      await waitFor(() => connected(b), { what: 'B to hear the bus again' });

      for (const key of ['inv', 'del', 'upd', 'u1', 'u2']) expect(await get(b, key)).toBeNull();
      for (const key of kept) expect(await get(b, key)).toBe(`${key} from A`);
      const { l2Hits } = await b.tier();
      for (const key of kept) {
        await expect(b.send({ op: 'wrap', key, value: 'loaded on B' })).resolves.toBe(
          `${key} from A`,
        );
        expect(await b.loaderCalls(key)).toBe(0);
      }
      // Served from B's memory: Redis was not even asked.
      expect((await b.tier()).l2Hits).toBe(l2Hits);
      await expect(b.send({ op: 'wrap', key: 'upd', value: 'loaded on B' })).resolves.toBe(
        'upd v2 from A',
      );
      expect(await b.loaderCalls('upd')).toBe(0);
      expect(await b.tier()).toMatchObject({
        busCatchUps: 1,
        busChangesCaughtUp: 4,
        l1ClearsAfterGap: 0,
      });
    });

    it('applies the tag invalidations and expiries A made meanwhile: expired copies are STALE, not gone; the rest is served from memory', async () => {
      const tagged: [string, string[]][] = [
        ['m1', ['member:1']],
        ['m2', ['member:2']],
        ['w1', ['world:1', 'member:1']],
        ['keep', ['member:3']],
      ];
      for (const [key, tags] of tagged) {
        await a.send({ op: 'set', key, value: `${key} from A`, tags });
      }
      await fill(['k'], ['u1']);
      for (const [key] of tagged) {
        await expect(b.send({ op: 'wrap', key, value: 'loaded on B' })).resolves.toBe(
          `${key} from A`,
        );
      }
      const before = await historyLength();

      await cutB();
      await a.send({ op: 'expireTag', tag: 'member:1' });
      await a.send({ op: 'invalidateTag', tag: 'member:2' });
      await a.send({ op: 'expire', key: 'k' });
      await a.send({ op: 'expireCategory', category: 'users' });
      await waitFor(async () => (await historyLength()) === before + 4, { what: 'A’s changes' });
      expect(await b.send({ op: 'status', key: 'm1' })).toBe('fresh');

      await b.send({ op: 'releaseBus' });
      await waitFor(() => connected(b), { what: 'B to hear the bus again' });

      for (const key of ['m1', 'w1', 'k', 'u1']) {
        expect(await b.send({ op: 'status', key })).toBe('stale');
      }
      expect(await b.send({ op: 'status', key: 'm2' })).toBe('invalid');
      expect(await b.send({ op: 'status', key: 'keep' })).toBe('fresh');
      const { l2Hits } = await b.tier();
      await expect(b.send({ op: 'wrap', key: 'keep', value: 'loaded on B' })).resolves.toBe(
        'keep from A',
      );
      expect(await b.loaderCalls('keep')).toBe(0);
      expect((await b.tier()).l2Hits).toBe(l2Hits);
      expect(await b.tier()).toMatchObject({
        busCatchUps: 1,
        busChangesCaughtUp: 4,
        l1ClearsAfterGap: 0,
      });
    });

    it('clears B’s memory, as a gap always did, when Redis lost the history meanwhile', async () => {
      await fill(['k1', 'k2'], []);

      await cutB();
      await admin.del(`${prefix}bus-history`);
      await a.send({ op: 'invalidate', key: 'k1' });
      await waitFor(async () => (await historyLength()) === 1, { what: 'A’s change' });
      await b.send({ op: 'releaseBus' });
      await waitFor(() => connected(b), { what: 'B to hear the bus again' });

      expect(await get(b, 'k1')).toBeNull();
      expect(await get(b, 'k2')).toBeNull();
      expect(await b.tier()).toMatchObject({ busCatchUps: 0, l1ClearsAfterGap: 1 });
      // The cleared entry comes back from Redis, not from B's loader.
      await expect(b.send({ op: 'wrap', key: 'k2', value: 'loaded on B' })).resolves.toBe(
        'k2 from A',
      );
    });
  },
);
