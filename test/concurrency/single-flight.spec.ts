import 'reflect-metadata';

import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { Injectable, type INestApplication } from '@nestjs/common';
import fc from 'fast-check';

import { CacheManager } from '../../lib/core/cache-manager.js';
import { Cached, CacheManagerService } from '../../lib/index.js';
import { closeApps, startApp } from '../cached/cached.helpers.js';
import { CLOCK_START } from '../model/model.harness.js';
import { silentLogger } from '../support/test-loggers.js';
import { modelRuns, PROPERTY_TIMEOUT_MS } from '../model/operations.arbitrary.js';
import {
  callPlans,
  type Mode,
  runInterleaving,
  type Subject,
  TTL_SECONDS,
} from './single-flight.harness.js';

const modes = fc.constantFrom<Mode>('plain', 'staleWhileRevalidate', 'staleIfError');

describe('cache.wrap under concurrency', () => {
  it(
    'one invocation per key at a time; each caller gets what it joined; no entry from a failure',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), callPlans, modes, async (scheduler, plans, mode) => {
          const clock = { ms: CLOCK_START };
          const cache = new CacheManager({
            cleanupInterval: 0,
            clock: () => clock.ms,
            logger: silentLogger,
          });
          const subject: Subject = {
            cache,
            setClock: (ms) => (clock.ms = ms),
            readClock: () => clock.ms,
            call: (key, m, loader) =>
              cache.wrap(key, () => loader(key), {
                ttl: TTL_SECONDS,
                staleWhileRevalidate: m === 'staleWhileRevalidate',
                staleIfError: m === 'staleIfError',
              }),
          };
          await runInterleaving(subject, scheduler, plans, mode);
        }),
        { numRuns: modelRuns(500) },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

/** The loader the decorated methods call, swapped per run. */
let currentLoader: (key: string) => unknown = () => undefined;

@Injectable()
class Repository {
  @Cached({ ttl: TTL_SECONDS, key: (key: string) => key })
  async plain(key: string): Promise<unknown> {
    return currentLoader(key);
  }

  @Cached({ ttl: TTL_SECONDS, key: (key: string) => key, staleWhileRevalidate: true })
  async staleWhileRevalidate(key: string): Promise<unknown> {
    return currentLoader(key);
  }

  @Cached({ ttl: TTL_SECONDS, key: (key: string) => key, staleIfError: true })
  async staleIfError(key: string): Promise<unknown> {
    return currentLoader(key);
  }
}

describe('@Cached under concurrency', () => {
  let app: INestApplication;
  let subject: Subject;

  beforeAll(async () => {
    const started = await startApp({ providers: [Repository] });
    app = started.app;
    const cache = app.get(CacheManagerService);
    const repository = app.get(Repository);
    subject = {
      cache,
      setClock: (ms) => (started.clock.nowMs = ms),
      readClock: () => started.clock.nowMs,
      call: (key, mode, loader) => {
        currentLoader = loader;
        return repository[mode](key);
      },
    };
  });

  afterAll(closeApps);

  it(
    'keeps the same promises as wrap: single flight per key, the joined outcome, no failed entry',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), callPlans, modes, async (scheduler, plans, mode) => {
          subject.cache.clear();
          await runInterleaving(subject, scheduler, plans, mode);
        }),
        { numRuns: modelRuns(300) },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
