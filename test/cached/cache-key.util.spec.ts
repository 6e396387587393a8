import { describe, expect, it } from '@jest/globals';

import {
  defaultCacheKey,
  serializeArguments,
  UnserializableArgumentError,
} from '../../lib/cached/cache-key.util.js';
import { MAX_JSON_DEPTH } from '../../lib/index.js';

describe('serializeArguments', () => {
  it('ignores object key order, at every depth', () => {
    expect(serializeArguments([{ a: 1, b: { c: 2, d: [{ e: 3, f: 4 }] } }])).toBe(
      serializeArguments([{ b: { d: [{ f: 4, e: 3 }], c: 2 }, a: 1 }]),
    );
  });

  it('keeps types apart: 1, "1", 1n, true, "true", null, "null", undefined', () => {
    const texts = [1, '1', 1n, true, 'true', null, 'null', undefined, 'undefined'].map((v) =>
      serializeArguments([v, 0]),
    );
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('keeps array order and argument positions', () => {
    expect(serializeArguments([[1, 2]])).not.toBe(serializeArguments([[2, 1]]));
    expect(serializeArguments(['a', 'b'])).not.toBe(serializeArguments(['b', 'a']));
    expect(serializeArguments([['a', 'b']])).not.toBe(serializeArguments(['a', 'b']));
  });

  it('cannot be fooled by strings that look like other values', () => {
    expect(serializeArguments(['a","b'])).not.toBe(serializeArguments(['a', 'b']));
    expect(serializeArguments([{ 'a":1,"b': 2 }])).not.toBe(serializeArguments([{ a: 1, b: 2 }]));
  });

  it('writes numbers JSON cannot, and treats -0 as 0', () => {
    expect(serializeArguments([NaN, Infinity, -Infinity])).toBe('NaN,Infinity,-Infinity');
    expect(serializeArguments([-0])).toBe(serializeArguments([0]));
    expect(serializeArguments([NaN])).not.toBe(serializeArguments([null]));
  });

  it('drops trailing undefined arguments and undefined properties, as absent ones', () => {
    expect(serializeArguments([1, undefined, undefined])).toBe(serializeArguments([1]));
    expect(serializeArguments([undefined, 1])).not.toBe(serializeArguments([1]));
    expect(serializeArguments([{ a: 1, b: undefined }])).toBe(serializeArguments([{ a: 1 }]));
  });

  it('writes dates as their time', () => {
    const text = serializeArguments([new Date(Date.UTC(2026, 0, 1))]);
    expect(text).toBe('Date(2026-01-01T00:00:00.000Z)');
    expect(text).not.toBe(serializeArguments(['2026-01-01T00:00:00.000Z']));
    expect(serializeArguments([new Date(NaN)])).toBe('Date(Invalid)');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as object, { b: 1, a: 2 });
    expect(serializeArguments([bare])).toBe(serializeArguments([{ a: 2, b: 1 }]));
  });

  it.each([
    ['a function', [() => 1], 'args[0] is a function'],
    ['a symbol', [Symbol('s')], 'args[0] is a symbol'],
    ['a class instance', [1, { req: new (class Request {})() }], 'args[1].req is a Request'],
    ['a Map', [new Map()], 'args[0] is a Map'],
    ['symbol keys', [{ [Symbol('k')]: 1 }], 'args[0] has symbol keys'],
  ])('refuses %s, saying where', (_what, args, reason) => {
    expect(() => serializeArguments(args)).toThrow(new UnserializableArgumentError(reason));
  });

  it('refuses cycles but accepts the same object twice', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => serializeArguments([cyclic])).toThrow('args[0].self is part of a cycle');
    const shared = { a: 1 };
    expect(serializeArguments([[shared, shared]])).toBe('[{"a":1},{"a":1}]');
  });

  it('refuses nesting deeper than MAX_JSON_DEPTH without overflowing the stack', () => {
    let deep: unknown[] = [];
    const root = deep;
    for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) {
      const next: unknown[] = [];
      deep.push(next);
      deep = next;
    }
    expect(() => serializeArguments([root])).toThrow(UnserializableArgumentError);
  });

  it('refuses an object whose getter throws, naming it', () => {
    const trap = {
      get boom(): never {
        throw new Error('no');
      },
    };
    expect(() => serializeArguments([trap])).toThrow('reading args[0].boom threw: no');
  });
});

describe('defaultCacheKey', () => {
  it('is ClassName.method(arguments)', () => {
    expect(defaultCacheKey('CommandQueue', 'run', ['users', { world: 'w1' }])).toBe(
      'CommandQueue.run("users",{"world":"w1"})',
    );
    expect(defaultCacheKey('CommandQueue', 'status', [])).toBe('CommandQueue.status()');
  });
});
