/** Metadata key of `@Cached` options, set on the decorated method. */
export const CACHED_METADATA = 'nestjs-fresh-cache:cached';

/** Metadata key of `@CacheInvalidate` options, set on the decorated method. */
export const CACHE_INVALIDATE_METADATA = 'nestjs-fresh-cache:cache-invalidate';
