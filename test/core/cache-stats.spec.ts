import { describe, expect, it } from '@jest/globals';

import { CacheManager, CacheStats } from '../../lib/index.js';

describe('CacheStats', () => {
  it('has no byte figures for a cache without maxBytes', () => {
    const stats = new CacheManager({ cleanupInterval: 0 }).getStats();
    expect(stats.getBytesUsage()).toBeUndefined();
    expect(Object.keys(stats.toDict())).not.toEqual(
      expect.arrayContaining(['totalBytes', 'maxBytes', 'bytesUsagePercent']),
    );
  });

  it('gives the usage by bytes as a percentage, in getBytesUsage() and toDict()', () => {
    const stats = new CacheStats();
    stats.totalBytes = 250;
    stats.maxBytes = 1000;
    expect(stats.getBytesUsage()).toBe(25);
    expect(stats.toDict()).toMatchObject({
      totalBytes: 250,
      maxBytes: 1000,
      bytesUsagePercent: 25,
    });
  });

  it("puts the second tier's figures in toDict() as a copy, and nothing without a tier", () => {
    const stats = new CacheStats();
    expect(stats.toDict()).not.toHaveProperty('tier');
    stats.tier = { connected: true, l2Errors: 2, circuit: 'closed' };
    const dict = stats.toDict();
    expect(dict.tier).toEqual({ connected: true, l2Errors: 2, circuit: 'closed' });
    expect(dict.tier).not.toBe(stats.tier);
  });
});
