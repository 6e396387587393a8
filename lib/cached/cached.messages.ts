/** Message factories of `@Cached` and `@CacheInvalidate`, shared by the code and its tests. */

export const NOT_A_METHOD = (decorator: string, method: string): string =>
  `${decorator} decorates instance methods; ${method} is not one.`;

export const INVALID_DECORATOR_OPTION = (
  decorator: string,
  method: string,
  option: string,
  expected: string,
): string => `${decorator} on ${method}: option "${option}" must be ${expected}.`;

export const NOTHING_TO_INVALIDATE = (method: string): string =>
  `@CacheInvalidate on ${method}: give "keys", "categories", "tags", or several.`;

export const UNSERIALIZABLE_ARGUMENTS = (method: string, reason: string): string =>
  `@Cached ${method}: its arguments cannot make a cache key (${reason}); such calls run uncached. ` +
  `Give the decorator a "key" function to cache them.`;

export const KEY_FUNCTION_FAILED = (method: string, option: string, reason: string): string =>
  `@Cached ${method}: the "${option}" function failed (${reason}); such calls run uncached.`;

export const NOT_CACHED_METHOD = (method: string): string =>
  `getCachedKey: ${method} is not a @Cached method.`;

export const RESULT_NOT_CACHED = (method: string, reason: string): string =>
  `@Cached ${method}: the result was returned uncached. ${reason}`;

// Written by the cache's loader too, so it is the core's factory.
export { STALE_SERVED_ON_ERROR } from '../core/cache.messages.js';

export const INVALIDATION_FAILED = (method: string, reason: string): string =>
  `@CacheInvalidate ${method}: computing the keys or tags to invalidate failed (${reason}); ` +
  `the method's result is returned, but nothing was invalidated.`;

export const SHARED_DEFAULT_KEY = (className: string): string =>
  `@Cached: two different classes are named ${className}; their methods' default keys ` +
  `collide. Rename one or give its @Cached methods a "key".`;
