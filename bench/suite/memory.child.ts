/**
 * Heap per entry in a fresh process (run with `--expose-gc`): heapUsed after a forced GC, before
 * and after creating the cache and writing `entries` small JSON values. Key strings are created
 * before the first reading, so the figure is what the cache adds per entry: its bookkeeping and
 * the value it keeps (a copy, for this library; the caller's object, for the others).
 * Job (argv[2], JSON): `{ impl, entries }`.
 */
import { createAdapter, type Implementation } from './adapters.js';
import { forceGc, readJob, runChild } from './child.util.js';
import { makeKeys, makeValue } from './workloads.js';

export interface MemoryJob {
  impl: Implementation;
  entries: number;
}

export interface MemoryResult {
  bytesPerEntry: number;
  size: number;
}

runChild(async (): Promise<MemoryResult> => {
  const job = readJob<MemoryJob>();
  const keys = makeKeys(job.entries);
  // Load the implementation's modules before the first reading: importing this library also
  // loads Nest, a fixed cost that is not per entry (lru-cache is imported statically).
  const warmUp = await createAdapter(job.impl, 1);
  const warmSet = warmUp.set('warm-up', makeValue(0));
  if (warmUp.async) await warmSet;
  forceGc();
  const before = process.memoryUsage().heapUsed;
  const adapter = await createAdapter(job.impl, job.entries);
  for (let i = 0; i < keys.length; i++) {
    const r = adapter.set(keys[i]!, makeValue(i));
    if (adapter.async) await r;
  }
  forceGc();
  const after = process.memoryUsage().heapUsed;
  // Keep the cache and the keys alive until after the reading.
  const size = adapter.size() + keys.length * 0;
  return { bytesPerEntry: (after - before) / job.entries, size };
});
