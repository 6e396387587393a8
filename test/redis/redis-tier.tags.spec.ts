import { expect, it, jest } from '@jest/globals';

import { CacheStatus } from '../../lib/core/cache-status.enum.js';
import { describeWithRedis } from './describe-with-redis.js';
import type { Instance } from './redis-tier.fixture.js';
import { useTierInstances } from './tier-instances.harness.js';
import { waitFor } from './wait-for.util.js';

jest.setTimeout(30_000);

describeWithRedis('Redis tier: tags and soft expiry across instances', () => {
  const h = useTierInstances('tags');
  const { start, startControlled, connected, history, inRedis } = h;

  /** Two connected instances. */
  const pair = async () => {
    const a = await start('A');
    const b = await start('B');
    await connected(a, b);
    return { a, b };
  };

  const historyLength = () => h.admin.xlen(history());
  /** The stored entry of `key`, parsed (undefined when Redis holds none). */
  const stored = async (key: string) => {
    const raw = await h.admin.get(`${h.prefix}e:${key}`);
    return raw === null ? undefined : (JSON.parse(raw) as Record<string, unknown>);
  };
  const tagIndex = (tag: string) => h.admin.zrange(`${h.prefix}t:${tag}`, '0', '-1');
  /** Waits until every change made so far by the instances is in the history. */
  const historyHolds = (count: number) =>
    waitFor(async () => (await historyLength()) === count, {
      what: `${count} entries in the bus history`,
    });
  /** The status of `key` on `one`, whatever it is (INVALID included), without counting a read. */
  const statusOn = (one: Instance, key: string) => one.cache.getAllEntries().get(key)?.status;
  /** B reads every key through `wrap` (from Redis: A wrote them): B's loader never runs. */
  const readAll = async (b: Instance, keys: string[]) => {
    const loader = jest.fn(async () => 'loaded on B');
    for (const key of keys) await b.cache.wrap(key, loader);
    expect(loader).not.toHaveBeenCalled();
  };

  it('carries tags to Redis and back: an L2 hit restores them, and a tag operation reaches it', async () => {
    const { a, b } = await pair();
    a.cache.set('world:1:users', ['ann'], { tags: ['world:1', 'user:ann'], category: 'lists' });
    await waitFor(() => inRedis('world:1:users'));
    expect(await tagIndex('user:ann')).toEqual(['world:1:users']);
    expect(await h.admin.smembers(`${h.prefix}tags:world:1:users`)).toEqual(
      expect.arrayContaining(['world:1', 'user:ann']),
    );

    await readAll(b, ['world:1:users']);

    expect(b.cache.get('world:1:users')?.tags).toEqual(['world:1', 'user:ann']);
    expect(b.cache.getStats().taggedEntries).toBe(1);
    expect(b.tier.getStats().l2Hits).toBe(1);
    // B's tag index holds the restored entry: a tag operation on B reaches it.
    expect(b.cache.expireTag('user:ann')).toBe(1);
  });

  it('keeps the tag index exact: a rewrite, a delete, a category drop and a clear take keys out of it', async () => {
    const { a } = await pair();
    a.cache.set('k1', 1, { tags: ['t', 'u'] });
    a.cache.set('k2', 2, { tags: ['t'], category: 'c' });
    a.cache.set('k3', 3, { tags: ['t'] });
    await waitFor(async () => (await tagIndex('t')).length === 3);

    a.cache.set('k1', 1.1, { tags: ['u'] }); // no longer tagged 't'
    a.cache.delete('k3');
    await waitFor(async () => (await tagIndex('t')).length === 1);
    expect(await tagIndex('t')).toEqual(['k2']);
    expect(await tagIndex('u')).toEqual(['k1']);
    expect(await h.admin.smembers(`${h.prefix}tags:k1`)).toEqual(['u']);
    expect(await h.admin.exists(`${h.prefix}tags:k3`)).toBe(0);

    a.cache.invalidateCategory('c');
    await waitFor(async () => (await tagIndex('t')).length === 0);
    expect(await h.admin.exists(`${h.prefix}tags:k2`)).toBe(0);

    // A write without tags leaves nothing tag-shaped behind.
    a.cache.set('plain', 0);
    a.cache.clear();
    await waitFor(async () => (await h.admin.keys(`${h.prefix}*`)).length === 1);
    expect(await h.admin.keys(`${h.prefix}*`)).toEqual([history()]);
  });

  it('takes invalidateTag from A to B and to Redis: B’s tagged copies are gone, the rest stays', async () => {
    const { a, b } = await pair();
    a.cache.set('u1', 'u1 v1', { tags: ['world:1'] });
    a.cache.set('u2', 'u2 v1', { tags: ['world:1', 'vip'] });
    a.cache.set('other', 'other v1', { tags: ['world:2'] });
    await waitFor(() => inRedis('u1', 'u2', 'other'));
    await readAll(b, ['u1', 'u2', 'other']);

    expect(a.cache.invalidateTag('world:1')).toBe(2);

    await waitFor(() => b.cache.get('u1') === undefined && b.cache.get('u2') === undefined, {
      what: 'B to hear the tag invalidation',
    });
    expect(statusOn(b, 'u1')).toBe(CacheStatus.INVALID);
    expect(b.cache.hasKey('u2', { freshOnly: false })).toBe(false);
    expect(b.cache.getData('other')).toBe('other v1');
    expect(b.cache.getStats()).toMatchObject({ invalidEntries: 2, totalInvalidateTagCalls: 1 });
    expect(await inRedis('u1')).toBe(false);
    expect(await inRedis('u2')).toBe(false);
    expect(await inRedis('other')).toBe(true);
    // u2 is out of the index of its other tag too.
    expect(await tagIndex('vip')).toEqual([]);
    const loader = jest.fn(async () => 'u1 v2');
    await expect(b.cache.wrap('u1', loader)).resolves.toBe('u1 v2');
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('takes expireTag from A to B as STALE, not gone, and marks the entries in Redis so a later read restores them STALE', async () => {
    const { a, b } = await pair();
    a.cache.set('u1', 'u1 v1', { tags: ['world:1'] });
    a.cache.set('u2', 'u2 v1', { tags: ['world:1'] });
    a.cache.set('other', 'other v1', { tags: ['world:2'] });
    await waitFor(() => inRedis('u1', 'u2', 'other'));
    await readAll(b, ['u1', 'u2', 'other']);

    expect(a.cache.expireTag('world:1')).toBe(2);

    await waitFor(() => statusOn(b, 'u1') === CacheStatus.STALE, { what: 'B to hear it' });
    for (const key of ['u1', 'u2']) {
      expect(b.cache.get(key)).toBeUndefined();
      expect(b.cache.get(key, { includeStale: true })?.data).toBe(`${key} v1`);
      expect(b.cache.hasKey(key)).toBe(false);
      expect(b.cache.hasKey(key, { freshOnly: false })).toBe(true);
    }
    expect(statusOn(b, 'other')).toBe(CacheStatus.FRESH);
    expect(b.cache.getStats()).toMatchObject({
      freshEntries: 1,
      staleEntries: 2,
      totalExpirations: 2,
      totalExpireTagCalls: 1,
    });
    // In Redis: marked, not dropped; the untouched one is not marked.
    expect(await stored('u1')).toMatchObject({ x: 1, d: 'u1 v1', g: ['world:1'] });
    expect(await stored('other')).toMatchObject({ x: 0 });

    // A third instance reads it from Redis: restored STALE, with its tags.
    const c = await start('C');
    await connected(c);
    await expect(c.tier.fetch('u1')).resolves.toMatchObject({
      data: 'u1 v1',
      tags: ['world:1'],
      expiredEarly: true,
    });
    let finish!: (value: string) => void;
    const loader = jest.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const refreshed = c.cache.wrap('u2', loader);
    await waitFor(() => loader.mock.calls.length === 1, { what: 'C to load the STALE entry' });
    // While the refresh runs, C holds what Redis had, STALE: never served as FRESH.
    expect(statusOn(c, 'u2')).toBe(CacheStatus.STALE);
    expect(c.cache.get('u2', { includeStale: true })?.data).toBe('u2 v1');
    finish('u2 v2');
    await expect(refreshed).resolves.toBe('u2 v2');
    // The refresh's write makes it FRESH again, in Redis too.
    await waitFor(async () => (await stored('u2'))?.d === 'u2 v2');
    expect(await stored('u2')).toMatchObject({ x: 0 });
  });

  it('takes expire(key) to Redis and to B even when A does not hold the key', async () => {
    const { a, b } = await pair();
    await b.cache.wrap('k', async () => 'loaded on B');
    await waitFor(() => inRedis('k'));
    expect(a.cache.hasKey('k', { freshOnly: false })).toBe(false);

    expect(a.cache.expire('k')).toBe(false);

    await waitFor(() => statusOn(b, 'k') === CacheStatus.STALE, { what: 'B to hear it' });
    expect(b.cache.get('k', { includeStale: true })?.data).toBe('loaded on B');
    expect(b.cache.getStats()).toMatchObject({ staleEntries: 1, totalExpirations: 1 });
    expect(await stored('k')).toMatchObject({ x: 1, d: 'loaded on B' });
    // Its expiry in Redis (2 × ttl from its timestamp) is kept.
    const timestamp = b.cache.get('k', { includeStale: true })!.timestamp.getTime();
    expect(
      Math.abs((await h.admin.pexpiretime(`${h.prefix}e:k`)) - (timestamp + 120_000)),
    ).toBeLessThanOrEqual(1);
  });

  it('takes expireCategory from A to B and to Redis; other categories stay FRESH', async () => {
    const { a, b } = await pair();
    a.cache.set('p1', 1, { category: 'prices' });
    a.cache.set('p2', 2, { category: 'prices' });
    a.cache.set('s1', 3, { category: 'stock' });
    await waitFor(() => inRedis('p1', 'p2', 's1'));
    await readAll(b, ['p1', 'p2', 's1']);

    expect(a.cache.expireCategory('prices')).toBe(2);

    await waitFor(() => b.cache.getStats().staleEntries === 2, { what: 'B to hear it' });
    expect(statusOn(b, 'p1')).toBe(CacheStatus.STALE);
    expect(statusOn(b, 's1')).toBe(CacheStatus.FRESH);
    expect(await stored('p2')).toMatchObject({ x: 1, d: 2 });
    expect(await stored('s1')).toMatchObject({ x: 0 });
  });

  it('marks an entry an earlier version stored (without the mark) expired, keeping its value and expiry', async () => {
    const { a } = await pair();
    const timestampMs = Date.now();
    const earlier = JSON.stringify({ v: 1, t: timestampMs, ttl: 60, c: 'default', m: {}, d: 'v' });
    await h.admin.set(`${h.prefix}e:old`, earlier, 'PXAT', timestampMs + 120_000);

    a.cache.expire('old');
    await waitFor(async () => (await stored('old'))?.x === 1, { what: 'the mark' });

    expect(await h.admin.get(`${h.prefix}e:old`)).toBe(`{"x":1,${earlier.slice(1)}`);
    expect(await h.admin.pexpiretime(`${h.prefix}e:old`)).toBe(timestampMs + 120_000);
    // A foreign value is left alone, and the expiry still reaches the bus.
    await h.admin.set(`${h.prefix}e:foreign`, 'hello');
    const before = await historyLength();
    a.cache.expire('foreign');
    await historyHolds(before + 1);
    expect(await h.admin.get(`${h.prefix}e:foreign`)).toBe('hello');
  });

  it('after a bus gap, B applies exactly the tag and expiry changes it missed, and serves the rest from memory without a loader call', async () => {
    const a = await start('A');
    const { instance: b, control } = await startControlled('B');
    await connected(a, b);
    a.cache.set('m1', 'm1 v1', { tags: ['member:1'] });
    a.cache.set('m2', 'm2 v1', { tags: ['member:2'] });
    a.cache.set('w1', 'w1 v1', { tags: ['world:1', 'member:1'] });
    a.cache.set('k', 'k v1');
    a.cache.set('p1', 'p1 v1', { category: 'prices' });
    a.cache.set('keep1', 'keep1 v1', { tags: ['member:3'] });
    a.cache.set('keep2', 'keep2 v1', { category: 'stock' });
    const keys = ['m1', 'm2', 'w1', 'k', 'p1', 'keep1', 'keep2'];
    await waitFor(() => inRedis(...keys));
    await readAll(b, keys);
    const before = await historyLength();

    await control.killAndHold(h.admin);
    expect(b.tier.getStats().busConnected).toBe(false);
    a.cache.expireTag('member:1'); // m1, w1 -> STALE
    a.cache.invalidateTag('member:2'); // m2 -> INVALID
    a.cache.expire('k'); // -> STALE
    a.cache.expireCategory('prices'); // p1 -> STALE
    await historyHolds(before + 4);
    // B heard none of it.
    for (const key of keys) expect(statusOn(b, key)).toBe(CacheStatus.FRESH);

    await control.release();
    await connected(b);

    for (const key of ['m1', 'w1', 'k', 'p1']) {
      expect(statusOn(b, key)).toBe(CacheStatus.STALE);
      expect(b.cache.get(key, { includeStale: true })?.data).toBe(`${key} v1`);
    }
    expect(statusOn(b, 'm2')).toBe(CacheStatus.INVALID);
    expect(b.cache.getStats()).toMatchObject({
      freshEntries: 2,
      staleEntries: 4,
      invalidEntries: 1,
      totalExpirations: 4,
    });
    expect(b.tier.getStats()).toMatchObject({
      busCatchUps: 1,
      busChangesCaughtUp: 4,
      l1ClearsAfterGap: 0,
    });
    const { l2Hits, l2Misses } = b.tier.getStats();
    const loader = jest.fn(async () => 'loaded on B');
    for (const key of ['keep1', 'keep2']) {
      await expect(b.cache.wrap(key, loader)).resolves.toBe(`${key} v1`);
    }
    // From memory: no loader call, and Redis was not even asked.
    expect(loader).not.toHaveBeenCalled();
    expect(b.tier.getStats()).toMatchObject({ l2Hits, l2Misses });
    // A STALE one is served at once with stale-while-revalidate.
    await expect(b.cache.wrap('k', loader, { staleWhileRevalidate: true })).resolves.toBe('k v1');
  });

  it('keeps an expiry made while Redis is away, and applies and announces it when Redis returns', async () => {
    const b = await start('B');
    const { instance: a, control } = await startControlled('A');
    await connected(a, b);
    a.cache.set('t1', 't1 v1', { tags: ['t'] });
    await waitFor(() => inRedis('t1'));
    await readAll(b, ['t1']);

    // A's command connection goes down (its bus stays up).
    control.client.disconnect();
    await waitFor(() => !a.tier.getStats().connected, { what: 'A to lose Redis' });
    a.cache.expireTag('t');
    a.cache.expire('elsewhere');
    await waitFor(() => a.tier.getStats().pendingInvalidations === 2, { what: 'two kept' });
    expect(statusOn(b, 't1')).toBe(CacheStatus.FRESH);

    await control.client.connect();

    await waitFor(() => statusOn(b, 't1') === CacheStatus.STALE, { what: 'B to hear it' });
    expect(await stored('t1')).toMatchObject({ x: 1 });
    await waitFor(() => a.tier.getStats().pendingInvalidations === 0, { what: 'the replay' });
  });
});
