import { describe, expect, it, jest } from '@jest/globals';

import { CacheStatus, MAX_TAGS_PER_ENTRY } from '../../lib/index.js';
import { cacheInternals } from '../../lib/core/cache-manager.js';
import {
  INVALID_TAG,
  INVALID_TAGS,
  TAGS_FUNCTION_THREW,
  TAGS_NOT_CACHED,
} from '../../lib/core/cache.messages.js';
import {
  TAG_INDEX_ENTRY_BYTES,
  TAGGED_BYTES,
  arrayBytes,
  stringBytes,
} from '../../lib/core/json-size.util.js';
import { NO_TAGS, snapshotTags } from '../../lib/core/cache-tags.util.js';
import { useTestCaches } from '../support/test-caches.js';

const makeCache = useTestCaches();

/** `count` distinct tags: `t0`, `t1`… */
const manyTags = (count: number) => Array.from({ length: count }, (_, i) => `t${i}`);

describe('tags on entries', () => {
  it('keeps the tags given to set, frozen, duplicates collapsed, in the order first given', () => {
    const { cache } = makeCache();
    const given = ['user:42', 'world:1', 'user:42'];
    cache.set('list', [1], { tags: given });
    given.push('later');
    const entry = cache.get('list')!;
    expect(entry.tags).toEqual(['user:42', 'world:1']);
    expect(Object.isFrozen(entry.tags)).toBe(true);
    expect(entry.toDict().tags).toEqual(['user:42', 'world:1']);
    expect((JSON.parse(JSON.stringify(entry)) as { tags: unknown }).tags).toEqual([
      'user:42',
      'world:1',
    ]);
  });

  it('gives an entry without tags an empty frozen list, shared (no allocation per set)', () => {
    const { cache } = makeCache();
    cache.set('a', 1);
    cache.set('b', 2, { tags: [] });
    expect(cache.get('a')!.tags).toEqual([]);
    expect(Object.isFrozen(cache.get('a')!.tags)).toBe(true);
    expect(cache.get('a')!.tags).toBe(cache.get('b')!.tags);
    expect(cache.getStats().taggedEntries).toBe(0);
  });

  it('replaces the tags of a key at its next set, and an entry handed out keeps its own', () => {
    const { cache } = makeCache();
    cache.set('k', 1, { tags: ['old'] });
    const before = cache.get('k')!;
    cache.set('k', 2, { tags: ['new'] });
    expect(before.tags).toEqual(['old']);
    expect(cache.get('k')!.tags).toEqual(['new']);
    expect(cache.invalidateTag('old')).toBe(0);
    expect(cache.hasKey('k')).toBe(true);
    cache.set('k', 3);
    expect(cache.get('k')!.tags).toEqual([]);
    expect(cache.invalidateTag('new')).toBe(0);
    expect(cache.getStats().taggedEntries).toBe(0);
    const last = cache.get('k')!;
    cache.delete('k');
    expect(last.tags).toEqual([]);
  });

  it('accepts MAX_TAGS_PER_ENTRY distinct tags, however often repeated, and no more', () => {
    const { cache } = makeCache();
    expect(MAX_TAGS_PER_ENTRY).toBe(32);
    const most = manyTags(MAX_TAGS_PER_ENTRY);
    expect(cache.set('most', 1, { tags: [...most, ...most] })).toBe(true);
    expect(cache.get('most')!.tags).toEqual(most);
    expect(() => cache.set('too many', 1, { tags: manyTags(MAX_TAGS_PER_ENTRY + 1) })).toThrow(
      new RangeError(
        INVALID_TAGS(
          MAX_TAGS_PER_ENTRY,
          `got more than ${MAX_TAGS_PER_ENTRY} distinct tags (33 given)`,
        ),
      ),
    );
    expect(cache.hasKey('too many')).toBe(false);
  });

  it('throws the RangeError of a bad category for bad tags, and stores nothing', () => {
    const { cache } = makeCache();
    cache.set('k', 'kept', { tags: ['a'] });
    const cases: [unknown, string][] = [
      ['user:1', 'got "user:1", not an array'],
      [{ 0: 'a', length: 1 }, 'got an object, not an array'],
      [null, 'got null, not an array'],
      [[''], 'tags[0] is an empty string'],
      [['a', 7], 'tags[1] is 7, not a string'],
      [['a', undefined], 'tags[1] is undefined, not a string'],
      // The first bad tag is the one named.
      [['', 5], 'tags[0] is an empty string'],
    ];
    for (const [tags, reason] of cases) {
      expect(() => cache.set('k', 'replaced', { tags } as never)).toThrow(
        new RangeError(INVALID_TAGS(MAX_TAGS_PER_ENTRY, reason)),
      );
    }
    const hostile = new Proxy(['a'], {
      get(target, property) {
        if (property === '0') throw new Error('trap');
        return Reflect.get(target, property);
      },
    });
    let thrown: unknown;
    try {
      cache.set('k', 'replaced', { tags: hostile });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toEqual(new RangeError(INVALID_TAGS(MAX_TAGS_PER_ENTRY, 'reading them threw')));
    expect((thrown as Error).cause).toEqual(new Error('trap'));
    const { proxy, revoke } = Proxy.revocable(['a'], {});
    revoke();
    expect(() => cache.set('k', 'replaced', { tags: proxy })).toThrow(RangeError);
    expect(cache.getData('k')).toBe('kept');
    expect(cache.get('k')!.tags).toEqual(['a']);
  });

  it('throws a RangeError for a tag operation given a tag that is not a non-empty string', () => {
    const { cache } = makeCache();
    for (const bad of ['', 5, undefined, ['a']]) {
      expect(() => cache.invalidateTag(bad as string)).toThrow(new RangeError(INVALID_TAG(bad)));
      expect(() => cache.expireTag(bad as string)).toThrow(new RangeError(INVALID_TAG(bad)));
    }
    const stats = cache.getStats();
    expect(stats.totalInvalidateTagCalls).toBe(0);
    expect(stats.totalExpireTagCalls).toBe(0);
  });
});

describe('invalidateTag and expireTag', () => {
  function tagged() {
    const made = makeCache();
    const { cache } = made;
    cache.set('user:1', { name: 'Ann' }, { tags: ['user:1'] });
    cache.set('world:1:users', ['Ann', 'Bob'], { tags: ['world:1', 'user:1', 'user:2'] });
    cache.set('world:2:users', ['Cy'], { tags: ['world:2', 'user:3'] });
    cache.set('untagged', 0);
    return made;
  }

  it('invalidates exactly the entries carrying the tag, and says how many', () => {
    const { cache } = tagged();
    const invalidated: string[] = [];
    cache.on('invalidation', ({ key }) => invalidated.push(key));
    expect(cache.invalidateTag('user:1')).toBe(2);
    expect(invalidated.sort()).toEqual(['user:1', 'world:1:users']);
    expect(cache.get('user:1', { includeStale: true })).toBeUndefined();
    expect(cache.getAllEntries().get('world:1:users')!.status).toBe(CacheStatus.INVALID);
    expect(cache.hasKey('world:2:users')).toBe(true);
    expect(cache.hasKey('untagged')).toBe(true);
    expect(cache.invalidateTag('nobody')).toBe(0);
    const stats = cache.getStats();
    expect(stats.invalidEntries).toBe(2);
    expect(stats.totalInvalidations).toBe(2);
    expect(stats.totalInvalidateTagCalls).toBe(2);
    expect(stats.taggedEntries).toBe(3);
  });

  it('expires exactly the entries carrying the tag: STALE, kept, and says how many', () => {
    const { cache } = tagged();
    expect(cache.expireTag('world:1')).toBe(1);
    expect(cache.hasKey('world:1:users')).toBe(false);
    expect(cache.get('world:1:users', { includeStale: true })!.data).toEqual(['Ann', 'Bob']);
    expect(cache.hasKey('user:1')).toBe(true);
    const stats = cache.getStats();
    expect(stats.staleEntries).toBe(1);
    expect(stats.freshEntries).toBe(3);
    expect(stats.totalExpirations).toBe(1);
    expect(stats.totalExpireTagCalls).toBe(1);
  });

  it('keeps the index up to date through delete, clear and clear by category', () => {
    const { cache } = tagged();
    cache.delete('user:1');
    expect(cache.invalidateTag('user:1')).toBe(1);
    cache.set('x', 1, { category: 'other', tags: ['world:2'] });
    expect(cache.clear('other')).toBe(1);
    expect(cache.expireTag('world:2')).toBe(1);
    expect(cache.getStats().taggedEntries).toBe(2);
    cache.clear();
    expect(cache.getStats().taggedEntries).toBe(0);
    expect(cache.invalidateTag('user:3')).toBe(0);
    cache.set('again', 1, { tags: ['user:3'] });
    expect(cache.invalidateTag('user:3')).toBe(1);
  });

  it('keeps the index up to date through eviction by count and by bytes', () => {
    const { cache } = makeCache({ maxEntries: 2 });
    cache.set('a', 1, { tags: ['t'] });
    cache.set('b', 2, { tags: ['t'] });
    cache.set('c', 3); // evicts a
    expect(cache.invalidateTag('t')).toBe(1);
    const byBytes = makeCache({ maxBytes: 2000, maxEntryBytes: 2000 }).cache;
    byBytes.set('small', 1, { tags: ['t'] });
    byBytes.set('big', 'x'.repeat(1500));
    expect(byBytes.size).toBe(1);
    expect(byBytes.expireTag('t')).toBe(0);
    expect(byBytes.getStats().taggedEntries).toBe(0);
  });

  it('keeps the index up to date through cleanup, at once and in slices', async () => {
    const { cache, clock } = makeCache();
    cache.set('short', 1, { ttl: 1, tags: ['t'] });
    cache.set('bad', 2, { ttl: 100, tags: ['t'] });
    cache.set('long', 3, { ttl: 100, tags: ['t'] });
    cache.invalidate('bad');
    clock.advanceSeconds(3);
    expect(cache.cleanup()).toBe(2);
    expect(cache.expireTag('t')).toBe(1);
    cache.set('short', 1, { ttl: 1, tags: ['t'] });
    clock.advanceSeconds(3);
    expect(await cache.cleanupInSlices()).toBe(1);
    expect(cache.getStats().taggedEntries).toBe(1);
    expect(cache.invalidateTag('t')).toBe(1);
  });

  it('reaches only entries that carry the tag when called and still do when reached', () => {
    const { cache } = makeCache();
    cache.set('a', 1, { tags: ['t'] });
    cache.set('b', 2, { tags: ['t'] });
    const reached: string[] = [];
    cache.on('invalidation', ({ key }) => {
      reached.push(key);
      if (key === 'a') {
        cache.delete('b');
        cache.set('c', 3, { tags: ['t'] });
      }
    });
    expect(cache.invalidateTag('t')).toBe(2);
    expect(reached).toEqual(['a']);
    expect(cache.hasKey('c')).toBe(true);
  });

  it('leaves an entry rewritten without the tag while the call runs', () => {
    const { cache } = makeCache();
    cache.set('a', 1, { tags: ['t'] });
    cache.set('b', 2, { tags: ['t'] });
    cache.on('invalidation', ({ key }) => {
      if (key === 'a') cache.set('b', 3, { tags: ['u'] }); // same key, same slot, no longer 't'
    });
    expect(cache.invalidateTag('t')).toBe(2);
    expect(cache.get('b')?.status).toBe(CacheStatus.FRESH);
    expect(cache.getData('b')).toBe(3);
  });

  it('leaves alone an entry rewritten without the tag after every other carrier of it went', () => {
    const { cache } = makeCache();
    cache.set('a', 1, { tags: ['t'] });
    cache.set('b', 2, { tags: ['t'] });
    cache.on('invalidation', ({ key }) => {
      if (key !== 'a') return;
      cache.delete('a'); // the tag's last other carrier: the tag is carried by nothing now...
      cache.set('b', 3, { tags: ['u'] }); // ...once b, still held, no longer carries it
    });
    expect(cache.invalidateTag('t')).toBe(2);
    expect(cache.get('b')?.status).toBe(CacheStatus.FRESH);
  });
});

describe('tags in the memory budget', () => {
  it('counts tags in an entry estimated bytes, and refuses an entry too large with them', () => {
    const { cache, logger } = makeCache({ maxBytes: 10_000, maxEntryBytes: 1000 });
    cache.set('k', 'v');
    const untagged = cache.getStats().totalBytes!;
    const tags = ['user:42', 'w'];
    cache.set('k', 'v', { tags });
    const expected =
      TAGGED_BYTES +
      arrayBytes(2) +
      tags.reduce((sum, tag) => sum + stringBytes(tag) + TAG_INDEX_ENTRY_BYTES, 0);
    expect(cache.getStats().totalBytes).toBe(untagged + expected);
    cache.set('k', 'v');
    expect(cache.getStats().totalBytes).toBe(untagged);
    const room = 1000 - untagged;
    const fits = 'x'.repeat(room - 8);
    expect(cache.set('fits', fits)).toBe(true);
    expect(cache.set('fits', fits, { tags: manyTags(5) })).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('above maxEntryBytes'));
  });
});

describe('tags through wrap', () => {
  it('caches a loaded value with fixed tags, or tags from the value', async () => {
    const { cache } = makeCache();
    await cache.wrap('fixed', () => 1, { tags: ['a', 'a', 'b'] });
    expect(cache.get('fixed')!.tags).toEqual(['a', 'b']);
    const ids = jest.fn((users: { id: number }[]) => users.map((u) => `user:${u.id}`));
    await cache.wrap('list', () => [{ id: 1 }, { id: 2 }], { tags: ids });
    expect(ids).toHaveBeenCalledTimes(1);
    expect(cache.get('list')!.tags).toEqual(['user:1', 'user:2']);
    await cache.wrap('list', () => [{ id: 3 }], { tags: ids });
    expect(ids).toHaveBeenCalledTimes(1); // a hit computes nothing
    expect(cache.invalidateTag('user:2')).toBe(1);
  });

  it('rejects bad fixed tags with the RangeError of set, before loading', async () => {
    const { cache } = makeCache();
    const loader = jest.fn(() => 1);
    await expect(cache.wrap('k', loader, { tags: [''] })).rejects.toThrow(
      new RangeError(INVALID_TAGS(MAX_TAGS_PER_ENTRY, 'tags[0] is an empty string')),
    );
    await expect(cache.wrap('k', loader, { tags: 'a' as never })).rejects.toThrow(RangeError);
    expect(loader).not.toHaveBeenCalled();
  });

  it('returns a value uncached when its tags function throws or returns bad tags', async () => {
    const { cache, logger } = makeCache();
    const onUncacheable = jest.fn();
    const bad = () => [''];
    expect(await cache.wrap('k', () => 'v', { tags: bad, onUncacheable })).toBe('v');
    expect(onUncacheable).toHaveBeenCalledWith(
      TAGS_NOT_CACHED('k', INVALID_TAGS(MAX_TAGS_PER_ENTRY, 'tags[0] is an empty string')),
    );
    const throwing = () => {
      throw new Error('no tags');
    };
    expect(await cache.wrap('k', () => 'v', { tags: throwing })).toBe('v');
    expect(logger.warn).toHaveBeenCalledWith(TAGS_FUNCTION_THREW('k', 'no tags'));
    expect(cache.size).toBe(0);
  });
});

describe('tags restored from a second tier', () => {
  it('restores tags and an early expiry; refuses an entry whose tags are not valid', () => {
    const { cache, clock } = makeCache();
    const internals = cacheInternals(cache);
    const stored = { data: 1, metadata: {}, ttlSeconds: 60, category: 'default' };
    const restored = internals.restore('k', {
      ...stored,
      timestampMs: clock.nowMs - 1000,
      tags: ['t', 't'],
      expiredEarly: true,
    })!;
    expect(restored.tags).toEqual(['t']);
    expect(restored.status).toBe(CacheStatus.STALE);
    expect(cache.getStats().staleEntries).toBe(1);
    expect(cache.getStats().totalExpirations).toBe(0); // a restore is not an expire
    expect(cache.invalidateTag('t')).toBe(1);
    const refused = internals.restore('bad', { ...stored, timestampMs: clock.nowMs, tags: [''] });
    expect(refused).toBeUndefined();
    expect(cache.hasKey('bad')).toBe(false);
  });
});

describe('snapshotTags', () => {
  it('gives every entry without tags the one shared empty array', () => {
    expect(snapshotTags(undefined)).toBe(NO_TAGS);
    expect(snapshotTags([])).toBe(NO_TAGS);
  });

  it('hands a snapshot it made back as it is, and copies any other array', () => {
    const given = ['a', 'b', 'a'];
    const snapshot = snapshotTags(given);
    expect(snapshot).toEqual(['a', 'b']);
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(snapshotTags(snapshot)).toBe(snapshot);
    const frozenCopy = Object.freeze(['a', 'b']);
    expect(snapshotTags(frozenCopy)).not.toBe(frozenCopy);
  });
});
