/**
 * fast-check arbitraries for sequences of cache operations: few keys and few categories so
 * writes collide, TTLs whose edges the clock lands on exactly, and small `maxEntries` so eviction
 * happens all the time.
 */
import fc from 'fast-check';

import type { Op } from './model.harness.js';

/** Few keys, so writes, reads and evictions collide; two of them are Object.prototype names. */
export const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', '__proto__', 'constructor'] as const;
export const CATEGORIES = ['default', 'x', 'y', '__proto__'] as const;
/** Few tags, so entries share them; two of them are Object.prototype names. */
export const TAGS = ['t1', 't2', 't3', '__proto__', 'constructor'] as const;
/** Integer and fractional TTLs (0.3 s is not a whole number of ms in floating point). */
export const TTLS = [0.5, 1, 2, 3, 0.3, 0.001] as const;

const key = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 1, arbitrary: fc.constant('') },
);
const category = fc.constantFrom(...CATEGORIES);
const ttl = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TTLS) },
  { weight: 1, arbitrary: fc.double({ min: 0.001, max: 5, noNaN: true }) },
);
const data = fc.oneof(
  fc.integer(),
  fc.constant(null),
  fc.string({ maxLength: 4 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.record({ n: fc.integer(), tags: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }) }),
);
const metadata = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), {
  maxKeys: 2,
});
/** Valid tag lists (duplicates included) mostly; now and then one `set` must refuse. */
const tags = fc.oneof(
  { weight: 12, arbitrary: fc.array(fc.constantFrom(...TAGS), { maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      't1',
      [''],
      ['t1', 2],
      null,
      Array.from({ length: 33 }, (_, i) => `many${i}`),
    ),
  },
);
const tag = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...TAGS) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('', 7) },
);
const setOptions = fc.oneof(
  fc.constant(undefined),
  ttl,
  fc.record({ ttl, category, metadata, tags }, { requiredKeys: [] }),
);
const readOptions = (flag: 'includeStale' | 'freshOnly') =>
  fc.oneof(fc.constant(undefined), fc.record({ [flag]: fc.boolean() }));
const maybeCategory = fc.option(category, { nil: undefined });

/** Clock moves: tiny steps, steps of seconds, fractions of a millisecond. */
const advanceMs = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.integer({ min: 0, max: 7000 }),
  fc.double({ min: 0, max: 5, noNaN: true }),
);

export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      key,
      data,
      options: setOptions,
      mutateAfter: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('restore' as const),
      key: fc.constantFrom(...KEYS),
      data,
      ttl: fc.constantFrom(...TTLS),
      category,
      // Often older than entries already held: it goes back among them, not last.
      ageMs: fc.oneof(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 7000 }),
        fc.double({ min: 0, max: 5, noNaN: true }),
      ),
      tags: fc.option(fc.array(fc.constantFrom(...TAGS), { maxLength: 3 }), { nil: undefined }),
      expiredEarly: fc.boolean(),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('get' as const),
      key,
      options: readOptions('includeStale'),
      dataOnly: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('hasKey' as const),
      key,
      options: readOptions('freshOnly'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('invalidate' as const), key }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('invalidateCategory' as const), category }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('expire' as const), key }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('expireCategory' as const),
      category: fc.oneof(
        { weight: 6, arbitrary: category },
        { weight: 1, arbitrary: fc.constant('') },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('invalidateTag' as const), tag }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('expireTag' as const), tag }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('clear' as const),
      category: fc.oneof(
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 4, arbitrary: category },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cleanup' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stats' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('keys' as const), category: maybeCategory }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('entries' as const), category: maybeCategory }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: advanceMs }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('boundary' as const),
      pick: fc.nat(),
      times: fc.constantFrom(1 as const, 2 as const),
      deltaMs: fc.constantFrom(-1, -0.001, 0, 0, 0.001, 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('back' as const),
      ms: fc.integer({ min: 1, max: 3000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('entryInvalidate' as const), pick: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('entryMarkAccessed' as const), pick: fc.nat() }),
  },
);

/**
 * Half the scenarios have no memory budget; the others one of a few entries' worth (an entry of
 * a small value is about 200 bytes), so that writes evict by bytes, by count, or are refused.
 */
const budgetArbitrary: fc.Arbitrary<{ maxBytes?: number; maxEntryBytes?: number }> = fc.oneof(
  fc.constant({}),
  fc.integer({ min: 150, max: 2500 }).chain((maxBytes) =>
    fc.record(
      {
        maxBytes: fc.constant(maxBytes),
        maxEntryBytes: fc.integer({ min: Math.min(150, maxBytes), max: maxBytes }),
      },
      { requiredKeys: ['maxBytes'] },
    ),
  ),
);

/** A whole scenario: the cache's shape, how closely to check, and up to 200 operations. */
export const scenarioArbitrary = fc
  .record({
    maxEntries: fc.integer({ min: 1, max: 8 }),
    defaultTtl: fc.constantFrom(...TTLS),
    fullCheck: fc.boolean(),
    ops: fc.array(opArbitrary, { maxLength: 200, size: 'max' }),
  })
  .chain((scenario) => budgetArbitrary.map((budget) => ({ ...scenario, ...budget })));

/**
 * How many runs a property makes: `normal` in `npm test`, times MODEL_SCALE (an integer) when
 * set, as `npm run test:long` does.
 */
export function modelRuns(normal: number): number {
  const scale = Number(process.env.MODEL_SCALE);
  return Number.isInteger(scale) && scale > 0 ? normal * scale : normal;
}

/** Limit for an async property (not an assertion: a safety net against a hang). */
export const PROPERTY_TIMEOUT_MS = 60_000 * (Number(process.env.MODEL_SCALE) || 1);
