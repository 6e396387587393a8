// Reads `npm pack --dry-run --json` on stdin and checks the file list against package.json.
import { readFileSync } from 'node:fs';

const [pack] = JSON.parse(readFileSync(0, 'utf8'));
const files = new Set(pack.files.map(({ path }) => path));
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const problems = [];

const required = new Set(['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md']);
const strip = (target) => target.replace(/^\.\//, '');
required.add(strip(manifest.main));
required.add(strip(manifest.types));
for (const [entry, target] of Object.entries(manifest.exports)) {
  if (typeof target === 'string') {
    required.add(strip(target));
    continue;
  }
  for (const condition of ['import', 'require']) {
    const paths = target[condition];
    if (paths?.types === undefined || paths.default === undefined) {
      problems.push(`exports["${entry}"] has no ${condition} condition with types and default`);
      continue;
    }
    required.add(strip(paths.types));
    required.add(strip(paths.default));
  }
}
for (const targets of Object.values(manifest.typesVersions?.['*'] ?? {})) {
  for (const target of targets) required.add(strip(target));
}
// The file that makes Node and TypeScript read dist/cjs as CommonJS.
required.add('dist/cjs/package.json');
for (const path of required) if (!files.has(path)) problems.push(`missing: ${path}`);

const cjsManifest = JSON.parse(readFileSync('dist/cjs/package.json', 'utf8'));
if (cjsManifest.type !== 'commonjs') problems.push('dist/cjs/package.json does not say commonjs');

const topLevel = new Set(['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md']);
for (const path of files) {
  if (path.endsWith('.tsbuildinfo')) problems.push(`build leftover: ${path}`);
  else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) problems.push(`source: ${path}`);
  else if (!topLevel.has(path) && !path.startsWith('dist/'))
    problems.push(`not for users: ${path}`);
}

if (problems.length > 0) {
  console.error(`npm pack would publish a broken package:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
const entries = Object.keys(manifest.exports).length;
console.log(
  `pack ok: ${files.size} files, ${(pack.size / 1024).toFixed(0)} KiB packed; ` +
    `${entries} entry points, import and require code and types present`,
);
