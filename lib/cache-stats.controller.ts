import { Controller, Get, type Type } from '@nestjs/common';

import { DEFAULT_STATS_PATH } from './cache-manager.constants.js';
import { CacheManagerService } from './cache-manager.service.js';
import type { CacheStatsDict } from './core/cache-stats.js';
import { INVALID_OPTION } from './core/cache.messages.js';
import type { StatsControllerOption } from './interfaces/cache-manager-module-options.interface.js';

/** The body of the statistics route: the cache's statistics and how full it is. */
export interface CacheStatsResponse extends CacheStatsDict {
  maxEntries: number;
  /** Entries held as a percentage of `maxEntries`. */
  usagePercent: number;
}

/**
 * The statistics route's controller class for `option`, or undefined when it is off. Each module
 * definition gets its own class, because a controller's path is fixed when its class is declared.
 * Counts and category names only: never keys, never data.
 */
export function createStatsController(option: StatsControllerOption): Type<unknown> | undefined {
  if (option === false) return undefined;
  let path = DEFAULT_STATS_PATH;
  if (option !== true) {
    if (
      option === null ||
      typeof option !== 'object' ||
      typeof option.path !== 'string' ||
      option.path.trim() === ''
    ) {
      throw new RangeError(
        INVALID_OPTION('statsController', 'true, false or { path: a non-empty string }', option),
      );
    }
    path = option.path;
  }

  @Controller(path)
  class CacheStatsController {
    constructor(private readonly cache: CacheManagerService) {}

    @Get()
    getStats(): CacheStatsResponse {
      return {
        ...this.cache.getStats().toDict(),
        maxEntries: this.cache.maxEntries,
        usagePercent: (this.cache.size / this.cache.maxEntries) * 100,
      };
    }
  }
  return CacheStatsController;
}
