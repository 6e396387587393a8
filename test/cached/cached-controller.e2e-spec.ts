import 'reflect-metadata';

import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Injectable,
  Param,
  Query,
  Scope,
} from '@nestjs/common';
import { type Observable, of } from 'rxjs';
import request from 'supertest';

import { CacheInvalidate, Cached } from '../../lib/index.js';
import { closeApps, startApp } from './cached.helpers.js';

@Injectable()
class CommandBackend {
  readonly execute = jest.fn((command: string) => ({ command, output: `${command} output` }));
}

const commandKey = (command: string) => `command_result_${command}`;

/** Route decorators above and below @Cached, sync, async and Observable handlers. */
@Controller('commands')
class CommandsController {
  constructor(private readonly backend: CommandBackend) {}

  @Get('async/:command')
  @Header('x-handler', 'async')
  @Cached({ ttl: 30, key: (command: string) => commandKey(command) })
  async runAsync(@Param('command') command: string) {
    return this.backend.execute(command);
  }

  @Cached({ ttl: 30 })
  @Get('sync/:command')
  runSync(@Param('command') command: string, @Query('verbose') verbose?: string) {
    return { ...this.backend.execute(command), verbose: verbose ?? null };
  }

  @Get('stream/:command')
  @Cached({ ttl: 30 })
  runStream(@Param('command') command: string): Observable<unknown> {
    return of(this.backend.execute(command));
  }

  @Delete(':command')
  @HttpCode(204)
  @CacheInvalidate({ keys: [(command: string) => commandKey(command)] })
  forget(@Param('command') _command: string): void {}
}

@Controller({ path: 'per-request', scope: Scope.REQUEST })
class PerRequestController {
  constructor(private readonly backend: CommandBackend) {}

  @Get(':command')
  @Cached({ ttl: 30 })
  async run(@Param('command') command: string) {
    return this.backend.execute(command);
  }
}

afterEach(closeApps);

async function httpApp() {
  const test = await startApp({
    providers: [CommandBackend],
    controllers: [CommandsController, PerRequestController],
  });
  return { server: test.app.getHttpServer(), backend: test.app.get(CommandBackend) };
}

describe('@Cached on controller routes, through HTTP', () => {
  it('serves an async route from the cache, keeping the route decorators below it', async () => {
    const { server, backend } = await httpApp();
    for (let i = 0; i < 2; i++) {
      const response = await request(server).get('/commands/async/users').expect(200);
      expect(response.body).toEqual({ command: 'users', output: 'users output' });
      expect(response.headers['x-handler']).toBe('async');
    }
    expect(backend.execute).toHaveBeenCalledTimes(1);
  });

  it('serves a sync route from the cache, keyed by its arguments', async () => {
    const { server, backend } = await httpApp();
    await request(server).get('/commands/sync/users').expect(200);
    const cached = await request(server).get('/commands/sync/users').expect(200);
    expect(cached.body).toEqual({ command: 'users', output: 'users output', verbose: null });
    const other = await request(server).get('/commands/sync/users?verbose=1').expect(200);
    expect(other.body.verbose).toBe('1');
    expect(backend.execute).toHaveBeenCalledTimes(2);
  });

  it('serves an Observable route from the cache', async () => {
    const { server, backend } = await httpApp();
    await request(server).get('/commands/stream/worlds').expect(200);
    const cached = await request(server).get('/commands/stream/worlds').expect(200);
    expect(cached.body).toEqual({ command: 'worlds', output: 'worlds output' });
    expect(backend.execute).toHaveBeenCalledTimes(1);
  });

  it('invalidates after a successful route, so the next read runs the command again', async () => {
    const { server, backend } = await httpApp();
    await request(server).get('/commands/async/users').expect(200);
    await request(server).delete('/commands/users').expect(204);
    await request(server).get('/commands/async/users').expect(200);
    expect(backend.execute).toHaveBeenCalledTimes(2);
  });

  it('shares the cache between the per-request instances of a request-scoped controller', async () => {
    const { server, backend } = await httpApp();
    await request(server).get('/per-request/users').expect(200);
    const cached = await request(server).get('/per-request/users').expect(200);
    expect(cached.body).toEqual({ command: 'users', output: 'users output' });
    expect(backend.execute).toHaveBeenCalledTimes(1);
  });
});
