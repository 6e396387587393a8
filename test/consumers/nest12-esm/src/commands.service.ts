import { Injectable } from '@nestjs/common';
import { CacheInvalidate, Cached } from 'nestjs-fresh-cache';
import { CommandRunner, type CommandResult } from './command.runner.js';

/** The category of every command result, so a restart can invalidate them all at once. */
export const COMMANDS_CATEGORY = 'commands';

/** TTL of a command result, in seconds: FRESH this long, then STALE as long again. */
export const COMMAND_TTL = 60;

@Injectable()
export class CommandsService {
  constructor(private readonly runner: CommandRunner) {}

  /** Runs a command; its result is cached under the default key `CommandsService.execute("…")`. */
  @Cached({ ttl: COMMAND_TTL, category: COMMANDS_CATEGORY })
  async execute(command: string): Promise<CommandResult> {
    return this.runner.run(command);
  }

  /** Kicking a user changes what the `users` command prints. */
  @CacheInvalidate({ keys: ['CommandsService.execute("users")'] })
  async kick(user: string): Promise<void> {
    await this.runner.run(`kick ${user}`);
  }

  /** A restart makes every command result out of date. */
  @CacheInvalidate({ categories: [COMMANDS_CATEGORY] })
  async restart(): Promise<void> {
    await this.runner.run('restart');
  }
}
