import { afterAll, afterEach, beforeAll, expect, it, jest } from '@jest/globals';
import type { Redis } from 'ioredis';

import { describeWithRedis } from './describe-with-redis.js';
import { RedisServerHarness } from './redis-server.harness.js';
import { adminClient, createInstance, type Instance } from './redis-tier.fixture.js';
import { waitFor } from './wait-for.util.js';

const PREFIX = 'burst:';
const BURST = 4000;
/**
 * Short, so that a busy stretch of two of them is quick (the bug does not depend on it), but long
 * enough that a reply delayed by a loaded machine (the whole suite runs in parallel) is not late.
 */
const WRITE_TIMEOUT = 800;
jest.setTimeout(30_000);

/**
 * Keeps this process busy, as a synchronous job (a large JSON parse, a report) does: replies from
 * Redis arrive meanwhile but cannot be read until it ends.
 */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describeWithRedis('Redis tier: a burst of writes', () => {
  let redis: RedisServerHarness;
  let admin: Redis;
  let a: Instance | undefined;

  beforeAll(async () => {
    redis = await RedisServerHarness.start();
    admin = adminClient(redis.url);
  });

  afterEach(async () => {
    await a?.close();
    a = undefined;
    await admin.flushall();
  });

  afterAll(async () => {
    await admin.quit();
    await redis.stop();
  });

  const start = async (): Promise<Instance> => {
    a = await createInstance(redis.url, {
      keyPrefix: PREFIX,
      instanceId: 'A',
      writeTimeout: WRITE_TIMEOUT,
    });
    const tier = a.tier;
    await waitFor(() => tier.getStats().connected && tier.getStats().busConnected, {
      what: 'A connected',
    });
    return a;
  };

  const entriesInRedis = async (): Promise<number> => (await admin.keys(`${PREFIX}e:*`)).length;

  it('writes every entry of a burst made in a long synchronous stretch, without errors, circuit closed', async () => {
    const { cache, tier } = await start();

    // The sets and a busy stretch longer than the write timeout, all before the event loop runs.
    for (let i = 0; i < BURST / 2; i++) cache.set(`k:${i}`, { i, payload: 'x'.repeat(200) });
    busy(2 * WRITE_TIMEOUT);
    for (let i = BURST / 2; i < BURST; i++) cache.set(`k:${i}`, { i, payload: 'x'.repeat(200) });

    await waitFor(async () => (await entriesInRedis()) === BURST, {
      timeoutMs: 20_000,
      what: `${BURST} entries in Redis`,
    });
    expect(tier.getStats()).toMatchObject({
      l2Errors: 0,
      l2Skipped: 0,
      circuit: 'closed',
      pendingInvalidations: 0,
    });
  });

  it('does not count writes as timed out when Redis answered while this process was busy', async () => {
    const { cache, tier } = await start();
    for (let i = 0; i < BURST; i++) cache.set(`k:${i}`, i);
    // The writes go out when the synchronous stretch ends; then this process is busy again past
    // their timeout, while Redis answers them.
    await Promise.resolve();
    busy(2 * WRITE_TIMEOUT);

    await waitFor(async () => (await entriesInRedis()) === BURST, {
      timeoutMs: 20_000,
      what: `${BURST} entries in Redis`,
    });
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
