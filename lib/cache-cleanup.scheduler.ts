import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
// Types only: `@nestjs/schedule` is an optional peer dependency, loaded at bootstrap if present.
import type { SchedulerRegistry } from '@nestjs/schedule';

import { CACHE_CLEANUP_JOB, CACHE_LOGGER_CONTEXT } from './cache-manager.constants.js';
import { CacheManagerService } from './cache-manager.service.js';

/** The package that provides `SchedulerRegistry`; an optional peer dependency. */
const SCHEDULE_PACKAGE = '@nestjs/schedule';

/**
 * Whether `error` says that `@nestjs/schedule` itself is not installed (Node's ESM loader says
 * `ERR_MODULE_NOT_FOUND`, `require` and jest say `MODULE_NOT_FOUND`), rather than that it is
 * installed but failed to load, or that a package it needs is missing.
 */
function isScheduleNotInstalled(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error.message.includes(`'${SCHEDULE_PACKAGE}'`)
  );
}

/**
 * Runs the cache's automatic cleanup as the `cache-manager-cleanup` interval job of the app's
 * `SchedulerRegistry` (from `ScheduleModule.forRoot()`, imported once by the app).
 *
 * `@nestjs/schedule` is optional: it is loaded with `import()` at bootstrap, not imported by this
 * file, so an app without it still loads the module, and its registry is looked up through
 * `ModuleRef` because it cannot be a constructor parameter of a class that must load without it.
 * Without the package or without `ScheduleModule` the cleanup still runs, on an unref'd timer of
 * this class, and a log line says how to see it in the registry. The library never imports
 * `ScheduleModule.forRoot()` itself: a second copy would make every job of the app fire twice.
 */
@Injectable()
export class CacheCleanupScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CACHE_LOGGER_CONTEXT);
  private timer: ReturnType<typeof setInterval> | undefined;
  private schedulerRegistry: SchedulerRegistry | undefined;

  constructor(
    private readonly cache: CacheManagerService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.cache.cleanupInterval === 0) return;
    const registry = await this.findSchedulerRegistry();
    const timer = setInterval(
      () => void this.cache.runScheduledCleanup(),
      this.cache.cleanupInterval * 1000,
    );
    timer.unref();
    this.timer = timer;
    if (registry === undefined) {
      this.logger.log(
        `Automatic cleanup runs every ${this.cache.cleanupInterval}s on an internal timer; ` +
          `import ScheduleModule.forRoot() in your app to manage it as the '${CACHE_CLEANUP_JOB}' job.`,
      );
      return;
    }
    registry.addInterval(CACHE_CLEANUP_JOB, timer);
    this.schedulerRegistry = registry;
  }

  onApplicationShutdown(): void {
    if (this.schedulerRegistry?.doesExist('interval', CACHE_CLEANUP_JOB)) {
      this.schedulerRegistry.deleteInterval(CACHE_CLEANUP_JOB);
    }
    this.schedulerRegistry = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * The app's `SchedulerRegistry`, or undefined when `@nestjs/schedule` is not installed or the
   * app did not import `ScheduleModule.forRoot()`. A package that is installed but fails to load
   * is not silent: it is logged as a warning, and the cleanup runs on the internal timer.
   */
  private async findSchedulerRegistry(): Promise<SchedulerRegistry | undefined> {
    let registryClass: typeof SchedulerRegistry;
    try {
      ({ SchedulerRegistry: registryClass } = await import('@nestjs/schedule'));
    } catch (error) {
      if (!isScheduleNotInstalled(error)) {
        this.logger.warn(
          `${SCHEDULE_PACKAGE} is installed but could not be loaded ` +
            `(${error instanceof Error ? error.message : String(error)}).`,
        );
      }
      return undefined;
    }
    try {
      return this.moduleRef.get(registryClass, { strict: false });
    } catch {
      return undefined; // The app has no ScheduleModule.
    }
  }
}
