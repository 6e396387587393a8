import { INVALID_CATEGORY, INVALID_TIMEOUT, INVALID_TTL } from '../core/cache.messages.js';
import { isValidCategory, isValidTimeout, isValidTtl } from '../core/cache-status.util.js';
import { snapshotTags } from '../core/cache-tags.util.js';
import { errorMessage } from '../core/error-text.util.js';
import { CACHED_METADATA } from './cached.constants.js';
import { INVALID_DECORATOR_OPTION } from './cached.messages.js';
import { createCachedMethod, declaredKind } from './cached-method.util.js';
import type { CachedOptions } from './interfaces/cached-options.interface.js';
import { replaceMethod } from './method-wrapper.util.js';

/**
 * Caches the method's results in the app's cache, by key, with the cache's freshness rules:
 * a FRESH result is returned without calling the method; with `staleWhileRevalidate` a STALE
 * one is returned at once and refreshed in the background; EXPIRED and INVALID results are
 * misses. Concurrent calls that miss on the same key share one call of the method.
 *
 * Works on methods of providers and controllers of an app that imports `CacheManagerModule`,
 * with no other wiring, whether the method is sync, returns a promise or returns an
 * Observable; the decorated method returns the same kind of value. Elsewhere (before the app is
 * initialised, after it closed, in an instance the app did not create) it behaves exactly like
 * the undecorated method.
 *
 * @example
 * ```ts
 * @Cached({ ttl: 300, category: 'command_results', key: (command) => `command_result_${command}` })
 * async run(command: string): Promise<CommandResult> { … }
 * ```
 * @throws TypeError or RangeError, when the class is defined, for options that cannot work
 *   (a TTL that is not a positive number of seconds, an empty key, bad tags, a non-function
 *   `unless`…).
 */
export function Cached(options: CachedOptions = {}): MethodDecorator {
  return (target, propertyKey, descriptor) =>
    replaceMethod('@Cached', target, propertyKey, descriptor, (original, methodId) => {
      assertCachedOptions(methodId, options);
      const returnType: unknown = Reflect.getMetadata('design:returntype', target, propertyKey);
      const wrapper = createCachedMethod(
        original,
        String(propertyKey),
        methodId,
        options,
        declaredKind(original, returnType),
        fixedTags(methodId, options.tags),
      );
      Reflect.defineMetadata(CACHED_METADATA, options, wrapper);
      return wrapper;
    }) as typeof descriptor;
}

/**
 * The snapshot of a fixed `tags` list, taken once for every call; undefined for a function.
 * @throws RangeError, naming the method, for bad tags (as for a bad category).
 */
function fixedTags(methodId: string, tags: CachedOptions['tags']): readonly string[] | undefined {
  if (typeof tags === 'function') return undefined;
  try {
    return snapshotTags(tags);
  } catch (error) {
    throw new RangeError(`@Cached on ${methodId}: ${errorMessage(error)}`, { cause: error });
  }
}

/** Checks `@Cached` options once, when the class is defined. */
export function assertCachedOptions(methodId: string, options: CachedOptions): void {
  const fail = (option: string, expected: string) =>
    new TypeError(INVALID_DECORATOR_OPTION('@Cached', methodId, option, expected));
  if (options === null || typeof options !== 'object') throw fail('options', 'an object');
  const {
    ttl,
    category,
    key,
    metadata,
    unless,
    resultTags,
    forceRefresh,
    staleWhileRevalidate,
    staleIfError,
  } = options;
  if (ttl !== undefined && !isValidTtl(ttl)) {
    throw new RangeError(`@Cached on ${methodId}: ${INVALID_TTL(ttl)}`);
  }
  if (category !== undefined && !isValidCategory(category)) {
    throw new RangeError(`@Cached on ${methodId}: ${INVALID_CATEGORY(category)}`);
  }
  if (key !== undefined && typeof key !== 'function' && (typeof key !== 'string' || !key)) {
    throw fail('key', 'a non-empty string or a function of the arguments');
  }
  if (
    metadata !== undefined &&
    typeof metadata !== 'function' &&
    (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))
  ) {
    throw fail('metadata', 'an object or a function of the arguments');
  }
  if (unless !== undefined && typeof unless !== 'function') throw fail('unless', 'a function');
  fixedTags(methodId, options.tags);
  if (resultTags !== undefined && typeof resultTags !== 'function') {
    throw fail('resultTags', 'a function of the result and the arguments');
  }
  if (forceRefresh !== undefined && typeof forceRefresh !== 'function') {
    throw fail('forceRefresh', 'a function of the arguments');
  }
  for (const name of ['softTimeout', 'hardTimeout'] as const) {
    const seconds = options[name];
    if (seconds !== undefined && !isValidTimeout(seconds)) {
      throw new RangeError(`@Cached on ${methodId}: ${INVALID_TIMEOUT(name, seconds)}`);
    }
  }
  for (const [name, value] of [
    ['staleWhileRevalidate', staleWhileRevalidate],
    ['staleIfError', staleIfError],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw fail(name, 'a boolean');
  }
}
