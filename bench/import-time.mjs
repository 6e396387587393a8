// `npm run bench:import`: how long importing each entry point takes, through `import` (the ESM
// build) and `require` (the CommonJS build), each in many fresh `node` processes, beside a bare
// `node -e ''`. A user pays this once per process start: in every jest worker, every CLI run,
// every serverless cold start. Options: --runs N (default 15).
//
// Two figures per case: `import`, measured inside the child around the one import or require
// (module loading only), and `process`, the child's whole life as the parent sees it (start-up
// of node itself included; compare it with the baseline row). Runs are interleaved, one round
// of every case after another, so that noise on the machine spreads over all cases alike.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, URL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new RangeError('--runs takes a whole number > 0');

const ESM = ['--input-type=module', '-e'];
const CJS = ['-e'];
/** A child script that runs `load` and prints the milliseconds it took. */
const timed = (load) => `const t = performance.now(); ${load}; console.log(performance.now() - t);`;

const cases = [{ entry: "(node -e '')", condition: '-', args: ['-e', ''] }];
for (const entry of ['nestjs-fresh-cache', 'nestjs-fresh-cache/core']) {
  cases.push({ entry, condition: 'import', args: [...ESM, timed(`await import('${entry}')`)] });
  cases.push({ entry, condition: 'require', args: [...CJS, timed(`require('${entry}')`)] });
}
for (const entry of ['nestjs-fresh-cache/prometheus', 'nestjs-fresh-cache/health']) {
  cases.push({ entry, condition: 'import', args: [...ESM, timed(`await import('${entry}')`)] });
  cases.push({ entry, condition: 'require', args: [...CJS, timed(`require('${entry}')`)] });
}

for (const item of cases) Object.assign(item, { load: [], wall: [] });
const load = loadavg()[0];
for (let run = 0; run < RUNS; run++) {
  for (const item of cases) {
    const start = process.hrtime.bigint();
    const out = execFileSync(process.execPath, item.args, {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    item.wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (out.trim() !== '') item.load.push(Number(out.trim().split('\n').pop()));
  }
  process.stderr.write(`\rrun ${run + 1}/${RUNS}`);
}
process.stderr.write('\n');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const figure = (values) =>
  values.length === 0
    ? '-'
    : `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;

const baseline = median(cases[0].wall);
const rows = [
  ['entry point', 'condition', 'import ms', 'process ms', 'process − baseline'],
  ...cases.map((item) => [
    item.entry,
    item.condition,
    figure(item.load),
    figure(item.wall),
    item === cases[0] ? '-' : `+${(median(item.wall) - baseline).toFixed(0)}`,
  ]),
];
const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
const line = (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
console.log(
  `Import time, ${RUNS} fresh processes per row: median (min–max), ms. Node ${process.version}, ` +
    `${cpus().length} cores, load average ${load.toFixed(2)} at start, ${new Date().toISOString().slice(0, 10)}.`,
);
console.log(line(rows[0]));
console.log(`| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`);
for (const row of rows.slice(1)) console.log(line(row));
