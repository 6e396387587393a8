import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Header, Inject, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import request from 'supertest';

import { CacheManager, CacheManagerModule, CacheManagerService } from '../../lib/index.js';
import {
  CachePrometheusMetrics,
  CachePrometheusModule,
  DEFAULT_METRICS_PREFIX,
} from '../../lib/prometheus/index.js';
import {
  INVALID_METRICS_OPTION,
  METRIC_ALREADY_REGISTERED,
} from '../../lib/prometheus/cache-prometheus.messages.js';
import { TestClock } from '../support/test-clock.js';
import { silentLogger } from '../support/test-loggers.js';

/** A hand-driven clock: time moves only when a test says so. */
/** The value of one sample line of the exposition text, or undefined when absent. */
function sample(
  text: string,
  metric: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== metric) continue;
    const got = (match[2] ?? '').split(',').filter(Boolean).sort();
    if (got.join(',') === wanted.join(',')) return Number(match[3]);
  }
  return undefined;
}

describe('Prometheus metrics (prom-client)', () => {
  it('counts each event by category, and entries by category and status', async () => {
    const clock = new TestClock();
    const cache = new CacheManager({
      maxEntries: 3,
      cleanupInterval: 0,
      clock: clock.read,
      logger: silentLogger,
    });
    const registry = new Registry();
    const metrics = new CachePrometheusMetrics(cache, { registry });

    cache.set('users', ['alice'], { ttl: 60, category: 'resonite_data' });
    cache.set('worlds', ['hub'], { ttl: 60, category: 'resonite_data' });
    cache.set('status', { up: true }, { ttl: 30, category: 'container_status' });
    cache.get('users'); // hit
    cache.get('users'); // hit
    cache.get('nobody'); // miss: absent
    clock.advanceSeconds(45); // status is STALE now
    cache.get('status', { includeStale: true }); // stale hit
    cache.get('status'); // miss: stale
    cache.set('metrics', { cpu: 3 }, { ttl: 15, category: 'system_metrics' }); // evicts worlds
    cache.invalidate('users');
    cache.cleanup(); // removes users (INVALID)
    await cache.wrap('boom', () => Promise.reject(new Error('down'))).catch(() => undefined);
    await cache.wrap('cfg', () => ({ a: 1 }), { category: 'static_config' }); // fills the 3rd slot

    const text = await registry.metrics();
    const p = DEFAULT_METRICS_PREFIX;
    expect(sample(text, `${p}hits_total`, { category: 'resonite_data' })).toBe(2);
    expect(sample(text, `${p}hits_total`, { category: 'container_status' })).toBe(1);
    expect(sample(text, `${p}stale_hits_total`, { category: 'container_status' })).toBe(1);
    expect(sample(text, `${p}misses_total`, { reason: 'absent' })).toBe(3); // nobody, boom, cfg
    expect(sample(text, `${p}misses_total`, { reason: 'stale' })).toBe(1);
    expect(sample(text, `${p}sets_total`, { category: 'resonite_data' })).toBe(2);
    expect(sample(text, `${p}sets_total`, { category: 'static_config' })).toBe(1);
    expect(sample(text, `${p}evictions_total`, { category: 'resonite_data' })).toBe(1);
    expect(sample(text, `${p}evictions_total`, { category: 'container_status' })).toBeUndefined();
    expect(sample(text, `${p}invalidations_total`, { category: 'resonite_data' })).toBe(1);
    expect(sample(text, `${p}cleanups_total`, { category: 'resonite_data' })).toBe(1);
    expect(sample(text, `${p}loads_total`)).toBe(2);
    expect(sample(text, `${p}load_errors_total`)).toBe(1);
    expect(sample(text, `${p}entries`, { category: 'system_metrics', status: 'fresh' })).toBe(1);
    expect(sample(text, `${p}entries`, { category: 'static_config', status: 'fresh' })).toBe(1);
    expect(sample(text, `${p}entries`, { category: 'system_metrics', status: 'stale' })).toBe(0);
    expect(sample(text, `${p}entries`, { category: 'container_status', status: 'stale' })).toBe(1);
    expect(sample(text, `${p}max_entries`)).toBe(3);
    expect(text).toContain(`# TYPE ${p}hits_total counter`);
    expect(text).toContain(`# TYPE ${p}entries gauge`);

    // The counters agree with the cache's own statistics.
    const stats = cache.getStats();
    const sum = (metric: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
        .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
    expect(sum(`${p}hits_total`)).toBe(stats.totalHits);
    expect(sum(`${p}misses_total`)).toBe(stats.totalMisses);
    expect(sum(`${p}sets_total`)).toBe(stats.totalSets);
    expect(sum(`${p}evictions_total`)).toBe(stats.totalEvictions);
    expect(sum(`${p}cleanups_total`)).toBe(stats.totalCleanups);
    metrics.unregister();
  });

  it('follows the entries over time: FRESH to STALE to EXPIRED, and gone after cleanup', async () => {
    const clock = new TestClock();
    const cache = new CacheManager({ cleanupInterval: 0, clock: clock.read, logger: silentLogger });
    const registry = new Registry();
    new CachePrometheusMetrics(cache, { registry, prefix: 'app_cache_' });
    cache.set('a', 1, { ttl: 10, category: 'temp_data' });
    const at = async (status: string) =>
      sample(await registry.metrics(), 'app_cache_entries', { category: 'temp_data', status });

    expect(await at('fresh')).toBe(1);
    clock.advanceSeconds(15);
    expect(await at('fresh')).toBe(0);
    expect(await at('stale')).toBe(1);
    clock.advanceSeconds(10);
    expect(await at('expired')).toBe(1);
    cache.cleanup();
    expect(await at('expired')).toBeUndefined(); // the category left the output
    expect(
      sample(await registry.metrics(), 'app_cache_cleanups_total', { category: 'temp_data' }),
    ).toBe(1);
  });

  it('never labels by key nor exposes data', async () => {
    const cache = new CacheManager({ cleanupInterval: 0, logger: silentLogger });
    const registry = new Registry();
    new CachePrometheusMetrics(cache, { registry });
    cache.set('session:alice-secret', { token: 'tok-do-not-leak' }, { category: 'user_sessions' });
    cache.get('session:alice-secret');
    cache.get('session:bob-secret');
    cache.invalidate('session:alice-secret');
    const text = await registry.metrics();
    expect(text).toContain('user_sessions');
    expect(text).not.toMatch(/secret|tok-do-not-leak|key=/);
  });

  it('counts expirations by category, tag operations by operation, and tagged entries; never a tag as a label', async () => {
    const cache = new CacheManager({ cleanupInterval: 0, logger: silentLogger });
    const registry = new Registry();
    new CachePrometheusMetrics(cache, { registry });
    cache.set('w1', ['ann'], { category: 'worlds', tags: ['user:ann-secret', 'world:1'] });
    cache.set('w2', ['bob'], { category: 'worlds', tags: ['user:bob-secret'] });
    cache.set('plain', 1, { category: 'other' });
    cache.expireTag('world:1');
    cache.expireTag('world:1'); // already STALE: a call, no expiration
    cache.expire('plain');
    cache.invalidateTag('user:bob-secret');
    const text = await registry.metrics();
    const p = DEFAULT_METRICS_PREFIX;
    expect(sample(text, `${p}expirations_total`, { category: 'worlds' })).toBe(1);
    expect(sample(text, `${p}expirations_total`, { category: 'other' })).toBe(1);
    expect(sample(text, `${p}tag_operations_total`, { operation: 'expire' })).toBe(2);
    expect(sample(text, `${p}tag_operations_total`, { operation: 'invalidate' })).toBe(1);
    expect(sample(text, `${p}tagged_entries`)).toBe(2);
    expect(sample(text, `${p}invalidations_total`, { category: 'worlds' })).toBe(1);
    expect(text).not.toMatch(/secret|world:1|tag=/);
  });

  it('stops counting and leaves the registry on unregister', async () => {
    const cache = new CacheManager({ cleanupInterval: 0, logger: silentLogger });
    const registry = new Registry();
    const metrics = new CachePrometheusMetrics(cache, { registry });
    metrics.unregister();
    metrics.unregister(); // twice is harmless
    cache.set('a', 1);
    expect(await registry.metrics()).not.toContain(DEFAULT_METRICS_PREFIX);
    // and the names are free again
    const again = new CachePrometheusMetrics(cache, { registry });
    expect(again.metricNames).toContain(`${DEFAULT_METRICS_PREFIX}hits_total`);
    again.unregister();
  });

  it('refuses a name clash with a clear error, registering nothing', async () => {
    const cache = new CacheManager({ cleanupInterval: 0, logger: silentLogger });
    const registry = new Registry();
    const first = new CachePrometheusMetrics(cache, { registry });
    expect(() => new CachePrometheusMetrics(cache, { registry })).toThrow(
      new TypeError(METRIC_ALREADY_REGISTERED(`${DEFAULT_METRICS_PREFIX}hits_total`)),
    );
    first.unregister();
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    // Two caches in one registry: one prefix each.
    const a = new CachePrometheusMetrics(cache, { registry, prefix: 'a_' });
    const b = new CachePrometheusMetrics(new CacheManager({ cleanupInterval: 0 }), {
      registry,
      prefix: 'b_',
    });
    expect(registry.getMetricsAsArray()).toHaveLength(28); // 14 each
    a.unregister();
    b.unregister();
  });

  it.each([
    [{ prefix: '9lives' }, 'prefix', 'letters, digits, _ and : (not first a digit)', '9lives'],
    [
      { prefix: 'has space' },
      'prefix',
      'letters, digits, _ and : (not first a digit)',
      'has space',
    ],
    [{ registry: {} }, 'registry', 'a prom-client Registry', {}],
    [null, 'options', 'an object', null],
  ])('rejects %p with a TypeError naming the option', (options, option, expected, value) => {
    const cache = new CacheManager({ cleanupInterval: 0 });
    expect(() => new CachePrometheusMetrics(cache, options as never)).toThrow(
      new TypeError(INVALID_METRICS_OPTION(option, expected, value)),
    );
  });

  describe('CachePrometheusModule in a Nest app', () => {
    let app: INestApplication | undefined;

    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    const APP_REGISTRY = Symbol('APP_REGISTRY');

    /** The app's own /metrics route, serving its own registry. */
    @Controller('metrics')
    class MetricsController {
      constructor(@Inject(APP_REGISTRY) private readonly registry: Registry) {}
      @Get()
      @Header('Content-Type', 'text/plain; version=0.0.4')
      metrics(): Promise<string> {
        return this.registry.metrics();
      }
    }

    @Module({
      providers: [{ provide: APP_REGISTRY, useFactory: () => new Registry() }],
      exports: [APP_REGISTRY],
    })
    class RegistryModule {}

    it('shows the cache metrics on the app’s existing /metrics', async () => {
      const registry = new Registry();
      @Module({
        imports: [
          CacheManagerModule.forRoot({ cleanupInterval: 0 }),
          CachePrometheusModule.forRoot({ registry }),
        ],
        providers: [{ provide: APP_REGISTRY, useValue: registry }],
        controllers: [MetricsController],
      })
      class AppModule {}
      const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      const cache = app.get(CacheManagerService);
      cache.set('users', [1], { category: 'resonite_data' });
      cache.get('users');

      const res = await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(sample(res.text, 'fresh_cache_hits_total', { category: 'resonite_data' })).toBe(1);
      expect(
        sample(res.text, 'fresh_cache_entries', { category: 'resonite_data', status: 'fresh' }),
      ).toBe(1);
      expect(app.get(CachePrometheusMetrics).registry).toBe(registry);

      await app.close();
      app = undefined;
      expect(registry.getMetricsAsArray()).toHaveLength(0); // removed at shutdown
    });

    it('takes the registry from a provider with forRootAsync', async () => {
      @Module({
        imports: [
          RegistryModule,
          CacheManagerModule.forRoot({ cleanupInterval: 0, statsController: false }),
          CachePrometheusModule.forRootAsync({
            imports: [RegistryModule],
            inject: [APP_REGISTRY],
            useFactory: (registry: Registry) => ({ registry, prefix: 'resonite_cache_' }),
          }),
        ],
        controllers: [MetricsController],
      })
      class AppModule {}
      const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      app.get(CacheManagerService).get('absent');
      const res = await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(sample(res.text, 'resonite_cache_misses_total', { reason: 'absent' })).toBe(1);
    });
  });
});
