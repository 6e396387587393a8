import {
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

import { CACHE_CLEANUP_JOB, CACHE_LOGGER_CONTEXT } from './cache-manager.constants.js';
import { CacheManagerService } from './cache-manager.service.js';

/**
 * Runs the cache's automatic cleanup as the `cache-manager-cleanup` interval job of the app's
 * `SchedulerRegistry` (from `ScheduleModule.forRoot()`, imported once by the app).
 *
 * Without `ScheduleModule` the cleanup still runs, on an unref'd timer of this class, and a log
 * line says how to see it in the registry. The library never imports `ScheduleModule.forRoot()`
 * itself: a second copy would make every job of the app fire twice.
 */
@Injectable()
export class CacheCleanupScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CACHE_LOGGER_CONTEXT);
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly cache: CacheManagerService,
    @Optional() private readonly schedulerRegistry?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.cache.cleanupInterval === 0) return;
    const timer = setInterval(
      () => void this.cache.runScheduledCleanup(),
      this.cache.cleanupInterval * 1000,
    );
    timer.unref();
    this.timer = timer;
    if (this.schedulerRegistry === undefined) {
      this.logger.log(
        `Automatic cleanup runs every ${this.cache.cleanupInterval}s on an internal timer; ` +
          `import ScheduleModule.forRoot() in your app to manage it as the '${CACHE_CLEANUP_JOB}' job.`,
      );
      return;
    }
    this.schedulerRegistry.addInterval(CACHE_CLEANUP_JOB, timer);
  }

  onApplicationShutdown(): void {
    if (this.schedulerRegistry?.doesExist('interval', CACHE_CLEANUP_JOB)) {
      this.schedulerRegistry.deleteInterval(CACHE_CLEANUP_JOB);
    }
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
