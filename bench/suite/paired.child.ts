/**
 * Several implementations, one workload, one capacity, in ONE process, timed in alternating
 * windows: `{ impl: ns/op }` medians and, per implementation, the median over windows of
 * (lru-cache's ns / its ns) taken from neighbouring windows.
 * Job (argv[2], JSON): `{ workload, capacity, impls, windows, windowMs }`.
 *
 * Why: at 100,000 entries a get is a few dependent cache misses, and on a shared machine the
 * memory system's latency drifts by 2× within seconds (a bare Map's get moves between ~110 and
 * ~380 ns from one second to the next while the same loop over 1,000 keys stays flat). Two
 * implementations measured one after the other, in separate processes, see different machines;
 * windows of a tenth of a second, alternated, see the same one, so their ratio is the code's.
 */
import { createAdapter, type Implementation } from './adapters.js';
import { median, readJob, runChild } from './child.util.js';
import type { OpWorkload } from './plan.js';

export interface PairedJob {
  workload: OpWorkload;
  capacity: number;
  /** Sync implementations only; must include lru-cache (the reference of the ratios). */
  impls: Implementation[];
  windows: number;
  windowMs: number;
}

export interface PairedResult {
  nsPerOp: Partial<Record<Implementation, number>>;
  /** Median over windows of lru-cache's ns / this implementation's ns (higher is faster). */
  vsLruCache: Partial<Record<Implementation, number>>;
}

type OpPrepareModule = typeof import('./op-prepare.js');

runChild(async (): Promise<PairedResult> => {
  const job = readJob<PairedJob>();
  const contestants = [];
  for (const impl of job.impls) {
    // A module instance per implementation: its own operation closures and timing loop.
    const { prepare, timeOps } = (await import(`./op-prepare.js?${impl}`)) as OpPrepareModule;
    const adapter = await createAdapter(impl, job.capacity);
    if (adapter.async) throw new Error(`${impl} is async: the paired part times sync caches`);
    const { op, afterWarm } = await prepare(adapter, job.workload, job.capacity);
    afterWarm?.();
    contestants.push({ impl, op, timeOps, ns: [] as number[] });
  }
  // Calibrate one operation count for everyone: a window of the slowest is about windowMs.
  let slowestNs = 0;
  for (const c of contestants) slowestNs = Math.max(slowestNs, c.timeOps(c.op, 20_000));
  const count = Math.max(1_000, Math.round((job.windowMs * 1e6) / slowestNs));
  for (const c of contestants) c.timeOps(c.op, count); // warm at the window's size
  for (let w = 0; w < job.windows; w++) {
    // Rotate who goes first, so no implementation always follows the same one.
    for (let i = 0; i < contestants.length; i++) {
      const c = contestants[(w + i) % contestants.length]!;
      c.ns.push(c.timeOps(c.op, count));
    }
  }
  const reference = contestants.find((c) => c.impl === 'lru-cache');
  if (reference === undefined) throw new Error('the paired part needs lru-cache');
  const result: PairedResult = { nsPerOp: {}, vsLruCache: {} };
  for (const c of contestants) {
    result.nsPerOp[c.impl] = median(c.ns);
    result.vsLruCache[c.impl] = median(c.ns.map((ns, w) => reference.ns[w]! / ns));
  }
  return result;
});
