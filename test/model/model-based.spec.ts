import { describe, it } from '@jest/globals';
import fc from 'fast-check';

import { ModelHarness } from './model.harness.js';
import { CATEGORIES, modelRuns, scenarioArbitrary } from './operations.arbitrary.js';

/**
 * The real cache against the reference model (`cache.model.ts`) over random sequences of every
 * public operation, with clock moves onto the exact TTL and 2×TTL edges. In half of the
 * sequences the whole state (statistics, LRU order, category orders, every entry's status and
 * access count) is compared after every step; in the other half only the answers are, so that
 * state the cache settles lazily is not settled by the checks themselves.
 */
describe('CacheManager against its reference model', () => {
  it('agrees on every answer, status, order and statistic', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        new ModelHarness({ ...scenario, categories: CATEGORIES }).run(scenario.ops);
      }),
      { numRuns: modelRuns(2000), seed: seedFromEnv() },
    );
  });
});

function seedFromEnv(): number | undefined {
  const seed = Number(process.env.MODEL_SEED);
  return Number.isInteger(seed) ? seed : undefined;
}
