import type { CacheLogger } from './logger.interface.js';

/** The logger of a cache given none: the console, each line prefixed with `[CacheManager]`. */
export const consoleLogger: CacheLogger = {
  debug: (message) => console.debug(`[CacheManager] ${message}`),
  log: (message) => console.log(`[CacheManager] ${message}`),
  warn: (message) => console.warn(`[CacheManager] ${message}`),
  error: (message, stack) => console.error(`[CacheManager] ${message}`, ...(stack ? [stack] : [])),
};
