import { SchedulerRegistry, ScheduleModule } from '@nestjs/schedule';
import { Test, TestingModule } from '@nestjs/testing';
import {
  CACHE_CLEANUP_JOB,
  CacheManagerModule,
  CacheManagerService,
} from 'nestjs-fresh-cache';
import { CommandRunner } from './command.runner.js';
import { COMMAND_TTL, CommandsService } from './commands.service.js';

const CLEANUP_INTERVAL = 5;

describe('the cache cleanup job', () => {
  let moduleRef: TestingModule;
  let now: number;
  let closed: boolean;

  beforeEach(async () => {
    now = Date.now();
    closed = false;
    // Only the scheduler's interval is faked: the entries' ages follow the `clock` option.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    moduleRef = await Test.createTestingModule({
      imports: [
        ScheduleModule.forRoot(),
        CacheManagerModule.forRoot({
          defaultTtl: 300,
          maxEntries: 1000,
          cleanupInterval: CLEANUP_INTERVAL,
          clock: () => now,
        }),
      ],
      providers: [CommandRunner, CommandsService],
    }).compile();
    await moduleRef.init();
  });

  afterEach(async () => {
    if (!closed) await moduleRef.close();
    vi.useRealTimers();
  });

  it('is the cache-manager-cleanup interval of the app, removed when the app closes', async () => {
    const registry = moduleRef.get(SchedulerRegistry);
    expect(CACHE_CLEANUP_JOB).toBe('cache-manager-cleanup');
    expect(registry.getIntervals()).toContain('cache-manager-cleanup');

    await moduleRef.close();
    closed = true;
    expect(registry.doesExist('interval', 'cache-manager-cleanup')).toBe(false);
  });

  it('removes expired entries when it runs, and only then', async () => {
    const commands = moduleRef.get(CommandsService);
    const runner = moduleRef.get(CommandRunner);
    const cache = moduleRef.get(CacheManagerService);
    await commands.execute('users');

    now += 2 * COMMAND_TTL * 1000 + 1; // past FRESH and STALE: EXPIRED
    expect(cache.getStats().totalEntries).toBe(1);
    expect(cache.getStats().expiredEntries).toBe(1);

    await vi.advanceTimersByTimeAsync(CLEANUP_INTERVAL * 1000);

    expect(cache.getStats().totalEntries).toBe(0);
    expect(cache.getStats().totalCleanups).toBe(1);
    await commands.execute('users');
    expect(runner.runsOf('users')).toBe(2);
  });
});
