import { afterAll, afterEach, beforeAll, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';

import { CIRCUIT_CLOSED, CIRCUIT_OPENED } from '../../lib/redis/redis.messages.js';
import { describeWithRedis } from './describe-with-redis.js';
import { RedisServerHarness } from './redis-server.harness.js';
import {
  adminClient,
  createInstance,
  FAST_RECONNECT,
  type Instance,
} from './redis-tier.fixture.js';
import { waitFor } from './wait-for.util.js';

const PREFIX = 'faults:';
jest.setTimeout(20_000);
const BREAKER = { failureThreshold: 2, cooldown: 200 };

describeWithRedis('Redis tier: faults never take the app down', () => {
  let redis: RedisServerHarness;
  let admin: Redis;
  const instances: Instance[] = [];
  /** Clients a test made itself (the tier does not close them). */
  const ownClients: Redis[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    redis = await RedisServerHarness.start();
    admin = adminClient(redis.url);
    admin.on('error', () => {});
  });

  afterEach(async () => {
    while (instances.length > 0) await instances.pop()!.close();
    while (ownClients.length > 0) ownClients.pop()!.disconnect();
    await redis.restart();
    await waitFor(() => admin.status === 'ready', { what: 'admin connection' });
    await admin.flushall();
    expect(unhandled).toEqual([]);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await admin.quit();
    await redis.stop();
  });

  const instance = async (id: string, extra = {}): Promise<Instance> => {
    const created = await createInstance(redis.url, {
      keyPrefix: PREFIX,
      instanceId: id,
      commandTimeout: 100,
      circuitBreaker: BREAKER,
      ...extra,
    });
    instances.push(created);
    return created;
  };

  const buses = (...all: Instance[]) =>
    waitFor(
      () => all.every((one) => one.tier.getStats().busConnected && one.tier.getStats().connected),
      { what: 'connections' },
    );

  it('starts and serves without Redis, then uses Redis once it comes', async () => {
    await redis.kill();
    const a = await instance('A');
    const loader = jest.fn(async () => 'from loader');

    await expect(a.cache.wrap('k', loader)).resolves.toBe('from loader');
    a.cache.set('early', 1);
    expect(a.cache.getData('k')).toBe('from loader');
    expect(a.tier.getStats()).toMatchObject({ connected: false, busConnected: false });

    await redis.restart();
    await buses(a);
    expect(a.tier.getStats().connected).toBe(true);
    // It never heard the bus before: what it cached meanwhile may be stale elsewhere.
    expect(a.cache.size).toBe(0);
    a.cache.set('later', 2);
    await waitFor(async () => (await admin.exists(`${PREFIX}e:later`)) === 1, { what: 'L2 write' });
  });

  it('keeps both instances serving while Redis is down; after it returns, B never serves what A invalidated meanwhile', async () => {
    const a = await instance('A');
    const b = await instance('B');
    await buses(a, b);
    a.cache.set('k', 'v1');
    await waitFor(async () => (await admin.exists(`${PREFIX}e:k`)) === 1);
    await b.cache.wrap('k', async () => 'unused');
    expect(b.cache.getData('k')).toBe('v1');

    await redis.kill();
    const down = (one: Instance) =>
      !one.tier.getStats().busConnected && !one.tier.getStats().connected;
    await waitFor(() => down(a) && down(b), { what: 'both to see Redis gone' });

    // Both keep serving from memory and from loaders.
    expect(b.cache.getData('k')).toBe('v1');
    await expect(a.cache.wrap('other', async () => 'loaded')).resolves.toBe('loaded');
    await expect(b.cache.wrap('other', async () => 'loaded')).resolves.toBe('loaded');
    for (let i = 0; i < 20; i++) await a.cache.wrap(`miss${i}`, async () => i);
    a.cache.invalidate('k');
    await waitFor(() => a.tier.getStats().pendingInvalidations >= 1, { what: 'pending removal' });
    // Known to be down: nothing is sent (no wait at all), everything is counted.
    expect(a.tier.getStats()).toMatchObject({ connected: false, busConnected: false });
    expect(a.tier.getStats().l2Skipped).toBeGreaterThanOrEqual(20);
    // Reconnection errors are logged, not once per attempt.
    await waitFor(() => a.tier.getStats().connectionErrors > 0, { what: 'a reconnection error' });
    expect(a.logger.count(/talking to Redis/)).toBeLessThanOrEqual(2);

    await redis.restart();
    await buses(a, b);

    expect(b.cache.get('k')).toBeUndefined();
    const loader = jest.fn(async () => 'v2');
    await expect(b.cache.wrap('k', loader)).resolves.toBe('v2');
    expect(loader).toHaveBeenCalledTimes(1);
    expect(b.tier.getStats().l1ClearsAfterGap).toBe(1);
    await waitFor(() => a.tier.getStats().pendingInvalidations === 0, {
      what: 'replay on A',
    }).catch((e) => {
      console.log(JSON.stringify([a.tier.getStats(), a.logger.lines]));
      throw e;
    });
  });

  it('gives up on a slow Redis after the command timeout, opens the circuit, and replays what it missed', async () => {
    const a = await instance('A');
    const b = await instance('B');
    await buses(a, b);
    a.cache.set('k', 'v1');
    await waitFor(async () => (await admin.exists(`${PREFIX}e:k`)) === 1);
    await b.cache.wrap('k', async () => 'unused');

    // Redis stops answering anyone for 1.5 s (commands wait, connections stay up).
    let pauseOver = false;
    await admin.client('PAUSE', 1500, 'ALL');
    const pause = admin.ping().then(() => {
      pauseOver = true;
    });

    const loader = jest.fn(async () => 'loaded');
    await expect(a.cache.wrap('slow1', loader)).resolves.toBe('loaded');
    await expect(a.cache.wrap('slow2', loader)).resolves.toBe('loaded');
    expect(pauseOver).toBe(false);
    expect(a.tier.getStats().circuit).toBe('open');
    expect(a.logger.lines.map((line) => line.message)).toContain(
      CIRCUIT_OPENED(2, BREAKER.cooldown),
    );
    // While the circuit is open, misses go straight to the loader.
    await expect(a.cache.wrap('slow3', loader)).resolves.toBe('loaded');
    expect(pauseOver).toBe(false);
    a.cache.invalidate('k');
    // The two loaded values' writes and the invalidation wait for Redis.
    await waitFor(() => a.tier.getStats().pendingInvalidations >= 3, { what: 'pending removals' });

    await pause;
    await waitFor(() => b.cache.get('k') === undefined, { what: 'the replayed invalidation on B' });
    expect(await admin.exists(`${PREFIX}e:k`)).toBe(0);
    expect(a.tier.getStats()).toMatchObject({ circuit: 'closed', pendingInvalidations: 0 });
  });

  it('closes the circuit as soon as the connection is back, and replays at once, not after the cooldown', async () => {
    // A cooldown far longer than the test: only the reconnection can close the circuit in time.
    const a = await instance('A', { circuitBreaker: { failureThreshold: 2, cooldown: 600_000 } });
    await buses(a);

    // Redis freezes: A's reads time out and open the circuit; an invalidation made now waits.
    await admin.client('PAUSE', 60_000, 'ALL');
    await a.cache.wrap('slow1', async () => 1);
    await a.cache.wrap('slow2', async () => 2);
    expect(a.tier.getStats().circuit).toBe('open');
    a.cache.invalidate('k');
    await waitFor(() => a.tier.getStats().pendingInvalidations >= 1, { what: 'pending removal' });

    // Redis comes back as a new server: the connections are made again.
    await redis.kill();
    await redis.restart();
    await buses(a);

    await waitFor(() => a.tier.getStats().pendingInvalidations === 0, {
      what: 'the replay on A, long before the cooldown ends',
    });
    expect(a.tier.getStats().circuit).toBe('closed');
    expect(a.logger.lines.map((line) => line.message)).toContain(CIRCUIT_CLOSED);
    // The invalidation and the writes that timed out with it (replayed as removals).
    expect(
      a.logger.count(/^Redis tier: applied \d+ invalidations? made while Redis was away$/),
    ).toBe(1);
    // Small commands flow again: a read goes to Redis (a miss there), it is not skipped.
    const skipped = a.tier.getStats().l2Skipped;
    const misses = a.tier.getStats().l2Misses;
    await expect(a.cache.wrap('after', async () => 'loaded')).resolves.toBe('loaded');
    expect(a.tier.getStats()).toMatchObject({ l2Skipped: skipped, l2Misses: misses + 1 });
  });

  it('subscribes the bus again itself after Redis returns, not through ioredis (whose promise is unhandled)', async () => {
    const client = new Redis(redis.url, {
      ...FAST_RECONNECT,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    ownClients.push(client);
    const duplicate = jest.spyOn(client, 'duplicate');
    const a = await instance('A', { url: undefined, client });
    const b = await instance('B');
    await buses(a, b);
    // A reconnection interrupted during its handshake would leave ioredis's re-subscription
    // rejected and unhandled (seen under load when the tier closes then): it must be off.
    expect(duplicate).toHaveBeenCalledWith({ autoResubscribe: false });

    await redis.kill();
    await redis.restart();
    await buses(a, b);
    a.cache.set('k', 'v1');
    await waitFor(async () => (await admin.exists(`${PREFIX}e:k`)) === 1);
    await b.cache.wrap('k', async () => 'unused');
    b.cache.invalidate('k');

    await waitFor(() => a.cache.get('k') === undefined, { what: 'A to hear B after the return' });
  });

  it('clears the whole shared cache on return when it missed more invalidations than it keeps', async () => {
    const a = await instance('A', { maxPendingInvalidations: 2 });
    const b = await instance('B');
    await buses(a, b);
    b.cache.set('b-key', 1);
    await waitFor(async () => (await admin.exists(`${PREFIX}e:b-key`)) === 1);

    await admin.client('PAUSE', 800, 'ALL');
    const pause = admin.ping();
    await a.cache.wrap('x1', async () => 1);
    await a.cache.wrap('x2', async () => 1);
    expect(a.tier.getStats().circuit).toBe('open');
    for (const key of ['p1', 'p2', 'p3']) a.cache.invalidate(key);
    await waitFor(() => a.tier.getStats().pendingInvalidations === -1, { what: 'overflow' });

    await pause;
    await waitFor(() => b.cache.size === 0, { what: 'the clear on B' });
    expect(await admin.exists(`${PREFIX}e:b-key`)).toBe(0);
  });
});
