/**
 * One implementation, one workload, one capacity, in a fresh process: ns per op with mitata.
 * Job (argv[2], JSON): `{ impl, workload, capacity, minCpuMs }`.
 */
import { measure } from 'mitata';

import { createAdapter, type Implementation } from './adapters.js';
import { readJob, runChild } from './child.util.js';
import { prepare } from './op-prepare.js';
import type { OpWorkload } from './plan.js';

export interface OpsJob {
  impl: Implementation;
  workload: OpWorkload;
  capacity: number;
  minCpuMs: number;
}

export interface OpsResult {
  /** Mean ns per op over every sample (GC pauses included: allocation is part of the cost). */
  nsPerOp: number;
  /** Median of the samples (each the mean of a batch), for reference. */
  p50Ns: number;
  samples: number;
  /** For `mix`: gets that found a value / all gets, measured after one warm pass. */
  hitRatio?: number;
  sizeAfter: number;
}

runChild(async (): Promise<OpsResult> => {
  const job = readJob<OpsJob>();
  const adapter = await createAdapter(job.impl, job.capacity);
  const { op, afterWarm, hitRatio } = await prepare(adapter, job.workload, job.capacity);
  afterWarm?.();
  // Always batch (4096 calls a sample): mitata otherwise times single calls when its warm-up call
  // happens to be slow (a preempted process), and single-call samples are mostly timer overhead.
  const stats = await measure(op, {
    min_cpu_time: job.minCpuMs * 1e6,
    warmup_threshold: Infinity,
    batch_threshold: Infinity,
  });
  return {
    nsPerOp: stats.avg,
    p50Ns: stats.p50,
    samples: stats.samples.length,
    hitRatio: hitRatio?.(),
    sizeAfter: adapter.size(),
  };
});
