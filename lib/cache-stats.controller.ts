import { Controller, Get, type Type } from '@nestjs/common';

import { DEFAULT_STATS_PATH } from './cache-manager.constants.js';
import { CacheManagerService } from './cache-manager.service.js';
import type { CacheManager } from './core/cache-manager.js';
import type { CacheStatsDict } from './core/cache-stats.js';
import { INVALID_OPTION } from './core/cache.messages.js';
import type { StatsControllerOption } from './interfaces/cache-manager-module-options.interface.js';

/** The body of the statistics route: the cache's statistics and how full it is. */
export interface CacheStatsResponse extends CacheStatsDict {
  /** The cache's `maxEntries`. */
  maxEntries: number;
  /** Entries held as a percentage of `maxEntries`, from 0 to 100. */
  usagePercent: number;
}

/**
 * The body `GET /cache/stats` serves, for an app that serves it from a controller of its own
 * (with `statsController: false`), say to put its own guards on it. Counts and category names
 * only: never keys, never data.
 *
 * Costs what `getStats()` costs: the number of (TTL, category) pairs held, plus one step per
 * millisecond of writes whose status changed since the last call, never a scan of the entries, so
 * the route can be scraped every few seconds on a cache of a million entries.
 */
export function cacheStatsResponse(cache: CacheManager): CacheStatsResponse {
  return {
    ...cache.getStats().toDict(),
    maxEntries: cache.maxEntries,
    usagePercent: (cache.size / cache.maxEntries) * 100,
  };
}

/**
 * The statistics route's controller class for `option`, or undefined when it is off. Each module
 * definition gets its own class, because a controller's path is fixed when its class is declared.
 * @throws RangeError when `option` is neither a boolean nor `{ path: a non-empty string }`.
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

  // No guard of its own: the app's global guards (`APP_GUARD`, `app.useGlobalGuards`) apply to
  // it like to any other route, which is how an app protects it.
  @Controller(path)
  class CacheStatsController {
    constructor(private readonly cache: CacheManagerService) {}

    @Get()
    getStats(): CacheStatsResponse {
      return cacheStatsResponse(this.cache);
    }
  }
  return CacheStatsController;
}
