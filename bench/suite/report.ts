/** Turns the figures into readable tables and the targets into pass/fail lines. */
import { BASELINE, IMPLEMENTATIONS } from './adapters.js';
import {
  CAPACITIES,
  CATEGORY_CASES,
  categoryId,
  CLEANUP_ENTRIES,
  HTTP_ROUTES,
  MEMORY_ENTRIES,
  opsId,
  OP_WORKLOADS,
  type OpWorkload,
  PAIRED_WORKLOADS,
  STATS_SIZES,
  type Figures,
  type Part,
} from './plan.js';
import {
  fmt,
  fmtRatio,
  fmtSpread,
  ratioPerRun,
  spread,
  table,
  type Spread,
} from './summary.util.js';

export interface Target {
  target: string;
  measured: string;
  pass: boolean | null;
}

const WORKLOAD_TITLES: Record<OpWorkload, string> = {
  'get-hit': 'get, hit on a warm cache',
  'set-existing': 'set of a small JSON object to an existing key',
  'set-evict': 'set of a new key into a full cache (every set evicts)',
  mix: '90/10 get/set, Zipf(0.99) over 10× capacity keys',
};

const NOTES: Record<string, Partial<Record<string, string>>> = {
  map: { 'set-evict': 'delete oldest + set', mix: 'unbounded', category: 'scan keys by prefix' },
  'lru-cache': { category: 'scan keys by prefix' },
  'cache-manager': {
    'set-evict': 'set + del (store unbounded)',
    mix: 'store unbounded',
    category: 'n/a: no categories, no key scan',
  },
  core: {},
  [BASELINE]: Object.fromEntries(
    OP_WORKLOADS.map((workload) => [workload, 'BENCH_BASELINE build']),
  ),
};

const cap = (n: number) => n.toLocaleString('en');

export function printReport(
  figures: Figures,
  parts: readonly Part[],
  meta: {
    date: string;
    mode: string;
    command: string;
    machine: { nproc: number; arch: string; cpu: string; node: string };
    git: { commit: string; uncommittedInLib: string[] };
    baseline?: { source: string } | undefined;
    minutes: number;
    loadAverageAtEnd: number[];
  },
): { text: string; targets: Target[] } {
  const out: string[] = [];
  const targets: Target[] = [];
  const m = meta.machine;
  out.push(
    `nestjs-fresh-cache benchmarks: ${meta.mode} run, ${meta.date}`,
    `${m.nproc} cores ${m.arch}, ${m.cpu}, Node ${m.node}; commit ${meta.git.commit}` +
      (meta.git.uncommittedInLib.length > 0
        ? ` (+${meta.git.uncommittedInLib.length} uncommitted files in lib/)`
        : ''),
    `command: ${meta.command}; ${fmt(meta.minutes, 1)} min; load average at the end ` +
      meta.loadAverageAtEnd.map((l) => l.toFixed(2)).join(' '),
    ...(meta.baseline === undefined
      ? []
      : [`baseline (ops only, BENCH_BASELINE): ${meta.baseline.source}`]),
    'medians over runs in fresh processes, (min–max); ratios are taken within each run',
    'ops: ns/op is the median of mitata samples (batches), robust to preemption on a busy machine;',
    '  "mean ns" is the mean of all samples (GC pauses included, and any preemption)',
    '',
  );

  const ns = (workload: OpWorkload, capacity: number, impl: string) =>
    figures.ops[opsId(workload, capacity, impl as never)]?.p50Ns ?? [];
  /** ops/s of `impl` over ops/s of `other`, per run. */
  const opsRatio = (workload: OpWorkload, capacity: number, impl: string, other: string) =>
    spread(ratioPerRun(ns(workload, capacity, other), ns(workload, capacity, impl)));

  if (parts.includes('ops')) {
    for (const workload of OP_WORKLOADS) {
      const rows: string[][] = [];
      for (const capacity of CAPACITIES) {
        for (const impl of [...IMPLEMENTATIONS, BASELINE]) {
          const figure = figures.ops[opsId(workload, capacity, impl)];
          if (figure === undefined) continue;
          const nsSpread = spread(figure.p50Ns);
          const row = [
            impl,
            cap(capacity),
            fmtSpread(nsSpread, 1),
            fmt(1e3 / nsSpread.median, 2),
            fmt(spread(figure.nsPerOp).median, 1),
            impl === 'lru-cache' ? '1' : fmtRatio(opsRatio(workload, capacity, impl, 'lru-cache')),
            impl === 'cache-manager'
              ? '1'
              : fmtRatio(opsRatio(workload, capacity, impl, 'cache-manager')),
          ];
          if (workload === 'mix') row.push(fmtSpread(spread(figure.hitRatio), 3));
          row.push(NOTES[impl]?.[workload] ?? '');
          rows.push(row);
        }
      }
      const header = [
        'impl',
        'capacity',
        'ns/op',
        'Mops/s',
        'mean ns',
        '× lru-cache',
        '× cache-manager',
      ];
      if (workload === 'mix') header.push('hit ratio');
      header.push('note');
      out.push(table(WORKLOAD_TITLES[workload], header, rows), '');
    }
    const targetFor = (workload: OpWorkload, minimum: number, label: string) => {
      for (const capacity of CAPACITIES) {
        const ratio = opsRatio(workload, capacity, 'core', 'lru-cache');
        targets.push({
          target: `${label} @${cap(capacity)} ≥ ${minimum}× lru-cache`,
          measured: fmtRatio(ratio),
          pass: ratio.runs === 0 ? null : ratio.median >= minimum,
        });
      }
    };
    if (!parts.includes('paired')) targetFor('get-hit', 1.0, 'get hit');
    targetFor('mix', 0.8, '90/10 Zipf mix');
    targetFor('set-existing', 0.4, 'set existing key');
    targetFor('set-evict', 0.5, 'set at capacity');
    let worst: { ratio: Spread; where: string } | undefined;
    for (const workload of OP_WORKLOADS) {
      for (const capacity of CAPACITIES) {
        const ratio = opsRatio(workload, capacity, 'core', 'cache-manager');
        if (ratio.runs > 0 && (worst === undefined || ratio.median < worst.ratio.median)) {
          worst = { ratio, where: `${workload} @${cap(capacity)}` };
        }
      }
    }
    targets.push({
      target: '≥ 10× cache-manager on every core workload',
      measured: worst === undefined ? 'n/a' : `lowest ${fmtRatio(worst.ratio)} (${worst.where})`,
      pass: worst === undefined ? null : worst.ratio.median >= 10,
    });
  }

  if (parts.includes('paired')) {
    const rows: string[][] = [];
    for (const workload of PAIRED_WORKLOADS) {
      for (const capacity of CAPACITIES) {
        for (const impl of [...IMPLEMENTATIONS, BASELINE]) {
          const figure = (figures.paired ?? {})[opsId(workload, capacity, impl)];
          if (figure === undefined) continue;
          rows.push([
            workload,
            impl,
            cap(capacity),
            fmtSpread(spread(figure.nsPerOp), 1),
            impl === 'lru-cache' ? '1' : fmtRatio(spread(figure.vsLruCache)),
            NOTES[impl]?.[workload] ?? '',
          ]);
        }
      }
    }
    out.push(
      table(
        'paired: the implementations in one process, timed in alternating 0.1 s windows ' +
          '(ratio: median over windows, then over runs)',
        ['workload', 'impl', 'capacity', 'ns/op', '× lru-cache', 'note'],
        rows,
      ),
      '',
    );
    for (const capacity of CAPACITIES) {
      const ratio = spread(
        (figures.paired ?? {})[opsId('get-hit', capacity, 'core')]?.vsLruCache ?? [],
      );
      targets.push({
        target: `get hit @${cap(capacity)} ≥ 1× lru-cache (paired, in every run)`,
        measured: fmtRatio(ratio),
        pass: ratio.runs === 0 ? null : ratio.min >= 1.0,
      });
    }
  }

  if (parts.includes('category')) {
    const rows: string[][] = [];
    for (const { capacity, categorySize } of CATEGORY_CASES) {
      for (const impl of IMPLEMENTATIONS) {
        const values = figures.category[categoryId(capacity, categorySize, impl)];
        if (values === undefined) continue;
        const s = spread(values.map((v) => v / 1000));
        rows.push([
          impl,
          cap(capacity),
          cap(categorySize),
          fmtSpread(s, 1),
          s.runs === 0 ? 'n/a' : fmt((s.median * 1000) / categorySize, 1),
          NOTES[impl]?.category ?? '',
        ]);
      }
    }
    out.push(
      table(
        'invalidateCategory (each round re-writes the category first, untimed)',
        ['impl', 'cache', 'category', 'µs/call', 'ns/category entry', 'note'],
        rows,
      ),
      '',
    );
    const small = figures.category[categoryId(1_000, 10, 'core')] ?? [];
    const big = figures.category[categoryId(100_000, 10, 'core')] ?? [];
    const growth = spread(ratioPerRun(big, small));
    targets.push({
      target: 'invalidateCategory costs the category, not the cache: 10 entries in 100k ≤ 2× in 1k',
      measured: fmtRatio(growth),
      pass: growth.runs === 0 ? null : growth.median <= 2,
    });
  }

  if (parts.includes('stats')) {
    const rows = STATS_SIZES.filter((n) => figures.stats[n] !== undefined).map((n) => {
      const f = figures.stats[n]!;
      return [
        cap(n),
        fmtSpread(spread(f.steadyMs), 4),
        f.bodyMs === undefined ? 'n/a' : fmtSpread(spread(f.bodyMs), 4),
        fmtSpread(spread(f.firstMs), 3),
        fmtSpread(spread(f.afterStaleMs), 2),
        // Saved runs from before this column have no figure for it.
        f.afterStaleSpreadMs === undefined ? 'n/a' : fmtSpread(spread(f.afterStaleSpreadMs), 2),
      ];
    });
    out.push(
      table(
        'getStats(), this library (ms)',
        [
          'entries',
          'steady call',
          'GET /cache/stats body',
          'first call after fill',
          'first call after every TTL passed (burst fill)',
          'same, fill spread over 100 s',
        ],
        rows,
      ),
      '',
    );
    const f = figures.stats[1_000_000];
    if (f !== undefined) {
      const steady = spread(f.steadyMs);
      const worst = spread(f.afterStaleMs);
      targets.push(
        {
          target: 'getStats() at 1,000,000 entries < 5 ms (steady)',
          measured: fmtSpread(steady, 4, ' ms'),
          pass: steady.median < 5,
        },
        {
          target: 'getStats() at 1,000,000 entries < 5 ms (every entry changed status, burst fill)',
          measured: fmtSpread(worst, 2, ' ms'),
          pass: worst.median < 5,
        },
      );
      if (f.afterStaleSpreadMs !== undefined) {
        const spreadWorst = spread(f.afterStaleSpreadMs);
        targets.push({
          target: 'getStats() at 1,000,000 entries < 5 ms (same, fill spread over 100 s)',
          measured: fmtSpread(spreadWorst, 2, ' ms'),
          pass: spreadWorst.median < 5,
        });
      }
    }
  }

  if (parts.includes('memory')) {
    const lru = figures.memory['lru-cache'] ?? [];
    const rows = IMPLEMENTATIONS.filter((impl) => figures.memory[impl] !== undefined).map(
      (impl) => [
        impl,
        fmtSpread(spread(figures.memory[impl]!), 0),
        fmtRatio(spread(ratioPerRun(figures.memory[impl]!, lru))),
      ],
    );
    out.push(
      table(
        `heap per entry at ${cap(MEMORY_ENTRIES)} entries (bytes, after forced GC; keys excluded)`,
        ['impl', 'bytes/entry', '× lru-cache'],
        rows,
      ),
      '',
    );
    const core = spread(ratioPerRun(figures.memory.core ?? [], lru));
    targets.push({
      target: 'memory per entry ≤ 1.5× lru-cache',
      measured: fmtRatio(core),
      pass: core.runs === 0 ? null : core.median <= 1.5,
    });
  }

  if (parts.includes('cleanup')) {
    const c = figures.cleanup;
    out.push(
      table(
        `cleanupInSlices() of ${cap(CLEANUP_ENTRIES)} entries, half of them EXPIRED (ms)`,
        [
          'removed',
          'total',
          'longest loop delay',
          'p99 loop delay',
          'longest setImmediate turn',
          'longest GC pause',
          'GC total',
        ],
        [
          [
            fmt(spread(c.removed).median, 0),
            fmtSpread(spread(c.totalMs), 1),
            fmtSpread(spread(c.maxDelayMs), 1),
            fmtSpread(spread(c.p99DelayMs), 1),
            fmtSpread(spread(c.longestTurnMs), 1),
            fmtSpread(spread(c.longestGcMs ?? []), 1),
            fmtSpread(spread(c.gcTotalMs ?? []), 0),
          ],
        ],
      ),
      '',
    );
    const stall = spread(c.maxDelayMs);
    targets.push({
      target: 'automatic cleanup of 1,000,000 entries: longest event-loop stall ≤ 10 ms',
      measured: fmtSpread(stall, 1, ' ms'),
      pass: stall.runs === 0 ? null : stall.median <= 10,
    });
  }

  if (parts.includes('http')) {
    const trivial = figures.http.trivial?.requestsPerSecond ?? [];
    const rows = HTTP_ROUTES.filter((route) => figures.http[route] !== undefined).map((route) => {
      const f = figures.http[route]!;
      return [
        `GET /${route}`,
        fmtSpread(spread(f.requestsPerSecond), 0),
        fmtSpread(spread(f.p99Ms), 0),
        fmtRatio(spread(ratioPerRun(f.requestsPerSecond, trivial))),
        String(f.failures.reduce((a, b) => a + b, 0)),
      ];
    });
    out.push(
      table(
        'HTTP, Nest app in its own process, autocannon on loopback (5 ms command behind the caches)',
        ['route', 'requests/s', 'p99 ms', '× trivial', 'non-2xx + errors'],
        rows,
      ),
      '',
    );
    const cached = figures.http.cached?.requestsPerSecond ?? [];
    const interceptor = figures.http.interceptor?.requestsPerSecond ?? [];
    const vsInterceptor = spread(ratioPerRun(cached, interceptor));
    const vsTrivial = spread(ratioPerRun(cached, trivial));
    targets.push(
      {
        target: '@Cached route ≥ CacheInterceptor route (requests/s)',
        measured: fmtRatio(vsInterceptor),
        pass: vsInterceptor.runs === 0 ? null : vsInterceptor.median >= 1,
      },
      {
        target: '@Cached route within 10% of the trivial route (requests/s)',
        measured: fmtRatio(vsTrivial),
        pass: vsTrivial.runs === 0 ? null : vsTrivial.median >= 0.9,
      },
    );
  }

  out.push(
    table(
      'targets (ratios: median over runs, from the same run)',
      ['target', 'measured', 'result'],
      targets.map((t) => [
        t.target,
        t.measured,
        t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'FAIL',
      ]),
    ),
  );
  return { text: out.join('\n'), targets };
}
