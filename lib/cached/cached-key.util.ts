import { defaultCacheKey } from './cache-key.util.js';
import { CACHED_METADATA } from './cached.constants.js';
import { NOT_CACHED_METHOD } from './cached.messages.js';
import type { CachedOptions } from './interfaces/cached-options.interface.js';

/** A class's name as `@Cached` writes it in default keys. */
export function classNameInKeys(ctor: unknown): string {
  const name = (ctor as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name ? name : 'anonymous';
}

/**
 * The key of one call of a `@Cached` method: its `key` option (a string, or a function of the
 * arguments, whose result is returned unchecked), else the default `ClassName.method(<args>)`.
 * @throws UnserializableArgumentError when the arguments cannot make a default key, or what a
 *   `key` function throws.
 */
export function keyOfCall(
  options: CachedOptions,
  className: string,
  methodName: string,
  args: readonly unknown[],
): unknown {
  if (typeof options.key === 'string') return options.key;
  if (options.key !== undefined) return options.key(...args);
  return defaultCacheKey(className, methodName, args);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor signature
type Class<T> = abstract new (...args: any[]) => T;

/** The method names of `T`. */
type MethodName<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T] &
  string;

/** The arguments of `T[M]`, optional when it takes none. */
type ArgsOf<T, M extends keyof T> = T[M] extends (...args: infer A) => unknown
  ? [] extends A
    ? [args?: A]
    : [args: A]
  : never;

/**
 * The key under which `@Cached` caches a call of `type.prototype[method]` with `args`, so that
 * code can read, expire or invalidate exactly that entry:
 *
 * ```ts
 * cache.invalidate(getCachedKey(UsersService, 'findUser', [42])!);
 * ```
 *
 * It honours the method's `key` option. The default key uses `type`'s name, as calls on an
 * instance of `type` do (a subclass's instances use the subclass's name: pass the subclass).
 *
 * @returns the key, or `undefined` when these arguments cannot make one (the call runs
 *   uncached: an argument that is not data, or a `key` function that throws or returns no
 *   non-empty string)
 * @throws TypeError when `method` is not a `@Cached` method of `type`
 */
export function getCachedKey<T, M extends MethodName<T>>(
  type: Class<T>,
  method: M,
  ...rest: ArgsOf<T, M>
): string | undefined {
  const args: readonly unknown[] = rest[0] ?? [];
  const options = cachedOptionsOf(type, method);
  if (options === undefined) {
    throw new TypeError(NOT_CACHED_METHOD(`${classNameInKeys(type)}.${String(method)}`));
  }
  let key: unknown;
  try {
    key = keyOfCall(options, classNameInKeys(type), method, args);
  } catch {
    return undefined; // as @Cached, which runs such a call uncached
  }
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

function cachedOptionsOf(type: unknown, method: string): CachedOptions | undefined {
  const prototype = (type as { prototype?: unknown } | null | undefined)?.prototype;
  if (prototype === null || typeof prototype !== 'object') return undefined;
  let member: unknown;
  try {
    member = (prototype as Record<string, unknown>)[method];
  } catch {
    return undefined;
  }
  return typeof member === 'function'
    ? (Reflect.getMetadata(CACHED_METADATA, member) as CachedOptions | undefined)
    : undefined;
}
