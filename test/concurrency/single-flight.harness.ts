/**
 * Many interleaved async callers of one cached loader (`cache.wrap`, or a `@Cached` method), with
 * random failures and delays of the loader, in an order fast-check's scheduler picks. Checks:
 *
 * - one loader invocation per key at a time;
 * - every caller gets the value or the error of the invocation it joined (the one it started,
 *   or the one under way when it called), or the entry FRESH at the time of its call, or, with
 *   `staleWhileRevalidate` / `staleIfError`, the STALE entry it was served;
 * - no entry from a failed (or uncacheable) invocation: the entry held for a key is the result
 *   of the latest successful invocation for that key;
 * - every caller settles, and the load counters match the invocations.
 */
import fc from 'fast-check';

import type { CacheManager } from '../../lib/core/cache-manager.js';
import { CacheStatus } from '../../lib/core/cache-status.enum.js';

export type Mode = 'plain' | 'staleWhileRevalidate' | 'staleIfError';
export type LoaderOutcome = 'ok' | 'fail' | 'throwSync' | 'uncacheable';

export const TTL_SECONDS = 1;

export interface CallPlan {
  key: string;
  /** What the loader does if this call starts an invocation. */
  outcome: LoaderOutcome;
  /** A clock move scheduled alongside the call (entries turn STALE after 1 s, EXPIRED after 2). */
  tickMs: number | undefined;
}

export const callPlans = fc.array(
  fc.record({
    key: fc.constantFrom('a', 'b', 'c'),
    outcome: fc.constantFrom<LoaderOutcome>('ok', 'ok', 'ok', 'fail', 'throwSync', 'uncacheable'),
    tickMs: fc.option(fc.integer({ min: 0, max: 1500 }), { nil: undefined }),
  }),
  { minLength: 1, maxLength: 40 },
);

export class LoadError extends Error {
  constructor(readonly invocation: number) {
    super(`invocation ${invocation} failed`);
  }
}

/** What a loader resolves with: which invocation produced it. */
export interface Loaded {
  invocation: number;
  key: string;
  /** Present on uncacheable results: a function makes the value not JSON. */
  notJson?: () => void;
}

interface Invocation {
  id: number;
  key: string;
  outcome: LoaderOutcome;
  settled: boolean;
}

/** What the code under test looks like: a cache, and a way to call through it. */
export interface Subject {
  cache: CacheManager;
  setClock(ms: number): void;
  readClock(): number;
  /** Calls the cached method for `key`; it calls `loader(key)` on a miss. */
  call(key: string, mode: Mode, loader: (key: string) => unknown): Promise<unknown>;
}

interface Expectation {
  caller: number;
  /** Allowed results: a value from one of these invocations, or this exact served data. */
  invocation: Invocation | undefined;
  served: unknown;
  servedIsOnlyAnswer: boolean;
}

/** Runs one interleaving and throws at the first broken invariant. */
export async function runInterleaving(
  subject: Subject,
  scheduler: fc.Scheduler,
  plans: CallPlan[],
  mode: Mode,
): Promise<void> {
  const { cache } = subject;
  const statsBefore = cache.getStats();
  const invocations: Invocation[] = [];
  const latestByKey = new Map<string, Invocation>();
  const running = new Map<string, number>();
  const failures: string[] = [];
  let nextOutcome: LoaderOutcome = 'ok';

  const loader = (key: string): unknown => {
    const invocation: Invocation = {
      id: invocations.length,
      key,
      outcome: nextOutcome,
      settled: false,
    };
    invocations.push(invocation);
    latestByKey.set(key, invocation);
    const active = (running.get(key) ?? 0) + 1;
    running.set(key, active);
    if (active > 1) failures.push(`${active} invocations of key '${key}' at once`);
    const finish = () => {
      running.set(key, running.get(key)! - 1);
      invocation.settled = true;
    };
    if (invocation.outcome === 'throwSync') {
      finish();
      throw new LoadError(invocation.id);
    }
    return scheduler.schedule(Promise.resolve(), `load #${invocation.id} (${key})`).then(() => {
      finish();
      if (invocation.outcome === 'fail') throw new LoadError(invocation.id);
      const loaded: Loaded = { invocation: invocation.id, key };
      if (invocation.outcome === 'uncacheable') loaded.notJson = () => undefined;
      return loaded;
    });
  };

  const expectations: Expectation[] = [];
  const results: PromiseSettledResult<unknown>[] = [];
  const settled: boolean[] = [];
  const calls: Promise<unknown>[] = [];

  plans.forEach((plan, caller) => {
    if (plan.tickMs !== undefined) {
      const tick = plan.tickMs;
      void scheduler
        .schedule(Promise.resolve(), `clock +${tick}ms`)
        .then(() => subject.setClock(subject.readClock() + tick));
    }
    const started = scheduler
      .schedule(Promise.resolve(), `call ${caller} (${plan.key})`)
      .then(() => {
        // Everything up to the loader's first await happens synchronously inside the call, so the
        // state seen here is the state the call saw.
        const held = cache.getAllEntries().get(plan.key);
        const status = held?.status;
        const countBefore = invocations.length;
        nextOutcome = plan.outcome;
        const call = subject.call(plan.key, mode, loader);
        const startedNow = invocations.length > countBefore ? invocations[countBefore] : undefined;
        const servedStale =
          status === CacheStatus.STALE &&
          (mode === 'staleWhileRevalidate' || mode === 'staleIfError');
        expectations.push({
          caller,
          invocation:
            status === CacheStatus.FRESH || (servedStale && mode === 'staleWhileRevalidate')
              ? undefined
              : (startedNow ?? latestByKey.get(plan.key)),
          served: status === CacheStatus.FRESH || servedStale ? held!.data : undefined,
          servedIsOnlyAnswer:
            status === CacheStatus.FRESH || (servedStale && mode === 'staleWhileRevalidate'),
        });
        return call;
      });
    calls[caller] = started;
    started.then(
      (value) => {
        results[caller] = { status: 'fulfilled', value };
        settled[caller] = true;
      },
      (reason: unknown) => {
        results[caller] = { status: 'rejected', reason };
        settled[caller] = true;
      },
    );
  });

  await scheduler.waitAll();
  await Promise.allSettled(calls);
  // Background refreshes (staleWhileRevalidate) may still be scheduled: let them finish too.
  while (scheduler.count() > 0) await scheduler.waitAll();
  for (let i = 0; i < 20; i++) await Promise.resolve();

  for (const e of expectations) {
    if (!settled[e.caller]) {
      failures.push(`caller ${e.caller} never settled`);
      continue;
    }
    const result = results[e.caller]!;
    failures.push(...checkResult(e, result));
  }

  // No entry from a failed or uncacheable invocation: what is held is the latest success.
  for (const key of new Set(plans.map((p) => p.key))) {
    const lastSuccess = invocations.filter((i) => i.key === key && i.outcome === 'ok').pop();
    const held = cache.getAllEntries().get(key);
    const heldFrom = (held?.data as Loaded | undefined)?.invocation;
    if (heldFrom !== lastSuccess?.id) {
      failures.push(
        `key '${key}' holds the result of invocation ${heldFrom}, expected ${lastSuccess?.id}`,
      );
    }
  }
  if ([...running.values()].some((n) => n !== 0)) failures.push('an invocation never settled');
  const stats = cache.getStats();
  const failed = invocations.filter(
    (i) => i.outcome === 'fail' || i.outcome === 'throwSync',
  ).length;
  if (stats.totalLoads - statsBefore.totalLoads !== invocations.length) {
    failures.push(
      `totalLoads moved by ${stats.totalLoads - statsBefore.totalLoads}, ${invocations.length} invocations`,
    );
  }
  if (stats.totalLoadErrors - statsBefore.totalLoadErrors !== failed) {
    failures.push(
      `totalLoadErrors moved by ${stats.totalLoadErrors - statsBefore.totalLoadErrors}, ${failed} failed`,
    );
  }
  if (failures.length > 0) {
    throw new Error(
      `${failures.join('\n')}\nschedule:\n${scheduler
        .report()
        .map((r) => r.label)
        .join(', ')}`,
    );
  }
}

function checkResult(e: Expectation, result: PromiseSettledResult<unknown>): string[] {
  const who = `caller ${e.caller}`;
  if (e.servedIsOnlyAnswer) {
    if (result.status === 'fulfilled' && result.value === e.served) return [];
    return [
      `${who} should have got the entry served at its call (${describe(e.served)}), got ${describeResult(result)}`,
    ];
  }
  const invocation = e.invocation;
  if (invocation === undefined) return [`${who} joined no invocation`];
  const failedInvocation = invocation.outcome === 'fail' || invocation.outcome === 'throwSync';
  if (failedInvocation) {
    if (e.served !== undefined) {
      // staleIfError: the STALE entry replaces the failure.
      return result.status === 'fulfilled' && result.value === e.served
        ? []
        : [
            `${who} should have got the stale entry after #${invocation.id} failed, got ${describeResult(result)}`,
          ];
    }
    return result.status === 'rejected' &&
      result.reason instanceof LoadError &&
      result.reason.invocation === invocation.id
      ? []
      : [`${who} should have got the error of #${invocation.id}, got ${describeResult(result)}`];
  }
  return result.status === 'fulfilled' &&
    (result.value as Loaded | undefined)?.invocation === invocation.id
    ? []
    : [`${who} should have got the value of #${invocation.id}, got ${describeResult(result)}`];
}

function describe(value: unknown): string {
  const loaded = value as Loaded | undefined;
  return loaded?.invocation !== undefined ? `value of #${loaded.invocation}` : String(value);
}

function describeResult(result: PromiseSettledResult<unknown>): string {
  if (result.status === 'fulfilled') return describe(result.value);
  return result.reason instanceof LoadError
    ? `error of #${result.reason.invocation}`
    : `error ${String(result.reason)}`;
}
