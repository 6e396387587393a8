/**
 * Automatic cleanup of a big cache while the event loop is watched, in a fresh process.
 * `entries` entries, every other one with a 1 s TTL and the rest with 3600 s; an injected clock
 * then moves 3 s on, so half the entries are EXPIRED (older than twice their TTL). While
 * `cleanupInSlices()` runs:
 * - `perf_hooks.monitorEventLoopDelay` (1 ms resolution) records the event loop's delay;
 * - a `setImmediate` chain measures each turn of the loop: its longest gap is the longest slice;
 * - a `PerformanceObserver` records GC pauses, to tell a long slice from a long collection.
 * Job (argv[2], JSON): `{ entries }`.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

import { readJob, runChild } from './child.util.js';
import { loadCore, silentLogger } from './core.js';
import { makeKeys, makeValue } from './workloads.js';

export interface CleanupJob {
  entries: number;
}

export interface CleanupResult {
  removed: number;
  totalMs: number;
  /** Longest event-loop delay seen by the histogram, ms. */
  maxDelayMs: number;
  p99DelayMs: number;
  /** Longest gap between two consecutive `setImmediate` turns, ms. */
  longestTurnMs: number;
  turns: number;
  sliceMs: number;
  /** Longest garbage-collection pause during the cleanup, ms (a stall the slices cannot bound). */
  longestGcMs: number;
  gcTotalMs: number;
}

runChild(async (): Promise<CleanupResult> => {
  const job = readJob<CleanupJob>();
  const { CacheManager, CLEANUP_SLICE_MS } = await loadCore();
  let now = Date.UTC(2026, 0, 1);
  const cache = new CacheManager({
    maxEntries: job.entries,
    cleanupInterval: 0,
    logger: silentLogger,
    clock: () => now,
  });
  const keys = makeKeys(job.entries);
  for (let i = 0; i < keys.length; i++) cache.set(keys[i]!, makeValue(i), i % 2 === 0 ? 1 : 3600);
  now += 3000;
  // Let the fill's garbage settle a little before watching the loop.
  await new Promise((resolve) => setTimeout(resolve, 50));

  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let longestTurn = 0;
  let turns = 0;
  let last = performance.now();
  let watching = true;
  const tick = () => {
    const t = performance.now();
    if (t - last > longestTurn) longestTurn = t - last;
    last = t;
    turns++;
    if (watching) setImmediate(tick);
  };
  let longestGc = 0;
  let gcTotal = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      longestGc = Math.max(longestGc, entry.duration);
      gcTotal += entry.duration;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  histogram.enable();
  setImmediate(tick);
  const started = performance.now();
  const removed = await cache.cleanupInSlices();
  const totalMs = performance.now() - started;
  watching = false;
  histogram.disable();
  // GC entries are delivered asynchronously: let the last ones arrive.
  await new Promise((resolve) => setTimeout(resolve, 20));
  gcObserver.disconnect();
  return {
    removed,
    totalMs,
    maxDelayMs: histogram.max / 1e6,
    p99DelayMs: histogram.percentile(99) / 1e6,
    longestTurnMs: longestTurn,
    turns,
    sliceMs: CLEANUP_SLICE_MS,
    longestGcMs: longestGc,
    gcTotalMs: gcTotal,
  };
});
