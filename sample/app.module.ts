import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';

import { CacheManagerModule } from '../lib/index.js';
import { CommandsController } from './commands.controller.js';

@Module({
  imports: [
    ScheduleModule.forRoot(),
    CacheManagerModule.forRoot({ defaultTtl: 300, maxEntries: 1000, cleanupInterval: 60 }),
  ],
  controllers: [CommandsController],
})
export class AppModule {}
