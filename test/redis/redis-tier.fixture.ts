import { Redis } from 'ioredis';

import { cacheInternals, CacheManager } from '../../lib/core/cache-manager.js';
import type { CacheManagerOptions } from '../../lib/core/cache-options.interface.js';
import type { CacheLogger } from '../../lib/core/logger.interface.js';
import { attachRedisTier } from '../../lib/redis/redis-tier.factory.js';
import type { RedisTier } from '../../lib/redis/redis-tier.js';
import type { RedisTierOptions } from '../../lib/redis/redis-tier.options.interface.js';

/** A logger that keeps its lines, so tests can read them (and the test output stays quiet). */
export class MemoryLogger implements CacheLogger {
  readonly lines: { level: string; message: string }[] = [];
  debug(message: string) {
    this.lines.push({ level: 'debug', message });
  }
  log(message: string) {
    this.lines.push({ level: 'log', message });
  }
  warn(message: string) {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string) {
    this.lines.push({ level: 'error', message });
  }
  count(pattern: RegExp): number {
    return this.lines.filter((line) => pattern.test(line.message)).length;
  }
}

/** One app instance as the tier sees it: a cache with its Redis tier. */
export interface Instance {
  cache: CacheManager;
  tier: RedisTier;
  logger: MemoryLogger;
  close(): Promise<void>;
}

/** Quick reconnects, so tests that restart Redis do not wait for ioredis's 5 s backoff. */
export const FAST_RECONNECT = { retryStrategy: () => 50, connectTimeout: 1000 };

export async function createInstance(
  url: string,
  options: Partial<RedisTierOptions> = {},
  cacheOptions: CacheManagerOptions = {},
): Promise<Instance> {
  const logger = new MemoryLogger();
  const cache = new CacheManager({ cleanupInterval: 0, logger, defaultTtl: 60, ...cacheOptions });
  const tier = await attachRedisTier(
    cache,
    { url, clientOptions: FAST_RECONNECT, ...options } as RedisTierOptions,
    logger,
  );
  return {
    cache,
    tier,
    logger,
    close: async () => {
      cacheInternals(cache).attachTier(undefined);
      await tier.close();
    },
  };
}

/** A plain client, to look at (or tamper with) what the tier wrote. */
export function adminClient(url: string): Redis {
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 0 });
}
