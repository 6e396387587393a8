import { describe, expect, it } from '@jest/globals';

import { CacheManager, CacheStatus } from '../../lib/index.js';

describe('smoke', () => {
  it('stores and reads', () => {
    const cache = new CacheManager({ cleanupInterval: 0 });
    expect(cache.set('a', { b: 1 })).toBe(true);
    expect(cache.get('a')?.status).toBe(CacheStatus.FRESH);
  });
});
