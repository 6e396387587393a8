import { errorMessage } from './error-text.util.js';
import {
  HEAP_NUMBER_BYTES,
  SHORT_STRING_BYTES,
  UNTESTED_MAX_LENGTH,
  arrayBytes,
  objectBytes,
  stringBytes,
} from './json-size.util.js';

/**
 * Deep copies of JSON values, checked in the same pass, and their deep freezing.
 *
 * The cache keeps what `set` was given as it was at that moment: a caller who mutates its object
 * afterwards, or mutates what a read returned, cannot change the cached value. The cache copies
 * once on write and freezes the copy before anyone can see it, so that every read hands out the
 * stored value itself, with no copy. Freezing costs more than copying in V8 (a map transition per
 * object), so the cache does it when a value is first read, not on every write.
 */

/** Objects nested deeper than this are refused (it also bounds the walk of a cyclic value). */
export const MAX_JSON_DEPTH = 1000;

/** Why a value is not JSON; `snapshotJson` throws it, `set` turns it into `false`. */
export class NotJsonError extends Error {
  override name = 'NotJsonError';

  /** Where, JSONPath-like, built while the error unwinds: ".users[0].save" (after the `$`). */
  private path = '';

  constructor(
    /** What is wrong, after the path: "is a function". */
    readonly problem: string,
  ) {
    super(`$ ${problem}`);
  }

  /** Puts one more step in front of the path, as the error leaves a nesting level. */
  prependStep(step: string): this {
    this.path = step + this.path;
    this.message = `$${this.path} ${this.problem}`;
    return this;
  }
}

const OBJECT_PROTOTYPE = Object.prototype;
const ARRAY_PROTOTYPE = Array.prototype;
const hasOwn = Object.hasOwn;

/**
 * Returns a deep copy of `value`, which must be a JSON value: `null`, a boolean, a finite
 * number, a string, an array of JSON values, or a plain object (prototype `Object.prototype` or
 * `null`) whose own enumerable string-keyed values are JSON values and which has no symbol keys.
 * Anything else (functions, `undefined`, symbols, BigInt, NaN/±Infinity, cycles, `Map`, `Set`,
 * `Date`, class instances, array holes) throws a {@link NotJsonError} saying where and why.
 */
export function snapshotJson<T = unknown>(value: unknown): T {
  // Objects of this realm inherit nothing enumerable unless Object.prototype was polluted; only
  // then does each key need an own-property check (polluted keys must not leak into the cache).
  skipInherited = prototypeIsPolluted();
  try {
    return copy(value, 0, undefined) as T;
  } catch (error) {
    if (error !== TOO_DEEP) throw error;
    // Rare: copy again, keeping the chain of ancestors, to tell a cycle from deep nesting and
    // say where. The fast pass counts depth only.
    return copy(value, 0, []) as T;
  }
}

/**
 * {@link snapshotJson}, estimating in the same walk the bytes the copy takes in V8's heap (the
 * model is json-size.util.ts). Read the estimate with {@link snapshotBytes} right after.
 */
export function snapshotJsonSized<T = unknown>(value: unknown): T {
  // The tally only ever grows during a walk, so the walk's estimate is what it grew by. A getter
  // of `value` may itself write to a cache: the walk it starts puts the tally back as it found it
  // (on success below, on failure in sizedAgain), so it adds nothing to ours.
  const startBytes = tally.bytes;
  const startBoxed = tally.boxed;
  skipInherited = prototypeIsPolluted();
  let copied: unknown;
  try {
    copied = sizedCopy(value, 0, undefined);
  } catch (error) {
    copied = sizedAgain(value, error, startBytes, startBoxed);
  }
  lastBytes = tally.bytes - startBytes;
  tally.bytes = startBytes;
  tally.boxed = startBoxed;
  return copied as T;
}

/**
 * The rare end of {@link snapshotJsonSized}: past the depth limit, the walk again with the chain
 * of ancestors (see {@link snapshotJson}); any other failure puts the tally back and is rethrown.
 */
function sizedAgain(
  value: unknown,
  error: unknown,
  startBytes: number,
  startBoxed: number,
): unknown {
  try {
    if (error !== TOO_DEEP) throw error;
    tally.bytes = startBytes;
    tally.boxed = startBoxed;
    return sizedCopy(value, 0, []);
  } catch (again) {
    tally.bytes = startBytes;
    tally.boxed = startBoxed;
    throw again;
  }
}

/** The estimate of the last {@link snapshotJsonSized} call, in bytes. */
export function snapshotBytes(): number {
  return lastBytes;
}

/**
 * Thrown by the fast pass at the depth limit; never escapes `snapshotJson`. Shared, so no path is
 * ever put on it, and never shown, so it has no message. Not a NotJsonError: were a step to treat
 * it as one, or wrap it, the walk would end with that error instead of walking again.
 */
const TOO_DEEP = new Error();
const EMPTY: object = {};
let skipInherited = false;
/*
 * The size estimates of the sized walks, a running sum that each walk reads the growth of. Module
 * state, not a parameter, so that the walk passes nothing more per value. `tally.boxed` counts
 * the boxed numbers met, so that an array holding numbers only (whose elements V8 stores
 * unboxed) can take theirs back.
 */
const tally = { bytes: 0, boxed: 0 };
let lastBytes = 0;

function prototypeIsPolluted(): boolean {
  for (const key in EMPTY) return key !== undefined;
  return false;
}

/*
 * Two walks with one shape: `copy` and `sizedCopy` (with their object and array steps) differ
 * only in the lines that add to `tally.bytes`. They are kept apart, rather than one walk testing
 * a flag at every value, so that a cache without `maxBytes` pays nothing for the estimate. What
 * they share is out of line only where it is rare (the errors): V8 inlines `copy` into its object
 * step only while that step stays small, and a shared check in a function of its own was not
 * inlined (a third of a small set's time, measured).
 *
 * The success path builds no strings: the path of a failure is prepended level by level as the
 * error unwinds, so only a failing write pays for it.
 */

function copy(value: unknown, depth: number, ancestors: object[] | undefined): unknown {
  // `typeof x === '…'` tests compile to type checks; a `switch (typeof x)` calls the Typeof builtin
  // and compares strings.
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (value - value !== 0) throw new NotJsonError(`is ${value}`);
    return value;
  }
  if (typeof value === 'object') {
    return value === null ? null : copyObject(value, depth, ancestors);
  }
  throw notJsonScalar(value);
}

function copyObject(value: object, depth: number, ancestors: object[] | undefined): unknown {
  if (depth >= MAX_JSON_DEPTH) throw tooDeep(ancestors);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === ARRAY_PROTOTYPE && Array.isArray(value))
    return copyArray(value, depth, ancestors);
  if (prototype !== OBJECT_PROTOTYPE && prototype !== null) throw notPlain(prototype);
  if (Object.getOwnPropertySymbols(value).length > 0) throw new NotJsonError('has symbol keys');
  const source = value as Record<string, unknown>;
  const copied: Record<string, unknown> = prototype === null ? Object.create(null) : {};
  ancestors?.push(value);
  const next = depth + 1;
  let key = '';
  try {
    // for-in allocates no key array (see skipInherited for inherited keys).
    for (key in source) {
      if (skipInherited && !hasOwn(source, key)) continue;
      const child = copy(source[key], next, ancestors);
      if (key === '__proto__') defineOwn(copied, key, child);
      else copied[key] = child;
    }
  } catch (error) {
    throw atKey(error, source, key);
  }
  ancestors?.pop();
  return copied;
}

function copyArray(value: unknown[], depth: number, ancestors: object[] | undefined): unknown {
  const length = value.length;
  const copied = new Array<unknown>(length);
  ancestors?.push(value);
  const next = depth + 1;
  let i = 0;
  try {
    for (; i < length; i++) {
      if (!(i in value)) throw new NotJsonError('is a hole in a sparse array');
      copied[i] = copy(value[i], next, ancestors);
    }
  } catch (error) {
    throw atIndex(error, i);
  }
  ancestors?.pop();
  return copied;
}

function sizedCopy(value: unknown, depth: number, ancestors: object[] | undefined): unknown {
  if (typeof value === 'string') {
    // stringBytes's short case inline: V8 did not inline the call, and most strings are short.
    const length = value.length;
    if (length > UNTESTED_MAX_LENGTH) tally.bytes += stringBytes(value);
    else if (length > 0) tally.bytes += SHORT_STRING_BYTES;
    return value;
  }
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (value - value !== 0) throw new NotJsonError(`is ${value}`);
    // A small integer, kept in place by V8 (-0 is boxed: `1 / -0` is -Infinity).
    if ((value | 0) !== value || (value === 0 && 1 / value < 0)) {
      tally.bytes += HEAP_NUMBER_BYTES;
      tally.boxed++;
    }
    return value;
  }
  if (typeof value === 'object') {
    return value === null ? null : sizedCopyObject(value, depth, ancestors);
  }
  throw notJsonScalar(value);
}

function sizedCopyObject(value: object, depth: number, ancestors: object[] | undefined): unknown {
  if (depth >= MAX_JSON_DEPTH) throw tooDeep(ancestors);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === ARRAY_PROTOTYPE && Array.isArray(value))
    return sizedCopyArray(value, depth, ancestors);
  if (prototype !== OBJECT_PROTOTYPE && prototype !== null) throw notPlain(prototype);
  if (Object.getOwnPropertySymbols(value).length > 0) throw new NotJsonError('has symbol keys');
  const source = value as Record<string, unknown>;
  const copied: Record<string, unknown> = prototype === null ? Object.create(null) : {};
  ancestors?.push(value);
  const next = depth + 1;
  let key = '';
  let count = 0;
  try {
    for (key in source) {
      if (skipInherited && !hasOwn(source, key)) continue;
      count++;
      const child = sizedCopy(source[key], next, ancestors);
      if (key === '__proto__') defineOwn(copied, key, child);
      else copied[key] = child;
    }
  } catch (error) {
    throw atKey(error, source, key);
  }
  ancestors?.pop();
  tally.bytes += objectBytes(count);
  return copied;
}

function sizedCopyArray(value: unknown[], depth: number, ancestors: object[] | undefined): unknown {
  const length = value.length;
  const copied = new Array<unknown>(length);
  ancestors?.push(value);
  const next = depth + 1;
  const boxedBefore = tally.boxed;
  let numbersOnly = true;
  let i = 0;
  try {
    for (; i < length; i++) {
      if (!(i in value)) throw new NotJsonError('is a hole in a sparse array');
      const element = value[i];
      if (typeof element !== 'number') numbersOnly = false;
      copied[i] = sizedCopy(element, next, ancestors);
    }
  } catch (error) {
    throw atIndex(error, i);
  }
  ancestors?.pop();
  tally.bytes += arrayBytes(length);
  // Numbers only: V8 keeps them in the element array itself (small integers or raw doubles).
  if (numbersOnly) {
    tally.bytes -= (tally.boxed - boxedBefore) * HEAP_NUMBER_BYTES;
    tally.boxed = boxedBefore;
  }
  return copied;
}

/** The error past the depth limit: TOO_DEEP in the fast pass, then a cycle or deep nesting. */
function tooDeep(ancestors: object[] | undefined): Error {
  if (ancestors === undefined) return TOO_DEEP;
  const cyclic = new Set(ancestors).size < ancestors.length;
  return new NotJsonError(
    cyclic ? 'is part of a cycle' : `is nested deeper than ${MAX_JSON_DEPTH} levels`,
  );
}

/** The error for an object that is neither a plain object nor an array of this realm. */
function notPlain(prototype: unknown): NotJsonError {
  const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
  return new NotJsonError(
    typeof name === 'string' && name ? `is a ${name}` : 'is an object with a custom prototype',
  );
}

/** A `__proto__` key, copied as an own data property, never as the prototype. */
function defineOwn(copied: object, key: string, child: unknown): void {
  Object.defineProperty(copied, key, {
    value: child,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function notJsonScalar(value: unknown): NotJsonError {
  return new NotJsonError(value === undefined ? 'is undefined' : `is a ${typeof value}`);
}

/**
 * The error of `object`'s walk at `key`, the key last read, unless `object` does not say it has
 * that key: then listing the keys itself threw (a Proxy whose traps throw), before the first key
 * (`key` still `''`) or after one that read well, and the object is to blame.
 */
function atKey(error: unknown, object: object, key: string): unknown {
  if (error === TOO_DEEP) return error;
  if (!hasOwnSafely(object, key)) return atPath(error, '');
  return atPath(error, /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);
}

/** `Object.hasOwn`, false where asking throws (the trap that made the walk fail, again). */
function hasOwnSafely(object: object, key: string): boolean {
  try {
    return hasOwn(object, key);
  } catch {
    return false;
  }
}

function atIndex(error: unknown, index: number): unknown {
  if (error === TOO_DEEP) return error;
  return atPath(error, `[${index}]`);
}

/**
 * Freezes a value made by {@link snapshotJson} and everything in it. Only for such values: they
 * are trees of plain objects and arrays (no cycles, no accessors, nothing shared).
 */
export function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  // for-in also walks inherited keys once Object.prototype is polluted; then the walk that tests
  // every object (and so stops at cycles through the polluted values) is the one to use.
  if (prototypeIsPolluted()) freezeEach(value);
  else freezeTree(value);
}

/** The walk for a polluted Object.prototype: freezes, then descends into what is not frozen. */
function freezeEach(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) freezeEach(value[i]);
  } else {
    for (const key in value) freezeEach((value as Record<string, unknown>)[key]);
  }
}

// Children first, then the object itself: a frozen object therefore has a frozen subtree, so
// only the root needs the Object.isFrozen test (once per tree, not once per object).
function freezeTree(value: object): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child === 'object' && child !== null) freezeTree(child);
    }
  } else {
    for (const key in value) {
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) freezeTree(child);
    }
  }
  Object.freeze(value);
}

/** Prefixes a NotJsonError's path with one step; other errors (a throwing getter) get wrapped. */
function atPath(error: unknown, step: string): NotJsonError {
  if (error instanceof NotJsonError) return error.prependStep(step);
  return new NotJsonError(`could not be read (${errorMessage(error)})`).prependStep(step);
}
