#!/usr/bin/env node
// Type-checks every TypeScript snippet of README.md and docs/**/*.md against the built package,
// so a snippet that would not compile when pasted fails CI. `npm run check:snippets` runs it
// after `npm run build`.
//
// - Every fenced block whose language is `ts` or `typescript` is a snippet.
// - A block whose previous non-blank line is `<!-- fragment -->` is skipped: an excerpt that
//   cannot stand alone (Prettier keeps the comment, and the blank line it adds is allowed).
// - Each snippet becomes its own module in a temporary folder inside the repository, so it
//   imports `nestjs-fresh-cache` by name exactly as an app does: TypeScript resolves the name
//   through this package's own `exports` (a package may import itself by name) to the types in
//   dist/. When `exports` has a `require` condition, each snippet is checked a second time as a
//   CommonJS module (`.cts`), against that condition's types: what a Nest 11 app compiles.
// - The compiler options are `nest new`'s that matter (strict, decorators with metadata,
//   isolatedModules, NodeNext), so what compiles here compiles in a Nest 11 or 12 app.
// - Errors are reported as `<markdown file>:<line>:<column>`, the line in the markdown file.
//
// KEEP_SNIPPETS=1 keeps the temporary folder for a look; otherwise it is removed, so that lint
// and the build never see it.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.snippets');
const FRAGMENT = '<!-- fragment -->';
const LANGUAGES = new Set(['ts', 'typescript']);

/** The markdown files whose snippets are checked: README.md and everything under docs/. */
function markdownFiles() {
  const files = [join(root, 'README.md')];
  const docs = join(root, 'docs');
  if (existsSync(docs)) {
    for (const name of readdirSync(docs, { recursive: true })) {
      if (String(name).endsWith('.md')) files.push(join(docs, String(name)));
    }
  }
  return files.sort();
}

/**
 * The fenced blocks of one markdown file: language, first line of code (1-based, in the
 * markdown file), code, and whether it is marked as a fragment.
 */
function blocksOf(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, language] = open;
    const close = new RegExp(`^\\s*\\${fence[0]}{${fence.length},}\\s*$`);
    let previous = i - 1;
    while (previous >= 0 && lines[previous].trim() === '') previous--;
    const fragment = previous >= 0 && lines[previous].trim() === FRAGMENT;
    const code = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j];
      if (close.test(line)) break;
      code.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    blocks.push({
      language: language.toLowerCase(),
      firstLine: i + 2,
      code: code.join('\n'),
      fragment,
    });
    i = j;
  }
  return blocks;
}

function hasRequireCondition() {
  const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const visit = (value) =>
    value !== null &&
    typeof value === 'object' &&
    Object.entries(value).some(([key, inner]) => key === 'require' || visit(inner));
  return visit(exports);
}

const snippets = [];
let fragments = 0;
for (const file of markdownFiles()) {
  for (const block of blocksOf(file)) {
    if (!LANGUAGES.has(block.language)) continue;
    if (block.fragment) {
      fragments++;
      continue;
    }
    snippets.push({ source: relative(root, file), ...block });
  }
}

if (!existsSync(join(root, 'dist', 'index.d.ts'))) {
  console.error('check-snippets: dist/ has no types; run `npm run build` first.');
  process.exit(1);
}

const commonjs = hasRequireCondition();
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
/** Generated file name → the snippet it holds. */
const byFile = new Map();
const files = [];
snippets.forEach((snippet, index) => {
  const base = `${String(index).padStart(3, '0')}-${snippet.source.replace(/[^\w]+/g, '_')}-L${snippet.firstLine}`;
  for (const extension of commonjs ? ['ts', 'cts'] : ['ts']) {
    const name = `${base}.${extension}`;
    writeFileSync(join(outDir, name), `${snippet.code}\n`);
    byFile.set(name, { ...snippet, format: extension === 'cts' ? 'CommonJS' : 'ESM' });
    files.push(name);
  }
});
writeFileSync(
  join(outDir, 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        // As `nest new` sets them (Nest 11 and 12): a snippet that compiles here compiles there.
        target: 'ES2023',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        moduleDetection: 'force',
        types: ['node'],
        strict: true,
        noImplicitOverride: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        useDefineForClassFields: false,
        esModuleInterop: true,
        isolatedModules: true,
        skipLibCheck: true,
        noEmit: true,
      },
      files,
    },
    null,
    2,
  ),
);

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const run = spawnSync(
  process.execPath,
  [tsc, '-p', join(outDir, 'tsconfig.json'), '--pretty', 'false'],
  {
    cwd: root,
    encoding: 'utf8',
  },
);
const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;

// `.snippets/NNN-…-L12.ts(3,7): error TS2304: Cannot find name 'x'.` → the markdown position.
const failures = [];
for (const line of output.split('\n')) {
  const match = /^(?:.*[\\/])?\.snippets[\\/]([^(]+)\((\d+),(\d+)\): (.*)$/.exec(line);
  if (match) {
    const [, name, row, column, message] = match;
    const snippet = byFile.get(name);
    if (snippet) {
      failures.push(
        `${snippet.source}:${snippet.firstLine + Number(row) - 1}:${column} (${snippet.format}) ${message}`,
      );
      continue;
    }
  }
  if (line.trim() !== '') failures.push(line);
}

if (process.env.KEEP_SNIPPETS !== '1') rmSync(outDir, { recursive: true, force: true });

const summary =
  `${snippets.length} TypeScript snippets` +
  (commonjs ? ' (each as ESM and as CommonJS)' : '') +
  `, ${fragments} fragments skipped`;
if (run.status !== 0 || failures.length > 0) {
  console.error(failures.join('\n'));
  console.error(`check-snippets: ${summary}; the snippets above do not compile.`);
  if (process.env.KEEP_SNIPPETS !== '1') {
    console.error('KEEP_SNIPPETS=1 npm run check:snippets keeps them in .snippets/ for a look.');
  }
  process.exit(1);
}
console.log(`check-snippets: ${summary}; all compile.`);
