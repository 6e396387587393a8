/*
 * An app without `@nestjs/schedule` installed: the package is an optional peer dependency, so
 * the module must load and boot without it, and its cleanup must run on the internal timer.
 * Here the package "is not installed" because importing it fails as Node fails for a missing
 * package; a static import of it anywhere in the library would fail this file's imports.
 */
import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';

import { TestClock } from '../support/test-clock.js';

/** What the schedule package's import does in this file: Node's error for a missing package. */
let scheduleImportError: Error = Object.assign(
  new Error("Cannot find package '@nestjs/schedule' imported from lib/cache-cleanup.scheduler.js"),
  { code: 'ERR_MODULE_NOT_FOUND' },
);
jest.unstable_mockModule('@nestjs/schedule', () => {
  throw scheduleImportError;
});

const { Logger } = await import('@nestjs/common');
const { Test } = await import('@nestjs/testing');
const { CacheManagerModule, CacheManagerService } = await import('../../lib/index.js');

const apps: INestApplication[] = [];
async function start(cleanupInterval: number, clock: TestClock): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheManagerModule.forRoot({ cleanupInterval, clock: clock.read })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  apps.push(app);
  await app.init();
  return app;
}

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  jest.restoreAllMocks();
  jest.useRealTimers();
});

describe('automatic cleanup without @nestjs/schedule installed', () => {
  it('boots, runs the cleanup on the internal timer and says how to register the job', async () => {
    jest.useFakeTimers();
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const clock = new TestClock();
    const app = await start(5, clock);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('ScheduleModule.forRoot()'));
    expect(warn).not.toHaveBeenCalled();
    const cache = app.get(CacheManagerService);
    cache.set('k', 1, 1);
    clock.advanceSeconds(3);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(cache.size).toBe(0);
    await app.close();
    apps.length = 0;
    expect(jest.getTimerCount()).toBe(0);
  });

  it('warns when the package is there but fails to load, and still cleans up', async () => {
    scheduleImportError = new Error('cron: unsupported platform');
    jest.useFakeTimers();
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const clock = new TestClock();
    const app = await start(5, clock);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('@nestjs/schedule is installed but could not be loaded'),
    );
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('cron: unsupported platform'));
    const cache = app.get(CacheManagerService);
    cache.set('k', 1, 1);
    clock.advanceSeconds(3);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(cache.size).toBe(0);
  });
});
