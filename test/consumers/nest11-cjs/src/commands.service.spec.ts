import { Test, TestingModule } from '@nestjs/testing';
import {
  CacheManagerModule,
  CacheManagerService,
  getCachedKey,
} from 'nestjs-fresh-cache';
import { CommandRunner } from './command.runner';
import { COMMANDS_CATEGORY, CommandsService } from './commands.service';

describe('CommandsService with CacheManagerModule.forRoot()', () => {
  let moduleRef: TestingModule;
  let commands: CommandsService;
  let runner: CommandRunner;
  let cache: CacheManagerService;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [CacheManagerModule.forRoot()],
      providers: [CommandRunner, CommandsService],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandsService);
    runner = moduleRef.get(CommandRunner);
    cache = moduleRef.get(CacheManagerService);
  });

  afterEach(async () => {
    await moduleRef.close();
  });

  it('boots with the documented defaults', () => {
    expect(cache.defaultTtl).toBe(300);
    expect(cache.maxEntries).toBe(1000);
    expect(cache.cleanupInterval).toBe(60);
  });

  it('serves the second call from the cache', async () => {
    const first = await commands.execute('users');
    const second = await commands.execute('users');

    expect(second).toEqual(first);
    expect(runner.runsOf('users')).toBe(1);
    const stats = cache.getStats();
    expect(stats.totalHits).toBe(1);
    expect(stats.totalMisses).toBe(1);
    expect(stats.categories).toEqual({ [COMMANDS_CATEGORY]: 1 });
  });

  it('keeps the results of different arguments apart', async () => {
    await commands.execute('users');
    const worlds = await commands.execute('worlds');

    expect(worlds.output).toBe('worlds: run 1');
    expect(runner.runsOf('users')).toBe(1);
    expect(runner.runsOf('worlds')).toBe(1);
  });

  it('runs the command again after @CacheInvalidate({ keys })', async () => {
    await commands.execute('users');
    await commands.execute('worlds');
    await commands.execute('users');
    expect(runner.runsOf('users')).toBe(1);
    await commands.kick('alice');

    const users = await commands.execute('users');
    await commands.execute('worlds');

    expect(users.output).toBe('users: run 2');
    expect(runner.runsOf('worlds')).toBe(1);
  });

  it('names the entry of a call with getCachedKey, the key @CacheInvalidate uses', async () => {
    const key = getCachedKey(CommandsService, 'execute', ['users']);
    expect(key).toBe('CommandsService.execute("users")');

    await commands.execute('users');
    expect(cache.invalidate(key!)).toBe(true);
    await commands.execute('users');

    expect(runner.runsOf('users')).toBe(2);
  });

  it('runs every command again after @CacheInvalidate({ categories })', async () => {
    await commands.execute('users');
    await commands.execute('worlds');
    await commands.execute('users');
    expect(runner.runsOf('users')).toBe(1);
    await commands.restart();

    await commands.execute('users');
    await commands.execute('worlds');

    expect(runner.runsOf('users')).toBe(2);
    expect(runner.runsOf('worlds')).toBe(2);
  });
});
