import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  Param,
  ParseIntPipe,
  Post,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';

import {
  CacheInvalidate,
  CacheManagerModule,
  CacheManagerService,
  Cached,
  CacheStatus,
} from '../../lib/index.js';
import { TestClock } from '../support/test-clock.js';
import { flushPromises } from './cached.helpers.js';

interface Member {
  id: number;
  world: number;
}

/** Who is in which world: a slow backend, cached by world, tagged by world and member. */
@Injectable()
class WorldsService {
  readonly members: Member[] = [
    { id: 1, world: 1 },
    { id: 2, world: 1 },
    { id: 3, world: 2 },
  ];
  readonly loads = jest.fn((world: number) => this.members.filter((m) => m.world === world));

  @Cached({
    ttl: 60,
    category: 'worlds',
    key: (world: number) => `world:${world}:members`,
    tags: (world: number) => [`world:${world}`],
    resultTags: (members: Member[]) => members.map((m) => `member:${m.id}`),
    staleWhileRevalidate: true,
  })
  async membersOf(world: number): Promise<Member[]> {
    return this.loads(world);
  }

  /** A kick changes the lists the member was in: they go STALE, not away. */
  @CacheInvalidate({ tags: [(id: number) => `member:${id}`], expire: true })
  async kick(id: number): Promise<void> {
    const index = this.members.findIndex((m) => m.id === id);
    if (index >= 0) this.members.splice(index, 1);
  }
}

@Controller('worlds')
class WorldsController {
  constructor(private readonly worlds: WorldsService) {}

  @Get(':world/members')
  members(@Param('world', ParseIntPipe) world: number): Promise<Member[]> {
    return this.worlds.membersOf(world);
  }

  @Post('kick/:id')
  @HttpCode(204)
  kick(@Param('id', ParseIntPipe) id: number): Promise<void> {
    return this.worlds.kick(id);
  }
}

describe('tags and soft expiry in a Nest app, through HTTP', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start() {
    const clock = new TestClock();
    @Module({
      imports: [CacheManagerModule.forRoot({ cleanupInterval: 0, clock: clock.read })],
      controllers: [WorldsController],
      providers: [WorldsService],
    })
    class WorldsAppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [WorldsAppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return {
      server: app.getHttpServer(),
      worlds: app.get(WorldsService),
      cache: app.get(CacheManagerService),
    };
  }

  it('a kick expires the lists the member was in: answered at once, refreshed behind', async () => {
    const { server, worlds, cache } = await start();
    await request(server).get('/worlds/1/members').expect(200);
    await request(server).get('/worlds/2/members').expect(200);
    expect(worlds.loads).toHaveBeenCalledTimes(2);

    await request(server).post('/worlds/kick/2').expect(204);
    expect(cache.get('world:1:members', { includeStale: true })!.status).toBe(CacheStatus.STALE);
    expect(cache.hasKey('world:2:members')).toBe(true);

    const stale = await request(server).get('/worlds/1/members').expect(200);
    expect(stale.body).toEqual([
      { id: 1, world: 1 },
      { id: 2, world: 1 },
    ]);
    await flushPromises();
    expect(worlds.loads).toHaveBeenCalledTimes(3); // one refresh, in the background
    const fresh = await request(server).get('/worlds/1/members').expect(200);
    expect(fresh.body).toEqual([{ id: 1, world: 1 }]);
    expect(cache.get('world:1:members')!.tags).toEqual(['world:1', 'member:1']);

    const stats = await request(server).get('/cache/stats').expect(200);
    expect(stats.body).toMatchObject({
      totalExpirations: 1,
      taggedEntries: 2,
      totalExpireTagCalls: 1,
      totalInvalidateTagCalls: 0,
    });
  });

  it('the injected service is the whole cache: expire, expireCategory, invalidateTag, expireTag', async () => {
    const { server, cache } = await start();
    await request(server).get('/worlds/1/members').expect(200);
    await request(server).get('/worlds/2/members').expect(200);
    expect(cache.expireTag('world:1')).toBe(1);
    expect(cache.invalidateTag('member:3')).toBe(1);
    expect(cache.expireCategory('worlds')).toBe(2);
    expect(cache.expire('world:2:members')).toBe(true);
    const stats = cache.getStats();
    expect([stats.freshEntries, stats.staleEntries, stats.invalidEntries]).toEqual([0, 1, 1]);
  });
});
