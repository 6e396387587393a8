import type { Registry } from 'prom-client';

/** How the sample app runs. Tests pass a clock and no latency; `main.ts` reads the environment. */
export interface SampleOptions {
  /**
   * Typical time one command takes in the simulated queue, in milliseconds (each run varies by
   * ±25%). 0 runs commands at once, for tests.
   * @default 400
   */
  commandLatencyMs?: number;
  /**
   * The clock of the cache and of the simulated container, in milliseconds since the epoch.
   * Tests inject one to make time pass without waiting.
   * @default Date.now
   */
  clock?: () => number;
  /**
   * Pre-warm the common commands (users, worlds, status) at startup, as the Python original does.
   * @default true
   */
  prewarm?: boolean;
  /**
   * Write the cache's debug line per read and write (`CACHE_DEBUG=1 npm start`).
   * @default false
   */
  debug?: boolean;
  /**
   * The prom-client registry `/metrics` serves.
   * @default a registry of the app's own
   */
  registry?: Registry;
}

/** The options with their defaults applied. */
export type ResolvedSampleOptions = Required<SampleOptions>;
