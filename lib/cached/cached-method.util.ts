import { defer, from, isObservable, lastValueFrom, type Observable } from 'rxjs';
import { filter } from 'rxjs/operators';

import { cacheInternals } from '../core/cache-manager.js';
import type { CacheEntry } from '../core/cache-entry.js';
import { timeoutOf } from '../core/cache-load-timeout.error.js';
import { CacheStatus } from '../core/cache-status.enum.js';
import { snapshotTags } from '../core/cache-tags.util.js';
import { errorMessage, errorStack } from '../core/error-text.util.js';
import type { WrapOptions } from '../core/wrap-options.interface.js';
import { UnserializableArgumentError } from './cache-key.util.js';
import { classNameInKeys, keyOfCall } from './cached-key.util.js';
import { bindingOf, type CacheBinding, warnOnce } from './cached.registry.js';
import {
  KEY_FUNCTION_FAILED,
  RESULT_NOT_CACHED,
  STALE_SERVED_ON_ERROR,
  UNSERIALIZABLE_ARGUMENTS,
} from './cached.messages.js';
import type { CachedOptions } from './interfaces/cached-options.interface.js';
import { type AnyMethod, isThenable } from './method-wrapper.util.js';

/** What a decorated method returns, and so what a hit must return. */
export type ResultKind = 'sync' | 'promise' | 'observable';

/** What the wrapper knows about its method; `kind` is learnt from the first result. */
interface MethodState {
  readonly methodName: string;
  readonly methodId: string;
  readonly options: CachedOptions;
  /** The snapshot of a fixed `tags` list (undefined for none, or for a function). */
  readonly tags: readonly string[] | undefined;
  kind: ResultKind | undefined;
}

/** Stands for "the Observable completed without a value": nothing to return, nothing to cache. */
const NO_VALUE: unique symbol = Symbol('no value');

/**
 * The kind a method's declaration promises: an `async` function or a declared `Promise` return
 * type gives 'promise', a declared `Observable` 'observable', any other declared return type
 * 'sync'. Undefined when nothing is declared: the first call then tells.
 */
export function declaredKind(original: AnyMethod, returnType: unknown): ResultKind | undefined {
  if (original.constructor?.name === 'AsyncFunction') return 'promise';
  if (typeof returnType !== 'function' || returnType === Object) return undefined;
  if (returnType === Promise || returnType.prototype instanceof Promise) return 'promise';
  if (isObservableClass(returnType)) return 'observable';
  return 'sync';
}

function isObservableClass(type: { prototype?: unknown }): boolean {
  const proto = type.prototype as { subscribe?: unknown; pipe?: unknown } | undefined;
  return typeof proto?.subscribe === 'function' && typeof proto.pipe === 'function';
}

/** Creates the function that replaces a `@Cached` method. */
export function createCachedMethod(
  original: AnyMethod,
  methodName: string,
  methodId: string,
  options: CachedOptions,
  kind: ResultKind | undefined,
  tags?: readonly string[],
): AnyMethod {
  const state: MethodState = { methodName, methodId, options, tags, kind };
  return function cached(this: unknown, ...args: unknown[]): unknown {
    const binding = bindingOf(this);
    if (binding === undefined) return original.apply(this, args);
    const prepared = prepareCall(binding, state, this, args);
    if (prepared === undefined) return original.apply(this, args);
    const [key, wrapOptions] = prepared;
    const invoke = () => original.apply(this, args);
    switch (state.kind) {
      case 'promise':
        return binding.cache.wrap(key, () => settle(invoke()), wrapOptions);
      case 'observable':
        return cachedObservable(binding, key, invoke, wrapOptions);
      case 'sync':
        return callSync(binding, state, key, invoke, wrapOptions);
      default:
        return firstCall(binding, state, key, invoke, wrapOptions);
    }
  };
}

/** The key and the options of one call, or undefined when the call must run uncached. */
function prepareCall(
  binding: CacheBinding,
  state: MethodState,
  self: unknown,
  args: unknown[],
): [string, WrapOptions] | undefined {
  const { options, methodId } = state;
  let key: unknown;
  let metadata: WrapOptions['metadata'];
  let tags = state.tags;
  let forceRefresh = false;
  // Which option function runs, for the warning when one fails.
  let step = 'key';
  try {
    key = keyOfCall(options, classNameOf(self), state.methodName, args);
    step = 'metadata';
    metadata =
      typeof options.metadata === 'function' ? options.metadata(...args) : options.metadata;
    step = 'tags';
    if (typeof options.tags === 'function') tags = snapshotTags(options.tags(...args));
    step = 'forceRefresh';
    if (options.forceRefresh !== undefined) forceRefresh = options.forceRefresh(...args) === true;
  } catch (error) {
    if (error instanceof UnserializableArgumentError) {
      warnOnce(binding, `${methodId}:key`, UNSERIALIZABLE_ARGUMENTS(methodId, error.message));
    } else {
      const warning = KEY_FUNCTION_FAILED(methodId, step, errorMessage(error));
      warnOnce(binding, `${methodId}:keyfn`, warning);
    }
    return undefined;
  }
  if (typeof key !== 'string' || key.length === 0) {
    const reason = `the key must be a non-empty string, got ${typeof key === 'string' ? 'an empty string' : typeof key}`;
    warnOnce(binding, `${methodId}:keyfn`, KEY_FUNCTION_FAILED(methodId, 'key', reason));
    return undefined;
  }
  return [
    key,
    {
      ttl: options.ttl,
      category: options.category,
      metadata,
      tags: withResultTags(tags, options.resultTags, args),
      staleWhileRevalidate: options.staleWhileRevalidate,
      staleIfError: options.staleIfError,
      forceRefresh,
      softTimeout: options.softTimeout,
      hardTimeout: options.hardTimeout,
      unless: options.unless,
      onUncacheable: (reason) =>
        warnOnce(binding, `${methodId}:result`, RESULT_NOT_CACHED(methodId, reason)),
    },
  ];
}

/**
 * The tags a call's result is cached with: the call's `tags`, plus, with `resultTags`, those
 * of the result (a function the loader calls with it; the sum is checked there).
 */
function withResultTags(
  tags: readonly string[] | undefined,
  resultTags: CachedOptions['resultTags'],
  args: unknown[],
): WrapOptions['tags'] {
  if (resultTags === undefined) return tags;
  return (result) => [...(tags ?? []), ...resultTags(result, ...args)];
}

/** The runtime class's name: a subclass inheriting a decorated method gets keys of its own. */
function classNameOf(self: unknown): string {
  return classNameInKeys((self as { constructor?: unknown }).constructor);
}

/** What the cache's loader should wait for: an Observable's last value, or the value itself. */
function settle(result: unknown): unknown {
  return isObservable(result) ? lastValueFrom(result, { defaultValue: NO_VALUE }) : result;
}

/**
 * An Observable method: each subscription looks the key up, and on a miss subscribes to the
 * original Observable (once for all concurrent subscribers), emits the value it completes
 * with and caches it. `first` is the Observable a call already returned, used by the first
 * subscription instead of calling the method again.
 */
function cachedObservable(
  binding: CacheBinding,
  key: string,
  invoke: () => unknown,
  wrapOptions: WrapOptions,
  first?: Observable<unknown>,
): Observable<unknown> {
  let pending = first;
  const options: WrapOptions = {
    ...wrapOptions,
    unless: (value) => value === NO_VALUE || (wrapOptions.unless?.(value) ?? false),
  };
  const load = () => {
    const result = pending ?? invoke();
    pending = undefined;
    return settle(result);
  };
  return defer(() => from(binding.cache.wrap(key, load, options))).pipe(
    filter((value) => value !== NO_VALUE),
  );
}

/**
 * A call whose kind is not known yet (no declared return type, never called): it runs the
 * method, learns the kind from the result and caches the result. The cache is not read first,
 * since a hit could not be returned in the right form.
 */
function firstCall(
  binding: CacheBinding,
  state: MethodState,
  key: string,
  invoke: () => unknown,
  wrapOptions: WrapOptions,
): unknown {
  // Someone else (another method or `wrap` sharing the key) is loading it: stay out of the way.
  if (cacheInternals(binding.cache).isLoading(key)) return invoke();
  return runAndCache(binding, state, key, invoke, wrapOptions, undefined);
}

/** A sync method: reads and writes the cache synchronously. */
function callSync(
  binding: CacheBinding,
  state: MethodState,
  key: string,
  invoke: () => unknown,
  wrapOptions: WrapOptions,
): unknown {
  const cache = cacheInternals(binding.cache);
  if (wrapOptions.forceRefresh === true) {
    return runAndCache(binding, state, key, invoke, wrapOptions, undefined);
  }
  const { entry, status } = cache.lookup(key, wrapOptions);
  if (status === CacheStatus.FRESH) return entry!.data;
  if (status === CacheStatus.STALE && wrapOptions.staleWhileRevalidate === true) {
    // Deferred by a microtask, so the caller has its stale value before the method runs again.
    cache.refreshInBackground(
      key,
      async () => {
        await undefined;
        return settle(invoke());
      },
      wrapOptions,
    );
    return entry!.data;
  }
  const stale =
    status === CacheStatus.STALE && wrapOptions.staleIfError === true ? entry : undefined;
  return runAndCache(binding, state, key, invoke, wrapOptions, stale);
}

/**
 * Runs the method now and caches what it returns, in the form it returns it: a value at once, a
 * promise through the cache's single-flight `load`, an Observable through `cachedObservable`.
 * With `stale`, a failure returns the stale data instead (and is logged).
 */
function runAndCache(
  binding: CacheBinding,
  state: MethodState,
  key: string,
  invoke: () => unknown,
  wrapOptions: WrapOptions,
  stale: CacheEntry<unknown> | undefined,
): unknown {
  const { logger } = binding;
  const cache = cacheInternals(binding.cache);
  const serveStale = (error: unknown): unknown => {
    logger.error(
      STALE_SERVED_ON_ERROR(key, stale!.getAgeSeconds(), timeoutOf(error)),
      errorStack(error),
    );
    return stale!.data;
  };
  const started = performance.now();
  let result: unknown;
  try {
    result = invoke();
  } catch (error) {
    cache.recordLoad(performance.now() - started, true);
    if (stale !== undefined) return serveStale(error);
    throw error;
  }
  if (isObservable(result)) {
    state.kind = 'observable';
    return cachedObservable(binding, key, invoke, wrapOptions, result);
  }
  if (isThenable(result)) {
    state.kind = 'promise';
    const promise = result;
    const loaded = cache.load(key, () => promise, wrapOptions, stale);
    // `load` may answer without waiting for this promise (from a second tier, or a load already
    // under way): its failure must not then be reported as unhandled. `loaded` still fails.
    Promise.resolve(promise).catch(() => undefined);
    return stale === undefined ? loaded : loaded.catch(serveStale);
  }
  state.kind = 'sync';
  cache.recordLoad(performance.now() - started, false);
  cache.cacheLoaded(key, result, wrapOptions);
  return result;
}
