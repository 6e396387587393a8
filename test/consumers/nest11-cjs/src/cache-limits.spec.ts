import { Test, TestingModule } from '@nestjs/testing';
import {
  CacheLoadTimeoutError,
  CacheManagerModule,
  CacheManagerService,
  getCachedKey,
} from 'nestjs-fresh-cache';
import { CommandRunner } from './command.runner';
import { CommandsService } from './commands.service';

/** Fakes setTimeout and clearTimeout only: the cache's own clock and Nest's timers stay real. */
function fakeTimeoutsOnly(): void {
  jest.useFakeTimers({
    doNotFake: [
      'Date',
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
    ],
  });
}

/** The memory budget of the cache under test, and the largest entry it takes. */
const MAX_BYTES = 1024 * 1024;
const MAX_ENTRY_BYTES = 256 * 1024;

/** A loader that never settles: without a hardTimeout it would block its key for good. */
const never = () => new Promise<string>(() => {});

describe('the limits of CacheManagerModule.forRoot({ maxBytes, maxEntryBytes })', () => {
  let moduleRef: TestingModule;
  let commands: CommandsService;
  let runner: CommandRunner;
  let cache: CacheManagerService;
  let now: number;
  let warnings: string[];

  beforeEach(async () => {
    now = Date.now();
    warnings = [];
    moduleRef = await Test.createTestingModule({
      imports: [
        CacheManagerModule.forRoot({
          maxBytes: MAX_BYTES,
          maxEntryBytes: MAX_ENTRY_BYTES,
          maxEntries: 1000,
          clock: () => now,
          logger: {
            debug: () => {},
            log: () => {},
            warn: (message: string) => warnings.push(message),
            error: () => {},
          },
        }),
      ],
      providers: [CommandRunner, CommandsService],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandsService);
    runner = moduleRef.get(CommandRunner);
    cache = moduleRef.get(CacheManagerService);
  });

  afterEach(async () => {
    jest.useRealTimers();
    await moduleRef.close();
  });

  it('keeps totalBytes within maxBytes, evicting the least recently used entries', () => {
    const report = 'x'.repeat(64 * 1024); // about 64 KiB an entry: 15 fit in the budget
    for (let month = 1; month <= 40; month++) {
      expect(cache.set(`report:${month}`, report)).toBe(true);
      cache.get('report:1'); // report:1 stays the most recently used
      expect(cache.getStats().totalBytes).toBeLessThanOrEqual(MAX_BYTES);
    }

    const stats = cache.getStats();
    expect(stats.maxBytes).toBe(MAX_BYTES);
    expect(stats.totalBytes).toBeGreaterThan(MAX_BYTES / 2);
    expect(stats.totalEvictions).toBeGreaterThan(0);
    expect(cache.hasKey('report:40')).toBe(true);
    // The least recently used went first: report:2 and the next ones, never report:1.
    expect(cache.hasKey('report:2')).toBe(false);
    expect(cache.hasKey('report:1')).toBe(true);
    expect(cache.size).toBeLessThan(40);
    const { bytesUsagePercent } = stats.toDict();
    expect(bytesUsagePercent).toBeGreaterThan(50);
    expect(bytesUsagePercent).toBeLessThanOrEqual(100);
  });

  it('refuses a value above maxEntryBytes: set returns false and the entry held stays', () => {
    expect(cache.set('export', 'small')).toBe(true);
    const bytesBefore = cache.getStats().totalBytes;

    expect(cache.set('export', 'x'.repeat(MAX_ENTRY_BYTES + 1))).toBe(false);

    expect(cache.getData('export')).toBe('small');
    expect(cache.getStats().totalBytes).toBe(bytesBefore);
    expect(warnings).toEqual([
      expect.stringContaining(`above maxEntryBytes (${MAX_ENTRY_BYTES} bytes)`),
    ]);
  });

  it('rejects a wrap past its hardTimeout with CacheLoadTimeoutError, and frees the key at once', async () => {
    fakeTimeoutsOnly();
    const hung = cache.wrap('players', never, { hardTimeout: 0.05 });
    const rejected = hung.catch((error: unknown) => error);

    await jest.advanceTimersByTimeAsync(50);

    const error = await rejected;
    expect(error).toBeInstanceOf(CacheLoadTimeoutError);
    expect(error).toMatchObject({ key: 'players', timeoutSeconds: 0.05 });
    // The next caller runs its own load at once: no timer has to pass first.
    await expect(cache.wrap('players', async () => 'loaded')).resolves.toBe(
      'loaded',
    );
    expect(cache.getData('players')).toBe('loaded');
  });

  it('answers a STALE entry after its softTimeout, and caches the load when it comes', async () => {
    fakeTimeoutsOnly();
    cache.set('rates', { eur: 1 }, { ttl: 10 });
    now += 15_000; // past the TTL, within twice it: STALE
    expect(cache.get('rates', { includeStale: true })?.status).toBe('stale');
    let finish!: (rates: { eur: number }) => void;
    const answer = cache.wrap(
      'rates',
      () => new Promise<{ eur: number }>((resolve) => (finish = resolve)),
      { ttl: 10, softTimeout: 0.02 },
    );

    await jest.advanceTimersByTimeAsync(20);

    await expect(answer).resolves.toEqual({ eur: 1 });
    finish({ eur: 2 });
    await jest.advanceTimersByTimeAsync(0);
    expect(cache.get('rates')?.data).toEqual({ eur: 2 });
    expect(cache.get('rates')?.status).toBe('fresh');
  });

  it('keys a @Cached call with a 100,000-character argument by a digest, shorter than the argument', async () => {
    const command = 'x'.repeat(100_000);
    const key = getCachedKey(CommandsService, 'execute', [command]);

    expect(key).toMatch(/^CommandsService\.execute\(sha256:[\w-]+\)$/);
    expect(key!.length).toBeLessThan(command.length);
    expect(
      getCachedKey(CommandsService, 'execute', ['x'.repeat(100_000)]),
    ).toBe(key);

    await commands.execute(command);
    await commands.execute(command);

    expect(runner.runsOf(command)).toBe(1);
    expect(cache.getKeys()).toEqual([key]);
  });
});
