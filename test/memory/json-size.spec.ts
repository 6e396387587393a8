import { describe, expect, it } from '@jest/globals';

import {
  ARRAY_HEADER_BYTES,
  BACKING_ARRAY_HEADER_BYTES,
  HEAP_NUMBER_BYTES,
  IN_OBJECT_SLOTS,
  OBJECT_HEADER_BYTES,
  STRING_HEADER_BYTES,
  TAGGED_BYTES,
  arrayBytes,
  objectBytes,
  stringBytes,
} from '../../lib/core/json-size.util.js';
import {
  snapshotBytes,
  snapshotJson,
  snapshotJsonSized,
} from '../../lib/core/json-snapshot.util.js';

const sized = (value: unknown): number => {
  snapshotJsonSized(value);
  return snapshotBytes();
};

describe('the size estimate of a JSON value (the model of docs/memory-budget.md)', () => {
  it('counts a string by its length, one byte a character when all fit in Latin-1', () => {
    expect(stringBytes('')).toBe(0);
    expect(stringBytes('ab')).toBe(STRING_HEADER_BYTES + 8);
    expect(stringBytes('日本')).toBe(STRING_HEADER_BYTES + 8);
    expect(stringBytes('a'.repeat(100))).toBe(STRING_HEADER_BYTES + 104);
    expect(stringBytes('é'.repeat(100))).toBe(STRING_HEADER_BYTES + 104);
  });

  it('counts two bytes a character once one character is above U+00FF', () => {
    expect(stringBytes('a'.repeat(99) + '€')).toBe(STRING_HEADER_BYTES + 200);
    expect(stringBytes('日本語')).toBe(STRING_HEADER_BYTES + 8);
    expect(stringBytes('日本語の文字列です')).toBe(STRING_HEADER_BYTES + 24);
  });

  it('counts every string of up to 8 characters as 24 bytes, its characters unread', () => {
    // The documented bound: a two-byte string of 5 to 8 characters takes 32, counted 8 short.
    expect(stringBytes('abcdefgh')).toBe(STRING_HEADER_BYTES + 8);
    expect(stringBytes('日本語の文字列')).toBe(STRING_HEADER_BYTES + 8);
    expect(stringBytes('日本語の文字列で')).toBe(STRING_HEADER_BYTES + 8); // 8: still unread
    expect(stringBytes('abcdefghi')).toBe(STRING_HEADER_BYTES + 16);
  });

  it('counts -0 as a boxed number, 0 and other small integers in place', () => {
    expect(sized(0)).toBe(0);
    expect(sized(-0)).toBe(HEAP_NUMBER_BYTES);
    expect(sized(2 ** 31 - 1)).toBe(0);
    expect(sized(2 ** 31)).toBe(HEAP_NUMBER_BYTES);
  });

  it('counts small integers, booleans and null as their slot only, other numbers boxed', () => {
    const empty = objectBytes(1);
    expect(sized({ a: 1 })).toBe(empty);
    expect(sized({ a: true })).toBe(empty);
    expect(sized({ a: null })).toBe(empty);
    expect(sized({ a: 1.5 })).toBe(empty + HEAP_NUMBER_BYTES);
    expect(sized({ a: 2 ** 40 })).toBe(empty + HEAP_NUMBER_BYTES);
    expect(sized({ a: -0 })).toBe(empty + HEAP_NUMBER_BYTES);
  });

  it('keeps the numbers of an array of numbers unboxed, and boxes them in a mixed array', () => {
    expect(sized([1.5, 2.5, 3])).toBe(arrayBytes(3));
    expect(sized([1.5, 'a'])).toBe(arrayBytes(2) + HEAP_NUMBER_BYTES + stringBytes('a'));
    expect(sized({ list: [1.5], x: 0.5 })).toBe(objectBytes(2) + arrayBytes(1) + HEAP_NUMBER_BYTES);
  });

  it('counts an object by its header and property slots, growing past the in-object ones', () => {
    expect(objectBytes(0)).toBe(OBJECT_HEADER_BYTES + IN_OBJECT_SLOTS * TAGGED_BYTES);
    expect(objectBytes(5)).toBe(objectBytes(4) + BACKING_ARRAY_HEADER_BYTES + 3 * TAGGED_BYTES);
    // Past 128 keys, a dictionary: 6 slots an entry (key, value, details; at most half full).
    const dictionary = (count: number) =>
      OBJECT_HEADER_BYTES + BACKING_ARRAY_HEADER_BYTES + 6 * TAGGED_BYTES * count;
    expect(objectBytes(128)).toBeLessThan(dictionary(128));
    expect(objectBytes(129)).toBe(dictionary(129));
    expect(objectBytes(200)).toBe(dictionary(200));
    expect(arrayBytes(0)).toBe(ARRAY_HEADER_BYTES);
    expect(arrayBytes(3)).toBe(ARRAY_HEADER_BYTES + BACKING_ARRAY_HEADER_BYTES + 3 * TAGGED_BYTES);
  });

  it('adds nested values, strings and keys of every level', () => {
    const value = { user: { name: 'Ada', tags: ['x', 'y'] }, n: 3 };
    expect(sized(value)).toBe(
      objectBytes(2) +
        objectBytes(2) +
        stringBytes('Ada') +
        arrayBytes(2) +
        stringBytes('x') +
        stringBytes('y'),
    );
  });

  it('copies exactly what snapshotJson copies', () => {
    const value = { a: [1, { b: 'c' }], d: null };
    expect(snapshotJsonSized(value)).toEqual(snapshotJson(value));
  });

  it('is not reset by a walk that a getter of the value starts', () => {
    const inner = { s: 'abc' };
    const value = {
      get nested() {
        snapshotJsonSized({ other: 'x'.repeat(1000) });
        return inner;
      },
    };
    expect(sized(value)).toBe(objectBytes(1) + objectBytes(1) + stringBytes('abc'));
  });
});
