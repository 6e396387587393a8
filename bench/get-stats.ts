/**
 * What `getStats()` (the body of `GET /cache/stats`) costs on a big cache.
 *
 * Run (compiles this file and the core it imports into the gitignored bench/results/):
 *   npx tsc bench/get-stats.ts --ignoreConfig --outDir bench/results/build --rootDir . \
 *     --module nodenext --target es2022 --types node --skipLibCheck \
 *     && node bench/results/build/bench/get-stats.js
 *
 * For each size it fills a cache with that many entries over a realistic spread of TTLs and
 * categories, then times:
 * - `steady`: repeated `getStats()` while nothing changes status (a scrape every few seconds);
 * - `after all turned stale`: the first call after the clock moved past every TTL, when every
 *   entry changes status once (the worst single scrape; each entry is recounted once, ever);
 * - `cacheStatsResponse` + `JSON.stringify`: the whole route body.
 * Medians of several runs, in milliseconds. Time is an injected clock, never a sleep.
 */
import { CacheManager } from '../lib/core/cache-manager.js';

const SIZES = [100_000, 1_000_000];
const TTLS = [15, 30, 45, 60, 120, 180, 300, 600, 3600]; // the seed's TTL guidelines
const CATEGORIES = [
  'resonite_data',
  'container_status',
  'system_metrics',
  'user_sessions',
  'temp_data',
  'static_config',
];
const STEADY_RUNS = 201;
const COLD_RUNS = 5;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

function fill(size: number): { cache: CacheManager; advanceSeconds: (s: number) => void } {
  let now = Date.UTC(2026, 0, 1);
  const cache = new CacheManager({
    maxEntries: size,
    cleanupInterval: 0,
    clock: () => now,
  });
  for (let i = 0; i < size; i++) {
    cache.set(`key:${i}`, i, {
      ttl: TTLS[i % TTLS.length]!,
      category: CATEGORIES[i % CATEGORIES.length]!,
    });
  }
  return { cache, advanceSeconds: (s) => (now += s * 1000) };
}

function time(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

/** The route's body, as the controller builds it (without importing Nest). */
function routeBody(cache: CacheManager): string {
  return JSON.stringify({
    ...cache.getStats().toDict(),
    maxEntries: cache.maxEntries,
    usagePercent: (cache.size / cache.maxEntries) * 100,
  });
}

console.log(`getStats() on Node ${process.version}, medians in ms`);
for (const size of SIZES) {
  const steady: number[] = [];
  const body: number[] = [];
  const cold: number[] = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    const { cache, advanceSeconds } = fill(size);
    cache.getStats();
    advanceSeconds(3601); // past every TTL: every entry is now STALE
    cold.push(time(() => cache.getStats()));
    if (run === 0) {
      for (let i = 0; i < STEADY_RUNS; i++) steady.push(time(() => cache.getStats()));
      for (let i = 0; i < STEADY_RUNS; i++) body.push(time(() => routeBody(cache)));
    }
    cache.shutdown();
  }
  console.log(
    `${size.toLocaleString('en')} entries: steady ${median(steady).toFixed(4)} ms, ` +
      `route body ${median(body).toFixed(4)} ms, ` +
      `after all turned stale ${median(cold).toFixed(2)} ms (once)`,
  );
}
