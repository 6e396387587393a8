import { afterEach, describe, expect, it, jest } from '@jest/globals';

import { consoleLogger } from '../../lib/core/console.logger.js';
import { describeClassOf, describeValue } from '../../lib/core/describe-value.util.js';
import { errorMessage, errorStack } from '../../lib/core/error-text.util.js';

/*
 * How messages name the values they refuse and the errors they report: every warning and error
 * line of the cache is built from these, so their words are what a user reads in the log.
 */

describe('describeValue', () => {
  it.each([
    ['a short string, quoted', 'abc', '"abc"'],
    ['a string of exactly 40 characters, whole', 'x'.repeat(40), JSON.stringify('x'.repeat(40))],
    [
      'a longer string, cut at 40 with an ellipsis',
      'y'.repeat(41),
      JSON.stringify(`${'y'.repeat(40)}…`),
    ],
    ['a number', 42, '42'],
    ['NaN', NaN, 'NaN'],
    ['a boolean', true, 'true'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a bigint, with its n', 10n, '10n'],
    ['a symbol', Symbol('s'), 'a symbol'],
    ['a function', () => 1, 'a function'],
    ['an array', [1, 2], 'an array'],
    ['an object', { a: 1 }, 'an object'],
  ])('names %s', (_, value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  it('names a revoked Proxy without throwing', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(describeValue(proxy)).toBe('a revoked Proxy');
  });
});

describe('describeClassOf', () => {
  class Repository {}
  const anonymous = (() => class {})();

  it('names a class, for a static member', () => {
    expect(describeClassOf(Repository)).toBe('Repository');
  });

  it("names an object's class, for an instance member's prototype", () => {
    expect(describeClassOf(Repository.prototype)).toBe('Repository');
    expect(describeClassOf(new Repository())).toBe('Repository');
  });

  it.each([
    ['a class without a name', anonymous],
    ['an object without a constructor', Object.create(null)],
    ['a constructor whose name is not a string', { constructor: { name: 42 } }],
    ['null', null],
    [
      'an object whose constructor cannot be read',
      {
        get constructor(): never {
          throw new Error('no');
        },
      },
    ],
  ])('says "anonymous class" for %s', (_, target) => {
    expect(describeClassOf(target)).toBe('anonymous class');
  });
});

describe('errorStack and errorMessage', () => {
  it("give an Error's stack, and its message", () => {
    const error = new Error('boom');
    expect(errorStack(error)).toBe(error.stack);
    expect(errorMessage(error)).toBe('boom');
  });

  it('give "name: message" for an Error without a stack', () => {
    const error = new TypeError('bad input');
    error.stack = undefined;
    expect(errorStack(error)).toBe('TypeError: bad input');
  });

  it('give the text of anything else thrown', () => {
    expect(errorStack('plain text')).toBe('plain text');
    expect(errorMessage(404)).toBe('404');
  });

  it('never throw, even for what cannot be printed', () => {
    const unprintable = Object.create(null) as object;
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    expect(errorStack(unprintable)).toBe('something that cannot be printed');
    expect(errorMessage(unprintable)).toBe('something that cannot be printed');
    expect(errorStack(hostile)).toBe('something that cannot be printed');
    expect(errorMessage(hostile)).toBe('something that cannot be printed');
  });
});

describe('consoleLogger', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each(['debug', 'log', 'warn'] as const)(
    '%s: writes the line to the console, prefixed',
    (level) => {
      const write = jest.spyOn(console, level).mockImplementation(() => undefined);
      consoleLogger[level]('evicted k');
      expect(write).toHaveBeenCalledWith('[CacheManager] evicted k');
    },
  );

  it('error: writes the line, and the stack when there is one', () => {
    const write = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    consoleLogger.error('load failed', 'Error: boom\n    at x');
    consoleLogger.error('listener failed');
    expect(write.mock.calls).toEqual([
      ['[CacheManager] load failed', 'Error: boom\n    at x'],
      ['[CacheManager] listener failed'],
    ]);
  });
});
