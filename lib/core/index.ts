/**
 * `nestjs-fresh-cache/core`: the framework-free cache, for code that runs without Nest (scripts,
 * workers, other frameworks) or that wants the cache without paying for loading `@nestjs/core`.
 *
 * Nothing reachable from this entry point imports `@nestjs/*`, `rxjs` or `reflect-metadata`
 * (test/package checks the built import graph). The root entry point re-exports all of it.
 */
export { CacheManager, CLEANUP_SLICE_MS } from './cache-manager.js';
export { CacheLoadTimeoutError } from './cache-load-timeout.error.js';
export { CacheEntry, type CacheEntryDict } from './cache-entry.js';
export { CacheStats, type CacheStatsDict } from './cache-stats.js';
export { CacheStatus } from './cache-status.enum.js';
export { getGlobalCache, cleanupGlobalCache } from './global-cache.js';
export { DEFAULT_CACHE_OPTIONS } from './cache-options.util.js';
export { MAX_JSON_DEPTH } from './json-snapshot.util.js';
export { MAX_TAGS_PER_ENTRY } from './cache-tags.util.js';
export type {
  CacheManagerOptions,
  GetOptions,
  HasKeyOptions,
  SetOptions,
  SetOptionsObject,
} from './cache-options.interface.js';
export type { WrapOptions } from './wrap-options.interface.js';
export type {
  CacheEventListener,
  CacheEventMap,
  CacheEventName,
  CacheMissReason,
} from './cache-events.interface.js';
export type { Clock } from './clock.interface.js';
export type { CacheLogger } from './logger.interface.js';
export type { JsonArray, JsonObject, JsonPrimitive, JsonValue } from './json.interface.js';
export type { CacheTier, TierEntry, TierStats } from './cache-tier.interface.js';

// The Redis tier for a cache used without Nest: `attachRedisTier` imports nothing from Nest, and
// loads `ioredis` (an optional peer dependency) only when it is given a `url`.
export { attachRedisTier } from '../redis/redis-tier.factory.js';
export { DEFAULT_REDIS_TIER_OPTIONS } from '../redis/redis-tier.options.util.js';
export type { RedisTier, RedisTierStats } from '../redis/redis-tier.js';
export type {
  RedisCircuitBreakerOptions,
  RedisClientLike,
  RedisDistributedLockOptions,
  RedisTierOptions,
} from '../redis/redis-tier.options.interface.js';
