/**
 * Soak: millions of random operations on a small cache, with the automatic cleanup timer on and
 * the real clock, to show that the cache holds over time: entries never exceed `maxEntries`, the
 * heap stays flat, the statistics stay consistent with the entries, and nothing stalls the event
 * loop.
 *
 * Run: `npm run soak` (compiles this file and the core into the gitignored bench/results/ and
 * runs it with --expose-gc). Knobs, as environment variables:
 *   SOAK_OPS          operations in all            (default 3,000,000)
 *   SOAK_MAX_ENTRIES  the cache's maxEntries       (default 1,000)
 *   SOAK_KEYS         distinct keys in play        (default 2,500)
 *   SOAK_BATCH        operations between two turns of the event loop (default 500)
 *   SOAK_MAX_BYTES    a memory budget (maxBytes); then values are of random sizes (up to 16 KB,
 *                     a fifth of them two-byte strings), maxEntries defaults to 100,000 so the
 *                     budget is the bound, and the run also checks that totalBytes never passes
 *                     the budget and that the heap stays under it plus the estimate's error
 * Exits with status 1 when an invariant breaks.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

import { CacheManager } from '../lib/core/cache-manager.js';
import { CacheStatus } from '../lib/core/cache-status.enum.js';

const OPS = envInt('SOAK_OPS', 3_000_000);
const MAX_BYTES = envInt('SOAK_MAX_BYTES', 0) || undefined;
const MAX_ENTRIES = envInt('SOAK_MAX_ENTRIES', MAX_BYTES === undefined ? 1_000 : 100_000);
/** The estimate's error the heap may show over the budget (see docs/memory-budget.md). */
const ESTIMATE_ERROR = 0.25;
const KEYS = envInt('SOAK_KEYS', 2_500);
const BATCH = envInt('SOAK_BATCH', 500);
const SAMPLES = 10;
/** TTLs in seconds: short, so entries go FRESH → STALE → EXPIRED many times during the run. */
const TTLS = [0.05, 0.1, 0.25, 0.5, 1];
const CATEGORIES = [
  'resonite_data',
  'container_status',
  'system_metrics',
  'user_sessions',
  'temp_data',
];
const BIG = 'x'.repeat(1024);
const LONG = 'abcdefghij'.repeat(1700);
const LONG_TWO_BYTE = 'день日本'.repeat(3000);

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** A small, fast, seeded PRNG (mulberry32): the same run every time. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function heapMb(): number {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function main(): Promise<void> {
  const rand = random(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const failures: string[] = [];
  const cache = new CacheManager({
    maxEntries: MAX_ENTRIES,
    maxBytes: MAX_BYTES,
    defaultTtl: 0.5,
    cleanupInterval: 0.2,
    logger: { debug() {}, log() {}, warn() {}, error: (m) => failures.push(`cache error: ${m}`) },
  });
  let cleanupRuns = 0;
  let cleanedUp = 0;
  cache.on('cleanup', ({ removed }) => {
    cleanupRuns++;
    cleanedUp += removed;
  });

  const loop = monitorEventLoopDelay({ resolution: 10 });
  const started = performance.now();
  let longestBatchMs = 0;
  let maxHeld = 0;
  let maxBytesHeld = 0;
  /** A value of random size, built per write (slice copies it: no sharing between entries). */
  const sizedValue = (done: number): unknown => {
    const length = Math.floor(rand() ** 3 * 16_000);
    const text = rand() < 0.2 ? LONG_TWO_BYTE.slice(0, length / 2) : LONG.slice(0, length);
    return { n: done, text: JSON.parse(JSON.stringify(text)) as string, list: [done, done / 3] };
  };
  const heap: { ops: number; mb: number; held: number }[] = [];
  const sampleEvery = Math.ceil(OPS / SAMPLES / BATCH) * BATCH;

  console.log(
    `soak: ${OPS.toLocaleString('en')} ops, maxEntries ${MAX_ENTRIES}, ${KEYS} keys, ` +
      `TTLs ${TTLS.join('/')} s, automatic cleanup every 0.2 s, batches of ${BATCH}` +
      (gc === undefined ? ' (no --expose-gc: heap figures include garbage)' : ''),
  );
  console.log('       ops   held  heap MB  cleanups  removed  elapsed s');
  heap.push({ ops: 0, mb: heapMb(), held: 0 });
  loop.enable();

  for (let done = 0; done < OPS;) {
    const batchStart = performance.now();
    for (let i = 0; i < BATCH; i++, done++) {
      const key = `key:${Math.floor(rand() * KEYS)}`;
      const r = rand();
      if (r < 0.4) {
        const value =
          MAX_BYTES !== undefined
            ? sizedValue(done)
            : r < 0.01
              ? { big: BIG }
              : { n: done, at: key };
        cache.set(key, value, {
          ttl: pick(TTLS),
          category: pick(CATEGORIES),
          metadata: r < 0.05 ? { source: 'soak' } : undefined,
        });
      } else if (r < 0.75) {
        cache.get(key, { includeStale: r < 0.6 });
      } else if (r < 0.8) {
        cache.hasKey(key, { freshOnly: r < 0.78 });
      } else if (r < 0.86) {
        cache.invalidate(key);
      } else if (r < 0.92) {
        cache.delete(key);
      } else if (r < 0.97) {
        cache.getData(key);
      } else if (r < 0.98) {
        void cache.wrap(key, () => ({ loaded: done }), { ttl: pick(TTLS) });
      } else if (r < 0.9995) {
        cache.getStats();
      } else if (r < 0.9998) {
        cache.invalidateCategory(pick(CATEGORIES));
      } else {
        cache.clear(pick(CATEGORIES));
      }
      const held = cache.size;
      if (held > maxHeld) maxHeld = held;
    }
    longestBatchMs = Math.max(longestBatchMs, performance.now() - batchStart);
    if (MAX_BYTES !== undefined) {
      const bytes = cache.getStats().totalBytes ?? 0;
      if (bytes > maxBytesHeld) maxBytesHeld = bytes;
    }
    await nextTurn();
    if (done % sampleEvery === 0 || done >= OPS) {
      const sample = { ops: done, mb: heapMb(), held: cache.size };
      heap.push(sample);
      console.log(
        `${String(done).padStart(10)} ${String(sample.held).padStart(6)} ${sample.mb.toFixed(1).padStart(8)} ` +
          `${String(cleanupRuns).padStart(9)} ${String(cleanedUp).padStart(8)} ` +
          `${((performance.now() - started) / 1000).toFixed(1).padStart(10)}`,
      );
    }
  }
  loop.disable();

  // The statistics must agree with the entries themselves.
  const stats = cache.getStats();
  const entries = [...cache.getAllEntries().values()];
  const count = (s: CacheStatus) => entries.filter((e) => e.status === s).length;
  const recount = [
    entries.length,
    count(CacheStatus.FRESH),
    count(CacheStatus.STALE),
    count(CacheStatus.EXPIRED),
    count(CacheStatus.INVALID),
  ];
  const reported = [
    stats.totalEntries,
    stats.freshEntries,
    stats.staleEntries,
    stats.expiredEntries,
    stats.invalidEntries,
  ];
  if (recount.join() !== reported.join())
    failures.push(`stats ${reported.join()} but entries say ${recount.join()}`);
  if (maxHeld > MAX_ENTRIES) failures.push(`held ${maxHeld} entries, maxEntries is ${MAX_ENTRIES}`);
  if (MAX_BYTES !== undefined) {
    if (maxBytesHeld > MAX_BYTES)
      failures.push(`held ${maxBytesHeld} bytes, maxBytes is ${MAX_BYTES}`);
    const overBudget = Math.max(...heap.map((h) => h.mb - heap[0]!.mb)) * 2 ** 20;
    if (gc !== undefined && overBudget > MAX_BYTES * (1 + ESTIMATE_ERROR)) {
      failures.push(
        `the heap grew ${(overBudget / 2 ** 20).toFixed(1)} MB, over maxBytes plus ${ESTIMATE_ERROR * 100}%`,
      );
    }
  }
  if (cleanupRuns === 0) failures.push('the automatic cleanup never removed anything');
  // Flat heap: after warm-up (the second sample) the heap may wobble, not grow.
  const warm = heap[2] ?? heap[heap.length - 1]!;
  const last = heap[heap.length - 1]!;
  const peak = Math.max(...heap.slice(2).map((h) => h.mb));
  if (gc !== undefined && last.mb > warm.mb * 1.25 + 2) {
    failures.push(`heap grew from ${warm.mb.toFixed(1)} MB to ${last.mb.toFixed(1)} MB`);
  }

  const seconds = (performance.now() - started) / 1000;
  console.log('');
  console.log(`ops/s                     ${Math.round(OPS / seconds).toLocaleString('en')}`);
  console.log(`entries held, max        ${maxHeld} (maxEntries ${MAX_ENTRIES})`);
  if (MAX_BYTES !== undefined) {
    console.log(
      `bytes held, max          ${maxBytesHeld.toLocaleString('en')} (maxBytes ${MAX_BYTES.toLocaleString('en')}); ` +
        `heap growth, max ${Math.max(...heap.map((h) => h.mb - heap[0]!.mb)).toFixed(1)} MB`,
    );
  }
  console.log(
    `heap after warm-up / end  ${warm.mb.toFixed(1)} MB / ${last.mb.toFixed(1)} MB (peak ${peak.toFixed(1)} MB)`,
  );
  console.log(
    `automatic cleanups        ${cleanupRuns} runs removed ${cleanedUp} entries (totalCleanups ${stats.totalCleanups})`,
  );
  console.log(
    `evictions, hits, misses   ${stats.totalEvictions}, ${stats.totalHits}, ${stats.totalMisses}`,
  );
  console.log(
    `event-loop delay          max ${(loop.max / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms ` +
      `(longest batch of our own ${BATCH} ops: ${longestBatchMs.toFixed(1)} ms)`,
  );
  cache.shutdown();
  if (failures.length > 0) {
    console.error(`\nFAILED:\n- ${failures.join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log(
      '\nOK: entries within maxEntries' +
        (MAX_BYTES === undefined ? '' : ', bytes within maxBytes, heap within it plus the error') +
        ', heap flat, statistics consistent.',
    );
  }
}

void main();
