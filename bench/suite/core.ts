/**
 * Loads this library from its built output (`dist/`, what users install), not from `lib/`.
 * `BENCH_CORE=/path/to/index.js` points the suite at another build (a baseline, say); the runner
 * sets it for its children to a snapshot of `dist/` taken when it starts, so a rebuild by someone
 * else during a long run cannot mix two builds in one set of figures.
 * Types come from `lib/`, so type-checking the suite needs no build.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import type * as Library from '../../lib/index.js';

export type { Library };

export function corePath(): string {
  return resolve(process.env.BENCH_CORE ?? 'dist/index.js');
}

export async function loadCore(): Promise<typeof Library> {
  return (await import(pathToFileURL(corePath()).href)) as typeof Library;
}

/** A logger that writes nothing: the benchmarks measure the cache, not the console. */
export const silentLogger: Library.CacheLogger = {
  debug: () => undefined,
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
