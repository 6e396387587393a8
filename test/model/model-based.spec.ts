import { describe, it } from '@jest/globals';
import fc from 'fast-check';

import { ModelHarness, type Op } from './model.harness.js';
import { CATEGORIES, TAGS, modelRuns, scenarioArbitrary } from './operations.arbitrary.js';

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

/**
 * The same comparison on caches past their first allocation (256 slots), where the storage grows
 * and slots are freed and reused (tagged or not, expired early or not): hundreds of keys, long
 * sequences, checked at the end and at every `getStats` / `getKeys` / `getAllEntries` step.
 */
describe('CacheManager against its reference model, past its first 256 slots', () => {
  it('agrees while the slot arrays grow and slots are reused', () => {
    const growth = fc.constantFrom(255, 256, 257, 300, 513).chain((maxEntries) => {
      const key = fc.nat(maxEntries + 40).map((i) => `g${i}`);
      const op: fc.Arbitrary<Op> = fc.oneof(
        {
          weight: 60,
          arbitrary: fc.record({
            kind: fc.constant('set' as const),
            key,
            data: fc.integer(),
            options: fc.oneof(
              fc.constant(undefined),
              fc.record(
                {
                  ttl: fc.constantFrom(1, 30, 60),
                  category: fc.constantFrom(...CATEGORIES),
                  tags: fc.array(fc.constantFrom(...TAGS), { maxLength: 2 }),
                },
                { requiredKeys: ['ttl', 'category'] },
              ),
            ),
            mutateAfter: fc.constant(false),
          }),
        },
        {
          weight: 20,
          arbitrary: fc.record({
            kind: fc.constant('get' as const),
            key,
            options: fc.constant({ includeStale: true }),
            dataOnly: fc.boolean(),
          }),
        },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('invalidate' as const), key }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('expire' as const), key }) },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constantFrom('invalidateTag' as const, 'expireTag' as const),
            tag: fc.constantFrom(...TAGS),
          }),
        },
        {
          weight: 2,
          arbitrary: fc.record({
            kind: fc.constant('advance' as const),
            ms: fc.integer({ min: 0, max: 300 }),
          }),
        },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('cleanup' as const) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('stats' as const) }) },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant('entries' as const),
            category: fc.option(fc.constantFrom(...CATEGORIES), { nil: undefined }),
          }),
        },
      );
      return fc.record({
        maxEntries: fc.constant(maxEntries),
        ops: fc.array(op, { minLength: 1000, maxLength: 2500 }),
      });
    });
    fc.assert(
      fc.property(growth, ({ maxEntries, ops }) => {
        const harness = new ModelHarness({
          maxEntries,
          defaultTtl: 1,
          fullCheck: false,
          categories: CATEGORIES,
        });
        harness.run(ops);
      }),
      { numRuns: modelRuns(25), seed: seedFromEnv() },
    );
  });
});
