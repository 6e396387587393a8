import { afterEach } from '@jest/globals';

import { CacheManager, type CacheManagerOptions } from '../../lib/index.js';
import { TestClock } from './test-clock.js';
import { spyLogger } from './test-loggers.js';

/**
 * `makeCache(options)` for a spec file: a cache on a hand-driven clock with a spy logger and no
 * automatic cleanup, shut down after each test. Call it once, at the top of the file.
 */
export function useTestCaches() {
  const caches: CacheManager[] = [];
  afterEach(() => {
    for (const cache of caches.splice(0)) cache.shutdown();
  });
  return function makeCache(options: CacheManagerOptions = {}) {
    const clock = new TestClock();
    const logger = spyLogger();
    const cache = new CacheManager({ cleanupInterval: 0, clock: clock.read, logger, ...options });
    caches.push(cache);
    return { cache, clock, logger };
  };
}
