/**
 * The implementations side by side, behind one small interface. Each child process builds exactly
 * one adapter, so every call site stays monomorphic and no implementation pays for another.
 *
 * - `map`: a raw `Map`, the floor. No recency, no TTL; eviction (where a workload needs it) deletes
 *   the oldest key, which the workload names.
 * - `lru-cache`: `LRUCache({ max, ttl })`, with a TTL because this library tracks freshness.
 * - `cache-manager`: `createCache({ ttl })` from cache-manager 7, whose default store is an
 *   unbounded Keyv in-memory `Map` (what `@nestjs/cache-manager` uses). Its API is async: every op
 *   is awaited. It has no capacity, so "set into a full cache" is emulated with a set and a delete
 *   of the oldest key.
 * - `core`: this library's `CacheManager` from `dist/`, `cleanupInterval: 0`, a silent logger.
 * - `baseline`: the same, from the build `BENCH_BASELINE` names (operation workloads only).
 */
import { createCache } from 'cache-manager';
import { LRUCache } from 'lru-cache';

import { baselinePath, loadCore, silentLogger } from './core.js';

export const IMPLEMENTATIONS = ['map', 'lru-cache', 'cache-manager', 'core'] as const;
/** Measured only when `BENCH_BASELINE` names a build, and only by the operation workloads. */
export const BASELINE = 'baseline' as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number] | typeof BASELINE;

/** Default TTL every implementation is given, in seconds. Long enough never to expire mid-run. */
export const TTL_SECONDS = 300;

export interface Adapter {
  readonly name: Implementation;
  /** Whether the ops return promises (they are then awaited in the timed function). */
  readonly async: boolean;
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  /** Writes `key`, new, into a full cache; `oldestKey` is the least recently written key. */
  setEvicting(key: string, oldestKey: string, value: unknown): unknown;
  /** Writes `key` into `category`; undefined when the implementation has no way to. */
  setInCategory?(key: string, value: unknown, category: string): unknown;
  /** Drops (or marks invalid) every entry of `category`, whose keys start with `category:`. */
  invalidateCategory?(category: string): unknown;
  size(): number;
}

export async function createAdapter(name: Implementation, capacity: number): Promise<Adapter> {
  switch (name) {
    case 'map': {
      const map = new Map<string, unknown>();
      return {
        name,
        async: false,
        get: (key) => map.get(key),
        set: (key, value) => map.set(key, value),
        setEvicting: (key, oldestKey, value) => {
          map.delete(oldestKey);
          return map.set(key, value);
        },
        setInCategory: (key, value) => map.set(key, value),
        invalidateCategory: (category) => {
          const prefix = `${category}:`;
          for (const key of map.keys()) if (key.startsWith(prefix)) map.delete(key);
        },
        size: () => map.size,
      };
    }
    case 'lru-cache': {
      const lru = new LRUCache<string, object>({ max: capacity, ttl: TTL_SECONDS * 1000 });
      return {
        name,
        async: false,
        get: (key) => lru.get(key),
        set: (key, value) => lru.set(key, value as object),
        setEvicting: (key, _oldestKey, value) => lru.set(key, value as object),
        setInCategory: (key, value) => lru.set(key, value as object),
        invalidateCategory: (category) => {
          const prefix = `${category}:`;
          for (const key of lru.keys()) if (key.startsWith(prefix)) lru.delete(key);
        },
        size: () => lru.size,
      };
    }
    case 'cache-manager': {
      const cache = createCache({ ttl: TTL_SECONDS * 1000 });
      return {
        name,
        async: true,
        get: (key) => cache.get(key),
        set: (key, value) => cache.set(key, value),
        setEvicting: async (key, oldestKey, value) => {
          await cache.set(key, value);
          return cache.del(oldestKey);
        },
        size: () => Number.NaN,
      };
    }
    case 'core':
    case 'baseline': {
      const path = name === 'baseline' ? baselinePath() : undefined;
      if (name === 'baseline' && path === undefined) throw new Error('BENCH_BASELINE is not set');
      const { CacheManager } = await loadCore(path);
      const cache = new CacheManager({
        maxEntries: capacity,
        defaultTtl: TTL_SECONDS,
        cleanupInterval: 0,
        logger: silentLogger,
      });
      return {
        name,
        async: false,
        get: (key) => cache.getData(key),
        set: (key, value) => cache.set(key, value),
        setEvicting: (key, _oldestKey, value) => cache.set(key, value),
        setInCategory: (key, value, category) => cache.set(key, value, { category }),
        invalidateCategory: (category) => cache.invalidateCategory(category),
        size: () => cache.size,
      };
    }
  }
}
