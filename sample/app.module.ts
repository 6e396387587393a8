import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { Registry } from 'prom-client';

// In an app these come from 'nestjs-fresh-cache', 'nestjs-fresh-cache/health' and
// 'nestjs-fresh-cache/prometheus'; the sample compiles the library from source.
import { CacheManagerModule } from '../lib/index.js';
import { CacheHealthIndicator } from '../lib/health/index.js';
import { CachePrometheusModule } from '../lib/prometheus/index.js';
import { CommandQueueService } from './command-queue/command-queue.service.js';
import { HealthController } from './ops/health.controller.js';
import { MetricsController } from './ops/metrics.controller.js';
import { CachePrewarmService } from './resonite/cache-prewarm.service.js';
import { CommandResponder } from './resonite/command-responder.service.js';
import { CommandsController } from './resonite/commands.controller.js';
import { CommandsGateway } from './resonite/commands.gateway.js';
import { ResoniteService } from './resonite/resonite.service.js';
import { METRICS_REGISTRY, SAMPLE_OPTIONS } from './sample.constants.js';
import type { ResolvedSampleOptions, SampleOptions } from './sample-options.interface.js';

/**
 * The sample app: a simulated Resonite headless container behind a slow command queue, its
 * answers cached with `@Cached`, served over HTTP (`/commands/:command`) and WebSocket (`/ws`),
 * with `/cache/stats`, `/health` and `/metrics`.
 */
@Module({})
export class AppModule {
  static forRoot(options: SampleOptions = {}): DynamicModule {
    const resolved: ResolvedSampleOptions = {
      commandLatencyMs: options.commandLatencyMs ?? 400,
      clock: options.clock ?? Date.now,
      prewarm: options.prewarm ?? true,
      registry: options.registry ?? new Registry(),
      debug: options.debug ?? false,
    };
    return {
      module: AppModule,
      imports: [
        ScheduleModule.forRoot(),
        // The Python original's defaults: 5 minutes, 1000 entries, a cleanup every minute.
        CacheManagerModule.forRoot({
          defaultTtl: 300,
          maxEntries: 1000,
          cleanupInterval: 60,
          clock: resolved.clock,
          debug: resolved.debug,
        }),
        CachePrometheusModule.forRoot({ registry: resolved.registry }),
        TerminusModule.forRoot({ logger: false }),
      ],
      providers: [
        { provide: SAMPLE_OPTIONS, useValue: resolved },
        { provide: METRICS_REGISTRY, useValue: resolved.registry },
        CommandQueueService,
        ResoniteService,
        CommandResponder,
        CommandsGateway,
        CachePrewarmService,
        CacheHealthIndicator,
      ],
      controllers: [CommandsController, HealthController, MetricsController],
    };
  }
}
