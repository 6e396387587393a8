/** What the suite measures: workloads, sizes, parts, modes, and where each figure is kept. */
import type { Implementation } from './adapters.js';

export const OP_WORKLOADS = ['get-hit', 'set-existing', 'set-evict', 'mix'] as const;
export type OpWorkload = (typeof OP_WORKLOADS)[number];

export const PARTS = ['ops', 'paired', 'category', 'stats', 'memory', 'cleanup', 'http'] as const;
export type Part = (typeof PARTS)[number];
export const CAPACITIES = [1_000, 100_000];
/**
 * The workloads the `paired` part times again with the sync implementations side by side in one
 * process (see paired.child.ts), where the machine's drift cannot tell them apart.
 */
export const PAIRED_WORKLOADS = OP_WORKLOADS;
export const STATS_SIZES = [100_000, 1_000_000];
export const MEMORY_ENTRIES = 100_000;
export const CLEANUP_ENTRIES = 1_000_000;
export const HTTP_ROUTES = ['trivial', 'cached', 'interceptor'] as const;
export type HttpRoute = (typeof HTTP_ROUTES)[number];

export const MODES = {
  quick: {
    runs: 3,
    minCpuMs: 300,
    paired: { windows: 15, windowMs: 100 },
    categoryRounds: 40,
    statsCalls: 51,
    http: { warmupS: 1, durationS: 3, connections: 10 },
  },
  full: {
    runs: 7,
    minCpuMs: 800,
    paired: { windows: 40, windowMs: 100 },
    categoryRounds: 200,
    statsCalls: 201,
    http: { warmupS: 2, durationS: 10, connections: 10 },
  },
};
export type Mode = keyof typeof MODES;
export type ModeConfig = (typeof MODES)[Mode];

/** Category jobs: 1% of the cache, plus a 10-entry category in both sizes (does the cost follow
 * the category's size or the cache's?). */
export const CATEGORY_CASES: { capacity: number; categorySize: number }[] = [
  { capacity: 1_000, categorySize: 10 },
  { capacity: 100_000, categorySize: 1_000 },
  { capacity: 100_000, categorySize: 10 },
];

/** Every measured value, one element per run. */
export interface Figures {
  ops: Record<string, { nsPerOp: number[]; p50Ns: number[]; hitRatio: number[] }>;
  /** By `opsId`: the paired part's median ns and ratio to lru-cache, one element per run. */
  paired: Record<string, { nsPerOp: number[]; vsLruCache: number[] }>;
  category: Record<string, number[]>;
  stats: Record<
    string,
    {
      steadyMs: number[];
      bodyMs: number[];
      firstMs: number[];
      afterStaleMs: number[];
      afterStaleSpreadMs: number[];
    }
  >;
  memory: Record<string, number[]>;
  cleanup: {
    totalMs: number[];
    maxDelayMs: number[];
    p99DelayMs: number[];
    longestTurnMs: number[];
    longestGcMs: number[];
    gcTotalMs: number[];
    removed: number[];
  };
  http: Record<string, { requestsPerSecond: number[]; p99Ms: number[]; failures: number[] }>;
}

export const opsId = (workload: OpWorkload, capacity: number, impl: Implementation) =>
  `${workload}@${capacity}/${impl}`;
export const categoryId = (capacity: number, categorySize: number, impl: Implementation) =>
  `${capacity}/${categorySize}/${impl}`;
