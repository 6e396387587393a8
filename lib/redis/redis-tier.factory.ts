import { cacheInternals, type CacheManager } from '../core/cache-manager.js';
import type { CacheLogger } from '../core/logger.interface.js';
import { RedisTier } from './redis-tier.js';
import type {
  RedisClientLike,
  RedisTierOptions,
  ResolvedRedisTierOptions,
} from './redis-tier.options.interface.js';
import { resolveRedisTierOptions } from './redis-tier.options.util.js';
import { IOREDIS_MISSING } from './redis.messages.js';
import { errorMessage } from '../core/error-text.util.js';

type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisClientLike;

/**
 * Loads `ioredis` only now, when a `url` asks for it: an app without the `redis` option never
 * loads (nor needs) the package.
 */
async function loadRedisConstructor(): Promise<RedisConstructor> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import('ioredis')) as unknown as Record<string, unknown>;
  } catch (error) {
    throw new Error(IOREDIS_MISSING(errorMessage(error)), {
      cause: error,
    });
  }
  const fallback = loaded.default as Record<string, unknown> | undefined;
  const Redis = loaded.Redis ?? fallback?.Redis ?? fallback;
  if (typeof Redis !== 'function') throw new Error(IOREDIS_MISSING('it exports no Redis class'));
  return Redis as RedisConstructor;
}

/**
 * The connection options the tier needs: fail fast rather than queue (a command sent while Redis
 * is away must not run, late, after it returns), connect in `start()` rather than in the
 * constructor. The user's `clientOptions` come last and win.
 */
function connectionOptions(options: ResolvedRedisTierOptions): Record<string, unknown> {
  return {
    enableOfflineQueue: false,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectionName: `fresh-cache:${options.instanceId}`,
    ...options.clientOptions,
  };
}

/**
 * Creates the Redis tier for `cache` from the `redis` option, attaches it and starts it. Returns
 * without waiting for Redis: the tier connects (and reconnects) in the background.
 * @throws RangeError when an option is invalid; Error when `ioredis` cannot be loaded.
 */
export async function attachRedisTier(
  cache: CacheManager,
  options: RedisTierOptions,
  logger: CacheLogger,
): Promise<RedisTier> {
  const resolved = resolveRedisTierOptions(options);
  let client = resolved.client;
  const ownsClient = client === undefined;
  if (client === undefined) {
    const Redis = await loadRedisConstructor();
    client = new Redis(resolved.url!, connectionOptions(resolved));
  }
  // The bus subscribes again itself on every 'ready', and handles its failure. ioredis's own
  // re-subscription after a reconnect leaves its promise unhandled: a connection lost (or
  // closed by `close()`) during the handshake would end in an unhandled rejection.
  const subscriber = client.duplicate({ autoResubscribe: false });
  const tier = new RedisTier(cache, client, subscriber, resolved, logger, ownsClient);
  cacheInternals(cache).attachTier(tier);
  tier.start();
  return tier;
}
