import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { CacheManager } from '../../lib/core/cache-manager.js';
import { ModelHarness, type Op } from '../model/model.harness.js';
import { CATEGORIES, modelRuns, opArbitrary } from '../model/operations.arbitrary.js';
import { anySetOptions, anyValue, materialize } from './hostile.arbitrary.js';

/** A valid argument most of the time (so entries exist to lose), a hostile one otherwise. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 1, arbitrary: valid }, { weight: 1, arbitrary: anyValue });
const key = mostly(fc.constantFrom('a', 'b', 'c'));
const category = mostly(fc.constantFrom(...CATEGORIES));

const hostileOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    key,
    data: mostly(fc.jsonValue({ maxDepth: 2 })),
    options: fc.oneof(fc.constant(undefined), fc.constantFrom(1, 2), anySetOptions),
    mutateAfter: fc.constant(false),
  }),
  fc.record({ kind: fc.constant('get' as const), key, options: anyValue, dataOnly: fc.boolean() }),
  fc.record({ kind: fc.constant('hasKey' as const), key, options: anyValue }),
  fc.record({ kind: fc.constant('invalidate' as const), key }),
  fc.record({ kind: fc.constant('invalidateCategory' as const), category }),
  fc.record({ kind: fc.constant('delete' as const), key }),
  fc.record({ kind: fc.constant('clear' as const), category: anyValue }),
  fc.record({ kind: fc.constant('keys' as const), category }),
  fc.record({ kind: fc.constant('entries' as const), category }),
);

describe('hostile input', () => {
  it('every call succeeds as documented, returns false or throws a RangeError; the model still agrees', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.oneof(opArbitrary, hostileOp), { maxLength: 40 }),
        (maxEntries, ops) => {
          const built = ops.map(
            (op) =>
              Object.fromEntries(Object.entries(op).map(([k, v]) => [k, materialize(v)])) as Op,
          );
          new ModelHarness({
            maxEntries,
            defaultTtl: 1,
            fullCheck: true,
            categories: CATEGORIES,
          }).run(built);
        },
      ),
      { numRuns: modelRuns(300) },
    );
  });

  it('constructor options: a working cache or a RangeError naming the option', () => {
    const options = fc.oneof(
      anyValue,
      fc.record(
        {
          defaultTtl: anyValue,
          maxEntries: anyValue,
          cleanupInterval: anyValue,
          clock: anyValue,
          logger: anyValue,
          debug: anyValue,
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(options, (recipe) => {
        const given = materialize(recipe);
        let cache: CacheManager;
        try {
          cache = new CacheManager(given as never);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
          expect((error as Error).message).toMatch(/^Invalid cache option "\w+"/);
          return;
        }
        try {
          // Whatever was accepted gives a cache that works (the logger may be the default one).
          expect(cache.set('k', { v: 1 }, 5)).toBe(true);
          expect(cache.getData('k')).toEqual({ v: 1 });
          expect(cache.size).toBeLessThanOrEqual(cache.maxEntries);
        } finally {
          cache.shutdown();
        }
      }),
      { numRuns: modelRuns(300) },
    );
  });
});
