import { isObservable, type Observable } from 'rxjs';
import { tap } from 'rxjs/operators';

import { bindingOf, type CacheBinding } from './cached.registry.js';
import { errorMessage } from '../core/error-text.util.js';
import { INVALIDATION_FAILED } from './cached.messages.js';
import type { CacheInvalidateOptions } from './interfaces/cached-options.interface.js';
import { type AnyMethod, isThenable } from './method-wrapper.util.js';

/**
 * Creates the function that replaces a `@CacheInvalidate` method: it calls the method and, once
 * it succeeded (returned, its promise resolved, or its Observable completed), invalidates the
 * keys and categories. A failure invalidates nothing.
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
 * Invalidates what the options list. Key functions run first, so that one that throws
 * invalidates nothing (and is logged): the method succeeded, its result is returned.
 */
export function invalidateAll(
  binding: CacheBinding,
  methodId: string,
  options: CacheInvalidateOptions,
  args: unknown[],
): void {
  const keys: string[] = [];
  try {
    const listed = typeof options.keys === 'function' ? [options.keys] : (options.keys ?? []);
    for (const item of listed) {
      const produced = typeof item === 'function' ? item(...args) : item;
      for (const key of typeof produced === 'string' ? [produced] : produced) {
        if (typeof key !== 'string' || key.length === 0) {
          throw new TypeError(
            `a key function returned ${typeof key === 'string' ? 'an empty string' : typeof key}`,
          );
        }
        keys.push(key);
      }
    }
  } catch (error) {
    binding.logger.error(INVALIDATION_FAILED(methodId, errorMessage(error)));
    return;
  }
  for (const key of keys) binding.cache.invalidate(key);
  for (const category of options.categories ?? []) binding.cache.invalidateCategory(category);
}
