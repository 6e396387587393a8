/**
 * The benchmark suite's entry point: `npm run bench` (full) or `npm run bench:quick` (short).
 *
 * Every figure comes from several runs, each in fresh child processes, one implementation per
 * process; runs are interleaved (run 1 of everything, then run 2…), and the implementations of a
 * workload run back to back, so ratios are taken within a run and then summarised. Tables show
 * medians with min–max over runs; the raw values go to `bench/results/bench-<mode>-<time>.json`.
 *
 *   node bench/results/suite-build/bench/suite/run.js [--quick] [--only ops,category,...]
 *   node bench/results/suite-build/bench/suite/run.js --report bench/results/latest-quick.json
 * Parts: ops, paired, category, stats, memory, cleanup, http. `BENCH_RUNS=n` overrides the run count;
 * `BENCH_BASELINE=/path/to/index.js` adds another build to the operation workloads (`baseline`).
 */
import autocannon from 'autocannon';
import { execFileSync, fork } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { BASELINE, IMPLEMENTATIONS, type Implementation } from './adapters.js';
import type { CategoryJob, CategoryResult } from './category.child.js';
import type { CleanupResult } from './cleanup.child.js';
import { baselinePath, corePath } from './core.js';
import type { GetStatsResult } from './get-stats.child.js';
import type { MemoryResult } from './memory.child.js';
import type { OpsResult } from './ops.child.js';
import type { PairedJob, PairedResult } from './paired.child.js';
import {
  CAPACITIES,
  CATEGORY_CASES,
  categoryId,
  CLEANUP_ENTRIES,
  HTTP_ROUTES,
  MEMORY_ENTRIES,
  MODES,
  OP_WORKLOADS,
  opsId,
  PAIRED_WORKLOADS,
  PARTS,
  STATS_SIZES,
  type Figures,
  type Mode,
  type ModeConfig,
  type Part,
} from './plan.js';
import { printReport } from './report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = resolve('bench/results');

export interface HttpResult {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/**
 * The children's environment: `BENCH_CORE` (and `BENCH_BASELINE`, if given) name the snapshots of
 * the builds under test.
 */
let childEnv: NodeJS.ProcessEnv = process.env;

interface BuildSnapshot {
  source: string;
  snapshot: string;
}

/** Copies the builds' folders aside, so the whole run measures the same builds. */
function snapshotBuilds(): { core: BuildSnapshot; baseline: BuildSnapshot | undefined } {
  const copy = (source: string, folderName: string): BuildSnapshot => {
    if (!existsSync(source)) throw new Error(`${source} not found: run \`npm run build\``);
    const folder = join(RESULTS_DIR, folderName);
    rmSync(folder, { recursive: true, force: true });
    cpSync(dirname(source), folder, { recursive: true });
    return { source, snapshot: join(folder, basename(source)) };
  };
  const core = copy(corePath(), 'core-snapshot');
  const baselineSource = baselinePath();
  const baseline =
    baselineSource === undefined ? undefined : copy(baselineSource, 'baseline-snapshot');
  childEnv = {
    ...process.env,
    BENCH_CORE: core.snapshot,
    ...(baseline === undefined ? {} : { BENCH_BASELINE: baseline.snapshot }),
  };
  return { core, baseline };
}

/** The implementations the operation workloads measure: the baseline too, when one is given. */
function opsImplementations(): Implementation[] {
  return baselinePath() === undefined ? [...IMPLEMENTATIONS] : [...IMPLEMENTATIONS, BASELINE];
}

function childPath(name: string): string {
  return join(HERE, `${name}.child.js`);
}

/** Forks a child with its job; resolves with the one message it sends back. */
function runChild<R>(name: string, job: unknown, execArgv: string[] = []): Promise<R> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(childPath(name), [JSON.stringify(job)], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: childEnv,
    });
    let answered = false;
    child.once('message', (message) => {
      answered = true;
      resolvePromise(message as R);
    });
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`${name} child ${JSON.stringify(job)} exited with ${code}`));
    });
  });
}

/** The order of jobs changes from run to run, so no implementation always goes first. */
function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function runOps(figures: Figures, config: ModeConfig, run: number): Promise<void> {
  for (const capacity of CAPACITIES) {
    for (const workload of OP_WORKLOADS) {
      for (const impl of rotate(opsImplementations(), run)) {
        const id = opsId(workload, capacity, impl);
        const result = await runChild<OpsResult>('ops', {
          impl,
          workload,
          capacity,
          minCpuMs: config.minCpuMs,
        });
        const figure = (figures.ops[id] ??= { nsPerOp: [], p50Ns: [], hitRatio: [] });
        figure.nsPerOp[run] = result.nsPerOp;
        figure.p50Ns[run] = result.p50Ns;
        figure.hitRatio[run] = result.hitRatio ?? Number.NaN;
        progress(`  run ${run + 1} ${id}: ${result.nsPerOp.toFixed(1)} ns/op`);
      }
    }
  }
}

async function runPaired(figures: Figures, config: ModeConfig, run: number): Promise<void> {
  // Sync implementations only: cache-manager's promises would time the event loop, not the cache.
  const impls = opsImplementations().filter((impl) => impl !== 'cache-manager');
  for (const capacity of CAPACITIES) {
    for (const workload of PAIRED_WORKLOADS) {
      const job: PairedJob = {
        workload,
        capacity,
        impls: rotate(impls, run),
        windows: config.paired.windows,
        windowMs: config.paired.windowMs,
      };
      const result = await runChild<PairedResult>('paired', job);
      for (const impl of impls) {
        const id = opsId(workload, capacity, impl);
        const figure = (figures.paired[id] ??= { nsPerOp: [], vsLruCache: [] });
        figure.nsPerOp[run] = result.nsPerOp[impl] ?? Number.NaN;
        figure.vsLruCache[run] = result.vsLruCache[impl] ?? Number.NaN;
      }
      const summary = impls
        .map((impl) => `${impl} ${result.nsPerOp[impl]?.toFixed(1)} ns`)
        .join(', ');
      progress(`  run ${run + 1} paired ${workload}@${capacity}: ${summary}`);
    }
  }
}

async function runCategory(figures: Figures, config: ModeConfig, run: number): Promise<void> {
  for (const { capacity, categorySize } of CATEGORY_CASES) {
    for (const impl of rotate(IMPLEMENTATIONS, run)) {
      const job: CategoryJob = { impl, capacity, categorySize, rounds: config.categoryRounds };
      const result = await runChild<CategoryResult>('category', job);
      const id = categoryId(capacity, categorySize, impl);
      (figures.category[id] ??= [])[run] = result.nsPerCall ?? Number.NaN;
      progress(`  run ${run + 1} invalidateCategory ${id}: ${result.nsPerCall ?? 'n/a'} ns`);
    }
  }
}

async function runStats(figures: Figures, config: ModeConfig, run: number): Promise<void> {
  for (const entries of STATS_SIZES) {
    const result = await runChild<GetStatsResult>('get-stats', {
      entries,
      calls: config.statsCalls,
    });
    const figure = (figures.stats[entries] ??= {
      steadyMs: [],
      bodyMs: [],
      firstMs: [],
      afterStaleMs: [],
      afterStaleSpreadMs: [],
    });
    figure.steadyMs[run] = result.steadyMs;
    figure.bodyMs[run] = result.bodyMs;
    figure.firstMs[run] = result.firstMs;
    figure.afterStaleMs[run] = result.afterStaleMs;
    figure.afterStaleSpreadMs[run] = result.afterStaleSpreadMs;
    progress(`  run ${run + 1} getStats ${entries}: ${JSON.stringify(result)}`);
  }
}

async function runMemory(figures: Figures, run: number): Promise<void> {
  for (const impl of rotate(IMPLEMENTATIONS, run)) {
    const result = await runChild<MemoryResult>('memory', { impl, entries: MEMORY_ENTRIES }, [
      '--expose-gc',
    ]);
    (figures.memory[impl] ??= [])[run] = result.bytesPerEntry;
    progress(`  run ${run + 1} memory ${impl}: ${result.bytesPerEntry.toFixed(0)} B/entry`);
  }
}

async function runCleanup(figures: Figures, run: number): Promise<void> {
  const result = await runChild<CleanupResult>('cleanup', { entries: CLEANUP_ENTRIES });
  for (const key of [
    'totalMs',
    'maxDelayMs',
    'p99DelayMs',
    'longestTurnMs',
    'longestGcMs',
    'gcTotalMs',
    'removed',
  ] as const) {
    figures.cleanup[key][run] = result[key];
  }
  progress(`  run ${run + 1} cleanup: ${JSON.stringify(result)}`);
}

async function startApp(): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = fork(childPath('http-app'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: childEnv,
  });
  const port = await new Promise<number>((resolvePromise, reject) => {
    child.once('message', (message) => resolvePromise((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the HTTP app exited with ${code}`)));
  });
  return {
    port,
    stop: () =>
      new Promise((resolvePromise) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolvePromise());
        child.send('stop');
      }),
  };
}

async function cannon(url: string, durationS: number, connections: number): Promise<HttpResult> {
  const result = await autocannon({ url, connections, duration: durationS, pipelining: 1 });
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function runHttp(figures: Figures, config: ModeConfig, run: number): Promise<void> {
  const app = await startApp();
  try {
    for (const route of rotate(HTTP_ROUTES, run)) {
      const url = `http://127.0.0.1:${app.port}/${route}`;
      await cannon(url, config.http.warmupS, config.http.connections);
      const result = await cannon(url, config.http.durationS, config.http.connections);
      const figure = (figures.http[route] ??= { requestsPerSecond: [], p99Ms: [], failures: [] });
      figure.requestsPerSecond[run] = result.requestsPerSecond;
      figure.p99Ms[run] = result.p99Ms;
      figure.failures[run] = result.non2xx + result.errors;
      progress(`  run ${run + 1} http ${route}: ${JSON.stringify(result)}`);
    }
  } finally {
    await app.stop();
  }
}

function tryRun(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function versionOf(name: string): string {
  try {
    const manifest = readFileSync(resolve('node_modules', name, 'package.json'), 'utf8');
    return (JSON.parse(manifest) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(
    existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '',
  );
  return {
    nproc: os.availableParallelism(),
    arch: os.arch(),
    cpu: cpu?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverageAtStart: os.loadavg(),
  };
}

function parseArgs(argv: string[]): { mode: Mode; parts: Part[] } {
  const mode: Mode = argv.includes('--quick') ? 'quick' : 'full';
  const only = argv.indexOf('--only');
  const parts = only >= 0 ? (argv[only + 1] ?? '').split(',') : [...PARTS];
  for (const part of parts) {
    if (!PARTS.includes(part as Part)) {
      throw new Error(`unknown part "${part}"; parts: ${PARTS.join(', ')}`);
    }
  }
  return { mode, parts: parts as Part[] };
}

/** `--report <file.json>`: prints the tables of a saved run again (after changing the report). */
function reprint(file: string): void {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {
    meta: Parameters<typeof printReport>[2] & { parts: Part[] };
    figures: Figures;
  };
  console.log(printReport(saved.figures, saved.meta.parts, saved.meta).text);
}

async function main(): Promise<void> {
  const reportAt = process.argv.indexOf('--report');
  if (reportAt >= 0) return reprint(process.argv[reportAt + 1] ?? '');
  const { mode, parts } = parseArgs(process.argv.slice(2));
  const config = { ...MODES[mode] };
  if (process.env.BENCH_RUNS !== undefined) config.runs = Number(process.env.BENCH_RUNS);
  const { core, baseline } = snapshotBuilds();
  const startedAt = new Date();
  const meta = {
    date: startedAt.toISOString(),
    mode,
    parts,
    command: `npm run ${mode === 'quick' ? 'bench:quick' : 'bench'}`,
    machine: machine(),
    git: {
      commit: tryRun('git', ['rev-parse', '--short', 'HEAD']),
      uncommittedInLib: tryRun('git', ['status', '--porcelain', '--', 'lib'])
        .split('\n')
        .filter(Boolean),
    },
    core,
    baseline,
    versions: Object.fromEntries(
      ['lru-cache', 'cache-manager', 'keyv', 'mitata', 'autocannon', '@nestjs/cache-manager'].map(
        (name) => [name, versionOf(name)],
      ),
    ),
    config,
  };
  progress(`bench (${mode}): ${config.runs} runs of ${parts.join(', ')}`);
  const figures: Figures = {
    ops: {},
    paired: {},
    category: {},
    stats: {},
    memory: {},
    cleanup: {
      totalMs: [],
      maxDelayMs: [],
      p99DelayMs: [],
      longestTurnMs: [],
      longestGcMs: [],
      gcTotalMs: [],
      removed: [],
    },
    http: {},
  };
  for (let run = 0; run < config.runs; run++) {
    progress(`run ${run + 1}/${config.runs}`);
    if (parts.includes('ops')) await runOps(figures, config, run);
    if (parts.includes('paired')) await runPaired(figures, config, run);
    if (parts.includes('category')) await runCategory(figures, config, run);
    if (parts.includes('stats')) await runStats(figures, config, run);
    if (parts.includes('memory')) await runMemory(figures, run);
    if (parts.includes('cleanup')) await runCleanup(figures, run);
    if (parts.includes('http')) await runHttp(figures, config, run);
  }
  const finishedMeta = {
    ...meta,
    minutes: (Date.now() - startedAt.getTime()) / 60_000,
    loadAverageAtEnd: os.loadavg(),
  };
  const { text, targets } = printReport(figures, parts, finishedMeta);
  console.log(text);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const file = join(RESULTS_DIR, `bench-${mode}-${stamp}.json`);
  const body = JSON.stringify({ meta: finishedMeta, targets, figures }, null, 2);
  writeFileSync(file, body);
  writeFileSync(join(RESULTS_DIR, `latest-${mode}.json`), body);
  writeFileSync(join(RESULTS_DIR, `latest-${mode}.txt`), `${text}\n`);
  console.log(`\nresults: ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
