import { describe, expect, it } from '@jest/globals';

import { createHash } from 'node:crypto';

import {
  defaultCacheKey,
  MAX_DEFAULT_KEY_LENGTH,
  serializeArguments,
  UnserializableArgumentError,
} from '../../lib/cached/cache-key.util.js';
import { MAX_JSON_DEPTH } from '../../lib/index.js';

class Session {
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  get token(): string {
    return this.#token;
  }
}

class GetUserQuery {
  constructor(
    readonly userId: number,
    readonly include?: string[],
  ) {}
}

class GetWorldQuery {
  constructor(readonly userId: number) {}
}

class GetAdminQuery extends GetUserQuery {
  readonly admin = true;
}

describe('serializeArguments: data-class instances (CQRS queries, DTOs)', () => {
  it('writes the class name and the own fields, keys sorted, undefined ones left out', () => {
    expect(serializeArguments([new GetUserQuery(42)])).toBe('GetUserQuery{"userId":42}');
    expect(serializeArguments([new GetUserQuery(42, ['roles'])])).toBe(
      'GetUserQuery{"include":["roles"],"userId":42}',
    );
  });

  it('gives equal queries one key, other field values and other classes another', () => {
    const key = serializeArguments([new GetUserQuery(42)]);
    expect(serializeArguments([new GetUserQuery(42)])).toBe(key);
    expect(serializeArguments([new GetUserQuery(43)])).not.toBe(key);
    expect(serializeArguments([new GetWorldQuery(42)])).not.toBe(key);
    expect(serializeArguments([{ userId: 42 }])).not.toBe(key);
    expect(serializeArguments([new GetAdminQuery(42)])).toBe(
      'GetAdminQuery{"admin":true,"userId":42}',
    );
  });

  it('writes data classes nested in arrays and objects, and a class with no fields', () => {
    class ListUsersQuery {}
    expect(serializeArguments([{ query: new ListUsersQuery() }, [new GetWorldQuery(1)]])).toBe(
      '{"query":ListUsersQuery{}},[GetWorldQuery{"userId":1}]',
    );
  });

  it('refuses fields that cannot make a key, saying where', () => {
    const query = Object.assign(new GetUserQuery(1), { callback: () => 1 });
    expect(() => serializeArguments([query])).toThrow(
      new UnserializableArgumentError('args[0].callback is a function'),
    );
  });

  it('refuses classes whose #private state was compiled for an older target', () => {
    // What TypeScript emits for `#token` with a target below ES2022.
    const compiled = new Function(`
      var _Token_value = new WeakMap();
      return class Token {
        constructor(value) { _Token_value.set(this, void 0); _Token_value.set(this, value); }
      };
    `)() as new (value: string) => object;
    expect(() => serializeArguments([new compiled('a')])).toThrow(
      new UnserializableArgumentError(
        'args[0] is a Token, whose #private members a key cannot see',
      ),
    );
  });

  it('refuses a second class with a name another class already uses in keys', () => {
    const first = (() =>
      class DuplicateNameQuery {
        constructor(readonly id: number) {}
      })();
    const second = (() =>
      class DuplicateNameQuery {
        constructor(readonly id: number) {}
      })();
    expect(serializeArguments([new first(1)])).toBe('DuplicateNameQuery{"id":1}');
    expect(() => serializeArguments([new second(1)])).toThrow(
      new UnserializableArgumentError(
        'args[0] is a DuplicateNameQuery, and another class of that name already makes keys',
      ),
    );
    expect(serializeArguments([new first(2)])).toBe('DuplicateNameQuery{"id":2}');
  });
});

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
    [
      'an instance of a class with #private state',
      [1, { req: new Session('s1') }],
      'args[1].req is a Session, whose #private members a key cannot see',
    ],
    ['a Map', [new Map()], 'args[0] is a Map'],
    ['a subclass of a built-in', [new (class Registry extends Map {})()], 'args[0] is a Registry'],
    [
      'an object made on a prototype without its class',
      [Object.create({ kind: 'request' }) as object],
      'args[0] is an object with a custom prototype',
    ],
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
  it('turns a key longer than MAX_DEFAULT_KEY_LENGTH into a stable digest of the arguments', () => {
    const large = { rows: Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `row ${i}` })) };
    const key = defaultCacheKey('Reports', 'render', [large]);
    expect(key).toMatch(/^Reports\.render\(sha256:[A-Za-z0-9_-]{43}\)$/);
    expect(key.length).toBeLessThanOrEqual(MAX_DEFAULT_KEY_LENGTH);
    // The same in every process: a SHA-256 of the serialized arguments, nothing per process.
    const expected = createHash('sha256')
      .update(serializeArguments([large]))
      .digest('base64url');
    expect(key).toBe(`Reports.render(sha256:${expected})`);
    expect(
      defaultCacheKey('Reports', 'render', [JSON.parse(JSON.stringify(large)) as typeof large]),
    ).toBe(key);
    large.rows[9_999]!.name = 'changed';
    expect(defaultCacheKey('Reports', 'render', [large])).not.toBe(key);
  });

  it('keeps keys up to MAX_DEFAULT_KEY_LENGTH as text', () => {
    const prefix = 'Reports.render("';
    const fits = 'x'.repeat(MAX_DEFAULT_KEY_LENGTH - prefix.length - 2);
    expect(defaultCacheKey('Reports', 'render', [fits])).toBe(`${prefix}${fits}")`);
    expect(defaultCacheKey('Reports', 'render', [`${fits}x`])).toMatch(/\(sha256:/);
  });

  it('is ClassName.method(arguments)', () => {
    expect(defaultCacheKey('CommandQueue', 'run', ['users', { world: 'w1' }])).toBe(
      'CommandQueue.run("users",{"world":"w1"})',
    );
    expect(defaultCacheKey('CommandQueue', 'status', [])).toBe('CommandQueue.status()');
  });
});
