import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';

import { cacheInternals, CacheManager } from '../../lib/core/cache-manager.js';
import { RedisTier } from '../../lib/redis/redis-tier.js';
import type { RedisTierOptions } from '../../lib/redis/redis-tier.options.interface.js';
import { resolveRedisTierOptions } from '../../lib/redis/redis-tier.options.util.js';
import { MemoryLogger } from './redis-tier.fixture.js';
import { StallingRedisClient } from './stalling-redis.client.js';

const BOUND = 1000;
const TIMEOUT = 100;
const THRESHOLD = 2;
/** More large values than the breaker's threshold, each in its own batch. */
const N = 3 * THRESHOLD;

/**
 * What the circuit breaker counts, with a client whose slow commands never answer and timers
 * the test moves: no real Redis, no real waiting, so the outcome cannot depend on the machine.
 */
describe('Redis tier: the circuit breaker counts what says Redis is unwell', () => {
  let client: StallingRedisClient;
  let cache: CacheManager;
  let tier: RedisTier;

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    client = new StallingRedisClient();
    const logger = new MemoryLogger();
    cache = new CacheManager({ cleanupInterval: 0, logger, defaultTtl: 60 });
    const options: RedisTierOptions = {
      client,
      maxValueBytes: BOUND,
      commandTimeout: TIMEOUT,
      writeTimeout: TIMEOUT,
      circuitBreaker: { failureThreshold: THRESHOLD, cooldown: 600_000 },
    };
    tier = new RedisTier(
      cache,
      client,
      client.duplicate(),
      resolveRedisTierOptions(options),
      logger,
      false,
    );
    cacheInternals(cache).attachTier(tier);
    tier.start();
  });

  afterEach(async () => {
    cacheInternals(cache).attachTier(undefined);
    await tier.close();
    jest.useRealTimers();
  });

  /** Lets the queued writes go out, then lets their timeout pass. */
  const afterTimeout = async () => {
    await Promise.resolve();
    await jest.advanceTimersByTimeAsync(TIMEOUT + 1);
  };

  /** A read goes to Redis and is answered (a miss there): it was neither skipped nor failed. */
  const smallCommandsFlow = async () => {
    const before = tier.getStats();
    await expect(tier.fetch('small')).resolves.toBeUndefined();
    expect(tier.getStats()).toMatchObject({
      l2Skipped: before.l2Skipped,
      l2Misses: before.l2Misses + 1,
    });
  };

  it('leaves the circuit closed after many values over maxValueBytes: they never go to Redis', async () => {
    // Moving a large value takes longer than any timeout.
    client.stalls = (length) => length > BOUND;

    for (let i = 0; i < N; i++) {
      cache.set(`big:${i}`, 'x'.repeat(2 * BOUND));
      await afterTimeout();
    }

    expect(client.sent.filter((length) => length > BOUND)).toEqual([]);
    expect(tier.getStats()).toMatchObject({ circuit: 'closed', l2Oversized: N, l2Errors: 0 });
    await smallCommandsFlow();
  });

  it('does not count the timeout of a batch that carries more than maxValueBytes', async () => {
    // Values under the bound, but three of them in one batch are slow to move.
    client.stalls = (length) => length > BOUND / 2;

    for (let i = 0; i < N; i++) {
      for (let j = 0; j < 3; j++) cache.set(`k:${i}:${j}`, 'x'.repeat(0.6 * BOUND));
      await afterTimeout();
    }

    // The writes failed (kept, to be replayed as removals), but Redis was never unwell.
    expect(tier.getStats()).toMatchObject({
      circuit: 'closed',
      l2Oversized: 0,
      l2Errors: 3 * N,
      pendingInvalidations: 3 * N,
    });
    await smallCommandsFlow();
  });

  it('opens the circuit when small commands time out: Redis is unwell', async () => {
    client.stalls = () => true;

    for (let i = 0; i < THRESHOLD; i++) {
      const read = tier.fetch(`k:${i}`);
      await jest.advanceTimersByTimeAsync(TIMEOUT + 1);
      await expect(read).resolves.toBeUndefined();
    }

    expect(tier.getStats()).toMatchObject({ circuit: 'open', l2Errors: THRESHOLD });
    const skipped = tier.getStats().l2Skipped;
    await expect(tier.fetch('next')).resolves.toBeUndefined();
    expect(tier.getStats().l2Skipped).toBe(skipped + 1);
  });

  it('opens the circuit when writes of small values time out', async () => {
    client.stalls = () => true;

    for (let i = 0; i < THRESHOLD; i++) {
      cache.set(`k:${i}`, 'small');
      await afterTimeout();
    }

    expect(tier.getStats()).toMatchObject({ circuit: 'open', l2Errors: THRESHOLD });
  });
});
