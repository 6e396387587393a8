export { CacheManagerModule } from './cache-manager.module.js';
export { CacheManagerService } from './cache-manager.service.js';
export { CACHE_CLEANUP_JOB, CACHE_MANAGER_OPTIONS } from './cache-manager.constants.js';
export { cacheStatsResponse, type CacheStatsResponse } from './cache-stats.controller.js';
export type {
  CacheManagerModuleExtras,
  CacheManagerModuleOptions,
  CacheManagerOptionsFactory,
  StatsControllerOption,
} from './interfaces/cache-manager-module-options.interface.js';

export { Cached } from './cached/cached.decorator.js';
export { CacheInvalidate } from './cached/cache-invalidate.decorator.js';
export { getCachedKey } from './cached/cached-key.util.js';
export type {
  CachedOptions,
  CacheInvalidateOptions,
  CacheKeyFunction,
  CacheNamesFunction,
} from './cached/interfaces/cached-options.interface.js';

export { CacheManager, CLEANUP_SLICE_MS } from './core/cache-manager.js';
export { CacheLoadTimeoutError } from './core/cache-load-timeout.error.js';
export { CacheEntry, type CacheEntryDict } from './core/cache-entry.js';
export { CacheStats, type CacheStatsDict } from './core/cache-stats.js';
export { CacheStatus } from './core/cache-status.enum.js';
export { getGlobalCache, cleanupGlobalCache } from './core/global-cache.js';
export { DEFAULT_CACHE_OPTIONS } from './core/cache-options.util.js';
export { MAX_JSON_DEPTH } from './core/json-snapshot.util.js';
export { MAX_TAGS_PER_ENTRY } from './core/cache-tags.util.js';
export type {
  CacheManagerOptions,
  GetOptions,
  HasKeyOptions,
  SetOptions,
  SetOptionsObject,
} from './core/cache-options.interface.js';
export type { WrapOptions } from './core/wrap-options.interface.js';
export type {
  CacheEventListener,
  CacheEventMap,
  CacheEventName,
  CacheMissReason,
} from './core/cache-events.interface.js';
export type { Clock } from './core/clock.interface.js';
export type { CacheLogger } from './core/logger.interface.js';
export type { JsonArray, JsonObject, JsonPrimitive, JsonValue } from './core/json.interface.js';
export type { CacheTier, TierEntry, TierStats } from './core/cache-tier.interface.js';

// The Redis tier: types only at the root, and `attachRedisTier` for a cache used without Nest.
// Nothing here imports `ioredis`; the tier loads it when a `url` is given.
export { attachRedisTier } from './redis/redis-tier.factory.js';
export { DEFAULT_REDIS_TIER_OPTIONS } from './redis/redis-tier.options.util.js';
export type { RedisTier, RedisTierStats } from './redis/redis-tier.js';
export type {
  RedisCircuitBreakerOptions,
  RedisClientLike,
  RedisDistributedLockOptions,
  RedisTierOptions,
} from './redis/redis-tier.options.interface.js';
