/**
 * The timed operation of each workload, built over an adapter with the cache filled as the
 * workload needs. Shared by the ops child (one implementation per process) and the paired child
 * (several in one process, each from its own instance of this module: `import('./op-prepare.js?'
 * + impl)` gives every implementation its own copy of these functions, so no call site here is
 * shared, and made polymorphic, by two caches).
 */
import { do_not_optimize } from 'mitata';

import type { Adapter } from './adapters.js';
import type { OpWorkload } from './plan.js';
import { makeKeys, makeValue, setFlags, shuffled, zipfSequence } from './workloads.js';

const ZIPF_S = 0.99;
const MIX_LENGTH = 1 << 20;
const SET_SHARE = 0.1;

export type Op = () => unknown;

/** Builds the timed function and fills the cache as the workload needs. */
export async function prepare(
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

/** Runs `op` `count` times; @returns the mean ns per call. For sync operations only. */
export function timeOps(op: Op, count: number): number {
  const started = process.hrtime.bigint();
  for (let k = 0; k < count; k++) op();
  return Number(process.hrtime.bigint() - started) / count;
}
