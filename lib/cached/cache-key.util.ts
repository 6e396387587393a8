import { createHash } from 'node:crypto';

import { MAX_JSON_DEPTH } from '../core/json-snapshot.util.js';
import { errorMessage } from '../core/error-text.util.js';

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
 * - a `Date` is written as its time (`Date(2026-01-01T00:00:00.000Z)`);
 * - an instance of a data class (a CQRS query or command, a DTO) is written as its class name
 *   and its own enumerable properties (`GetUserQuery{"id":42}`), so equal queries share a key
 *   and other classes never do (see {@link dataClassNameOf}).
 *
 * @throws UnserializableArgumentError for anything else: functions, symbols, instances of
 *   classes that keep state outside their own properties (`Map`, `Set`, a class with `#private`
 *   fields, a request object whose properties are not data…), symbol keys, cycles, nesting
 *   deeper than `MAX_JSON_DEPTH`, or a getter that throws.
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

/**
 * The longest default key kept as text. Longer ones (a large argument) become a digest, so a
 * 100 MB argument does not make a 100 MB key held in memory and sent to Redis.
 */
export const MAX_DEFAULT_KEY_LENGTH = 250;

/**
 * The default key of a call: `ClassName.method(<serialized arguments>)`, or, when that is longer
 * than {@link MAX_DEFAULT_KEY_LENGTH}, `ClassName.method(sha256:<digest>)` with the SHA-256 of
 * the serialized arguments (base64url). The digest is the same in every process, so instances
 * sharing a Redis tier still share the entry; no serialized argument list starts with `sha256:`,
 * so a digest key never equals a text one.
 */
export function defaultCacheKey(
  className: string,
  methodName: string,
  args: readonly unknown[],
): string {
  const serialized = serializeArguments(args);
  const key = `${className}.${methodName}(${serialized})`;
  if (key.length <= MAX_DEFAULT_KEY_LENGTH) return key;
  const digest = createHash('sha256').update(serialized).digest('base64url');
  return `${className}.${methodName}(sha256:${digest})`;
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
  if (prototype === OBJECT_PROTOTYPE || prototype === null) return writeFields(value, walk);
  if (value instanceof Date && prototype === Date.prototype) {
    const time = value.getTime();
    return `Date(${Number.isNaN(time) ? 'Invalid' : value.toISOString()})`;
  }
  const verdict = dataClassNameOf(prototype as object);
  if (verdict.name !== undefined) return verdict.name + writeFields(value, walk);
  throw new UnserializableArgumentError(`${pathOf(walk)} ${verdict.refusal}`);
}

/** `{"a":1,"b":2}`: the own enumerable properties, keys sorted, `undefined` ones left out. */
function writeFields(value: object, walk: Walk): string {
  if (Object.getOwnPropertySymbols(value).length > 0) {
    throw new UnserializableArgumentError(`${pathOf(walk)} has symbol keys`);
  }
  walk.ancestors.push(value);
  let text = '{';
  for (const key of Object.keys(value).sort()) {
    walk.path.push(key);
    const child = read(value, key, walk);
    if (child !== undefined) {
      text += `${text === '{' ? '' : ','}${JSON.stringify(key)}:${write(child, walk)}`;
    }
    walk.path.pop();
  }
  walk.ancestors.pop();
  return `${text}}`;
}

/** A class's name in keys, or why its instances cannot be written (after the value's path). */
type DataClassVerdict = { name: string; refusal?: never } | { name?: never; refusal: string };

/** Verdicts by prototype: a class is judged once, not at every call. */
const verdicts = new WeakMap<object, DataClassVerdict>();
/** Which class owns each name in keys: the first one seen (see {@link dataClassNameOf}). */
const classesByName = new Map<string, WeakRef<object>>();

/**
 * Private state in a class's source, which a key cannot see: a `#name`, or what compilers make
 * of one for older targets (TypeScript's `__classPrivateFieldGet` and `_Class_field.set(this…)`,
 * SWC's `_class_private_field_init`, Babel's `_classPrivateFieldInitSpec`).
 */
const PRIVATE_STATE = /(?:^|[^\w$])#[A-Za-z_$]|classPrivate|class_private|\.set\(this\b/;

/**
 * Whether instances of the class behind `prototype` are plain data, so that their class name
 * and own properties identify them, and the name to write.
 *
 * A data class is one whose whole state is in its own properties: every class up its chain
 * (below `Object.prototype`) is written in JavaScript (not `Map`, `Error`, `URL` or another
 * built-in that keeps state in internal slots) and declares no `#private` members. Two
 * different classes with the same name would write the same text, so only the first class seen
 * with a name makes keys; instances of another one are refused (their calls run uncached), and
 * no key stands for two classes in this process. Processes sharing a Redis tier could meet two
 * such classes in different orders: an app with two data classes of one name gives their
 * methods a `key` (docs/decorators.md says so).
 */
function dataClassNameOf(prototype: object): DataClassVerdict {
  let verdict = verdicts.get(prototype);
  if (verdict === undefined) {
    verdict = judgeClass(prototype);
    verdicts.set(prototype, verdict);
  }
  return verdict;
}

function judgeClass(prototype: object): DataClassVerdict {
  const ctor = constructorOf(prototype);
  const name = typeof ctor?.name === 'string' ? ctor.name : '';
  if (ctor === undefined || name === '') {
    return { refusal: 'is an object with a custom prototype' };
  }
  for (let level: object | null = prototype; level !== OBJECT_PROTOTYPE;) {
    const levelCtor = level === null ? undefined : constructorOf(level);
    if (levelCtor === undefined) return { refusal: `is a ${name}, not a plain data class` };
    const source = Function.prototype.toString.call(levelCtor);
    if (source.endsWith('{ [native code] }')) return { refusal: `is a ${name}` };
    if (PRIVATE_STATE.test(source)) {
      return { refusal: `is a ${name}, whose #private members a key cannot see` };
    }
    level = Object.getPrototypeOf(level) as object | null;
  }
  const owner = classesByName.get(name)?.deref();
  if (owner === undefined) classesByName.set(name, new WeakRef(ctor));
  else if (owner !== ctor) {
    return { refusal: `is a ${name}, and another class of that name already makes keys` };
  }
  return { name };
}

/** The class whose `prototype` this is, or undefined for an object made another way. */
function constructorOf(prototype: object): ((...args: never[]) => unknown) | undefined {
  const ctor: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value;
  return typeof ctor === 'function' && (ctor as { prototype?: unknown }).prototype === prototype
    ? (ctor as (...args: never[]) => unknown)
    : undefined;
}

/** Reads `container[key]` (the walk's path already ends with `key`); a throwing getter is named. */
function read(container: object, key: string | number, walk: Walk): unknown {
  try {
    return (container as Record<string | number, unknown>)[key];
  } catch (error) {
    throw new UnserializableArgumentError(`reading ${pathOf(walk)} threw: ${errorMessage(error)}`);
  }
}
