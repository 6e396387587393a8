/**
 * Deep, frozen copies of JSON values, checked in the same pass.
 *
 * The cache keeps what `set` was given as it was at that moment: a caller who mutates its object
 * afterwards, or mutates what a read returned, cannot change the cached value. Copying once on
 * write and freezing lets every read hand out the stored value itself, with no copy.
 */

/** Objects nested deeper than this are refused (it also bounds the walk of a cyclic value). */
export const MAX_JSON_DEPTH = 1000;

/** Why a value is not JSON; `snapshotJson` throws it, `set` turns it into `false`. */
export class NotJsonError extends Error {
  override name = 'NotJsonError';
}

const OBJECT_PROTOTYPE = Object.prototype;
const ARRAY_PROTOTYPE = Array.prototype;

/**
 * Returns a deep-frozen copy of `value`, which must be a JSON value: `null`, a boolean, a finite
 * number, a string, an array of JSON values, or a plain object (prototype `Object.prototype` or
 * `null`) whose own enumerable string-keyed values are JSON values and which has no symbol keys.
 * Anything else (functions, `undefined`, symbols, BigInt, NaN/±Infinity, cycles, `Map`, `Set`,
 * `Date`, class instances, array holes) throws a {@link NotJsonError} saying where and why.
 */
export function snapshotJson<T = unknown>(value: unknown): T {
  const ancestors: object[] = [];
  return copy(value, '$', ancestors) as T;
}

function copy(value: unknown, path: string, ancestors: object[]): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new NotJsonError(`${path} is ${value}`);
      return value;
    case 'object':
      if (value === null) return null;
      return copyObject(value, path, ancestors);
    default:
      throw new NotJsonError(
        `${path} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}`,
      );
  }
}

function copyObject(value: object, path: string, ancestors: object[]): unknown {
  const depth = ancestors.length;
  if (depth >= MAX_JSON_DEPTH) {
    const cyclic = new Set(ancestors).size < ancestors.length;
    throw new NotJsonError(
      cyclic
        ? `${path} is part of a cycle`
        : `${path} is nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  ancestors.push(value);
  const prototype: unknown = Object.getPrototypeOf(value);
  let result: unknown;
  if (prototype === ARRAY_PROTOTYPE && Array.isArray(value)) {
    const length = value.length;
    const array = new Array<unknown>(length);
    for (let i = 0; i < length; i++) {
      if (!(i in value)) throw new NotJsonError(`${path}[${i}] is a hole in a sparse array`);
      array[i] = copy(value[i], `${path}[${i}]`, ancestors);
    }
    result = Object.freeze(array);
  } else if (prototype === OBJECT_PROTOTYPE || prototype === null) {
    if (Object.getOwnPropertySymbols(value).length > 0) {
      throw new NotJsonError(`${path} has symbol keys`);
    }
    const source = value as Record<string, unknown>;
    const object: Record<string, unknown> = prototype === null ? Object.create(null) : {};
    for (const key of Object.keys(source)) {
      const child = copy(source[key], `${path}.${key}`, ancestors);
      if (key === '__proto__') {
        Object.defineProperty(object, key, {
          value: child,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        object[key] = child;
      }
    }
    result = Object.freeze(object);
  } else {
    const name = (prototype as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    throw new NotJsonError(
      `${path} is ${typeof name === 'string' && name ? `a ${name}` : 'an object with a custom prototype'}`,
    );
  }
  ancestors.pop();
  return result;
}
