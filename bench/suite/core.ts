/**
 * Loads this library from its built output (`dist/`, what users install), not from `lib/`.
 * `BENCH_CORE=/path/to/index.js` points the suite at another build (a baseline, say); the runner
 * sets it for its children to a snapshot of `dist/` taken when it starts, so a rebuild by someone
 * else during a long run cannot mix two builds in one set of figures.
 * `BENCH_BASELINE=/path/to/index.js` adds a second build (another commit's `dist/`, say) to the
 * operation workloads as `baseline`, measured in the same runs as `core`.
 * Types come from `lib/`, so type-checking the suite needs no build.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import type * as Library from '../../lib/index.js';

export type { Library };

export function corePath(): string {
  return resolve(process.env.BENCH_CORE ?? 'dist/index.js');
}

/** The baseline build's entry point, or undefined when no baseline is measured. */
export function baselinePath(): string | undefined {
  const path = process.env.BENCH_BASELINE;
  return path === undefined || path === '' ? undefined : resolve(path);
}

export async function loadCore(path = corePath()): Promise<typeof Library> {
  return (await import(pathToFileURL(path).href)) as typeof Library;
}

/** A logger that writes nothing: the benchmarks measure the cache, not the console. */
export const silentLogger: Library.CacheLogger = {
  debug: () => undefined,
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
