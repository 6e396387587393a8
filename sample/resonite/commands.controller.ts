import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';

import type { ExecutionResult } from '../command-queue/execution-result.interface.js';
import { CACHED_COMMANDS, COMMAND_CACHE_POLICY, isCachedCommand } from './command-cache.policy.js';
import { CommandResponder, type CommandResponse } from './command-responder.service.js';
import { ResoniteService } from './resonite.service.js';

/** The container's commands over HTTP, answered from the cache when it can. */
@Controller('commands')
export class CommandsController {
  constructor(
    private readonly responder: CommandResponder,
    private readonly resonite: ResoniteService,
  ) {}

  /** The cached commands, with their cache key, category and TTL. */
  @Get()
  list(): typeof COMMAND_CACHE_POLICY {
    return COMMAND_CACHE_POLICY;
  }

  /**
   * `GET /commands/users`: the answer with `cached`, `ageSeconds` and `status`.
   * `?refresh=true` runs the command now whatever the cache holds.
   */
  @Get(':command')
  run(
    @Param('command') command: string,
    @Query('refresh') refresh?: string,
  ): Promise<CommandResponse> {
    if (!isCachedCommand(command)) {
      throw new NotFoundException(
        `Unknown command ${JSON.stringify(command)}; try one of: ${CACHED_COMMANDS.join(', ')}`,
      );
    }
    return this.responder.respond(command, refresh === 'true' || refresh === '1');
  }

  /** `POST /commands/kick/alice`: kicks a user, which expires the cached users and worlds. */
  @Post('kick/:user')
  @HttpCode(200)
  kick(@Param('user') user: string): Promise<ExecutionResult> {
    return this.resonite.kick(user);
  }
}
