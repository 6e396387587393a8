/**
 * Self time by function in a `.cpuprofile` (from `node --cpu-prof`), highest first.
 *   node bench/results/suite-build/bench/suite/cpu-profile-top.js <file-or-folder> [rows]
 * A folder means its newest `.cpuprofile`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

const target = process.argv[2];
if (target === undefined) throw new Error('usage: cpu-profile-top <file-or-folder> [rows]');
const rows = Number(process.argv[3] ?? 20);
const file = statSync(target).isDirectory()
  ? join(
      target,
      readdirSync(target)
        .filter((name) => name.endsWith('.cpuprofile'))
        .sort((a, b) => statSync(join(target, b)).mtimeMs - statSync(join(target, a)).mtimeMs)[0]!,
    )
  : target;
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: ProfileNode[];
  samples: number[];
};
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
for (const id of profile.samples) {
  const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
  const where = url.split('/').slice(-2).join('/');
  const name = `${functionName || '(anonymous)'}  ${where}:${lineNumber + 1}`;
  self.set(name, (self.get(name) ?? 0) + 1);
}
const total = profile.samples.length;
for (const [name, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
  console.log(`${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`);
}
