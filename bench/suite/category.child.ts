/**
 * `invalidateCategory` in a fresh process: a full cache of `capacity` entries, `categorySize` of
 * them in the category `hot`. Each round re-writes the category's entries (untimed), then times one
 * `invalidateCategory('hot')`. Implementations without categories emulate it the way a user would:
 * a scan of every key for the `hot:` prefix, deleting the matches.
 * Job (argv[2], JSON): `{ impl, capacity, categorySize, rounds }`.
 */
import { createAdapter, type Implementation } from './adapters.js';
import { hrtimeNs, median, readJob, runChild } from './child.util.js';
import { makeKeys, makeValue } from './workloads.js';

export interface CategoryJob {
  impl: Implementation;
  capacity: number;
  categorySize: number;
  rounds: number;
}

export interface CategoryResult {
  /** Median ns per `invalidateCategory` call, or null when the implementation cannot. */
  nsPerCall: number | null;
  nsPerCategoryEntry: number | null;
}

runChild(async (): Promise<CategoryResult> => {
  const job = readJob<CategoryJob>();
  const adapter = await createAdapter(job.impl, job.capacity);
  if (adapter.invalidateCategory === undefined || adapter.setInCategory === undefined) {
    return { nsPerCall: null, nsPerCategoryEntry: null };
  }
  const others = makeKeys(job.capacity - job.categorySize);
  const hot = makeKeys(job.categorySize, 'hot');
  for (let i = 0; i < others.length; i++) adapter.setInCategory(others[i]!, makeValue(i), 'other');
  const rewrite = () => {
    for (let i = 0; i < hot.length; i++) adapter.setInCategory!(hot[i]!, makeValue(i), 'hot');
  };
  const times: number[] = [];
  for (let round = 0; round < job.rounds; round++) {
    rewrite();
    const started = hrtimeNs();
    adapter.invalidateCategory('hot');
    times.push(hrtimeNs() - started);
  }
  // The first rounds warm the JIT up; keep the second half.
  const nsPerCall = median(times.slice(times.length >> 1));
  return { nsPerCall, nsPerCategoryEntry: nsPerCall / job.categorySize };
});
