import { expect, it, jest } from '@jest/globals';

import { CacheStatus } from '../../lib/core/cache-status.enum.js';
import { HISTORY_BATCH } from '../../lib/redis/bus/redis-bus.catch-up.js';
import {
  EARLIER_VERSION_HEARD,
  GAP_REASON,
  L1_CAUGHT_UP_AFTER_RECONNECT,
  REDIS_CONNECTED,
} from '../../lib/redis/redis.messages.js';
import { describeWithRedis } from './describe-with-redis.js';
import type { Instance } from './redis-tier.fixture.js';
import { useTierInstances } from './tier-instances.harness.js';
import { waitFor } from './wait-for.util.js';

jest.setTimeout(30_000);

describeWithRedis('Redis tier: an instance that lost the bus applies what it missed', () => {
  const h = useTierInstances('catch-up');
  const { start, startControlled, connected, history, inRedis } = h;

  /** How many of `one`'s log lines contain `text`. */
  const logged = (one: Instance, text: string) =>
    one.logger.lines.filter((line) => line.message.includes(text)).length;
  /** Waits until the newest change in the history is about `arg`. */
  const lastChangeIsAbout = (arg: string) =>
    waitFor(
      async () => {
        const [newest] = await h.admin.xrevrange(history(), '+', '-', 'COUNT', 1);
        return newest !== undefined && JSON.parse(newest[1][1]!).arg === arg;
      },
      { what: `the change of ${arg} in the history` },
    );
  /** Waits until the history holds `count` entries (every change made so far has landed). */
  const historyHolds = (count: number) =>
    waitFor(async () => (await h.admin.xlen(history())) === count, {
      what: `${count} entries in the bus history`,
    });

  /**
   * A writes `k`, B reads it into memory (from Redis), then B's bus connection is killed and held
   * down. `written`: the history's length at the cut.
   */
  const bHoldsKThenLosesTheBus = async () => {
    const a = await start('A');
    const { instance: b, control } = await startControlled('B');
    await connected(a, b);
    a.cache.set('k', 'v1');
    await waitFor(() => inRedis('k'));
    await b.cache.wrap('k', async () => 'unused');
    const written = await h.admin.xlen(history());
    await control.killAndHold(h.admin);
    return { a, b, control, written };
  };

  it('applies exactly the changes made meanwhile, and keeps serving the rest from memory without a loader call', async () => {
    const a = await start('A');
    const { instance: b, control } = await startControlled('B');
    await connected(a, b);
    for (const key of ['keep1', 'keep2', 'inv', 'del', 'upd']) a.cache.set(key, `${key} v1`);
    a.cache.set('u1', 'u1 v1', { category: 'users' });
    a.cache.set('u2', 'u2 v1', { category: 'users' });
    a.cache.set('w1', 'w1 v1', { category: 'worlds' });
    await waitFor(() => inRedis('keep1', 'keep2', 'inv', 'del', 'upd', 'u1', 'u2', 'w1'));
    const loader = jest.fn(async () => 'loaded');
    for (const key of ['keep1', 'keep2', 'inv', 'del', 'upd', 'u1', 'u2', 'w1']) {
      await b.cache.wrap(key, loader);
    }
    expect(loader).not.toHaveBeenCalled();
    const written = await h.admin.xlen(history());

    await control.killAndHold(h.admin);
    expect(b.tier.getStats().busConnected).toBe(false);
    a.cache.invalidate('inv');
    a.cache.delete('del');
    a.cache.set('upd', 'upd v2');
    a.cache.invalidateCategory('users');
    // B's own change during the gap is in the history too: it must not undo it.
    b.cache.set('mine', 'written by B during the gap');
    await historyHolds(written + 5);
    // B heard none of it.
    expect(b.cache.getData('inv')).toBe('inv v1');
    expect(b.cache.getData('upd')).toBe('upd v1');

    await control.release();
    await connected(b);

    expect(b.cache.get('inv')).toBeUndefined();
    expect(b.cache.getAllEntries().get('inv')?.status).toBe(CacheStatus.INVALID);
    expect(b.cache.getKeys()).not.toContain('del');
    expect(b.cache.get('upd')).toBeUndefined();
    expect(b.cache.get('u1')).toBeUndefined();
    expect(b.cache.get('u2')).toBeUndefined();
    for (const key of ['keep1', 'keep2', 'w1']) expect(b.cache.getData(key)).toBe(`${key} v1`);
    expect(b.cache.getData('mine')).toBe('written by B during the gap');
    const { l2Hits } = b.tier.getStats();
    for (const key of ['keep1', 'keep2', 'w1']) {
      await expect(b.cache.wrap(key, loader)).resolves.toBe(`${key} v1`);
    }
    // Untouched entries came from memory (no Redis read); the rewritten one from Redis.
    expect(b.tier.getStats().l2Hits).toBe(l2Hits);
    await expect(b.cache.wrap('upd', loader)).resolves.toBe('upd v2');
    expect(loader).not.toHaveBeenCalled();
    expect(b.tier.getStats()).toMatchObject({
      busCatchUps: 1,
      busChangesCaughtUp: 4,
      l1ClearsAfterGap: 0,
      l2Hits: l2Hits + 1,
    });
    expect(b.logger.count(/applied the 4 changes other instances made meanwhile/)).toBe(1);
  });

  it('has applied the missed changes when it reports the bus connected again', async () => {
    const { a, b, control, written } = await bHoldsKThenLosesTheBus();
    a.cache.invalidate('k');
    await historyHolds(written + 1);

    // What a read on B finds at the moment the tier says it hears the bus again.
    const seen: unknown[] = [];
    const log = b.logger.log.bind(b.logger);
    b.logger.log = (message: string) => {
      if (message === REDIS_CONNECTED('invalidation bus')) {
        seen.push(b.cache.get('k'), b.tier.getStats().busCatchUps);
      }
      log(message);
    };
    await control.release();
    await connected(b);

    expect(seen).toEqual([undefined, 1]);
    const lines = b.logger.lines.map((line) => line.message);
    expect(lines.indexOf(L1_CAUGHT_UP_AFTER_RECONNECT(1, 1))).toBeLessThan(
      lines.lastIndexOf(REDIS_CONNECTED('invalidation bus')),
    );
  });

  it('reads a long gap in slices, and applies every change of it', async () => {
    const a = await start('A');
    const { instance: b, control } = await startControlled('B');
    await connected(a, b);
    a.cache.set('kept', 1);
    a.cache.set('gone', 1);
    await waitFor(() => inRedis('kept', 'gone'));
    await b.cache.wrap('kept', async () => -1);
    await b.cache.wrap('gone', async () => -1);
    const written = await h.admin.xlen(history());
    await control.killAndHold(h.admin);
    const changes = 2 * HISTORY_BATCH + 50;
    for (let i = 0; i < changes - 1; i++) a.cache.invalidate(`elsewhere:${i}`);
    a.cache.invalidate('gone');
    await historyHolds(written + changes);
    await h.admin.config('RESETSTAT');

    await control.release();
    await connected(b);

    expect(b.tier.getStats()).toMatchObject({ busChangesCaughtUp: changes, l1ClearsAfterGap: 0 });
    expect(b.cache.get('gone')).toBeUndefined();
    expect(b.cache.getData('kept')).toBe(1);
    const stats = (await h.admin.info('commandstats')) as string;
    const xranges = Number(/cmdstat_xrange:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    // Slices of HISTORY_BATCH from B's last entry on, and one that finds nothing more.
    expect(xranges).toBe(Math.ceil((changes + 1) / HISTORY_BATCH) + 1);
  });

  it('clears its memory when the gap is longer than the history keeps (maxLength), then catches up again', async () => {
    const a = await start('A', { busHistory: { maxLength: 3 } });
    const { instance: b, control } = await startControlled('B', { busHistory: { maxLength: 3 } });
    await connected(a, b);
    a.cache.set('k', 'v1');
    a.cache.set('other', 'v1');
    await waitFor(() => inRedis('k', 'other'));
    await b.cache.wrap('k', async () => 'unused');
    await b.cache.wrap('other', async () => 'unused');
    await control.killAndHold(h.admin);
    // Redis trims whole nodes of the stream (of up to 100 entries): 300 changes trim the first.
    for (let i = 0; i < 300; i++) a.cache.invalidate(`elsewhere:${i}`);
    a.cache.invalidate('k');
    await waitFor(async () => (await h.admin.xlen(history())) < 300, { what: 'the trimming' });

    await control.release();
    await connected(b);

    expect(b.cache.size).toBe(0);
    expect(b.tier.getStats()).toMatchObject({ l1ClearsAfterGap: 1, busCatchUps: 0 });
    expect(logged(b, GAP_REASON.tooLong)).toBe(1);

    // From there on it has a position again: the next gap is caught up.
    b.cache.set('after', 'v1');
    await waitFor(() => inRedis('after'));
    await control.killAndHold(h.admin);
    a.cache.invalidate('elsewhere');
    await lastChangeIsAbout('elsewhere');
    await control.release();
    await connected(b);
    expect(b.cache.getData('after')).toBe('v1');
    expect(b.tier.getStats()).toMatchObject({ l1ClearsAfterGap: 1, busCatchUps: 1 });
  });

  it('trims the history by age (maxAge): entries older than it go when a change is appended', async () => {
    const a = await start('A', { busHistory: { maxAge: 60 } });
    await connected(a);
    // Two nodes' worth of entries written long ago (ids are milliseconds since the epoch).
    for (let i = 0; i < 250; i++) await h.admin.xadd(history(), `1000-${i}`, 'm', 'old');

    a.cache.set('k', 'v1');

    await waitFor(async () => (await h.admin.xlen(history())) < 251, { what: 'the trimming' });
    // Trimmed by age, not by length: the length bound (100,000 by default) is far off.
    const [[oldest]] = await h.admin.xrange(history(), '-', '+', 'COUNT', 1);
    expect(oldest).not.toBe('1000-0');
  });

  it('clears its memory when Redis lost the history meanwhile', async () => {
    const { a, b, control } = await bHoldsKThenLosesTheBus();
    await h.admin.del(history());
    a.cache.invalidate('k');
    await historyHolds(1);

    await control.release();
    await connected(b);

    expect(b.cache.size).toBe(0);
    expect(b.tier.getStats()).toMatchObject({ l1ClearsAfterGap: 1, busCatchUps: 0 });
  });

  it('clears its memory when the history holds an entry that is not a message', async () => {
    const { b, control, written } = await bHoldsKThenLosesTheBus();
    await h.admin.xadd(history(), '*', 'm', 'not a message');
    await historyHolds(written + 1);

    await control.release();
    await connected(b);

    expect(b.cache.size).toBe(0);
    expect(logged(b, GAP_REASON.badEntry)).toBe(1);
  });

  it('clears on a gap, as before, once it heard an instance that does not write the history', async () => {
    const a = await start('A');
    const { instance: b, control } = await startControlled('B');
    await connected(a, b);
    await b.cache.wrap('k', async () => 'v1');
    // What an instance of an earlier version publishes: no history id.
    await h.admin.publish(
      `${h.prefix}bus`,
      JSON.stringify({ v: 1, src: 'old', op: 'i', arg: 'x' }),
    );
    await waitFor(() => b.logger.count(/without a bus history id/) === 1);
    expect(b.logger.lines.map((line) => line.message)).toContain(EARLIER_VERSION_HEARD('old'));
    await control.killAndHold(h.admin);

    await control.release();
    await connected(b);

    expect(b.cache.size).toBe(0);
    expect(logged(b, GAP_REASON.earlierVersion)).toBe(1);
  });

  it('appends every change it announces to the history, with the id the channel carries', async () => {
    const a = await start('A');
    await connected(a);
    const listener = h.admin.duplicate();
    const heard: string[] = [];
    listener.on('message', (_channel: string, message: string) => heard.push(message));
    await listener.subscribe(`${h.prefix}bus`);

    a.cache.set('k', 1, { category: 'c' });
    a.cache.invalidate('k');
    a.cache.delete('k');
    a.cache.invalidateCategory('c');
    a.cache.clear('c');
    a.cache.clear();
    await waitFor(() => heard.length === 6, { what: 'six messages' });
    await listener.quit();

    const entries = (await h.admin.xrange(history(), '-', '+')) as [string, string[]][];
    expect(entries.map(([, fields]) => JSON.parse(fields[1]!).op)).toEqual([
      's',
      'i',
      'd',
      'ic',
      'cc',
      'c',
    ]);
    expect(heard).toEqual(entries.map(([id, [, message]]) => `{"id":"${id}",${message!.slice(1)}`));
    // clear() empties the shared cache, not the history (instances that missed it read it there).
    expect(await h.admin.keys(`${h.prefix}*`)).toEqual([history()]);
  });
});
