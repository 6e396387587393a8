import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { CacheManagerModule } from 'nestjs-fresh-cache';
import { CommandRunner } from './command.runner';
import { CommandsController } from './commands.controller';
import { CommandsService } from './commands.service';

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
