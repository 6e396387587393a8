import { isObservable, type Observable } from 'rxjs';
import { tap } from 'rxjs/operators';

import { bindingOf, type CacheBinding } from './cached.registry.js';
import { errorMessage } from '../core/error-text.util.js';
import { INVALIDATION_FAILED } from './cached.messages.js';
import type {
  CacheInvalidateOptions,
  CacheNamesFunction,
} from './interfaces/cached-options.interface.js';
import { type AnyMethod, isThenable } from './method-wrapper.util.js';

/**
 * Creates the function that replaces a `@CacheInvalidate` method: it calls the method and, once
 * it succeeded (returned, its promise resolved, or its Observable completed), invalidates (or,
 * with `expire`, expires) the keys, categories and tags. A failure invalidates nothing.
 */
export function createInvalidatingMethod(
  original: AnyMethod,
  methodId: string,
  options: CacheInvalidateOptions,
): AnyMethod {
  return function invalidating(this: unknown, ...args: unknown[]): unknown {
    const result = original.apply(this, args);
    const invalidate = () => {
      const binding = bindingOf(this);
      if (binding !== undefined) invalidateAll(binding, methodId, options, args);
    };
    if (isObservable(result))
      return (result as Observable<unknown>).pipe(tap({ complete: invalidate }));
    if (isThenable(result)) {
      return Promise.resolve(result).then((value: unknown) => {
        invalidate();
        return value;
      });
    }
    invalidate();
    return result;
  };
}

/**
 * Invalidates (with `expire`: expires) what the options list. Key and tag functions run first, so
 * that one that throws invalidates nothing (and is logged): the method succeeded, its result is
 * returned.
 */
export function invalidateAll(
  binding: CacheBinding,
  methodId: string,
  options: CacheInvalidateOptions,
  args: unknown[],
): void {
  let keys: string[];
  let tags: string[];
  try {
    keys = namesOf(options.keys, 'key', args);
    tags = namesOf(options.tags, 'tag', args);
  } catch (error) {
    binding.logger.error(INVALIDATION_FAILED(methodId, errorMessage(error)));
    return;
  }
  const { cache } = binding;
  const expire = options.expire === true;
  for (const key of keys) {
    if (expire) cache.expire(key);
    else cache.invalidate(key);
  }
  for (const category of options.categories ?? []) {
    if (expire) cache.expireCategory(category);
    else cache.invalidateCategory(category);
  }
  for (const tag of tags) {
    if (expire) cache.expireTag(tag);
    else cache.invalidateTag(tag);
  }
}

/**
 * The keys (or tags) a list of strings and functions of the arguments names.
 * @throws TypeError when a function returns something other than non-empty strings.
 */
function namesOf(
  listed: ReadonlyArray<string | CacheNamesFunction> | CacheNamesFunction | undefined,
  what: 'key' | 'tag',
  args: unknown[],
): string[] {
  const names: string[] = [];
  const items = typeof listed === 'function' ? [listed] : (listed ?? []);
  for (const item of items) {
    const produced = typeof item === 'function' ? item(...args) : item;
    for (const name of typeof produced === 'string' ? [produced] : produced) {
      if (typeof name !== 'string' || name.length === 0) {
        throw new TypeError(
          `a ${what} function returned ${typeof name === 'string' ? 'an empty string' : typeof name}`,
        );
      }
      names.push(name);
    }
  }
  return names;
}
