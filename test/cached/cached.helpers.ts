import 'reflect-metadata';

import { jest } from '@jest/globals';
import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { CacheManagerModule, type CacheLogger } from '../../lib/index.js';
import { TestClock } from '../support/test-clock.js';

/** A logger that records what it is told, for assertions with the library's message factories. */
export function recordingLogger() {
  return {
    debug: jest.fn<CacheLogger['debug']>(),
    log: jest.fn<CacheLogger['log']>(),
    warn: jest.fn<CacheLogger['warn']>(),
    error: jest.fn<CacheLogger['error']>(),
  };
}

/** A promise with its resolve and reject, to decide when a slow call finishes. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks (and anything they chain) run. */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** An app with the cache (hand-driven clock, recording logger) and the given providers. */
export interface TestApp {
  app: INestApplication;
  clock: TestClock;
  logger: ReturnType<typeof recordingLogger>;
}

const open: INestApplication[] = [];

export async function startApp(
  metadata: { providers?: Type[]; controllers?: Type[]; imports?: unknown[] },
  options: { defaultTtl?: number; init?: boolean; softTimeout?: number; hardTimeout?: number } = {},
): Promise<TestApp> {
  const clock = new TestClock();
  const logger = recordingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheManagerModule.forRoot({
        defaultTtl: options.defaultTtl ?? 60,
        cleanupInterval: 0,
        clock: clock.read,
        logger,
        softTimeout: options.softTimeout,
        hardTimeout: options.hardTimeout,
        statsController: false,
      }),
      ...((metadata.imports ?? []) as never[]),
    ],
    providers: metadata.providers ?? [],
    controllers: metadata.controllers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  open.push(app);
  if (options.init !== false) await app.init();
  return { app, clock, logger };
}

/** Closes every app `startApp` opened; call it in `afterEach`. */
export async function closeApps(): Promise<void> {
  for (const app of open.splice(0)) await app.close();
}
