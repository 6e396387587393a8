/*
 * The snapshot walks on their own: `snapshotJson` (every cache) and `snapshotJsonSized` (a cache
 * with `maxBytes`) are two copies of one walk, kept apart for speed. Each case runs through both:
 * they must accept, copy and refuse the same values with the same words, and the sized one must
 * leave its running tally as it found it whatever happens.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { runInNewContext } from 'node:vm';

import {
  MAX_JSON_DEPTH,
  NotJsonError,
  deepFreeze,
  snapshotBytes,
  snapshotJson,
  snapshotJsonSized,
} from '../../lib/core/json-snapshot.util.js';
import { nested } from '../hostile/hostile.arbitrary.js';
import { valueBytes } from '../model/size.model.js';

const walks = [
  ['snapshotJson', snapshotJson],
  ['snapshotJsonSized', snapshotJsonSized],
] as const;

/** The error a walk throws for `value`, or a failure of the test if it throws none. */
function refusal(walk: (value: unknown) => unknown, value: unknown): NotJsonError {
  try {
    walk(value);
  } catch (error) {
    expect(error).toBeInstanceOf(NotJsonError);
    return error as NotJsonError;
  }
  throw new Error('the value was accepted');
}

const sized = (value: unknown): number => {
  snapshotJsonSized(value);
  return snapshotBytes();
};

function withPollutedPrototype<T>(run: () => T): T {
  const proto = Object.prototype as Record<string, unknown>;
  proto.polluted = { inherited: true };
  try {
    return run();
  } finally {
    delete proto.polluted;
  }
}

/** `{ ok: 1 }` with one more key, whose getter throws `thrown`. */
function throwingGetter(thrown: unknown, key = 'x'): object {
  return Object.defineProperty({ ok: 1 }, key, {
    enumerable: true,
    get() {
      throw thrown;
    },
  });
}

/** A Proxy handler whose `name` trap throws. */
const throwingTrap = (name: keyof ProxyHandler<object>): ProxyHandler<object> => ({
  [name]: () => {
    throw new Error('trap');
  },
});

function nestedObjects(levels: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < levels; i++) value = { o: value };
  return value;
}

const cyclic: Record<string, unknown> = { name: 'root', list: [{}] };
(cyclic.list as Record<string, unknown>[])[0]!.back = cyclic;
const shared = { s: 1 };

class Rows extends Array<number> {}
class Point {
  x = 1;
}

describe.each(walks)('%s', (_name, walk) => {
  it.each<[string, unknown, string]>([
    ['a function', () => 1, '$ is a function'],
    ['undefined', undefined, '$ is undefined'],
    ['a symbol', Symbol('s'), '$ is a symbol'],
    ['a BigInt', 1n, '$ is a bigint'],
    ['NaN', NaN, '$ is NaN'],
    ['Infinity', Infinity, '$ is Infinity'],
    ['-Infinity deep inside', { a: [{ b: -Infinity }] }, '$.a[0].b is -Infinity'],
    ['a class instance', new Point(), '$ is a Point'],
    ['a Map inside an array', [1, new Map()], '$[1] is a Map'],
    ['an array subclass', Rows.from([1]), '$ is a Rows'],
    ['an array of another realm', { list: runInNewContext('[1]') }, '$.list is a Array'],
    [
      'a prototype without a constructor name',
      { p: Object.create(Object.create(null) as object) },
      '$.p is an object with a custom prototype',
    ],
    [
      'a prototype whose constructor name is not a string',
      Object.create({ constructor: { name: 7 } }),
      '$ is an object with a custom prototype',
    ],
    ['a symbol key', { a: { [Symbol('k')]: 1 } }, '$.a has symbol keys'],
    ['a hole', { list: [1, , 3] }, '$.list[1] is a hole in a sparse array'], // eslint-disable-line no-sparse-arrays
    [
      'a key that is not an identifier',
      { 'two words': [undefined] },
      '$["two words"][0] is undefined',
    ],
    ['a key with $ and digits', { '1a': null, $b_2: { f: Symbol() } }, '$.$b_2.f is a symbol'],
    ['a key "1a"', { '1a': () => 0 }, '$["1a"] is a function'],
    ['a cycle', cyclic, '$.list[0].back.list[0].back'],
    [
      'nesting one level deeper than the limit',
      { top: nested(MAX_JSON_DEPTH, true) },
      `is nested deeper than ${MAX_JSON_DEPTH} levels`,
    ],
    [
      'a getter that throws an Error',
      { a: throwingGetter(new Error('boom')) },
      '$.a.x could not be read (boom)',
    ],
    ['a getter that throws a string', throwingGetter('plain'), '$.x could not be read (plain)'],
  ])('refuses %s, saying where and why', (_label, value, words) => {
    const error = refusal(walk, value);
    expect(error.name).toBe('NotJsonError');
    expect(error.message.startsWith('$')).toBe(true);
    expect(error.message).toContain(words);
  });

  it('says whether a value past the depth limit is a cycle or deep nesting, with its path', () => {
    const error = refusal(walk, cyclic);
    expect(error.message).toMatch(/^\$(\.list\[0\]\.back)+\.list is part of a cycle$/);
    expect(refusal(walk, nested(MAX_JSON_DEPTH + 1)).message).toBe(
      `$${'.child'.repeat(MAX_JSON_DEPTH)} is nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  });

  it(`accepts exactly ${MAX_JSON_DEPTH} levels of objects and of arrays, and refuses one more`, () => {
    expect(walk(nestedObjects(MAX_JSON_DEPTH))).toEqual(nestedObjects(MAX_JSON_DEPTH));
    expect(() => walk({ o: nestedObjects(MAX_JSON_DEPTH) })).toThrow(NotJsonError);
    // `nested(n, true)` is n arrays around a string: the innermost array is at depth n - 1.
    expect(walk(nested(MAX_JSON_DEPTH, true))).toEqual(nested(MAX_JSON_DEPTH, true));
    expect(() => walk(nested(MAX_JSON_DEPTH + 1, true))).toThrow(NotJsonError);
  });

  it('reads each value once, also when the walk fails (only a value past the depth limit is walked again)', () => {
    let reads = 0;
    const value = {
      get counted() {
        reads++;
        return 1;
      },
      bad: () => 0,
    };
    expect(refusal(walk, value).message).toBe('$.bad is a function');
    expect(reads).toBe(1);
    const deep = {
      get counted() {
        reads++;
        return nested(MAX_JSON_DEPTH + 1);
      },
    };
    reads = 0;
    expect(() => walk(deep)).toThrow('is nested deeper than');
    expect(reads).toBe(2);
  });

  it.each<[keyof ProxyHandler<object>, string]>([
    ['ownKeys', '$.x could not be read (trap)'],
    ['getOwnPropertyDescriptor', '$.x could not be read (trap)'],
    ['get', '$.x.a could not be read (trap)'],
    ['getPrototypeOf', '$.x could not be read (trap)'],
  ])('blames the object whose %s trap throws, or the key being read', (trap, message) => {
    const proxy = new Proxy({ a: 1 }, throwingTrap(trap));
    expect(refusal(walk, { x: proxy }).message).toBe(message);
  });

  it('blames the object, not the key read before, when listing its next key throws', () => {
    let listed = 0;
    const proxy = new Proxy(
      { a: 1, b: 2 },
      {
        getOwnPropertyDescriptor(target, key) {
          if (key === 'b' || listed++ > 0) throw new Error('trap');
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
      },
    );
    expect(refusal(walk, { x: proxy }).message).toBe('$.x could not be read (trap)');
  });

  it('blames a key "" when reading it throws', () => {
    expect(refusal(walk, { x: throwingGetter(new Error('empty'), '') }).message).toBe(
      '$.x[""] could not be read (empty)',
    );
  });

  it('accepts a value reached twice that is not a cycle, copying it twice', () => {
    const copied = walk({ a: shared, b: [shared] }) as { a: object; b: object[] };
    expect(copied).toEqual({ a: { s: 1 }, b: [{ s: 1 }] });
    expect(copied.a).not.toBe(shared);
    expect(copied.a).not.toBe(copied.b[0]);
  });

  it('copies every level, with the prototypes of the original', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.x = [1];
    const value = { bare, list: [[{ y: 'z' }]], n: -0, t: true, nil: null, e: '' };
    const copied = walk(value) as typeof value;
    expect(copied).toEqual(value);
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(copied.bare)).toBeNull();
    expect(Object.getPrototypeOf(copied.list)).toBe(Array.prototype);
    expect(Object.is(copied.n, -0)).toBe(true);
    expect(copied.bare).not.toBe(bare);
    expect(copied.bare.x).not.toBe(bare.x);
    expect(copied.list[0]).not.toBe(value.list[0]);
    expect(copied.list[0]![0]).not.toBe(value.list[0]![0]);
    expect(Object.isFrozen(copied)).toBe(false);
  });

  it('copies a "__proto__" key as an own key, never as the prototype', () => {
    const value = JSON.parse('{"a": {"__proto__": {"polluted": 1}}}') as { a: object };
    const copied = walk(value) as { a: Record<string, unknown> };
    expect(Object.getPrototypeOf(copied.a)).toBe(Object.prototype);
    expect(Object.keys(copied.a)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(copied.a, '__proto__')).toEqual({
      value: { polluted: 1 },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('copies own keys only while Object.prototype is polluted, and inherits none afterwards', () => {
    const copied = withPollutedPrototype(() => walk({ own: { deep: [{ x: 1 }] } }));
    expect(copied).toEqual({ own: { deep: [{ x: 1 }] } });
    const keys: string[] = [];
    for (const key in (copied as { own: object }).own) keys.push(key);
    expect(keys).toEqual(['deep']);
    // Not polluted any more: the next walk is the fast one again, and copies as before.
    expect(walk({ a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });
});

describe('the two walks side by side', () => {
  const json = fc.jsonValue({ maxDepth: 4 });

  it('copy every JSON value alike, and the sized one counts it as the model does', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          json,
          fc.array(fc.double({ noNaN: true, noDefaultInfinity: true })),
          fc.constant(-0),
        ),
        (value) => {
          const plain = snapshotJson(value);
          expect(snapshotJsonSized(value)).toEqual(plain);
          expect(snapshotBytes()).toBe(valueBytes(value));
        },
      ),
    );
  });

  it('refuse every value with the same words, and the sized one keeps its tally', () => {
    const bad = fc.oneof(
      fc.constantFrom<unknown>(() => 1, undefined, NaN, Symbol('s'), 2n, new Date(0), cyclic),
      fc.func(fc.anything()),
    );
    fc.assert(
      fc.property(json, bad, fc.string(), (good, wrong, key) => {
        const value = { good, [key]: [good, wrong] };
        const before = sized({ good });
        expect(refusal(snapshotJsonSized, value).message).toBe(
          refusal(snapshotJson, value).message,
        );
        expect(sized({ good })).toBe(before);
      }),
    );
  });

  it('measures again after a refusal past the depth limit, from zero', () => {
    const value = { text: 'x'.repeat(100), list: [1.5, 'y'] };
    const alone = sized(value);
    expect(() => snapshotJsonSized({ value, deep: cyclic })).toThrow('is part of a cycle');
    expect(sized(value)).toBe(alone);
    // Accepted on the second walk: nothing of the first, abandoned walk is counted.
    expect(sized({ value, deep: nested(MAX_JSON_DEPTH - 1) })).toBe(
      valueBytes({ value, deep: nested(MAX_JSON_DEPTH - 1) }),
    );
    expect(sized(value)).toBe(alone);
  });

  it('a getter that sizes another value while being read adds nothing to the walk', () => {
    const value = {
      before: 'a'.repeat(20),
      get inner() {
        expect(() => snapshotJsonSized({ x: [1, () => 0] })).toThrow(NotJsonError);
        expect(sized({ y: 'b'.repeat(50) })).toBe(valueBytes({ y: 'b'.repeat(50) }));
        return [2.5, 'c'];
      },
    };
    expect(sized(value)).toBe(valueBytes({ before: 'a'.repeat(20), inner: [2.5, 'c'] }));
  });
});

describe('deepFreeze', () => {
  const tree = () => ({ a: [{ b: [[{ c: 1 }]] }, 'x'], d: { e: null as unknown } });

  function everyObjectFrozen(value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return true;
    return Object.isFrozen(value) && Object.values(value).every(everyObjectFrozen);
  }

  it('freezes every object and array of a copy, however nested', () => {
    const value = snapshotJson<ReturnType<typeof tree>>(tree());
    deepFreeze(value);
    expect(everyObjectFrozen(value)).toBe(true);
    expect(value).toEqual(tree());
  });

  it('freezes every level while Object.prototype is polluted, and stops at what is frozen', () => {
    const value = snapshotJson<ReturnType<typeof tree>>(tree());
    const frozenChild = Object.freeze({ f: { g: 1 } });
    value.d.e = frozenChild;
    withPollutedPrototype(() => deepFreeze(value));
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a[0])).toBe(true);
    expect(Object.isFrozen((value.a[0] as { b: unknown[][] }).b[0]![0])).toBe(true);
    expect(Object.isFrozen(value.d)).toBe(true);
    // A frozen object is taken as frozen all the way down: its children are left as they are.
    expect(Object.isFrozen(frozenChild.f)).toBe(false);
    // And the polluted prototype itself is not frozen by the walk of inherited keys.
    expect(Object.isFrozen(Object.prototype)).toBe(false);
  });

  it('leaves a frozen root as it is, and ignores what is not an object', () => {
    const root = Object.freeze({ child: { open: true } });
    deepFreeze(root);
    expect(Object.isFrozen(root.child)).toBe(false);
    for (const scalar of [null, 1, 'x', true, undefined]) {
      expect(() => deepFreeze(scalar)).not.toThrow();
    }
  });
});
