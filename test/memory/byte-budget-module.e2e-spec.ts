import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';

import { Cached, CacheManagerModule, CacheManagerService } from '../../lib/index.js';
import { INVALID_OPTION } from '../../lib/core/cache.messages.js';
import { spyLogger } from '../support/test-loggers.js';

@Injectable()
class ReportService {
  readonly build = jest.fn(async (size: number) => ({ body: 'x'.repeat(size) }));

  @Cached()
  async report(size: number): Promise<{ body: string }> {
    return this.build(size);
  }
}

describe('CacheManagerModule.forRoot({ maxBytes })', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(options: Record<string, unknown>) {
    const logger = spyLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [CacheManagerModule.forRoot({ cleanupInterval: 0, logger, ...options })],
      providers: [ReportService],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return { logger, reports: app.get(ReportService), cache: app.get(CacheManagerService) };
  }

  it('serves the bytes held on the stats route, and caches values within maxEntryBytes', async () => {
    const { reports, cache } = await start({ maxBytes: 64 * 1024 });
    await reports.report(100);
    await reports.report(100);
    expect(reports.build).toHaveBeenCalledTimes(1);
    const { body } = await request(app!.getHttpServer()).get('/cache/stats').expect(200);
    expect(body).toMatchObject({
      maxBytes: 64 * 1024,
      totalBytes: cache.getStats().totalBytes,
      totalEntries: 1,
    });
    expect(body.totalBytes).toBeGreaterThan(100);
  });

  it('has @Cached return a value above maxEntryBytes uncached, with a warning', async () => {
    const { reports, logger, cache } = await start({ maxBytes: 64 * 1024 });
    await expect(reports.report(10_000)).resolves.toEqual({ body: 'x'.repeat(10_000) });
    await reports.report(10_000);
    expect(reports.build).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('above maxEntryBytes'));
  });

  it('refuses a bad maxBytes at startup, naming the option and its unit', async () => {
    await expect(start({ maxBytes: '64mb' })).rejects.toThrow(
      INVALID_OPTION('maxBytes', 'a finite number of bytes above 0', '64mb'),
    );
  });
});
