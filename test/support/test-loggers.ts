import { jest } from '@jest/globals';

import type { CacheLogger } from '../../lib/core/logger.interface.js';

/** A logger that writes nothing: for tests that do not look at the log. */
export const silentLogger: CacheLogger = {
  debug: () => undefined,
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A logger that writes nothing and records every call, for tests that assert on the log. */
export function spyLogger(): jest.Mocked<CacheLogger> {
  return { debug: jest.fn(), log: jest.fn(), warn: jest.fn(), error: jest.fn() };
}
