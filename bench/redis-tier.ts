// Benchmark of the Redis tier, on loopback against a throwaway redis-server (npm run bench:redis):
//  1. the L1 hit cost with the tier attached, against the memory-only cache (interleaved runs);
//  2. the latency of an L2 hit (`wrap` on a local miss that Redis answers);
//  3. how long an invalidation made on instance A takes to reach instance B's memory.
// Set REDIS_URL to use a Redis of your own instead (its keys under "bench:" are overwritten).
import { cacheInternals, CacheManager } from '../lib/core/cache-manager.js';
import type { CacheLogger } from '../lib/core/logger.interface.js';
import { attachRedisTier } from '../lib/redis/redis-tier.factory.js';
import type { RedisTier } from '../lib/redis/redis-tier.js';
import { RedisServerHarness } from '../test/redis/redis-server.harness.js';
import { waitFor } from '../test/redis/wait-for.util.js';

const quiet: CacheLogger = { debug() {}, log() {}, warn: console.warn, error: console.error };
const HOT_KEYS = 1000;
const GETS_PER_RUN = 2_000_000;
const RUNS = 7;
const L2_SAMPLES = 3000;
const PROPAGATION_SAMPLES = 2000;

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((x, y) => x - y);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), min: sorted[0]! };
};

function nsPerGet(cache: CacheManager, keys: string[]): number {
  const started = process.hrtime.bigint();
  let found = 0;
  for (let i = 0; i < GETS_PER_RUN; i++)
    if (cache.get(keys[i % keys.length]!) !== undefined) found++;
  const elapsed = Number(process.hrtime.bigint() - started);
  if (found !== GETS_PER_RUN) throw new Error('a hot key missed');
  return elapsed / GETS_PER_RUN;
}

async function instance(
  url: string,
  id: string,
): Promise<{ cache: CacheManager; tier: RedisTier }> {
  const cache = new CacheManager({ cleanupInterval: 0, maxEntries: 100_000, logger: quiet });
  const tier = await attachRedisTier(cache, { url, keyPrefix: 'bench:', instanceId: id }, quiet);
  await waitFor(() => tier.getStats().connected && tier.getStats().busConnected, {
    what: `${id} connected`,
  });
  return { cache, tier };
}

async function main(): Promise<void> {
  const server = process.env.REDIS_URL ? undefined : await RedisServerHarness.start();
  const url = process.env.REDIS_URL ?? server!.url;
  const a = await instance(url, 'A');
  const b = await instance(url, 'B');
  try {
    // 1. L1 hits: same keys, same data, interleaved runs so drift hits both sides alike.
    const memoryOnly = new CacheManager({ cleanupInterval: 0, logger: quiet });
    const keys = Array.from({ length: HOT_KEYS }, (_, i) => `hot:${i}`);
    for (const key of keys) {
      memoryOnly.set(key, { key, n: 1 });
      a.cache.set(key, { key, n: 1 });
    }
    const memoryRuns: number[] = [];
    const tieredRuns: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      memoryRuns.push(nsPerGet(memoryOnly, keys));
      tieredRuns.push(nsPerGet(a.cache, keys));
    }

    // 2. L2 hits: B misses in memory, Redis has the value (written by A).
    for (let i = 0; i < L2_SAMPLES; i++) a.cache.set(`l2:${i}`, { i, payload: 'x'.repeat(200) });
    await waitFor(async () => (await b.tier.fetch(`l2:${L2_SAMPLES - 1}`)) !== undefined);
    const l2 = [];
    for (let i = 0; i < L2_SAMPLES; i++) {
      const started = performance.now();
      await b.cache.wrap(`l2:${i}`, () => {
        throw new Error('the loader must not run on an L2 hit');
      });
      l2.push(performance.now() - started);
    }

    // 3. Propagation: A invalidates a key B holds; time until B's memory has applied it.
    let invalidatedAt = 0;
    let resolveSeen: (() => void) | undefined;
    const delays: number[] = [];
    b.cache.on('invalidation', () => {
      delays.push(performance.now() - invalidatedAt);
      resolveSeen?.();
    });
    for (let i = 0; i < PROPAGATION_SAMPLES; i++) {
      const key = `p:${i}`;
      b.cache.set(key, i);
      await new Promise((resolve) => setImmediate(resolve));
      const seen = new Promise<void>((resolve) => (resolveSeen = resolve));
      invalidatedAt = performance.now();
      a.cache.invalidate(key);
      await seen;
    }

    const result = {
      l1HitNs: { memoryOnly: summary(memoryRuns), withRedisTier: summary(tieredRuns) },
      l1HitRatio:
        summary(memoryRuns).median === 0
          ? 0
          : summary(tieredRuns).median / summary(memoryRuns).median,
      l2HitMs: summary(l2),
      propagationMs: summary(delays),
      // The 4,000 writes of the fill must all succeed: errors here mean the tier misjudged them.
      l2Errors: { a: a.tier.getStats().l2Errors, b: b.tier.getStats().l2Errors },
      circuit: { a: a.tier.getStats().circuit, b: b.tier.getStats().circuit },
      samples: {
        getsPerRun: GETS_PER_RUN,
        runs: RUNS,
        l2: L2_SAMPLES,
        propagation: PROPAGATION_SAMPLES,
      },
      node: process.version,
    };
    const fmt = (n: number, digits = 3) => n.toFixed(digits);
    console.log('Redis tier benchmark (loopback)');
    console.log(
      `  L1 hit, memory only      median ${fmt(result.l1HitNs.memoryOnly.median, 1)} ns  (min ${fmt(result.l1HitNs.memoryOnly.min, 1)})`,
    );
    console.log(
      `  L1 hit, with Redis tier  median ${fmt(result.l1HitNs.withRedisTier.median, 1)} ns  (min ${fmt(result.l1HitNs.withRedisTier.min, 1)})  ratio ${fmt(result.l1HitRatio, 2)}`,
    );
    console.log(
      `  L2 hit (wrap)            median ${fmt(result.l2HitMs.median)} ms  p99 ${fmt(result.l2HitMs.p99)} ms`,
    );
    console.log(
      `  invalidation A → B       median ${fmt(result.propagationMs.median)} ms  p99 ${fmt(result.propagationMs.p99)} ms`,
    );
    console.log(
      `  L2 errors A / B          ${result.l2Errors.a} / ${result.l2Errors.b}  circuit ${result.circuit.a} / ${result.circuit.b}`,
    );
    console.log(JSON.stringify(result));
  } finally {
    cacheInternals(a.cache).attachTier(undefined);
    cacheInternals(b.cache).attachTier(undefined);
    await Promise.all([a.tier.close(), b.tier.close()]);
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
