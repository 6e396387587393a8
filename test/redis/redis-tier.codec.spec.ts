import { describe, expect, it } from '@jest/globals';

import type { TierEntry } from '../../lib/core/cache-tier.interface.js';
import { decodeHistory } from '../../lib/redis/bus/redis-bus-history.codec.js';
import {
  BUS_MESSAGE_KINDS,
  BusOperation,
  decodeBusMessage,
  encodeBusMessage,
  isExpiryOperation,
  isKeyOperation,
  sameChange,
} from '../../lib/redis/bus/redis-bus.codec.js';
import { compareStreamIds } from '../../lib/redis/bus/stream-id.util.js';
import {
  decodeEntry,
  encodeEntry,
  EXPIRED_MARK_OFFSET,
  expiresAtMs,
} from '../../lib/redis/store/redis-entry.codec.js';
import { BAD_ENTRY, BAD_MESSAGE } from '../../lib/redis/redis.messages.js';

const entry: TierEntry = {
  data: { name: 'Ada', tags: ['a'], n: null },
  timestampMs: 1_700_000_000_123,
  ttlSeconds: 30,
  category: 'users',
  metadata: { source: 'db' },
};

const stored = (fields: Record<string, unknown>) =>
  JSON.stringify({ v: 1, t: 1, ttl: 10, c: 'default', m: {}, d: 'x', ...fields });

describe('Redis entry codec', () => {
  it('gives back an encoded entry whole, with its original timestamp', () => {
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
  });

  it('carries the tags and the early-expiry mark, and leaves them out when there are none', () => {
    const tagged: TierEntry = { ...entry, tags: ['user:1', 'world:2'], expiredEarly: true };
    expect(decodeEntry(encodeEntry(tagged))).toEqual(tagged);
    expect(decodeEntry(encodeEntry({ ...entry, tags: [], expiredEarly: false }))).toEqual(entry);
    expect(JSON.parse(encodeEntry(entry))).not.toHaveProperty('g');
  });

  it('puts the early-expiry mark first, one byte a script can overwrite', () => {
    const fresh = encodeEntry(entry);
    expect(fresh.startsWith('{"x":0,')).toBe(true);
    const marked = fresh.slice(0, EXPIRED_MARK_OFFSET) + '1' + fresh.slice(EXPIRED_MARK_OFFSET + 1);
    expect(decodeEntry(marked)).toEqual({ ...entry, expiredEarly: true });
  });

  it('reads an entry stored before tags and soft expiry: not expired, no tags', () => {
    const earlier = JSON.stringify({ v: 1, t: 5, ttl: 10, c: 'users', m: {}, d: 'x' });
    expect(decodeEntry(earlier)).toEqual({
      data: 'x',
      timestampMs: 5,
      ttlSeconds: 10,
      category: 'users',
      metadata: {},
    });
    // What the expiry script makes of it: the mark put first.
    expect(decodeEntry(`{"x":1,${earlier.slice(1)}`)).toMatchObject({ expiredEarly: true });
  });

  it('keeps data that is null or falsy (a cached null is not a miss)', () => {
    for (const data of [null, 0, false, '']) {
      expect(decodeEntry(encodeEntry({ ...entry, data }))).toMatchObject({ data });
    }
  });

  it('says when the entry expires in Redis: 2 × ttl after its timestamp', () => {
    expect(expiresAtMs(entry)).toBe(entry.timestampMs + 60_000);
    expect(expiresAtMs({ timestampMs: 1000.4, ttlSeconds: 0.5 })).toBe(2001);
  });

  it.each([
    ['a foreign string', 'hello', 'not JSON (5 characters)'],
    ['truncated JSON', '{"v":1,"t":1,"ttl":', 'not JSON (19 characters)'],
    ['JSON null', 'null', 'not an entry object'],
    ['a JSON number', '42', 'not an entry object'],
    ['a JSON array', '[1,2]', 'not an entry object'],
    ['no version', JSON.stringify({ t: 1 }), 'unknown format version undefined'],
    ['another version', stored({ v: 2 }), 'unknown format version 2'],
    ['a string timestamp', stored({ t: 'yesterday' }), 'no valid timestamp'],
    [
      'an overflowing timestamp',
      stored({ t: 0 }).replace('"t":0', '"t":1e999'),
      'no valid timestamp',
    ],
    ['a zero ttl', stored({ ttl: 0 }), 'no valid ttl'],
    ['a negative ttl', stored({ ttl: -5 }), 'no valid ttl'],
    ['an infinite ttl', stored({ ttl: 0 }).replace('"ttl":0', '"ttl":1e999'), 'no valid ttl'],
    ['an empty category', stored({ c: '' }), 'no valid category'],
    ['a numeric category', stored({ c: 7 }), 'no valid category'],
    ['null metadata', stored({ m: null }), 'no valid metadata'],
    ['array metadata', stored({ m: [] }), 'no valid metadata'],
    ['no data', JSON.stringify({ v: 1, t: 1, ttl: 10, c: 'default', m: {} }), 'no data'],
    ['a string early-expiry mark', stored({ x: 'yes' }), 'no valid early-expiry mark'],
    ['an early-expiry mark of 2', stored({ x: 2 }), 'no valid early-expiry mark'],
    ['tags that are not a list', stored({ g: 'user:1' }), 'no valid tags'],
    ['an empty tag', stored({ g: ['user:1', ''] }), 'no valid tags'],
    [
      'too many tags',
      stored({ g: Array.from({ length: 33 }, (_, i) => `t${i}`) }),
      'no valid tags',
    ],
  ])('reads %s as no entry, with the reason logged', (_, raw, reason) => {
    expect(decodeEntry(raw)).toBe(reason);
    expect(BAD_ENTRY('k', reason)).toBe(
      `Redis tier: ignoring the value of key "k" in Redis (${reason}); treated as a miss`,
    );
  });
});

describe('Redis bus messages', () => {
  it('gives back what was encoded, and leaves out what was not given', () => {
    const raw = encodeBusMessage('A', 's', 'user:1', 1234);
    expect(decodeBusMessage(raw)).toEqual({ v: 1, src: 'A', op: 's', arg: 'user:1', t: 1234 });
    expect(JSON.parse(encodeBusMessage('A', 'c'))).toEqual({ v: 1, src: 'A', op: 'c' });
    expect(decodeBusMessage(encodeBusMessage('A', 'c'))).toEqual({ v: 1, src: 'A', op: 'c' });
  });

  // Instances of different versions share the channel: the bytes must not change.
  it.each([
    ['KeyWritten', 's'],
    ['KeyInvalidated', 'i'],
    ['KeyDeleted', 'd'],
    ['CategoryInvalidated', 'ic'],
    ['CategoryCleared', 'cc'],
    ['KeyExpired', 'e'],
    ['CategoryExpired', 'ec'],
    ['TagInvalidated', 'it'],
    ['TagExpired', 'et'],
  ] as const)('writes %s as the wire code %j, in the format other versions read', (name, code) => {
    expect(encodeBusMessage('A', BusOperation[name], 'k')).toBe(
      `{"v":1,"src":"A","op":"${code}","arg":"k"}`,
    );
    expect(decodeBusMessage(`{"v":1,"src":"A","op":"${code}","arg":"k"}`)).toEqual({
      v: 1,
      src: 'A',
      op: BusOperation[name],
      arg: 'k',
    });
  });

  it('writes a full clear and a timestamped write in the format other versions read', () => {
    expect(encodeBusMessage('A', BusOperation.AllCleared)).toBe('{"v":1,"src":"A","op":"c"}');
    expect(encodeBusMessage('A', BusOperation.KeyWritten, 'user:1', 1234)).toBe(
      '{"v":1,"src":"A","op":"s","arg":"user:1","t":1234}',
    );
  });

  it.each([
    ['not JSON', 'invalidate k', 'not JSON'],
    ['truncated JSON', '{"v":1,"src":"A"', 'not JSON'],
    ['JSON null', 'null', 'not an object'],
    ['a JSON string', '"i"', 'not an object'],
    ['another version', JSON.stringify({ v: 2, src: 'A', op: 'c' }), 'unknown format version 2'],
    ['no sender', JSON.stringify({ v: 1, op: 'c' }), 'no sender'],
    ['a numeric sender', JSON.stringify({ v: 1, src: 1, op: 'c' }), 'no sender'],
    ['an unknown operation', JSON.stringify({ v: 1, src: 'A', op: 'flush' }), 'unknown operation'],
    ['no operation', JSON.stringify({ v: 1, src: 'A' }), 'unknown operation'],
    [
      'an invalidation without key',
      JSON.stringify({ v: 1, src: 'A', op: 'i' }),
      'no key, category or tag',
    ],
    [
      'an empty category',
      JSON.stringify({ v: 1, src: 'A', op: 'ic', arg: '' }),
      'no key, category or tag',
    ],
    [
      'a tag invalidation without tag',
      JSON.stringify({ v: 1, src: 'A', op: 'it' }),
      'no key, category or tag',
    ],
    [
      'a key expiry with a numeric key',
      JSON.stringify({ v: 1, src: 'A', op: 'e', arg: 7 }),
      'no key, category or tag',
    ],
    [
      'a string timestamp',
      JSON.stringify({ v: 1, src: 'A', op: 's', arg: 'k', t: 'now' }),
      'no valid timestamp',
    ],
    [
      'an overflowing timestamp',
      '{"v":1,"src":"A","op":"s","arg":"k","t":1e999}',
      'no valid timestamp',
    ],
    ['a numeric history id', '{"id":17,"v":1,"src":"A","op":"c"}', 'no valid history id'],
    [
      'a history id without sequence',
      '{"id":"17","v":1,"src":"A","op":"c"}',
      'no valid history id',
    ],
    ['a history id with a sign', '{"id":"-1-0","v":1,"src":"A","op":"c"}', 'no valid history id'],
    ['a padded history id', '{"id":"017-0","v":1,"src":"A","op":"c"}', 'no valid history id'],
  ])('refuses %s, with the reason logged', (_, raw, reason) => {
    expect(decodeBusMessage(raw)).toBe(reason);
    expect(BAD_MESSAGE(reason)).toBe(
      `Redis tier: ignoring a message on the invalidation channel (${reason})`,
    );
  });
});

describe('Bus message kinds', () => {
  it('has a row for every operation, saying what its argument names', () => {
    expect(Object.keys(BUS_MESSAGE_KINDS).sort()).toEqual(Object.values(BusOperation).sort());
    const naming = (argument: string) =>
      Object.values(BusOperation)
        .filter((op) => BUS_MESSAGE_KINDS[op].argument === argument)
        .sort();
    expect(naming('key')).toEqual(['d', 'e', 'i', 's']);
    expect(naming('category')).toEqual(['cc', 'ec', 'ic']);
    expect(naming('tag')).toEqual(['et', 'it']);
    expect(naming('none')).toEqual(['c']);
    expect(Object.values(BusOperation).filter(isKeyOperation).sort()).toEqual(naming('key'));
    expect(Object.values(BusOperation).filter(isExpiryOperation).sort()).toEqual(['e', 'ec', 'et']);
  });

  it('reads the history id the channel carries, first, as the announcing script puts it', () => {
    const stored = encodeBusMessage('A', BusOperation.KeyWritten, 'k', 12);
    expect(stored.startsWith('{')).toBe(true);
    const heard = `{"id":"1700000000000-3",${stored.slice(1)}`;
    expect(decodeBusMessage(heard)).toEqual({
      id: '1700000000000-3',
      v: 1,
      src: 'A',
      op: 's',
      arg: 'k',
      t: 12,
    });
  });

  it('tells the same change from another one by sender, operation, argument and timestamp', () => {
    const change = { v: 1, src: 'A', op: 'i', arg: 'k' } as const;
    expect(sameChange(change, { ...change, id: '1-0' })).toBe(true);
    expect(sameChange(change, { ...change, src: 'B' })).toBe(false);
    expect(sameChange(change, { ...change, op: 'd' })).toBe(false);
    expect(sameChange(change, { ...change, arg: 'j' })).toBe(false);
    expect(sameChange(change, { ...change, t: 1 })).toBe(false);
  });
});

describe('Bus history replies', () => {
  const message = encodeBusMessage('A', BusOperation.KeyInvalidated, 'k');

  it('reads each entry with its id and message, oldest first', () => {
    expect(
      decodeHistory([
        ['1-0', ['m', message]],
        ['1-1', ['x', 'other', 'm', encodeBusMessage('B', BusOperation.AllCleared)]],
      ]),
    ).toEqual([
      { id: '1-0', message: { v: 1, src: 'A', op: 'i', arg: 'k' } },
      { id: '1-1', message: { v: 1, src: 'B', op: 'c' } },
    ]);
    expect(decodeHistory([])).toEqual([]);
  });

  it('keeps an entry that is not a message, with why, so the reader knows it cannot apply it', () => {
    expect(decodeHistory([['1-0', ['m', 'garbage']]])).toEqual([
      { id: '1-0', message: 'not JSON' },
    ]);
    expect(decodeHistory([['1-0', ['other', 'm']]])).toEqual([
      { id: '1-0', message: 'no message field' },
    ]);
    expect(decodeHistory([['1-0', ['m', 7]]])).toEqual([
      { id: '1-0', message: 'no message field' },
    ]);
  });

  it.each([
    ['null (no script reply)', null, 'not a list of entries'],
    ['a string', 'OK', 'not a list of entries'],
    ['an entry that is not a pair', [['1-0']], 'not a stream entry'],
    ['a numeric id', [[1, ['m', message]]], 'not a stream entry'],
  ])('refuses %s as a whole', (_, reply, reason) => {
    expect(decodeHistory(reply)).toBe(reason);
  });
});

describe('Stream id order', () => {
  it.each([
    ['1-0', '2-0', -1],
    ['9-0', '10-0', -1],
    ['10-0', '9-5', 1],
    ['5-2', '5-10', -1],
    ['5-3', '5-3', 0],
    ['18446744073709551614-0', '18446744073709551615-0', -1],
    ['1700000000000-18446744073709551615', '1700000000001-0', -1],
  ])('orders %s against %s', (a, b, sign) => {
    expect(Math.sign(compareStreamIds(a, b))).toBe(sign);
    expect(Math.sign(compareStreamIds(b, a))).toBe(sign === 0 ? 0 : -sign);
  });
});
