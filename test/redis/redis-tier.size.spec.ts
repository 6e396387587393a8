import { afterAll, afterEach, beforeAll, expect, it, jest } from '@jest/globals';
import type { Redis } from 'ioredis';

import type { CacheEntry } from '../../lib/core/cache-entry.js';
import { encodeEntry } from '../../lib/redis/store/redis-entry.codec.js';
import { ENTRY_KEPT_IN_MEMORY, ENTRY_TOO_LARGE_IN_REDIS } from '../../lib/redis/redis.messages.js';
import { describeWithRedis } from './describe-with-redis.js';
import { RedisServerHarness } from './redis-server.harness.js';
import { adminClient, createInstance, type Instance } from './redis-tier.fixture.js';
import { waitFor } from './wait-for.util.js';

const PREFIX = 'size:';
/** A small bound, so that "too large" values are quick to make and to move. */
const BOUND = 1000;
/** Long enough that every oversized entry of a test falls in one log interval. */
const QUIET = { errorLogInterval: 600_000 };
jest.setTimeout(30_000);

const big = (tag: string) => ({ tag, payload: 'x'.repeat(2 * BOUND) });

describeWithRedis('Redis tier: entries over maxValueBytes stay out of Redis', () => {
  let redis: RedisServerHarness;
  let admin: Redis;
  const instances: Instance[] = [];

  beforeAll(async () => {
    redis = await RedisServerHarness.start();
    admin = adminClient(redis.url);
  });

  afterEach(async () => {
    while (instances.length > 0) await instances.pop()!.close();
    await admin.flushall();
  });

  afterAll(async () => {
    await admin.quit();
    await redis.stop();
  });

  const instance = async (id: string, extra: object = {}): Promise<Instance> => {
    const created = await createInstance(
      redis.url,
      { keyPrefix: PREFIX, instanceId: id, maxValueBytes: BOUND, ...QUIET, ...extra },
      // A whole-millisecond clock: the stored form's size is then known to the byte.
      { clock: () => Date.now() },
    );
    instances.push(created);
    const { tier } = created;
    await waitFor(() => tier.getStats().connected && tier.getStats().busConnected, {
      what: `${id} connected`,
    });
    return created;
  };

  const inRedis = async (key: string) => (await admin.exists(`${PREFIX}e:${key}`)) === 1;

  it('keeps a large entry in memory only, drops the older value in Redis and on the other instances', async () => {
    const a = await instance('A');
    const b = await instance('B');
    a.cache.set('k', 'small v1');
    await waitFor(() => inRedis('k'), { what: 'v1 in Redis' });
    await expect(b.cache.wrap('k', async () => 'unused')).resolves.toBe('small v1');

    a.cache.set('k', big('v2'));

    expect(a.cache.getData('k')).toEqual(big('v2'));
    // Neither Redis nor B may go on serving v1: the write of v2 is announced, without its value.
    await waitFor(async () => !(await inRedis('k')), { what: 'v1 dropped from Redis' });
    await waitFor(() => b.cache.get('k', { includeStale: true }) === undefined, {
      what: 'B to drop v1',
    });
    const loadedOnB = jest.fn(async () => 'loaded on B');
    await expect(b.cache.wrap('k', loadedOnB)).resolves.toBe('loaded on B');
    expect(a.tier.getStats()).toMatchObject({
      l2Oversized: 1,
      l2Errors: 0,
      circuit: 'closed',
      pendingInvalidations: 0,
    });
    const stored = encodeEntry(tierEntryOf(a.cache.get('k')!));
    expect(a.logger.lines).toContainEqual({
      level: 'warn',
      message: ENTRY_KEPT_IN_MEMORY('k', Buffer.byteLength(stored), BOUND),
    });
  });

  it('counts many large entries and logs them once, never as errors; small ones still go to Redis', async () => {
    const a = await instance('A', { circuitBreaker: { failureThreshold: 2, cooldown: 600_000 } });

    for (let i = 0; i < 20; i++) a.cache.set(`big:${i}`, big(String(i)));
    a.cache.set('small', 1);

    await waitFor(() => inRedis('small'), { what: 'the small entry in Redis' });
    expect(await admin.keys(`${PREFIX}e:big:*`)).toEqual([]);
    for (let i = 0; i < 20; i++) expect(a.cache.getData(`big:${i}`)).toEqual(big(String(i)));
    expect(a.tier.getStats()).toMatchObject({
      l2Oversized: 20,
      l2Errors: 0,
      circuit: 'closed',
      lastError: undefined,
    });
    expect(a.logger.count(/"redis\.maxValueBytes"/)).toBe(1);
  });

  it('writes an entry of exactly maxValueBytes, counting bytes (not characters)', async () => {
    const a = await instance('A');
    // 'é' takes two bytes: the same number of characters as an ASCII value may not fit.
    a.cache.set('probe', '');
    // What an entry like these takes besides its data.
    const overhead = Buffer.byteLength(encodeEntry(tierEntryOf(a.cache.get('probe')!)));
    a.cache.set('ascii', 'a'.repeat(BOUND - overhead));
    // As many characters, but 'é' takes two bytes: counting characters would let it through.
    a.cache.set('accents', 'é'.repeat(BOUND - overhead));

    await waitFor(() => inRedis('ascii'), { what: 'the entry of exactly the bound' });
    expect(Buffer.byteLength((await admin.get(`${PREFIX}e:ascii`))!)).toBe(BOUND);
    expect(await inRedis('accents')).toBe(false);
    expect(a.tier.getStats().l2Oversized).toBe(1);
  });

  it('reads a value over its bound in Redis as a miss, not transferred, not an error', async () => {
    const a = await instance('A');
    const generous = await instance('G', { maxValueBytes: 100 * BOUND });
    generous.cache.set('k', big('from G'));
    await waitFor(() => inRedis('k'), { what: 'G’s large value in Redis' });
    const size = await admin.strlen(`${PREFIX}e:k`);
    const loader = jest.fn(async () => 'loaded on A');

    await expect(a.cache.wrap('k', loader)).resolves.toBe('loaded on A');

    expect(loader).toHaveBeenCalledTimes(1);
    expect(a.tier.getStats()).toMatchObject({
      l2Oversized: 1,
      l2Misses: 1,
      l2Hits: 0,
      l2BadEntries: 0,
      l2Errors: 0,
      circuit: 'closed',
    });
    expect(a.logger.lines).toContainEqual({
      level: 'warn',
      message: ENTRY_TOO_LARGE_IN_REDIS('k', size, BOUND),
    });
  });

  it('loads itself when the lease holder’s value is over its bound', async () => {
    const lock = { distributedLock: { leaseTimeout: 20_000, pollInterval: 20 } };
    const a = await instance('A', lock);
    const generous = await instance('G', { ...lock, maxValueBytes: 100 * BOUND });
    let finish!: (value: unknown) => void;
    const onG = generous.cache.wrap('k', () => new Promise((resolve) => (finish = resolve)));
    await waitFor(async () => (await admin.exists(`${PREFIX}l:k`)) === 1, { what: 'G’s lease' });
    const onA = jest.fn(async () => 'loaded on A');
    const waiting = a.cache.wrap('k', onA);
    await waitFor(() => a.tier.getStats().leaseWaits === 1, { what: 'A to wait' });

    finish(big('from G'));

    await expect(waiting).resolves.toBe('loaded on A');
    await onG;
    expect(onA).toHaveBeenCalledTimes(1);
    expect(a.tier.getStats()).toMatchObject({ l2Oversized: 1, l2Errors: 0 });
  });
});

/** An entry as the tier stores it. */
function tierEntryOf(entry: CacheEntry<unknown>) {
  return {
    data: entry.data,
    timestampMs: entry.timestamp.getTime(),
    ttlSeconds: entry.ttlSeconds,
    category: entry.category,
    metadata: entry.metadata,
  };
}
