import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';

import { AppModule } from './app.module.js';
import { configureSampleApp } from './app.setup.js';

async function bootstrap(): Promise<void> {
  const latency = Number(process.env.COMMAND_LATENCY_MS ?? Number.NaN);
  const app = configureSampleApp(
    await NestFactory.create(
      AppModule.forRoot({
        commandLatencyMs: latency >= 0 ? latency : undefined,
        // CACHE_DEBUG=1 npm start: one debug line per cache read and write.
        debug: process.env.CACHE_DEBUG === '1',
      }),
    ),
  );
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const base = `http://localhost:${port}`;
  console.log(`
nestjs-fresh-cache sample: a simulated Resonite headless container behind a slow command queue
  curl ${base}/commands/users              pre-warmed at startup: "cached": true at once
  curl ${base}/commands/container_health   "cached": false, then true; "status": "stale" from
                                           15 s to 30 s old, then a miss ("cached": false)
  curl '${base}/commands/users?refresh=true'   run the command now and replace the cached answer
  curl -X POST ${base}/commands/kick/bob   @CacheInvalidate({ tags, expire }): the cached users and
                                           worlds go STALE: answered at once, refreshed behind
  curl ${base}/cache/stats                 hits, misses, entries by status and category
  curl ${base}/health                      Terminus, with the cache's health checks
  curl ${base}/metrics                     Prometheus metrics
  WebSocket ws://localhost:${port}/ws        send {"type":"command","command":"users"}
`);
}

void bootstrap();
