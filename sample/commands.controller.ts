import { Controller, Get, Param } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';

import { CacheManagerService } from '../lib/index.js';

/** A slow command answered from the cache when it can, with its age and freshness. */
@Controller('commands')
export class CommandsController {
  constructor(private readonly cache: CacheManagerService) {}

  @Get(':command')
  async run(@Param('command') command: string) {
    const key = `command_result_${command}`;
    const cached = this.cache.get(key, { includeStale: true });
    if (cached) {
      return {
        command,
        output: cached.data,
        cached: true,
        ageSeconds: cached.getAgeSeconds(),
        status: cached.status,
      };
    }
    await sleep(200); // the command queue is slow
    const output = { command, ranAt: new Date().toISOString() };
    this.cache.set(key, output, { ttl: 30, category: 'command_results', metadata: { command } });
    return { command, output, cached: false, ageSeconds: 0, status: 'fresh' };
  }
}
