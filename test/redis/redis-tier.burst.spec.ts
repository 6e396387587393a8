import { setTimeout as realSetTimeout } from 'node:timers';

import { afterAll, afterEach, beforeAll, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';

import type { RedisTier } from '../../lib/redis/redis-tier.js';
import { fakeCommandTimers } from './command-timers.util.js';
import { describeWithRedis } from './describe-with-redis.js';
import { RedisServerHarness } from './redis-server.harness.js';
import { adminClient, createInstance, type Instance } from './redis-tier.fixture.js';
import { waitFor } from './wait-for.util.js';

const PREFIX = 'burst:';
const BURST = 4000;
/**
 * The tier's timers are faked in these tests (see `fakeCommandTimers`): no write times out
 * unless a test moves the clock past this, however slowly a loaded machine lets Redis answer.
 */
const WRITE_TIMEOUT = 800;
jest.setTimeout(30_000);

/**
 * A synchronous job (a large JSON parse, a report) that keeps this process busy for `ms` by the
 * tier's clock: the timers due meanwhile fire when it ends, and no reply is read during it.
 */
function busyFor(ms: number): void {
  jest.advanceTimersByTime(ms);
}

/** Resolves once every command sent before it has its reply: replies come in order. */
async function drained(tier: RedisTier): Promise<void> {
  await tier.fetch('drained');
}

describeWithRedis('Redis tier: a burst of writes', () => {
  let redis: RedisServerHarness;
  let admin: Redis;
  let a: Instance | undefined;
  let ownClient: Redis | undefined;

  beforeAll(async () => {
    redis = await RedisServerHarness.start();
    admin = adminClient(redis.url);
  });

  afterEach(async () => {
    jest.useRealTimers();
    await a?.close();
    a = undefined;
    await ownClient?.quit();
    ownClient = undefined;
    await admin.flushall();
  });

  afterAll(async () => {
    await admin.quit();
    await redis.stop();
  });

  /** Instance A, connected, with its command timers faked (`client`: a connection of the test's). */
  const start = async (client?: Redis): Promise<Instance> => {
    a = await createInstance(redis.url, {
      keyPrefix: PREFIX,
      instanceId: 'A',
      writeTimeout: WRITE_TIMEOUT,
      ...(client === undefined ? {} : { url: undefined, client }),
    });
    const tier = a.tier;
    await waitFor(() => tier.getStats().connected && tier.getStats().busConnected, {
      what: 'A connected',
    });
    fakeCommandTimers();
    return a;
  };

  const entriesInRedis = async (): Promise<number> => (await admin.keys(`${PREFIX}e:*`)).length;

  /**
   * Instance A on a connection of the test's, whose replies the test holds back: `hold()` and
   * this process reads no reply until `release()`, as when it is busy.
   */
  const startHolding = async () => {
    ownClient = new Redis(redis.url, {
      enableOfflineQueue: false,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    const instance = await start(ownClient);
    const socket = ownClient.stream;
    return { ...instance, hold: () => socket.pause(), release: () => socket.resume() };
  };

  /** Runs `job` in the timers phase of the event loop, where a real timer would fire. */
  const inTimersPhase = (job: () => void) =>
    new Promise<void>((resolve) => {
      realSetTimeout(() => {
        job();
        resolve();
      }, 0);
    });

  /** Lets the event loop go round, so that a timeout judged on `setImmediate` is judged. */
  const loopTurns = async () => {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  const allInRedis = () =>
    waitFor(async () => (await entriesInRedis()) === BURST, {
      timeoutMs: 20_000,
      what: `${BURST} entries in Redis`,
    });

  it('writes every entry of a burst made in a long synchronous stretch, without errors, circuit closed', async () => {
    const { cache, tier, hold, release } = await startHolding();
    hold();

    // The sets and a busy stretch longer than the write timeout, all before the event loop runs.
    for (let i = 0; i < BURST / 2; i++) cache.set(`k:${i}`, { i, payload: 'x'.repeat(200) });
    busyFor(2 * WRITE_TIMEOUT);
    for (let i = BURST / 2; i < BURST; i++) cache.set(`k:${i}`, { i, payload: 'x'.repeat(200) });
    await allInRedis();
    // The writes' timeout starts when they go out, at the end of the stretch: time running on
    // for less than it, replies still unread, fails none of them.
    await inTimersPhase(() => busyFor(WRITE_TIMEOUT - 1));
    await loopTurns();
    release();

    await drained(tier);
    expect(tier.getStats()).toMatchObject({
      l2Errors: 0,
      l2Skipped: 0,
      circuit: 'closed',
      pendingInvalidations: 0,
    });
  });

  it('does not count writes as timed out when Redis answered while this process was busy', async () => {
    const { cache, tier, hold, release } = await startHolding();
    hold();
    for (let i = 0; i < BURST; i++) cache.set(`k:${i}`, i);
    // The writes go out when the synchronous stretch ends; Redis answers them all (as seen on
    // another connection) while this process reads nothing.
    await allInRedis();

    // The busy stretch ends past the writes' timeout: its timer fires first (in the timers
    // phase, as a real timer would), with the replies there to be read right after.
    await inTimersPhase(() => {
      busyFor(2 * WRITE_TIMEOUT);
      release();
    });

    await drained(tier);
    // A write judged failed would be kept, and replayed as a removal: every entry must stay.
    expect(tier.getStats()).toMatchObject({
      l2Errors: 0,
      circuit: 'closed',
      pendingInvalidations: 0,
    });
    expect(await entriesInRedis()).toBe(BURST);
  });

  it('keeps the order of a burst: a key set then deleted in one burst is not left in Redis', async () => {
    const { cache } = await start();
    cache.set('gone', 1);
    cache.set('kept', 1);
    cache.delete('gone');
    cache.set('sentinel', 1);

    await waitFor(async () => (await admin.exists(`${PREFIX}e:sentinel`)) === 1, {
      what: 'the burst in Redis',
    });
    expect(await admin.exists(`${PREFIX}e:gone`)).toBe(0);
    expect(await admin.exists(`${PREFIX}e:kept`)).toBe(1);
  });

  it('sends the writes queued before a read first, so the read sees them', async () => {
    const { cache, tier } = await start();
    cache.set('k', 'v1');

    await expect(tier.fetch('k')).resolves.toMatchObject({ data: 'v1' });
  });

  it('sends a script whole again when Redis has lost it (SCRIPT FLUSH, a failover)', async () => {
    const { cache, tier } = await start();
    cache.set('before', 1);
    await waitFor(async () => (await admin.exists(`${PREFIX}e:before`)) === 1);

    await admin.script('FLUSH');
    cache.set('after', 2);
    cache.delete('before');

    await waitFor(async () => (await admin.exists(`${PREFIX}e:after`)) === 1, {
      what: 'the write after the flush',
    });
    await waitFor(async () => (await admin.exists(`${PREFIX}e:before`)) === 0, {
      what: 'the removal after the flush',
    });
    expect(tier.getStats()).toMatchObject({ l2Errors: 0, circuit: 'closed' });
  });
});
