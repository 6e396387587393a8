/*
 * The tests in test/package check what users install: the built `dist/` (both copies, ESM and
 * CommonJS), reached through package.json's `exports`, in fresh Node processes. `npm test`
 * builds first when the build is missing or stale (build-if-stale.mjs, jest's globalSetup);
 * `assertBuilt` guards against testing old code all the same.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root: the package itself. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The file the build writes last. */
const BUILD_STAMP = join(PACKAGE_ROOT, 'dist/cjs/package.json');

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestSourceMtime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

/** Throws unless `dist/` holds a complete build at least as new as every file in `lib/`. */
export function assertBuilt(): void {
  if (!existsSync(BUILD_STAMP)) {
    throw new Error('test/package checks the built package: run `npm run build` first');
  }
  if (newestSourceMtime(join(PACKAGE_ROOT, 'lib')) > statSync(BUILD_STAMP).mtimeMs) {
    throw new Error('dist/ is older than lib/: run `npm run build` before test/package');
  }
}

/** The package's `exports` map. */
export function packageExports(): Record<string, { import: Target; require: Target }> {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, { import: Target; require: Target }>;
  };
  return manifest.exports;
}

/** One condition of an `exports` entry. */
export interface Target {
  readonly types: string;
  readonly default: string;
}

/** Absolute path of a file named relative to the package root (`./dist/...`). */
export function inPackage(relative: string): string {
  return join(PACKAGE_ROOT, relative);
}

const run = promisify(execFile);

/**
 * Runs `script` (a path relative to `cwd`) in a fresh `node` process and returns what it
 * printed as JSON on its last line.
 */
export async function runNode<T>(cwd: string, script: string, args: string[] = []): Promise<T> {
  const { stdout } = await run(process.execPath, [script, ...args], {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000,
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/**
 * Runs a fixture of test/package/fixtures, which lie inside the package, so that
 * `nestjs-fresh-cache` resolves to the package itself through its `exports`.
 */
export function runFixture<T>(fixture: string, args: string[] = []): Promise<T> {
  return runNode<T>(fileURLToPath(new URL('./fixtures/', import.meta.url)), fixture, args);
}
