// What a bus gap costs an instance under load (node --import ./test/redis/fixtures/register-ts.mjs
// bench/redis-reconnect.ts): instance B serves a steady stream of `wrap` calls over its working
// set; its bus connection is killed on the server and held down while instance A changes a few
// keys; then it comes back. Counted over the requests that follow the reconnection: loader
// calls, Redis reads, and their latency, two ways:
//  - "clear": B clears its memory when the bus returns, as every gap did before the bus history
//    (forced here by deleting the history during the gap: the fallback is that same code);
//  - "catch-up": B applies the changes it missed from the bus history and keeps the rest.
// Twice: with the values in Redis too (the default), and with values only in memory (larger
// than `maxValueBytes`, or evicted from Redis), where a miss goes to the loader.
// Set REDIS_URL to use a Redis of your own instead (keys under "bench-reconnect-" are written).
import { setTimeout as sleep } from 'node:timers/promises';

import { cacheInternals, CacheManager } from '../lib/core/cache-manager.js';
import type { CacheLogger } from '../lib/core/logger.interface.js';
import { attachRedisTier } from '../lib/redis/redis-tier.factory.js';
import type { RedisTier } from '../lib/redis/redis-tier.js';
import { REDIS_CONNECTED } from '../lib/redis/redis.messages.js';
import { BusConnectionControl } from '../test/redis/bus-connection.control.js';
import { RedisServerHarness } from '../test/redis/redis-server.harness.js';
import { adminClient } from '../test/redis/redis-tier.fixture.js';
import { waitFor } from '../test/redis/wait-for.util.js';

const quiet: CacheLogger = { debug() {}, log() {}, warn() {}, error: console.error };
/** B's working set: every key is in its memory when the gap begins. */
const KEYS = 5000;
/** Keys A changes while B is away: half invalidated, half written anew. */
const CHANGED = 50;
/** Requests counted after the reconnection: each key about twice. */
const WINDOW = 2 * KEYS;
/** Requests in flight at once on B. */
const WORKERS = 32;
/** What a loader call costs (a database query, say). */
const LOADER_MS = 5;
const ROUNDS = 5;

type Mode = 'clear' | 'catch-up';
interface Scenario {
  name: string;
  valueBytes: number;
  maxValueBytes?: number;
}
interface Outcome {
  loaderCalls: number;
  redisReads: number;
  kept: number;
  p50: number;
  p99: number;
  reconnectMs: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'values also in Redis (the default)', valueBytes: 200 },
  { name: 'values only in memory (over maxValueBytes)', valueBytes: 3000, maxValueBytes: 2048 },
];

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const median = (values: number[]) =>
  quantile(
    [...values].sort((x, y) => x - y),
    0.5,
  );

async function instance(
  url: string,
  prefix: string,
  id: string,
  scenario: Scenario,
  client?: BusConnectionControl,
  logger = quiet,
): Promise<{ cache: CacheManager; tier: RedisTier }> {
  const cache = new CacheManager({ cleanupInterval: 0, maxEntries: 2 * KEYS, logger });
  const tier = await attachRedisTier(
    cache,
    {
      ...(client === undefined ? { url } : { client: client.client }),
      keyPrefix: prefix,
      instanceId: id,
      maxValueBytes: scenario.maxValueBytes,
      commandTimeout: 2000,
      writeTimeout: 10_000,
    },
    logger,
  );
  return { cache, tier };
}

async function run(url: string, mode: Mode, scenario: Scenario, round: number): Promise<Outcome> {
  const prefix = `bench-reconnect-${round}-${mode}-${scenario.valueBytes}:`;
  const admin = adminClient(url);
  const control = new BusConnectionControl(url, `bench-B-${prefix}`);
  // The moment B says it hears the bus again, and what its memory holds then.
  let reconnected: { at: number; kept: number } | undefined;
  let measuring = false;
  const watchB: CacheLogger = {
    ...quiet,
    log: (message) => {
      if (measuring && message === REDIS_CONNECTED('invalidation bus')) {
        reconnected = { at: performance.now(), kept: b.cache.size };
      }
    },
  };
  const a = await instance(url, prefix, `bench-A-${prefix}`, scenario);
  const b = await instance(url, prefix, control.instanceId, scenario, control, watchB);
  const up = (one: { tier: RedisTier }) =>
    one.tier.getStats().connected && one.tier.getStats().busConnected;
  await waitFor(() => up(a) && up(b), { what: 'A and B connected' });
  const keys = Array.from({ length: KEYS }, (_, i) => `k:${i}`);
  const payload = 'x'.repeat(scenario.valueBytes);
  let loaderCalls = 0;
  const loader = (key: string) => async () => {
    loaderCalls++;
    await sleep(LOADER_MS);
    return { key, payload };
  };
  const redisReads = () => b.tier.getStats().l2Hits + b.tier.getStats().l2Misses;
  const history = `${prefix}bus-history`;
  try {
    // B loads its working set (and writes it to Redis, unless too large).
    for (let i = 0; i < KEYS; i += 250) {
      await Promise.all(keys.slice(i, i + 250).map((key) => b.cache.wrap(key, loader(key))));
    }
    await waitFor(async () => (await admin.xlen(history)) >= KEYS, {
      timeoutMs: 30_000,
      what: 'B’s writes announced',
    });

    // The load: WORKERS requests in flight, each on a key picked at random (a fixed sequence).
    let running = true;
    const latencies: number[] = [];
    let windowDone!: () => void;
    const windowOver = new Promise<void>((resolve) => (windowDone = resolve));
    const worker = async (seed: number) => {
      let x = seed;
      while (running) {
        await new Promise((resolve) => setImmediate(resolve));
        // xorshift32: the same keys in the same order on every run.
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        const key = keys[x % KEYS]!;
        const started = performance.now();
        await b.cache.wrap(key, loader(key));
        if (!measuring) continue;
        latencies.push(performance.now() - started);
        if (latencies.length === WINDOW) windowDone();
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, i) => worker(0x9e3779b9 ^ (i + 1)));

    // The gap: B's bus is down while A changes CHANGED keys.
    await control.killAndHold(admin);
    const before = await admin.xlen(history);
    for (let i = 0; i < CHANGED; i++) {
      if (i % 2 === 0) a.cache.invalidate(keys[i]!);
      else a.cache.set(keys[i]!, { key: keys[i], payload, changed: true });
    }
    await waitFor(async () => (await admin.xlen(history)) >= before + CHANGED, {
      what: 'A’s changes in the history',
    });
    if (mode === 'clear') await admin.del(history);

    const loadsBefore = loaderCalls;
    const readsBefore = redisReads();
    measuring = true;
    const released = performance.now();
    await control.release();
    await waitFor(() => reconnected !== undefined, { intervalMs: 1, what: 'B’s bus back' });
    await windowOver;
    const outcome = {
      loaderCalls: loaderCalls - loadsBefore,
      redisReads: redisReads() - readsBefore,
      kept: reconnected!.kept,
      reconnectMs: reconnected!.at - released,
      p50: 0,
      p99: 0,
    };
    running = false;
    await Promise.all(workers);
    const sorted = latencies.slice(0, WINDOW).sort((x, y) => x - y);
    outcome.p50 = quantile(sorted, 0.5);
    outcome.p99 = quantile(sorted, 0.99);
    const stats = b.tier.getStats();
    const expected = mode === 'clear' ? [1, 0] : [0, 1];
    if (stats.l1ClearsAfterGap !== expected[0] || stats.busCatchUps !== expected[1]) {
      throw new Error(`${mode}: B did not take the expected path: ${JSON.stringify(stats)}`);
    }
    return outcome;
  } finally {
    for (const one of [a, b]) {
      cacheInternals(one.cache).attachTier(undefined);
      await one.tier.close();
    }
    control.disconnect();
    const stale = await admin.keys(`${prefix}*`);
    if (stale.length > 0) await admin.del(...stale);
    admin.disconnect();
  }
}

async function main(): Promise<void> {
  const server = process.env.REDIS_URL ? undefined : await RedisServerHarness.start();
  const url = process.env.REDIS_URL ?? server!.url;
  const results: Record<string, Record<Mode, Outcome[]>> = {};
  try {
    for (const scenario of SCENARIOS) {
      results[scenario.name] = { clear: [], 'catch-up': [] };
      for (let round = 0; round < ROUNDS; round++) {
        // Interleaved, so that drift on a shared machine hits both alike.
        for (const mode of ['clear', 'catch-up'] as const) {
          results[scenario.name]![mode].push(await run(url, mode, scenario, round));
        }
      }
    }
  } finally {
    await server?.stop();
  }

  const rows: [string, (o: Outcome) => number, number][] = [
    ['loader calls', (o) => o.loaderCalls, 0],
    ['Redis reads', (o) => o.redisReads, 0],
    ['entries held, bus back', (o) => o.kept, 0],
    ['request p50 (ms)', (o) => o.p50, 3],
    ['request p99 (ms)', (o) => o.p99, 3],
    ['bus back → connected (ms)', (o) => o.reconnectMs, 1],
  ];
  console.log(
    `Reconnection under load: B holds ${KEYS} keys and serves ${WORKERS} requests at a time;` +
      ` while its bus is down, A changes ${CHANGED} of them.`,
  );
  console.log(
    `Counted over the ${WINDOW} requests after the bus returns; medians of ${ROUNDS} rounds;` +
      ` loaders take ${LOADER_MS} ms. Node ${process.version}.`,
  );
  for (const scenario of SCENARIOS) {
    const outcome = results[scenario.name]!;
    console.log(`\n${scenario.name}`);
    console.log('| after the reconnection       | clear (before) | catch-up (now) |');
    console.log('| ---------------------------- | -------------- | -------------- |');
    for (const [label, pick, digits] of rows) {
      const cell = (mode: Mode) => median(outcome[mode].map(pick)).toFixed(digits).padStart(14);
      console.log(`| ${label.padEnd(28)} | ${cell('clear')} | ${cell('catch-up')} |`);
    }
  }
  console.log(JSON.stringify(results));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
