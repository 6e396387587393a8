import { Test, TestingModule } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { App } from 'supertest/types';
import { AppModule } from './../src/app.module';
import { CommandRunner } from './../src/command.runner';

describe('AppModule (e2e)', () => {
  let app: INestApplication<App>;

  beforeEach(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleFixture.createNestApplication();
    await app.init();
  });

  afterEach(async () => {
    await app.close();
  });

  it('GET /commands/:command answers the second request from the cache', async () => {
    const first = await request(app.getHttpServer())
      .get('/commands/users')
      .expect(200);
    const second = await request(app.getHttpServer())
      .get('/commands/users')
      .expect(200);

    expect(second.body).toEqual(first.body);
    expect(first.body).toEqual({
      command: 'users',
      output: 'users: run 1',
      success: true,
    });
    expect(app.get(CommandRunner).runsOf('users')).toBe(1);
  });

  it('POST /commands/kick/:user makes the next GET /commands/users run again', async () => {
    await request(app.getHttpServer()).get('/commands/users').expect(200);
    const before = await request(app.getHttpServer())
      .get('/commands/users')
      .expect(200);
    await request(app.getHttpServer()).post('/commands/kick/alice').expect(204);
    const after = await request(app.getHttpServer())
      .get('/commands/users')
      .expect(200);

    expect(before.body.output).toBe('users: run 1');
    expect(after.body.output).toBe('users: run 2');
  });

  it('GET /cache/stats serves the statistics as JSON', async () => {
    await request(app.getHttpServer()).get('/commands/users').expect(200);
    await request(app.getHttpServer()).get('/commands/users').expect(200);
    await request(app.getHttpServer()).get('/commands/worlds').expect(200);

    const res = await request(app.getHttpServer())
      .get('/cache/stats')
      .expect(200)
      .expect('Content-Type', /application\/json/);

    expect(res.body).toMatchObject({
      totalEntries: 2,
      freshEntries: 2,
      totalHits: 1,
      totalMisses: 2,
      hitRatePercent: expect.closeTo(33.3, 1),
      categories: { commands: 2 },
      maxEntries: 1000,
      usagePercent: 0.2,
    });
  });
});
