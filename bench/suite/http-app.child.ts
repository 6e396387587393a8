/**
 * The Nest app the HTTP benchmark loads, in its own process (autocannon runs in the parent, so
 * the two share the machine's cores instead of one event loop). It listens on 127.0.0.1, on a port
 * the OS picks, and sends `{ port }` to the parent. Three routes return the same command result:
 * - `GET /trivial`: the result built in the handler, no cache, no delay (the ceiling);
 * - `GET /cached`: a service method that takes 5 ms (a simulated command), through `@Cached`;
 * - `GET /interceptor`: the same slow method, the route cached by `@nestjs/cache-manager`'s
 *   `CacheInterceptor` (its default in-memory store).
 * Both caches are configured with the same TTL (300 s): after the first request every request hits.
 */
import 'reflect-metadata';

import { CacheInterceptor, CacheModule, CacheTTL } from '@nestjs/cache-manager';
import { Controller, Get, Injectable, Module, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { loadCore, silentLogger } from './core.js';

const { CacheManagerModule, Cached } = await loadCore();

const COMMAND_LATENCY_MS = 5;
const TTL_SECONDS = 300;

function commandResult() {
  return {
    command: 'users',
    success: true,
    users: [
      { id: 'U-1', name: 'Alice', role: 'admin' },
      { id: 'U-2', name: 'Bob', role: 'builder' },
      { id: 'U-3', name: 'Carol', role: 'guest' },
    ],
    total: 3,
  };
}

@Injectable()
class CommandService {
  async run(): Promise<ReturnType<typeof commandResult>> {
    await sleep(COMMAND_LATENCY_MS);
    return commandResult();
  }
}

@Injectable()
class CachedCommandService {
  @Cached({ ttl: TTL_SECONDS, category: 'command_results', key: 'command_result_users' })
  async run(): Promise<ReturnType<typeof commandResult>> {
    await sleep(COMMAND_LATENCY_MS);
    return commandResult();
  }
}

@Controller()
class BenchController {
  constructor(
    private readonly commands: CommandService,
    private readonly cachedCommands: CachedCommandService,
  ) {}

  @Get('trivial')
  trivial() {
    return commandResult();
  }

  @Get('cached')
  cached() {
    return this.cachedCommands.run();
  }

  @Get('interceptor')
  @UseInterceptors(CacheInterceptor)
  @CacheTTL(TTL_SECONDS * 1000)
  interceptor() {
    return this.commands.run();
  }
}

@Module({
  imports: [
    CacheManagerModule.forRoot({
      cleanupInterval: 0,
      logger: silentLogger,
      statsController: false,
    }),
    CacheModule.register({ ttl: TTL_SECONDS * 1000 }),
  ],
  controllers: [BenchController],
  providers: [CommandService, CachedCommandService],
})
class BenchAppModule {}

const app = await NestFactory.create(BenchAppModule, { logger: false });
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address() as AddressInfo;
if (process.send !== undefined) process.send({ port });
else console.log(`listening on http://127.0.0.1:${port}`);
process.on('message', (message) => {
  if (message === 'stop') void app.close().then(() => process.exit(0));
});
