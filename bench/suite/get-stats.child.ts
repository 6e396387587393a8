/**
 * This library's `getStats()` on a big cache, in a fresh process (the other caches have no
 * equivalent). Entries spread over the seed's TTLs and six categories; time is an injected clock.
 * - `steadyMs`: median of repeated calls while nothing changes status (a scrape every few seconds);
 * - `firstMs`: the first call after the fill;
 * - `afterStaleMs`: the first call after the clock moved past every TTL (every entry changes status
 *   once: the worst single call).
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
  firstMs: number;
  afterStaleMs: number;
}

const TTLS = [15, 30, 45, 60, 120, 180, 300, 600, 3600];
const CATEGORIES = ['resonite_data', 'container_status', 'system_metrics', 'user_sessions'];

runChild(async (): Promise<GetStatsResult> => {
  const job = readJob<GetStatsJob>();
  const { CacheManager } = await loadCore();
  let now = Date.UTC(2026, 0, 1);
  const cache = new CacheManager({
    maxEntries: job.entries,
    cleanupInterval: 0,
    logger: silentLogger,
    clock: () => now,
  });
  const keys = makeKeys(job.entries);
  for (let i = 0; i < keys.length; i++) {
    cache.set(keys[i]!, makeValue(i), {
      ttl: TTLS[i % TTLS.length]!,
      category: CATEGORIES[i % CATEGORIES.length]!,
    });
  }
  const timeMs = () => {
    const started = hrtimeNs();
    cache.getStats();
    return (hrtimeNs() - started) / 1e6;
  };
  const firstMs = timeMs();
  const steady: number[] = [];
  for (let i = 0; i < job.calls; i++) steady.push(timeMs());
  now += 3601 * 1000;
  const afterStaleMs = timeMs();
  return { steadyMs: median(steady), firstMs, afterStaleMs };
});
