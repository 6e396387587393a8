import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';

// In an app: import { CacheHealthIndicator } from 'nestjs-fresh-cache/health';
import { CacheHealthIndicator } from '../../lib/health/index.js';

/** `GET /health`: Terminus, with the cache's indicator and the Python original's health checks. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly cacheHealth: CacheHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.cacheHealth.isHealthy('cache')]);
  }
}
