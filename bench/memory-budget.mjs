// `npm run bench:memory`: the `maxBytes` estimate against the heap, and what the budget costs.
//
// 1. Accuracy. For each value shape, a fresh `node --expose-gc` process writes 100,000 entries
//    (values made by JSON.parse of a text built per entry, as values from a database or an HTTP
//    call are: flat strings, no sharing) into a cache with a budget large enough to evict
//    nothing, and compares the cache's `totalBytes` with the measured growth of
//    `heapUsed + arrayBuffers` (the typed-array columns live outside the JS heap) after forced
//    GCs. Target: within ±25% per shape.
// 2. Cost of `set` with maxBytes on (a budget that never binds, and one that evicts by bytes on
//    every write) against off, and off against another build (`BENCH_BASELINE`, that build's
//    dist/core/index.js; its on/off ratio is shown too, measured in the same processes). Each figure is the median of per-call CPU times over batches of 4,096
//    sets; the modes of one case run in one fresh process, batch after batch in turn, and a
//    ratio is taken between neighbouring batches. Target: on within 10% of off.
// 3. Where the cost is: the sized snapshot walk against the plain one, value by value, for a few
//    shapes (one process a run, the two walks in alternating batches, the ratio taken between
//    neighbouring batches as in 2), and the test of a long
//    string's characters that the sized walk makes for every string over 8 characters.
//
// Options: --runs N (default 5), --only accuracy|cost|walk. Needs a build (`npm run bench:memory`
// builds first).
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import { cpSync, rmSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORE = resolve(ROOT, 'dist/core/index.js');
const ENTRIES = 100_000;

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};

/** Each shape: the JSON text of entry `i`. */
const SHAPES = {
  'small objects': (i) =>
    `{"id":${i},"name":"user-${i}","email":"user${i}@example.com","active":${i % 2 === 0},"score":${i + 0.5}}`,
  'long ASCII strings (1,000 chars)': (i) => JSON.stringify(`${i}:`.padEnd(1000, 'abcdefghij')),
  'Latin-1 strings (1,000 chars, one-byte)': (i) =>
    JSON.stringify(`${i}:`.padEnd(1000, 'déjà vu ')),
  'non-ASCII strings (500 chars, two-byte)': (i) => JSON.stringify(`${i}:`.padEnd(500, 'день日本')),
  // The model counts strings of up to 8 characters as one byte a character: its worst case.
  'short two-byte strings (5–8 chars, 4 a value)': (i) =>
    JSON.stringify({ a: `日本${i % 100_000}`, b: `день${i % 10_000}`, c: `東京${i}`, d: `€${i}` }),
  'arrays of 50 numbers': (i) =>
    JSON.stringify(Array.from({ length: 50 }, (_, j) => (j % 2 === 0 ? i + j : (i + j) / 7))),
  'nested objects': (i) =>
    JSON.stringify({
      user: { id: i, profile: { name: `name ${i}`, tags: [`t${i}`, `u${i}`, `v${i}`] } },
      meta: { created: 1_700_000_000_000 + i, flags: [true, false], source: `src-${i % 1000}` },
      items: [
        { sku: `sku-${i}-1`, qty: 1, price: 9.99 },
        { sku: `sku-${i}-2`, qty: 2, price: 19.5 },
      ],
    }),
};

function gc() {
  for (let i = 0; i < 4; i++) globalThis.gc();
}

function used() {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function accuracy(CacheManager, { shape }) {
  const text = SHAPES[shape];
  const options = { maxEntries: ENTRIES, maxBytes: 2 ** 40, cleanupInterval: 0 };
  new CacheManager(options).set('warm-up', JSON.parse(text(0)));
  gc();
  const before = used();
  const cache = new CacheManager(options);
  for (let i = 0; i < ENTRIES; i++) {
    cache.set(`key:${String(i).padStart(6, '0')}`, JSON.parse(text(i)));
  }
  gc();
  const measured = used() - before;
  const stats = cache.getStats();
  if (stats.totalEntries !== ENTRIES) throw new Error(`held ${stats.totalEntries}`);
  return { estimated: stats.totalBytes, measured };
}

/** Values for the walk comparison: the cost case's, and three of the accuracy shapes. */
const WALK_SHAPES = {
  'small object (the cost case)': (i) => makeValue(i),
  'user record (3 strings > 8 chars)': (i) => ({
    id: `u-${i}`,
    email: `user${i}@example.com`,
    displayName: `User Number ${i}`,
    roles: ['admin', 'editor'],
    createdAt: '2026-12-01T10:00:00.000Z',
    active: true,
    score: i * 1.5,
  }),
  'nested objects': (i) => JSON.parse(SHAPES['nested objects'](i)),
  'long ASCII string (1,000 chars)': (i) => ({
    id: i,
    text: JSON.parse(SHAPES['long ASCII strings (1,000 chars)'](i)),
  }),
};

/**
 * Runs each case's `batch()` `warmUp` times, then all of them in turn, round after round (the
 * order rotating), for at least `minRounds` rounds and `ms` milliseconds, pushing each batch's
 * time onto the case's `ns`: round `i` of every case ran side by side, so their ratio is the code's.
 */
function interleave(cases, { warmUp, minRounds, ms }) {
  for (const c of cases) for (let w = 0; w < warmUp; w++) c.batch();
  const deadline = performance.now() + ms;
  for (let round = 0; performance.now() < deadline || round < minRounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + round) % cases.length];
      c.ns.push(c.batch());
    }
  }
}

/**
 * The plain walk against the sized one (and a long string's estimate against its length), in
 * alternating batches: ns per value of each, and the median ratio of their neighbouring batches.
 */
async function walk({ core }) {
  const dir = dirname(core);
  const snapshot = await import(pathToFileURL(resolve(dir, 'json-snapshot.util.js')).href);
  const { stringBytes } = await import(pathToFileURL(resolve(dir, 'json-size.util.js')).href);
  const timed = (values, f) => () => {
    const start = process.cpuUsage();
    for (let r = 0; r < 8; r++) for (const v of values) f(v);
    const cpu = process.cpuUsage(start);
    return ((cpu.user + cpu.system) * 1e3) / (8 * values.length);
  };
  const pair = (shape, values, [withoutMode, without], [withMode, withIt]) => ({
    shape,
    without: { mode: withoutMode, batch: timed(values, without), ns: [] },
    with: { mode: withMode, batch: timed(values, withIt), ns: [] },
  });
  const pairs = Object.entries(WALK_SHAPES).map(([shape, make]) =>
    pair(
      shape,
      Array.from({ length: 1024 }, (_, i) => make(i)),
      ['plain', snapshot.snapshotJson],
      [
        'sized',
        (v) => {
          snapshot.snapshotJsonSized(v);
          return snapshot.snapshotBytes();
        },
      ],
    ),
  );
  pairs.push(
    pair(
      'a 12-character string',
      Array.from({ length: 1024 }, (_, i) => `item-${String(i).padStart(7, '0')}`),
      ['length', (v) => v.length + 16],
      ['stringBytes', stringBytes],
    ),
  );
  interleave(
    pairs.flatMap((p) => [p.without, p.with]),
    { warmUp: 100, minRounds: 200, ms: 0 },
  );
  const result = ({ mode, ns }) => ({ mode, ns: median(ns) });
  return pairs.map((p) => ({
    shape: p.shape,
    without: result(p.without),
    with: result(p.with),
    ratio: median(p.with.ns.map((ns, i) => ns / p.without.ns[i])),
  }));
}

/** The value the suite's ops workloads write (bench/suite/workloads.ts). */
const makeValue = (i) => ({ id: i, name: `item-${i}`, tags: ['a', 'b', 'c'], n: i * 2 });

/** A cache set up for `mode`, and a function that times one batch of `workload` on it. */
function costCase(CacheManager, { capacity, mode, workload }) {
  const options = { maxEntries: capacity, cleanupInterval: 0, logger: silent };
  // 'fits': a budget far above what the entries take; 'binding': one that holds about half of
  // `capacity` such entries, so every new key evicts by bytes, not by count.
  const probe = new CacheManager({ ...options, maxBytes: 2 ** 40 });
  probe.set('key-0000000', makeValue(0));
  const one = probe.getStats().totalBytes;
  if (mode === 'fits') options.maxBytes = 2 ** 40;
  if (mode === 'binding') options.maxBytes = one * (capacity / 2);
  const cache = new CacheManager(options);
  const keys = Array.from({ length: 2 * capacity }, (_, i) => `key-${String(i).padStart(7, '0')}`);
  for (let i = 0; i < capacity; i++) cache.set(keys[i], makeValue(i));
  const BATCH = 4096;
  let next = capacity;
  let round = 0;
  return () => {
    // CPU time, not wall time: on a shared machine a preempted batch would count the other
    // processes' time as ours.
    const start = process.cpuUsage();
    if (workload === 'set-existing') {
      for (let j = 0; j < BATCH; j++) {
        const i = (round * BATCH + j) % (mode === 'binding' ? capacity / 4 : capacity);
        cache.set(keys[i], makeValue(i));
      }
    } else {
      for (let j = 0; j < BATCH; j++) {
        cache.set(keys[next], makeValue(next));
        next = next + 1 === keys.length ? 0 : next + 1;
      }
    }
    round++;
    const cpu = process.cpuUsage(start);
    return ((cpu.user + cpu.system) * 1e3) / BATCH;
  };
}

/**
 * Every implementation of one case in ONE process, in alternating batches: the machine's drift
 * (memory latency moves by 2x within seconds here) hits all of them alike, so the ratio of
 * neighbouring batches is the code's. Each implementation loads its own copy of the whole build
 * (see ownCopy), so no function's type feedback is shared between the modes.
 */
async function cost({ impls, workload, capacity }) {
  const cases = [];
  for (const [name, core, mode] of impls) {
    const { CacheManager } = await import(pathToFileURL(ownCopy(core, name)).href);
    cases.push({ name, batch: costCase(CacheManager, { capacity, mode, workload }), ns: [] });
  }
  interleave(cases, { warmUp: 10, minRounds: 50, ms: 2000 });
  const off = cases.find((c) => c.name === 'off');
  // The baseline's modes are also compared with the baseline's own off: what its budget cost.
  const ownOff = (c) =>
    c.name.startsWith('baseline') ? cases.find((o) => o.name === 'baseline (off)') : off;
  const ratio = (c, to) => median(c.ns.map((ns, i) => ns / to.ns[i]));
  return Object.fromEntries(
    cases.map((c) => [
      c.name,
      { nsPerOp: median(c.ns), vsOff: ratio(c, off), vsOwnOff: ratio(c, ownOff(c)) },
    ]),
  );
}

/**
 * `core` (a build's `core/index.js`) in a copy of its build of its own, under bench/results/ (so
 * that its package imports still resolve from this repository). A query on the entry alone
 * (`index.js?off`) is not enough: the files it imports are the same module instances for every
 * mode, so a mode without a budget and one with a budget would share (and make polymorphic) the
 * table's and the writer's type feedback, and only the baseline, a build elsewhere, would not.
 */
function ownCopy(core, name) {
  const build = dirname(dirname(core));
  const copy = resolve(
    ROOT,
    'bench/results/module-copies',
    `${process.pid}-${name.replace(/\W+/g, '-')}`,
  );
  rmSync(copy, { recursive: true, force: true });
  cpSync(build, copy, { recursive: true });
  process.on('exit', () => rmSync(copy, { recursive: true, force: true }));
  return resolve(copy, relative(build, core));
}

const silent = { debug() {}, log() {}, warn() {}, error() {} };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function run(job) {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), '--child', JSON.stringify(job)],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out);
}

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const range = (values, digits = 0) =>
  `${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;

function table(header, rows) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log();
}

async function main() {
  const runs = Number(arg('--runs', '5'));
  const only = arg('--only', 'accuracy,cost,walk').split(',');
  const baseline = process.env.BENCH_BASELINE;
  console.log(
    `maxBytes benchmark, ${new Date().toISOString()}; ${cpus().length} cores, Node ${process.version}; ` +
      `${runs} runs in fresh processes; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
  if (only.includes('accuracy')) {
    const results = Object.fromEntries(Object.keys(SHAPES).map((s) => [s, []]));
    for (let r = 0; r < runs; r++) {
      for (const shape of Object.keys(SHAPES)) {
        results[shape].push(run({ kind: 'accuracy', core: CORE, shape }));
      }
    }
    console.log(`estimate against measured heap growth, ${fmt(ENTRIES)} entries (bytes per entry)`);
    table(
      ['shape', 'estimated', 'measured', 'estimate ÷ measured', '±25%'],
      Object.entries(results).map(([shape, rs]) => {
        const ratios = rs.map((x) => x.estimated / x.measured);
        const ratio = median(ratios);
        return [
          shape,
          fmt(median(rs.map((x) => x.estimated / ENTRIES))),
          range(rs.map((x) => x.measured / ENTRIES)),
          range(ratios, 2),
          Math.abs(ratio - 1) <= 0.25 ? 'PASS' : 'FAIL',
        ];
      }),
    );
  }
  if (only.includes('cost')) {
    const impls = [
      ['off', CORE, 'off'],
      ['on (fits)', CORE, 'fits'],
      ['on (binding)', CORE, 'binding'],
      ...(baseline
        ? [
            ['baseline (off)', resolve(baseline), 'off'],
            ['baseline (on, fits)', resolve(baseline), 'fits'],
          ]
        : []),
    ];
    const cases = [];
    for (const workload of ['set-existing', 'set-evict']) {
      for (const capacity of [1_000, 100_000]) {
        const perImpl = () => Object.fromEntries(impls.map(([n]) => [n, []]));
        cases.push({ workload, capacity, times: perImpl(), ratios: perImpl(), own: perImpl() });
      }
    }
    for (let r = 0; r < runs; r++) {
      for (const c of cases) {
        // Rotate the order from run to run, so no implementation always goes first.
        const order = impls.map((_, k) => impls[(k + r) % impls.length]);
        const result = run({
          kind: 'cost',
          impls: order,
          workload: c.workload,
          capacity: c.capacity,
        });
        for (const [name] of impls) {
          c.times[name].push(result[name].nsPerOp);
          c.ratios[name].push(result[name].vsOff);
          c.own[name].push(result[name].vsOwnOff);
        }
      }
    }
    console.log(
      'cost of set (ns/op of CPU time, median of 4,096-set batches; the modes of a case share one\n' +
        'process and alternate batch by batch; × off: median of neighbouring batches, then of runs)',
    );
    const rows = [];
    for (const c of cases) {
      for (const [name] of impls) {
        const ratios = c.ratios[name];
        rows.push([
          c.workload,
          fmt(c.capacity),
          name,
          range(c.times[name]),
          name === 'off' ? '1' : `${range(ratios, 2)}×`,
          name.endsWith('off)') || name === 'off' ? '1' : `${range(c.own[name], 2)}×`,
        ]);
      }
    }
    table(['workload', 'capacity', 'maxBytes', 'ns/op', '× off', '× its build off'], rows);
    console.log(
      'on (fits): a budget that never binds (the cost of estimating and counting); on (binding):\n' +
        'a budget of half the capacity, so every new key evicts by bytes; × its build off: the\n' +
        "baseline's rows against the baseline's own off (what its budget cost)" +
        (baseline ? `\nbaseline: ${baseline}` : ''),
    );
  }
  if (only.includes('walk')) {
    const results = Array.from({ length: runs }, () => run({ kind: 'walk', core: CORE }));
    console.log(
      'where the cost is: the snapshot walk of one value, plain (maxBytes off) and sized (on), and\n' +
        "the sized walk's estimate of a string over 8 characters against its length alone\n" +
        '(ns of CPU time per value, median of alternating batches, then of runs; ×: median of\n' +
        'neighbouring batches, then of runs)',
    );
    const rows = results[0].map(({ shape, without, with: withIt }, k) => {
      const of = (pick) => results.map((r) => pick(r[k]));
      const withoutNs = of((p) => p.without.ns);
      const withNs = of((p) => p.with.ns);
      return [
        shape,
        `${without.mode} ${range(withoutNs, 1)}`,
        `${withIt.mode} ${range(withNs, 1)}`,
        fmt(median(withNs) - median(withoutNs), 1),
        `${range(
          of((p) => p.ratio),
          2,
        )}×`,
      ];
    });
    table(['value', 'without the estimate', 'with it', 'ns more', '×'], rows);
  }
}

// Last: every helper above is defined by now.
const child = process.argv[2] === '--child' ? JSON.parse(process.argv[3]) : undefined;
if (child !== undefined) {
  let result;
  if (child.kind === 'accuracy') {
    const { CacheManager } = await import(pathToFileURL(child.core).href);
    result = accuracy(CacheManager, child);
  } else if (child.kind === 'walk') {
    result = await walk(child);
  } else {
    result = await cost(child);
  }
  process.stdout.write(JSON.stringify(result));
} else {
  await main();
}
