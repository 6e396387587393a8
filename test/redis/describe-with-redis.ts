import { describe } from '@jest/globals';

import { findRedisServer } from './redis-server.harness.js';

const binary = findRedisServer();

/**
 * `describe` for tests that need a real `redis-server`. Without the binary, the tests are skipped
 * with a loud message, except under CI, where they fail: CI must run them.
 */
export const describeWithRedis: typeof describe = (() => {
  if (binary !== undefined) return describe;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(
      'redis-server not found (set REDIS_SERVER_BIN or put it on the PATH): the Redis tier tests must run under CI.',
    );
  }
  console.warn(
    '\n\n  ********************************************************************\n' +
      '  *  redis-server not found: the Redis tier tests are SKIPPED.        *\n' +
      '  *  Install redis-server or set REDIS_SERVER_BIN to run them.        *\n' +
      '  ********************************************************************\n',
  );
  return describe.skip;
})() as typeof describe;
