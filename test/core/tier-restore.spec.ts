import { describe, expect, it, jest } from '@jest/globals';

import { CacheManager, CacheStatus } from '../../lib/index.js';
import type { TierEntry } from '../../lib/core/cache-tier.interface.js';
import { cacheInternals } from '../../lib/core/cache-manager.js';
import { fakeTier } from '../support/fake-tier.js';
import { TestClock } from '../support/test-clock.js';
import { silentLogger } from '../support/test-loggers.js';

/*
 * What a second tier hands back is data from another process (Redis, another version of this
 * library): each field is checked before it becomes an entry here, and an entry that fails a
 * check is not restored (the caller loads instead), whatever the other fields say.
 */

function setup() {
  const clock = new TestClock();
  const cache = new CacheManager({ cleanupInterval: 0, clock: clock.read, logger: silentLogger });
  const stored = (fields: Partial<Record<keyof TierEntry, unknown>> = {}): TierEntry =>
    ({
      data: { users: 3 },
      metadata: {},
      timestampMs: cache.now() - 1000,
      ttlSeconds: 60,
      category: 'worlds',
      ...fields,
    }) as TierEntry;
  return {
    cache,
    clock,
    stored,
    restore: cacheInternals(cache).restore.bind(cacheInternals(cache)),
  };
}

describe('an entry restored from the second tier', () => {
  it('keeps its data, timestamp, TTL and category when every field is valid', () => {
    const { cache, stored, restore } = setup();
    const entry = restore('k', stored())!;
    expect(entry.data).toEqual({ users: 3 });
    expect(entry.category).toBe('worlds');
    expect(entry.ttlSeconds).toBe(60);
    expect(entry.getAgeSeconds()).toBe(1);
    expect(cache.get('k')?.status).toBe(CacheStatus.FRESH);
  });

  it.each<[string, Partial<Record<keyof TierEntry, unknown>>]>([
    ['a timestamp that is NaN', { timestampMs: Number.NaN }],
    ['a timestamp that is Infinity', { timestampMs: Number.POSITIVE_INFINITY }],
    ['a timestamp given as text', { timestampMs: 'now' }],
    ['a recent timestamp given as numeric text', { timestampMs: 'RECENT' }],
    ['a TTL of 0', { ttlSeconds: 0 }],
    ['a TTL given as text', { ttlSeconds: '60' }],
    ['an empty category', { category: '' }],
    ['a category that is not a string', { category: 42 }],
    ['tags that are not strings', { tags: [7] }],
  ])('is refused for %s (with every other field valid)', (_what, fields) => {
    const { cache, stored, restore } = setup();
    const entry = stored(
      fields.timestampMs === 'RECENT' ? { timestampMs: String(cache.now() - 1000) } : fields,
    );
    expect(restore('k', entry)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('is refused under a key that is empty or not a string', () => {
    const { cache, stored, restore } = setup();
    expect(restore('', stored())).toBeUndefined();
    expect(restore(42 as unknown as string, stored())).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('makes wrap run its loader when what the tier fetched is not valid', async () => {
    const clock = new TestClock();
    const cache = new CacheManager({ cleanupInterval: 0, clock: clock.read, logger: silentLogger });
    const bad = { data: 'theirs', timestampMs: cache.now(), ttlSeconds: 60, category: '' };
    cacheInternals(cache).attachTier(fakeTier({ fetch: async () => bad as TierEntry }));
    await expect(cache.wrap('k', async () => 'ours')).resolves.toBe('ours');
    expect(cache.getData('k')).toBe('ours');
    expect(cache.getStats().totalLoads).toBe(1);
  });

  it('is what wrap returns when the tier says another instance loaded the key meanwhile', async () => {
    const clock = new TestClock();
    const cache = new CacheManager({ cleanupInterval: 0, clock: clock.read, logger: silentLogger });
    const theirs = {
      data: 'theirs',
      timestampMs: cache.now(),
      ttlSeconds: 60,
      category: 'default',
    };
    const loader = jest.fn(async () => 'ours');
    cacheInternals(cache).attachTier(
      fakeTier({ runExclusive: async () => ({ entry: theirs as TierEntry }) }),
    );
    await expect(cache.wrap('k', loader)).resolves.toBe('theirs');
    expect(loader).not.toHaveBeenCalled();
    expect(cache.getData('k')).toBe('theirs');
  });
});

describe("a load run under the second tier's lease", () => {
  it('runs the loader through runExclusive, and caches what it returns', async () => {
    const cache = new CacheManager({ cleanupInterval: 0, logger: silentLogger });
    const leased: string[] = [];
    cacheInternals(cache).attachTier(
      fakeTier({
        runExclusive: async <T>(key: string, load: () => Promise<T>) => {
          leased.push(key);
          return { value: await load() };
        },
      }),
    );
    await expect(cache.wrap('k', async () => 'loaded')).resolves.toBe('loaded');
    expect(leased).toEqual(['k']);
    expect(cache.getData('k')).toBe('loaded');
  });
});
