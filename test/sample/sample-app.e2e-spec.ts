import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket from 'ws';

import { CacheManagerService } from '../../lib/index.js';
import { AppModule } from '../../sample/app.module.js';
import { configureSampleApp } from '../../sample/app.setup.js';
import { CommandQueueService } from '../../sample/command-queue/command-queue.service.js';
import type { CommandResponse } from '../../sample/resonite/command-responder.service.js';
import { TestClock } from '../support/test-clock.js';

/** A hand-driven clock: time moves only when a test says so. */
/** Lets queued work (a background refresh with no latency) run, without any timer. */
async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('sample app (HTTP)', () => {
  let app: INestApplication;
  let clock: TestClock;
  let queue: CommandQueueService;

  beforeEach(async () => {
    clock = new TestClock(Date.UTC(2026, 0, 1, 12));
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot({ commandLatencyMs: 0, clock: clock.read })],
    }).compile();
    app = configureSampleApp(moduleRef.createNestApplication({ logger: false }));
    await app.init();
    queue = app.get(CommandQueueService);
  });

  afterEach(async () => {
    await app.close();
  });

  const get = async (path: string): Promise<CommandResponse> =>
    (await request(app.getHttpServer()).get(path).expect(200)).body as CommandResponse;

  it('pre-warms users, worlds and status at startup, so the first request is a hit', async () => {
    expect(queue.executed).toBe(3);
    const stats = app.get(CacheManagerService).getStats();
    expect(stats.categories).toEqual({ resonite_data: 2, container_status: 1 });

    const users = await get('/commands/users');

    expect(users).toMatchObject({
      command: 'users',
      cached: true,
      status: 'fresh',
      ageSeconds: 0,
      category: 'resonite_data',
      ttlSeconds: 60,
      timestamp: new Date(clock.read()).toISOString(),
    });
    expect(users.output).toMatchObject({ total_count: 4 });
    expect(queue.executed).toBe(3);
  });

  it('runs a command on a miss, then answers from the cache with its age', async () => {
    const first = await get('/commands/container_health');
    expect(first).toMatchObject({ cached: false, status: 'fresh', ageSeconds: 0 });
    expect(queue.executed).toBe(4);

    clock.advanceSeconds(5);
    const second = await get('/commands/container_health');
    expect(second).toMatchObject({ cached: true, status: 'fresh', ageSeconds: 5 });
    expect(second.output).toEqual(first.output);
    expect(queue.executed).toBe(4);
  });

  it('serves a STALE answer at once and refreshes it in the background', async () => {
    await get('/commands/container_health'); // TTL 15 s
    clock.advanceSeconds(20);

    const stale = await get('/commands/container_health');
    expect(stale).toMatchObject({ cached: true, status: 'stale', ageSeconds: 20 });

    await settle();
    expect(queue.executed).toBe(5); // the background refresh ran
    const refreshed = await get('/commands/container_health');
    expect(refreshed).toMatchObject({ cached: true, status: 'fresh', ageSeconds: 0 });
  });

  it('shows a cached answer differing from the world until it is refreshed', async () => {
    clock.advanceSeconds(25); // Erin comes online every other 20-second period
    const cached = await get('/commands/users');
    expect(cached).toMatchObject({ cached: true, ageSeconds: 25 });
    expect(JSON.stringify(cached.output)).not.toContain('Erin');

    const fresh = await get('/commands/users?refresh=true');
    expect(fresh).toMatchObject({ cached: false, ageSeconds: 0 });
    expect(JSON.stringify(fresh.output)).toContain('Erin');
    expect(queue.executed).toBe(4);
    // The forced answer replaced the cached one: the next read is served it from the cache.
    const after = await get('/commands/users');
    expect(after).toMatchObject({ cached: true, status: 'fresh', ageSeconds: 0 });
    expect(JSON.stringify(after.output)).toContain('Erin');
    expect(queue.executed).toBe(4);
  });

  it('expires the cached users and worlds when a kick succeeds: STALE at once, then refreshed', async () => {
    const cache = app.get(CacheManagerService);
    expect(cache.get('resonite:users:all')!.tags).toEqual([
      'presence',
      'user:alice',
      'user:bob',
      'user:carol',
      'user:dave',
    ]);
    await request(app.getHttpServer())
      .post('/commands/kick/bob')
      .expect(200)
      .expect((res) => expect(res.body.output).toEqual({ kicked: 'Bob', id: 'U-bob456' }));
    expect(queue.executed).toBe(4); // the three pre-warmed answers and the kick

    // Not dropped: answered at once from the cache, Bob still in it, while one refresh runs.
    const users = await get('/commands/users');
    expect(users).toMatchObject({ cached: true, status: 'stale' });
    expect(JSON.stringify(users.output)).toContain('Bob');
    expect(await get('/commands/worlds')).toMatchObject({ cached: true, status: 'stale' });
    expect(await get('/commands/status')).toMatchObject({ cached: true, status: 'fresh' });
    await settle();
    expect(queue.executed).toBe(6); // one refresh each for users and worlds

    const refreshed = await get('/commands/users');
    expect(refreshed).toMatchObject({ cached: true, status: 'fresh' });
    expect(JSON.stringify(refreshed.output)).not.toContain('Bob');
    expect(cache.get('resonite:users:all')!.tags).not.toContain('user:bob');
    expect(cache.getStats().totalExpirations).toBe(2);
  });

  it('answers a failed kick with 404 and keeps the cache', async () => {
    const res = await request(app.getHttpServer()).post('/commands/kick/mallory').expect(404);
    expect(res.body.message).toBe('No user named "mallory"');
    expect((await get('/commands/users')).cached).toBe(true);
  });

  it('answers an unknown command with 404 and the list of commands', async () => {
    const res = await request(app.getHttpServer()).get('/commands/rm-rf').expect(404);
    expect(res.body.message).toBe(
      'Unknown command "rm-rf"; try one of: users, worlds, status, container_health',
    );
    const list = await request(app.getHttpServer()).get('/commands').expect(200);
    expect(list.body.users).toEqual({
      key: 'resonite:users:all',
      category: 'resonite_data',
      ttl: 60,
      tags: ['presence'],
    });
  });

  it('moves /cache/stats: one hit per cached answer, one miss per command run', async () => {
    const before = (await request(app.getHttpServer()).get('/cache/stats').expect(200)).body;
    expect(before).toMatchObject({ totalMisses: 3, totalSets: 3, totalLoads: 3, totalEntries: 3 });

    await get('/commands/users');
    await get('/commands/worlds');
    await get('/commands/container_health');

    const after = (await request(app.getHttpServer()).get('/cache/stats').expect(200)).body;
    expect(after.totalHits - before.totalHits).toBe(2);
    expect(after.totalMisses - before.totalMisses).toBe(1);
    expect(after).toMatchObject({
      totalEntries: 4,
      categories: { resonite_data: 2, container_status: 1, system_metrics: 1 },
      maxEntries: 1000,
      usagePercent: 0.4,
    });
  });

  it('reports the cache in /health and in /metrics', async () => {
    await get('/commands/users');
    const health = await request(app.getHttpServer()).get('/health').expect(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.details.cache).toMatchObject({ status: 'up', totalEntries: 3 });

    const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toContain('fresh_cache_hits_total{category="resonite_data"} 1');
    expect(metrics.text).toContain('fresh_cache_misses_total{reason="absent"} 3');
    expect(metrics.text).toContain(
      'fresh_cache_entries{category="container_status",status="fresh"} 1',
    );
  });
});

describe('sample app (WebSocket, the seed’s command_response)', () => {
  let app: INestApplication;
  let clock: TestClock;
  let client: WebSocket | undefined;
  let url: string;

  beforeEach(async () => {
    clock = new TestClock(Date.UTC(2026, 0, 1, 12));
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot({ commandLatencyMs: 0, clock: clock.read })],
    }).compile();
    app = configureSampleApp(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    url = `ws://127.0.0.1:${port}/ws`;
  });

  afterEach(async () => {
    if (client !== undefined && client.readyState !== WebSocket.CLOSED) {
      const closed = new Promise((resolve) => client!.once('close', resolve));
      client.close();
      await closed;
    }
    client = undefined;
    await app.close();
  });

  /** Opens a client that queues the messages it receives. */
  async function connect(): Promise<{
    send: (message: unknown) => void;
    next: () => Promise<Record<string, unknown>>;
  }> {
    const ws = new WebSocket(url);
    client = ws;
    const inbox: Record<string, unknown>[] = [];
    const waiting: ((message: Record<string, unknown>) => void)[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      const waiter = waiting.shift();
      if (waiter) waiter(message);
      else inbox.push(message);
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return {
      send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
      next: () => {
        const queued = inbox.shift();
        return queued ? Promise.resolve(queued) : new Promise((resolve) => waiting.push(resolve));
      },
    };
  }

  it('answers cached data with its age', async () => {
    const ws = await connect();
    clock.advanceSeconds(7);
    ws.send({ type: 'command', command: 'users' });

    const answer = await ws.next();

    expect(answer).toEqual({
      type: 'command_response',
      command: 'users',
      output: expect.objectContaining({ total_count: 4 }),
      timestamp: new Date(clock.read() - 7000).toISOString(),
      cached: true,
      age_seconds: 7,
      status: 'fresh',
    });
  });

  it('answers fresh data on a miss and with force_refresh', async () => {
    const ws = await connect();
    const queue = app.get(CommandQueueService);
    ws.send({ type: 'command', command: 'container_health' });
    expect(await ws.next()).toMatchObject({ cached: false, age_seconds: 0, status: 'fresh' });

    clock.advanceSeconds(3);
    ws.send({ type: 'command', command: 'container_health' });
    expect(await ws.next()).toMatchObject({ cached: true, age_seconds: 3 });

    ws.send({ type: 'command', command: 'container_health', force_refresh: true });
    expect(await ws.next()).toMatchObject({ cached: false, age_seconds: 0 });
    expect(queue.executed).toBe(5); // 3 pre-warmed + 2
  });

  it('answers an unknown command with an error, ignores what is not JSON, and keeps serving', async () => {
    const ws = await connect();
    ws.send({ type: 'command', command: 'shutdown' });
    expect(await ws.next()).toEqual({
      type: 'error',
      message: 'Unknown command "shutdown"; try one of: users, worlds, status, container_health',
    });
    ws.send('this is not JSON');
    ws.send({ type: 'command' });
    expect(await ws.next()).toMatchObject({ type: 'error' });
    ws.send({ event: 'command', data: { command: 'status' } }); // Nest's own shape works too
    expect(await ws.next()).toMatchObject({ type: 'command_response', command: 'status' });
  });
});
