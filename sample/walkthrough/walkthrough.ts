import { CacheManager, CacheStatus, type CacheEntry, type CacheLogger } from '../../lib/index.js';

/** Where the walkthrough writes its lines. */
export type Print = (line: string) => void;

/** A hand-driven clock: "waiting" moves it, so the walkthrough shows time passing instantly. */
class WalkthroughClock {
  private nowMs = Date.UTC(2026, 0, 1, 12, 0, 0);
  readonly read = (): number => this.nowMs;
  wait(seconds: number): void {
    this.nowMs += seconds * 1000;
  }
}

/** The walkthrough's sections, in order, as their headings read. */
export const WALKTHROUGH_SECTIONS = [
  'Basic Cache Usage',
  'Data Freshness Example',
  'Category Management',
  'Cache Statistics',
  'Command Patterns',
  'Async Usage',
  'Cleanup and Memory Management',
  'Error Handling',
] as const;

const show = (value: unknown): string => JSON.stringify(value);

/**
 * Every feature of the Python cache manager this library was ported from, section by section,
 * like its `example_usage.py` and its "Example Output". Time is an injected clock: "Waiting 2 seconds..."
 * moves it, so the whole walkthrough runs in milliseconds.
 */
export async function runWalkthrough(print: Print = console.log): Promise<void> {
  print('Cache Manager Examples');
  print('='.repeat(50));
  const sections: [string, (print: Print) => void | Promise<void>][] = [
    ['Basic Cache Usage', basicUsage],
    ['Data Freshness Example', freshness],
    ['Category Management', categories],
    ['Cache Statistics', statistics],
    ['Command Patterns', commandPatterns],
    ['Async Usage', asyncUsage],
    ['Cleanup and Memory Management', cleanupAndMemory],
    ['Error Handling', errorHandling],
  ];
  for (const [title, section] of sections) {
    print(`=== ${title} ===`);
    await section(print);
    print('');
  }
  print('All examples completed.');
}

/** A cache on the walkthrough's clock, quiet unless asked, with no cleanup timer. */
function newCache(
  clock: WalkthroughClock,
  options: { maxEntries?: number; logger?: CacheLogger } = {},
): CacheManager {
  const quiet: CacheLogger = { debug() {}, log() {}, warn() {}, error() {} };
  return new CacheManager({
    defaultTtl: 300,
    cleanupInterval: 0,
    clock: clock.read,
    logger: options.logger ?? quiet,
    maxEntries: options.maxEntries ?? 1000,
  });
}

function basicUsage(print: Print): void {
  const cache = newCache(new WalkthroughClock());
  const userData = {
    users: [
      { name: 'Alice', id: 'U-alice123' },
      { name: 'Bob', id: 'U-bob456' },
    ],
    total_count: 2,
  };
  const ok = cache.set('current_users', userData, {
    ttl: 30,
    category: 'resonite_data',
    metadata: { source_command: 'users', world: 'main' },
  });
  print(`Data cached successfully: ${ok}`);
  const entry = cache.get<typeof userData>('current_users')!;
  print(`Retrieved data: ${show(entry.data)}`);
  print(`Data age: ${entry.getAgeSeconds().toFixed(1)} seconds`);
  print(`TTL remaining: ${entry.getRemainingTtl().toFixed(1)} seconds`);
  print(`Access count: ${entry.accessCount}`);
  print(`Category: ${entry.category}`);
  print(`Metadata: ${show(entry.metadata)}`);
  const data = cache.getData<typeof userData>('current_users');
  print(`User count from cache: ${data?.total_count}`);
  print(`Has key 'current_users': ${cache.hasKey('current_users')}`);
  print(`Deleted: ${cache.delete('current_users')}; has key now: ${cache.hasKey('current_users')}`);
}

function freshness(print: Print): void {
  const clock = new WalkthroughClock();
  const cache = newCache(clock);
  cache.set('fresh_test', { value: 42 }, 3);
  const describe = (entry: CacheEntry | undefined) =>
    entry === undefined
      ? 'nothing'
      : `${show(entry.data)} (status: ${entry.status}, age: ${entry.getAgeSeconds().toFixed(1)}s)`;
  print(`Fresh data: ${describe(cache.get('fresh_test'))}`);
  print('Waiting 2 seconds...');
  clock.wait(2);
  print(`Still fresh: ${describe(cache.get('fresh_test'))}`);
  print('Waiting 2 more seconds...');
  clock.wait(2);
  print(`Fresh data available: ${cache.get('fresh_test') !== undefined}`);
  print(`Stale data: ${describe(cache.get('fresh_test', { includeStale: true }))}`);
  print(
    'The stale window: FRESH for the 3 s TTL, STALE from 3 s to 6 s (twice the TTL), then EXPIRED',
  );
  print('Waiting 3 more seconds (7 s: past twice the TTL)...');
  clock.wait(3);
  const entries = cache.getAllEntries();
  print(`Status now: ${entries.get('fresh_test')?.status}`);
  print(`Even with includeStale: ${describe(cache.get('fresh_test', { includeStale: true }))}`);
}

function categories(print: Print): void {
  const cache = newCache(new WalkthroughClock());
  cache.set('resonite:users:world_1', ['Alice', 'Bob'], { ttl: 60, category: 'resonite_data' });
  cache.set('resonite:worlds:all', ['Main Hub'], { ttl: 120, category: 'resonite_data' });
  cache.set('container:status:resonite-headless-1', 'running', {
    ttl: 45,
    category: 'container_status',
  });
  cache.set('metrics:cpu:container_1', 37.5, { ttl: 15, category: 'system_metrics' });
  cache.set('temp:upload_token', 'abc', { ttl: 10, category: 'temp_data' });
  print(`Categories: ${show(cache.getStats().categories)}`);
  print(`Keys in resonite_data: ${show(cache.getKeys('resonite_data'))}`);
  const invalidated = cache.invalidateCategory('resonite_data');
  print(`Invalidated ${invalidated} entries in resonite_data`);
  print(
    `resonite:users:world_1 after invalidation: ${cache.getData('resonite:users:world_1') ?? 'miss'} ` +
      `(status: ${cache.getAllEntries('resonite_data').get('resonite:users:world_1')?.status})`,
  );
  print(`Cleared temp_data: ${cache.clear('temp_data')} entries`);
  print(`Cleanup removed ${cache.cleanup()} invalidated entries`);
  print(`Categories now: ${show(cache.getStats().categories)}`);
}

function statistics(print: Print): void {
  const clock = new WalkthroughClock();
  const cache = newCache(clock, { maxEntries: 100 });
  const events: string[] = [];
  cache.on('hit', ({ key }) => events.push(`hit ${key}`));
  cache.on('miss', ({ key, reason }) => events.push(`miss ${key} (${reason})`));
  cache.set('status', 'ok', { ttl: 8, category: 'container_status' });
  clock.wait(10); // status is STALE now
  for (let i = 0; i < 5; i++)
    cache.set(`stats_key_${i}`, { n: i }, { ttl: 60, category: 'temp_data' });
  for (let i = 0; i < 5; i++) cache.get(`stats_key_${i}`);
  cache.get('stats_key_0');
  cache.get('missing_1');
  cache.get('missing_2');
  const stats = cache.getStats();
  print(`Total entries: ${stats.totalEntries}`);
  print(`Fresh entries: ${stats.freshEntries}`);
  print(`Stale entries: ${stats.staleEntries}`);
  print(`Cache hits: ${stats.totalHits}`);
  print(`Cache misses: ${stats.totalMisses}`);
  print(`Hit rate: ${stats.getHitRate().toFixed(1)}%`);
  print(`Total sets: ${stats.totalSets}`);
  print(`Categories: ${show(stats.categories)}`);
  print(`Oldest entry: ${stats.oldestEntryAge.toFixed(1)}s`);
  print(`Newest entry: ${stats.newestEntryAge.toFixed(1)}s`);
  print(`Events seen by a listener: ${events.length} (last: ${events.at(-1)})`);
  print(`As JSON (GET /cache/stats serves this): ${show(stats.toDict()).slice(0, 120)}...`);
}

async function commandPatterns(print: Print): Promise<void> {
  const clock = new WalkthroughClock();
  const cache = newCache(clock);
  let executed = 0;
  /** The command queue, simulated: each run takes 0.5 s of the walkthrough's clock. */
  const runCommand = async (command: string) => {
    executed++;
    clock.wait(0.5);
    return { output: `${command}: 4 users online`, execution_time: 0.5, timestamp: clock.read() };
  };

  // The Python original's handle_command_result: cache a successful result with its metadata.
  const result = await runCommand('users');
  cache.set(`command_result_users`, result, {
    ttl: 300,
    category: 'command_results',
    metadata: { command: 'users', container: 'resonite-headless' },
  });
  print(`Cached command result: ${show(cache.getData('command_result_users'))}`);
  print(`Metadata: ${show(cache.get('command_result_users')?.metadata)}`);

  // The same with wrap (what @Cached does on a Nest method): run only on a miss.
  const worlds = () =>
    cache.wrap('command_result_worlds', () => runCommand('worlds'), {
      ttl: 120,
      category: 'command_results',
    });
  await worlds();
  await worlds();
  await worlds();
  print(`wrap called 3 times, command queue ran ${executed - 1} time(s) for worlds`);
  print(`Keys: ${show(cache.getKeys('command_results'))}`);
}

async function asyncUsage(print: Print): Promise<void> {
  const clock = new WalkthroughClock();
  const cache = newCache(clock);
  let loads = 0;
  const fetchStatus = async () => {
    loads++;
    await Promise.resolve(); // the command queue answers later
    return { state: 'running', load: loads };
  };

  const answers = await Promise.all(
    Array.from({ length: 5 }, () =>
      cache.wrap('container_status', fetchStatus, { ttl: 30, category: 'container_status' }),
    ),
  );
  print(`5 concurrent requests, ${loads} load (they shared it): ${show(answers[0])}`);

  // The Python original's get_cached_or_fresh_data, for a WebSocket client.
  const getCachedOrFresh = async (command: string, forceRefresh = false) => {
    const key = `ws_data_${command}`;
    if (!forceRefresh) {
      const entry = cache.get(key, { includeStale: true });
      if (entry !== undefined) {
        return {
          type: 'command_response',
          command,
          output: entry.data,
          cached: true,
          age_seconds: entry.getAgeSeconds(),
          status: entry.status,
        };
      }
    }
    const fresh = await fetchStatus();
    cache.set(key, fresh, { ttl: 30, category: 'container_status' });
    return {
      type: 'command_response',
      command,
      output: fresh,
      cached: false,
      age_seconds: 0,
      status: CacheStatus.FRESH,
    };
  };
  print(`First WebSocket answer: ${show(await getCachedOrFresh('status'))}`);
  clock.wait(12);
  print(`Second WebSocket answer: ${show(await getCachedOrFresh('status'))}`);
  print(`Forced refresh: ${show(await getCachedOrFresh('status', true))}`);

  // stale-while-revalidate: a STALE answer at once, refreshed in the background.
  print('The stale window: a 30 s TTL is FRESH for 30 s, STALE from 30 s to 60 s, then EXPIRED');
  clock.wait(40);
  const stale = await cache.wrap('container_status', fetchStatus, {
    ttl: 30,
    staleWhileRevalidate: true,
  });
  print(
    `52 s after it was written (STALE), stale-while-revalidate answers at once: ${show(stale)}`,
  );
  await new Promise((resolve) => setImmediate(resolve));
  print(`...and the refreshed value is cached: ${show(cache.getData('container_status'))}`);
  print(
    `WebSocket answer 40 s after the forced refresh: ${show(await getCachedOrFresh('status'))}`,
  );
  clock.wait(21);
  print(
    `WebSocket answer 61 s after it, past twice the TTL (EXPIRED, a miss): ${show(await getCachedOrFresh('status'))}`,
  );
}

function cleanupAndMemory(print: Print): void {
  const clock = new WalkthroughClock();
  const cache = newCache(clock, { maxEntries: 5 });
  const evicted: string[] = [];
  cache.on('eviction', ({ key }) => evicted.push(key));
  for (let i = 0; i < 8; i++)
    cache.set(`mem_key_${i}`, { i }, { ttl: i % 2 === 0 ? 10 : 300, category: 'temp_data' });
  print(
    `Added 8 entries to a cache of maxEntries 5: evicted ${show(evicted)} (least recently used)`,
  );
  print(`Memory usage: ${cache.getStats().totalEntries}/${cache.maxEntries} entries`);
  cache.getData('mem_key_7');
  cache.getData('mem_key_7');
  cache.getData('mem_key_0'); // evicted: a miss
  clock.wait(25);
  const stats = cache.getStats();
  print(`After 25 s: ${stats.expiredEntries} expired, ${stats.freshEntries} fresh`);
  print(`Cleaned up ${cache.cleanup()} expired entries`);
  print(`Memory usage: ${cache.getStats().totalEntries}/${cache.maxEntries} entries`);

  // The Python original's monitor_cache_health.
  const after = cache.getStats();
  const usagePercent = (after.totalEntries / cache.maxEntries) * 100;
  const hitRate = after.getHitRate();
  print(
    `Health: usage ${usagePercent.toFixed(1)}%${usagePercent > 80 ? ' (high)' : ''}, hit rate ${hitRate.toFixed(1)}%${hitRate < 50 ? ' - consider adjusting TTLs' : ''}`,
  );
  cache.shutdown();
  print(`After shutdown: ${cache.size} entries`);
}

function errorHandling(print: Print): void {
  const warnings: string[] = [];
  const logger: CacheLogger = { debug() {}, log() {}, warn: (m) => warnings.push(m), error() {} };
  const clock = new WalkthroughClock();
  const cache = newCache(clock, { logger });

  class ComplexObject {
    func = (x: number) => x;
  }
  print(`Caching a non-serializable object: ${cache.set('bad_key', new ComplexObject())}`);
  print(`  log: ${warnings.at(-1)}`);
  print(`Caching under an empty key: ${cache.set('', { data: 'value' })}`);
  print(`Caching under a null key: ${cache.set(null as unknown as string, { data: 'value' })}`);
  try {
    cache.set('key', 'data', -1);
  } catch (error) {
    print(`Invalid TTL: ${(error as Error).name}: ${(error as Error).message}`);
  }
  const data = cache.getData('might_not_exist');
  print(data === undefined ? 'Cache miss - data not found or expired' : `Cache hit: ${show(data)}`);

  cache.set('my_key', 'value', 10);
  const states: string[] = [];
  const describe = () => {
    const entry = cache.get('my_key', { includeStale: true });
    if (entry === undefined) return 'No data available (not cached, expired or invalidated)';
    if (entry.status === CacheStatus.STALE) return 'Data is slightly old but usable';
    return 'Data is fresh and current';
  };
  states.push(describe());
  clock.wait(15);
  states.push(describe());
  cache.invalidate('my_key');
  states.push(describe());
  for (const state of states) print(`  ${state}`);
}
