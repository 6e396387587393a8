import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { CacheManagerModule } from 'nestjs-fresh-cache';
import { CommandRunner } from './command.runner.js';
import { CommandsController } from './commands.controller.js';
import { CommandsService } from './commands.service.js';

@Module({
  imports: [
    ScheduleModule.forRoot(),
    CacheManagerModule.forRoot({
      defaultTtl: 300,
      maxEntries: 1000,
      cleanupInterval: 60,
    }),
  ],
  controllers: [CommandsController],
  providers: [CommandRunner, CommandsService],
})
export class AppModule {}
