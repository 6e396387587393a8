/**
 * One implementation, one workload, one capacity, in a fresh process: ns per op with mitata.
 * Job (argv[2], JSON): `{ impl, workload, capacity, minCpuMs }`.
 */
import { do_not_optimize, measure } from 'mitata';

import { createAdapter, type Adapter, type Implementation } from './adapters.js';
import { readJob, runChild } from './child.util.js';
import type { OpWorkload } from './plan.js';
import { makeKeys, makeValue, setFlags, shuffled, zipfSequence } from './workloads.js';

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

const ZIPF_S = 0.99;
const MIX_LENGTH = 1 << 20;
const SET_SHARE = 0.1;

type Op = () => unknown;

/** Builds the timed function and fills the cache as the workload needs. */
async function prepare(
  adapter: Adapter,
  workload: OpWorkload,
  capacity: number,
): Promise<{ op: Op; afterWarm?: () => void; hitRatio?: () => number }> {
  const a = adapter;
  const fill = async (keys: readonly string[]) => {
    for (let i = 0; i < keys.length; i++) {
      const r = a.set(keys[i]!, makeValue(i));
      if (a.async) await r;
    }
  };
  switch (workload) {
    case 'get-hit':
    case 'set-existing': {
      const keys = makeKeys(capacity);
      await fill(keys);
      const order = shuffled(keys, 1);
      const n = order.length;
      let i = 0;
      if (workload === 'get-hit') {
        // Warm: every key read once before timing (this library freezes a value on its first
        // read; a warm cache has paid that already).
        for (const key of order) {
          const r = a.get(key);
          if (a.async) await r;
        }
        return {
          op: a.async
            ? async () => {
                const k = order[i]!;
                i = i + 1 === n ? 0 : i + 1;
                do_not_optimize(await a.get(k));
              }
            : () => {
                const k = order[i]!;
                i = i + 1 === n ? 0 : i + 1;
                do_not_optimize(a.get(k));
              },
        };
      }
      return {
        op: a.async
          ? async () => {
              const k = order[i]!;
              i = i + 1 === n ? 0 : i + 1;
              await a.set(k, makeValue(i));
            }
          : () => {
              const k = order[i]!;
              i = i + 1 === n ? 0 : i + 1;
              do_not_optimize(a.set(k, makeValue(i)));
            },
      };
    }
    case 'set-evict': {
      // A ring of 2× capacity keys written in order: the key written next was written
      // `capacity` writes ago or never, so it is always new and every write evicts.
      const ring = makeKeys(capacity * 2, 'ring');
      const n = ring.length;
      await fill(ring.slice(0, capacity));
      let i = capacity;
      return {
        op: a.async
          ? async () => {
              const k = ring[i]!;
              const oldest = ring[i >= capacity ? i - capacity : i + capacity]!;
              i = i + 1 === n ? 0 : i + 1;
              await a.setEvicting(k, oldest, makeValue(i));
            }
          : () => {
              const k = ring[i]!;
              const oldest = ring[i >= capacity ? i - capacity : i + capacity]!;
              i = i + 1 === n ? 0 : i + 1;
              do_not_optimize(a.setEvicting(k, oldest, makeValue(i)));
            },
      };
    }
    case 'mix': {
      const keys = makeKeys(capacity * 10);
      const draws = zipfSequence(keys.length, ZIPF_S, MIX_LENGTH, 7);
      const sequence = Array.from(draws, (r) => keys[r]!);
      const flags = setFlags(MIX_LENGTH, SET_SHARE, 11);
      const n = MIX_LENGTH;
      let i = 0;
      let hits = 0;
      let gets = 0;
      const syncOp = () => {
        const k = sequence[i]!;
        const isSet = flags[i] === 1;
        i = i + 1 === n ? 0 : i + 1;
        if (isSet) {
          a.set(k, makeValue(i));
        } else {
          gets++;
          if (a.get(k) !== undefined) hits++;
        }
      };
      const asyncOp = async () => {
        const k = sequence[i]!;
        const isSet = flags[i] === 1;
        i = i + 1 === n ? 0 : i + 1;
        if (isSet) {
          await a.set(k, makeValue(i));
        } else {
          gets++;
          if ((await a.get(k)) !== undefined) hits++;
        }
      };
      // One warm pass over the whole sequence: the cache holds what the mix keeps hot.
      for (let w = 0; w < n; w++) {
        if (a.async) await asyncOp();
        else syncOp();
      }
      return {
        op: a.async ? asyncOp : syncOp,
        afterWarm: () => {
          hits = 0;
          gets = 0;
        },
        hitRatio: () => (gets === 0 ? Number.NaN : hits / gets),
      };
    }
  }
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
