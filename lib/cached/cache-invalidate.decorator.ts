import { CACHE_INVALIDATE_METADATA } from './cached.constants.js';
import { INVALID_DECORATOR_OPTION, NOTHING_TO_INVALIDATE } from './cached.messages.js';
import { createInvalidatingMethod } from './cache-invalidate-method.util.js';
import type { CacheInvalidateOptions } from './interfaces/cached-options.interface.js';
import { replaceMethod } from './method-wrapper.util.js';

/**
 * After the method succeeds (it returned, its promise resolved, or its Observable completed),
 * invalidates the listed keys, categories and tags in the app's cache, or with `expire: true`
 * expires them (STALE, served by stale-while-revalidate while one refresh runs, instead of
 * INVALID). When the method throws, rejects or errors, nothing is invalidated.
 *
 * Like `@Cached`, it needs no wiring in an app that imports `CacheManagerModule`, and does
 * nothing more than the undecorated method elsewhere.
 *
 * @example
 * ```ts
 * @CacheInvalidate({ keys: [(world) => `command_result_users:${world}`], categories: ['bans'] })
 * async ban(world: string, user: string): Promise<void> { … }
 * ```
 * @throws TypeError, when the class is defined, when none of `keys`, `categories` and `tags` is
 *   given, one of them holds something other than non-empty strings (or functions, for keys and
 *   tags), or `expire` is not a boolean.
 */
export function CacheInvalidate(options: CacheInvalidateOptions): MethodDecorator {
  return (target, propertyKey, descriptor) =>
    replaceMethod('@CacheInvalidate', target, propertyKey, descriptor, (original, methodId) => {
      assertInvalidateOptions(methodId, options);
      const wrapper = createInvalidatingMethod(original, methodId, options);
      Reflect.defineMetadata(CACHE_INVALIDATE_METADATA, options, wrapper);
      return wrapper;
    }) as typeof descriptor;
}

/** Checks `@CacheInvalidate` options once, when the class is defined. */
export function assertInvalidateOptions(methodId: string, options: CacheInvalidateOptions): void {
  const fail = (option: string, expected: string) =>
    new TypeError(INVALID_DECORATOR_OPTION('@CacheInvalidate', methodId, option, expected));
  if (options === null || typeof options !== 'object') throw fail('options', 'an object');
  const { keys, categories, tags, expire } = options;
  if (keys === undefined && categories === undefined && tags === undefined) {
    throw new TypeError(NOTHING_TO_INVALIDATE(methodId));
  }
  for (const [name, value] of [
    ['keys', keys],
    ['tags', tags],
  ] as const) {
    if (
      value !== undefined &&
      typeof value !== 'function' &&
      !(
        Array.isArray(value) &&
        value.every((k) => typeof k === 'function' || (typeof k === 'string' && k.length > 0))
      )
    ) {
      throw fail(name, 'an array of non-empty strings and functions, or a function');
    }
  }
  if (
    categories !== undefined &&
    !(Array.isArray(categories) && categories.every((c) => typeof c === 'string' && c.length > 0))
  ) {
    throw fail('categories', 'an array of non-empty strings');
  }
  if (expire !== undefined && typeof expire !== 'boolean') throw fail('expire', 'a boolean');
}
