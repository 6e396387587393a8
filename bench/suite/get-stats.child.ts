/**
 * This library's `getStats()` on a big cache, in a fresh process (the other caches have no
 * equivalent). Entries spread over the seed's TTLs and six categories; time is an injected clock.
 * - `steadyMs`: median of repeated calls while nothing changes status (a scrape every few seconds);
 * - `bodyMs`: median of repeated builds of the `GET /cache/stats` body (`getStats().toDict()`
 *   and `JSON.stringify`, as the controller's response is serialized);
 * - `firstMs`: the first call after the fill;
 * - `afterStaleMs`: the first call after the clock moved past every TTL (every entry changes status
 *   once), the cache filled in a burst: 1,000 writes per millisecond of the clock, about as fast
 *   as `set` runs on one core;
 * - `afterStaleSpreadMs`: the same, the cache filled at 10 writes per millisecond (over 100 s for
 *   a million entries): nearly every entry is a run of its own, the worst single call.
 * Job (argv[2], JSON): `{ entries, calls }`.
 */
import { hrtimeNs, median, readJob, runChild } from './child.util.js';
import { loadCore, silentLogger } from './core.js';
import { makeKeys, makeValue } from './workloads.js';

export interface GetStatsJob {
  entries: number;
  calls: number;
}

export interface GetStatsResult {
  steadyMs: number;
  bodyMs: number;
  firstMs: number;
  afterStaleMs: number;
  afterStaleSpreadMs: number;
}

const TTLS = [15, 30, 45, 60, 120, 180, 300, 600, 3600];
const CATEGORIES = ['resonite_data', 'container_status', 'system_metrics', 'user_sessions'];

runChild(async (): Promise<GetStatsResult> => {
  const job = readJob<GetStatsJob>();
  const { CacheManager } = await loadCore();
  let now = Date.UTC(2026, 0, 1);
  // A running app has recounted statuses many times before: warm the recounting up on another
  // cache, so the calls below run optimized code (cold, V8 interprets the first long recount,
  // several times slower).
  const warm = new CacheManager({
    maxEntries: 20_000,
    cleanupInterval: 0,
    logger: silentLogger,
    clock: () => now,
  });
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 20_000; i++) {
      warm.set(`w${i}`, i, { ttl: TTLS[i % TTLS.length]!, category: CATEGORIES[i % 4]! });
      if (i % 10 === 9) now++;
    }
    now += 3601 * 1000;
    warm.getStats();
    now += 3601 * 1000;
    warm.getStats();
  }
  warm.clear();
  const cache = new CacheManager({
    maxEntries: job.entries,
    cleanupInterval: 0,
    logger: silentLogger,
    clock: () => now,
  });
  const keys = makeKeys(job.entries);
  const fill = (writesPerMs: number) => {
    for (let i = 0; i < keys.length; i++) {
      cache.set(keys[i]!, makeValue(i), {
        ttl: TTLS[i % TTLS.length]!,
        category: CATEGORIES[i % CATEGORIES.length]!,
      });
      if (i % writesPerMs === writesPerMs - 1) now++;
    }
  };
  fill(1000);
  const timeMs = () => {
    const started = hrtimeNs();
    cache.getStats();
    return (hrtimeNs() - started) / 1e6;
  };
  const firstMs = timeMs();
  const steady: number[] = [];
  for (let i = 0; i < job.calls; i++) steady.push(timeMs());
  const body: number[] = [];
  for (let i = 0; i < job.calls; i++) {
    const started = hrtimeNs();
    JSON.stringify({
      ...cache.getStats().toDict(),
      maxEntries: cache.maxEntries,
      usagePercent: (cache.size / cache.maxEntries) * 100,
    });
    body.push((hrtimeNs() - started) / 1e6);
  }
  now += 3601 * 1000;
  const afterStaleMs = timeMs();

  cache.clear();
  fill(10);
  cache.getStats();
  now += 3601 * 1000;
  const afterStaleSpreadMs = timeMs();
  return {
    steadyMs: median(steady),
    bodyMs: median(body),
    firstMs,
    afterStaleMs,
    afterStaleSpreadMs,
  };
});
