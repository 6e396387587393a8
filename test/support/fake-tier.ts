import type { CacheTier } from '../../lib/core/cache-tier.interface.js';

/**
 * A second tier that holds nothing and does nothing, connected and healthy: give it only the
 * hooks a test looks at (`fakeTier({ fetch })`). The optional hooks are left out unless given.
 */
export function fakeTier(overrides: Partial<CacheTier> = {}): CacheTier {
  return {
    getStats: () => ({ connected: true, l2Errors: 0 }),
    afterSet: () => undefined,
    afterInvalidate: () => undefined,
    afterInvalidateCategory: () => undefined,
    afterDelete: () => undefined,
    afterClear: () => undefined,
    fetch: async () => undefined,
    ...overrides,
  };
}
