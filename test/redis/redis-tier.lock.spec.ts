import { afterAll, afterEach, beforeAll, expect, it, jest } from '@jest/globals';
import type { Redis } from 'ioredis';

import { describeWithRedis } from './describe-with-redis.js';
import { RedisServerHarness } from './redis-server.harness.js';
import { adminClient, createInstance, type Instance } from './redis-tier.fixture.js';
import { waitFor } from './wait-for.util.js';

const PREFIX = 'lock:';
/** Long enough never to run out in the tests that do not wait for it. */
const LONG_LEASE = { leaseTimeout: 20_000, pollInterval: 20 };
/**
 * No command may time out in these tests: an instance that cannot ask Redis for the lease
 * loads at once (right for the tier, not what these tests look at). The default 250 ms is
 * reached on a loaded machine; this is far above any reply seen there, and below the test
 * timeout.
 */
const NO_TIMEOUTS = { commandTimeout: 10_000, writeTimeout: 10_000 };
jest.setTimeout(30_000);

/** A loader the test finishes when it wants: the instance running it holds the lease until then. */
function heldLoader<T>() {
  let finish!: (value: T) => void;
  let fail!: (error: Error) => void;
  const loader = jest.fn(
    () =>
      new Promise<T>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      }),
  );
  return { loader, finish: (value: T) => finish(value), fail: (error: Error) => fail(error) };
}

describeWithRedis('Redis tier: one loader at a time across instances (distributedLock)', () => {
  let redis: RedisServerHarness;
  let admin: Redis;
  const instances: Instance[] = [];
  /** Offset of the instances' clock from real time: moving it ages every cached entry. */
  let skewMs = 0;
  const clock = () => Date.now() + skewMs;

  beforeAll(async () => {
    redis = await RedisServerHarness.start();
    admin = adminClient(redis.url);
    admin.on('error', () => {});
  });

  afterEach(async () => {
    while (instances.length > 0) await instances.pop()!.close();
    skewMs = 0;
    await admin.flushall();
  });

  afterAll(async () => {
    await admin.quit();
    await redis.stop();
  });

  const instance = async (id: string, lock: object = LONG_LEASE): Promise<Instance> => {
    const created = await createInstance(
      redis.url,
      { keyPrefix: PREFIX, instanceId: id, distributedLock: lock, ...NO_TIMEOUTS },
      { clock },
    );
    instances.push(created);
    const { tier } = created;
    await waitFor(() => tier.getStats().connected && tier.getStats().busConnected, {
      what: `${id} connected`,
    });
    return created;
  };

  const leaseHeld = async (key: string) => (await admin.exists(`${PREFIX}l:${key}`)) === 1;

  it('serves the STALE copy it holds while another instance holds the lease', async () => {
    const a = await instance('A');
    const b = await instance('B');
    b.cache.set('k', 'old', 10);
    await waitFor(async () => (await admin.exists(`${PREFIX}e:k`)) === 1);
    skewMs = 15_000; // the entry is STALE now (age 15 s, ttl 10 s) on both instances
    const onA = heldLoader<string>();
    const loading = a.cache.wrap('k', onA.loader);
    await waitFor(() => leaseHeld('k'), { what: 'A to take the lease' });
    const onB = jest.fn(async () => 'loaded on B');

    await expect(b.cache.wrap('k', onB)).resolves.toBe('old');

    expect(onB).not.toHaveBeenCalled();
    expect(b.tier.getStats().leaseWaits).toBe(1);
    onA.finish('new');
    await expect(loading).resolves.toBe('new');
    expect(a.tier.getStats().leasesAcquired).toBe(1);
    // A's write reaches B: its next read is the new value, still without its loader.
    await waitFor(() => b.cache.get('k', { includeStale: true }) === undefined, {
      what: 'B to drop its stale copy',
    });
    await expect(b.cache.wrap('k', onB)).resolves.toBe('new');
    expect(onB).not.toHaveBeenCalled();
  });

  it('without a copy, waits for the lease holder’s value instead of calling its own loader', async () => {
    const a = await instance('A');
    const b = await instance('B');
    const onA = heldLoader<{ from: string }>();
    const loading = a.cache.wrap('k', onA.loader);
    await waitFor(() => leaseHeld('k'), { what: 'A to take the lease' });
    const onB = jest.fn(async () => ({ from: 'B' }));

    const waiting = b.cache.wrap('k', onB);
    await waitFor(() => b.tier.getStats().leaseWaits === 1, { what: 'B to wait' });
    onA.finish({ from: 'A' });

    await expect(waiting).resolves.toEqual({ from: 'A' });
    await expect(loading).resolves.toEqual({ from: 'A' });
    expect(onB).not.toHaveBeenCalled();
    expect(b.cache.getData('k')).toEqual({ from: 'A' });
    expect(b.cache.get('k')!.timestamp).toEqual(a.cache.get('k')!.timestamp);
    await waitFor(async () => !(await leaseHeld('k')), { what: 'the lease released' });
  });

  it('loads itself when the lease holder never finishes (the lease times out)', async () => {
    const a = await instance('A');
    const b = await instance('B', { leaseTimeout: 300, pollInterval: 20 });
    const onA = heldLoader<string>();
    const stuck = a.cache.wrap('k', onA.loader);
    await waitFor(() => leaseHeld('k'), { what: 'A to take the lease' });
    const onB = jest.fn(async () => 'loaded on B');

    await expect(b.cache.wrap('k', onB)).resolves.toBe('loaded on B');

    expect(onB).toHaveBeenCalledTimes(1);
    expect(b.tier.getStats().leaseWaits).toBe(1);
    expect(b.cache.getData('k')).toBe('loaded on B');
    onA.finish('late');
    await stuck;
  });

  it('takes the lease over when the holder’s load fails, without waiting for the lease to time out', async () => {
    const a = await instance('A');
    const b = await instance('B');
    const onA = heldLoader<string>();
    const failing = a.cache.wrap('k', onA.loader);
    await waitFor(() => leaseHeld('k'), { what: 'A to take the lease' });
    const onB = jest.fn(async () => 'loaded on B');
    const waiting = b.cache.wrap('k', onB);
    await waitFor(() => b.tier.getStats().leaseWaits === 1, { what: 'B to wait' });

    onA.fail(new Error('database down'));

    await expect(failing).rejects.toThrow('database down');
    await expect(waiting).resolves.toBe('loaded on B');
    expect(onB).toHaveBeenCalledTimes(1);
    expect(b.tier.getStats().leasesAcquired).toBe(1);
  });

  it('stops waiting and loads itself when its tier closes (a shutdown never hangs on a lease)', async () => {
    const a = await instance('A');
    const b = await instance('B');
    const onA = heldLoader<string>();
    const loading = a.cache.wrap('k', onA.loader);
    await waitFor(() => leaseHeld('k'), { what: 'A to take the lease' });
    const onB = jest.fn(async () => 'loaded on B');
    const waiting = b.cache.wrap('k', onB);
    await waitFor(() => b.tier.getStats().leaseWaits === 1, { what: 'B to wait' });

    await b.tier.close();

    await expect(waiting).resolves.toBe('loaded on B');
    onA.finish('from A');
    await loading;
  });

  it('runs the loader once per instance when Redis cannot be asked for the lease', async () => {
    const a = await instance('A');
    await redis.kill();
    await waitFor(() => !a.tier.getStats().connected, { what: 'A to see Redis gone' });
    const loader = jest.fn(async () => 'loaded');

    const calls = await Promise.all([a.cache.wrap('k', loader), a.cache.wrap('k', loader)]);

    expect(calls).toEqual(['loaded', 'loaded']);
    expect(loader).toHaveBeenCalledTimes(1);
    await redis.restart();
    await waitFor(() => admin.status === 'ready', { what: 'admin connection' });
  });
});
