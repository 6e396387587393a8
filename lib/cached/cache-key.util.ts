import { MAX_JSON_DEPTH } from '../core/json-snapshot.util.js';

/**
 * Why arguments cannot make a cache key. `@Cached` catches it, warns once for the method and
 * lets the call run uncached: a key that lost part of an argument could return the result of
 * another call, and a wrong hit is worse than no hit.
 */
export class UnserializableArgumentError extends Error {
  override name = 'UnserializableArgumentError';
}

const OBJECT_PROTOTYPE = Object.prototype;
const ARRAY_PROTOTYPE = Array.prototype;

/**
 * A stable text for a method's arguments, equal for two argument lists exactly when they are
 * the same values:
 * - object keys are sorted, so `{ a: 1, b: 2 }` and `{ b: 2, a: 1 }` give the same text;
 * - types stay apart: `1`, `'1'`, `1n`, `true` and `'true'` all differ (strings are quoted);
 * - `NaN`, `Infinity` and `undefined` keep their names (JSON would turn them into `null`);
 *   a property whose value is `undefined` is left out, as an absent one, and trailing
 *   `undefined` arguments too, as JavaScript's default parameters treat them;
 * - a `Date` is written as its time (`Date(2026-01-01T00:00:00.000Z)`).
 *
 * @throws UnserializableArgumentError for anything else: functions, symbols, class instances
 *   (`Map`, `Set`, a request object…), symbol keys, cycles, nesting deeper than
 *   `MAX_JSON_DEPTH`, or a getter that throws.
 */
export function serializeArguments(args: readonly unknown[]): string {
  let length = args.length;
  while (length > 0 && args[length - 1] === undefined) length--;
  const ancestors: object[] = [];
  const parts: string[] = [];
  for (let i = 0; i < length; i++) parts.push(write(args[i], `args[${i}]`, ancestors));
  return parts.join(',');
}

/** The default key of a call: `ClassName.method(<serialized arguments>)`. */
export function defaultCacheKey(
  className: string,
  methodName: string,
  args: readonly unknown[],
): string {
  return `${className}.${methodName}(${serializeArguments(args)})`;
}

function write(value: unknown, path: string, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'undefined';
    case 'object':
      return value === null ? 'null' : writeObject(value, path, ancestors);
    default:
      throw new UnserializableArgumentError(`${path} is a ${typeof value}`);
  }
}

function writeObject(value: object, path: string, ancestors: object[]): string {
  if (ancestors.includes(value))
    throw new UnserializableArgumentError(`${path} is part of a cycle`);
  if (ancestors.length >= MAX_JSON_DEPTH) {
    throw new UnserializableArgumentError(`${path} is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (value instanceof Date && prototype === Date.prototype) {
    const time = value.getTime();
    return `Date(${Number.isNaN(time) ? 'Invalid' : value.toISOString()})`;
  }
  ancestors.push(value);
  let text: string;
  if (prototype === ARRAY_PROTOTYPE && Array.isArray(value)) {
    const parts: string[] = [];
    for (let i = 0; i < value.length; i++) {
      parts.push(write(read(value, i, path), `${path}[${i}]`, ancestors));
    }
    text = `[${parts.join(',')}]`;
  } else if (prototype === OBJECT_PROTOTYPE || prototype === null) {
    if (Object.getOwnPropertySymbols(value).length > 0) {
      throw new UnserializableArgumentError(`${path} has symbol keys`);
    }
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const child = read(value, key, path);
      if (child === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${write(child, `${path}.${key}`, ancestors)}`);
    }
    text = `{${parts.join(',')}}`;
  } else {
    const name = (prototype as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    throw new UnserializableArgumentError(
      `${path} is ${typeof name === 'string' && name ? `a ${name}` : 'an object with a custom prototype'}`,
    );
  }
  ancestors.pop();
  return text;
}

function read(container: object, key: string | number, path: string): unknown {
  try {
    return (container as Record<string | number, unknown>)[key];
  } catch (error) {
    throw new UnserializableArgumentError(
      `reading ${path}${typeof key === 'number' ? `[${key}]` : `.${key}`} threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
