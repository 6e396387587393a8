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
  const walk: Walk = { ancestors: [], path: ['args'] };
  let text = '';
  for (let i = 0; i < length; i++) {
    walk.path.push(i);
    text += (i === 0 ? '' : ',') + write(args[i], walk);
    walk.path.pop();
  }
  return text;
}

/**
 * Where the walk is: the objects above the current value (to find cycles) and the path to it,
 * turned into text (`args[1].user.roles[0]`) only when an error names it.
 */
interface Walk {
  readonly ancestors: object[];
  readonly path: (string | number)[];
}

function pathOf(walk: Walk): string {
  let text = '';
  for (const segment of walk.path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** The default key of a call: `ClassName.method(<serialized arguments>)`. */
export function defaultCacheKey(
  className: string,
  methodName: string,
  args: readonly unknown[],
): string {
  return `${className}.${methodName}(${serializeArguments(args)})`;
}

function write(value: unknown, walk: Walk): string {
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
      return value === null ? 'null' : writeObject(value, walk);
    default:
      throw new UnserializableArgumentError(`${pathOf(walk)} is a ${typeof value}`);
  }
}

function writeObject(value: object, walk: Walk): string {
  const { ancestors } = walk;
  if (ancestors.includes(value)) {
    throw new UnserializableArgumentError(`${pathOf(walk)} is part of a cycle`);
  }
  if (ancestors.length >= MAX_JSON_DEPTH) {
    throw new UnserializableArgumentError(
      `${pathOf(walk)} is nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === ARRAY_PROTOTYPE && Array.isArray(value)) {
    ancestors.push(value);
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      walk.path.push(i);
      text += (i === 0 ? '' : ',') + write(read(value, i, walk), walk);
      walk.path.pop();
    }
    ancestors.pop();
    return `${text}]`;
  }
  if (prototype === OBJECT_PROTOTYPE || prototype === null) {
    if (Object.getOwnPropertySymbols(value).length > 0) {
      throw new UnserializableArgumentError(`${pathOf(walk)} has symbol keys`);
    }
    ancestors.push(value);
    let text = '{';
    for (const key of Object.keys(value).sort()) {
      walk.path.push(key);
      const child = read(value, key, walk);
      if (child !== undefined) {
        text += `${text === '{' ? '' : ','}${JSON.stringify(key)}:${write(child, walk)}`;
      }
      walk.path.pop();
    }
    ancestors.pop();
    return `${text}}`;
  }
  if (value instanceof Date && prototype === Date.prototype) {
    const time = value.getTime();
    return `Date(${Number.isNaN(time) ? 'Invalid' : value.toISOString()})`;
  }
  const name = (prototype as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  throw new UnserializableArgumentError(
    `${pathOf(walk)} is ${typeof name === 'string' && name ? `a ${name}` : 'an object with a custom prototype'}`,
  );
}

/** Reads `container[key]` (the walk's path already ends with `key`); a throwing getter is named. */
function read(container: object, key: string | number, walk: Walk): unknown {
  try {
    return (container as Record<string | number, unknown>)[key];
  } catch (error) {
    throw new UnserializableArgumentError(
      `reading ${pathOf(walk)} threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
