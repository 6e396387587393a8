import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { WebSocket } from 'ws';

import { CACHED_COMMANDS, isCachedCommand } from './command-cache.policy.js';
import { CommandResponder } from './command-responder.service.js';

/** What a client sends: the Python original's `{ type: 'command', command, force_refresh? }`. */
export interface CommandMessage {
  type?: 'command';
  command?: unknown;
  force_refresh?: unknown;
}

/**
 * The Python original's WebSocket protocol on `/ws`: a `command` message is answered with a
 * `command_response` carrying the output, its timestamp, whether it was cached and its age
 * (the Python original's `get_cached_or_fresh_data`). Field names are the Python original's, snake_case included.
 */
@WebSocketGateway({ path: '/ws' })
export class CommandsGateway {
  private readonly logger = new Logger(CommandsGateway.name);

  constructor(private readonly responder: CommandResponder) {}

  @SubscribeMessage('command')
  async onCommand(
    @ConnectedSocket() client: WebSocket,
    @MessageBody() message: CommandMessage,
  ): Promise<void> {
    const command = message?.command;
    if (!isCachedCommand(command)) {
      this.send(client, {
        type: 'error',
        message: `Unknown command ${JSON.stringify(command)}; try one of: ${CACHED_COMMANDS.join(', ')}`,
      });
      return;
    }
    const forceRefresh = message.force_refresh === true;
    try {
      const answer = await this.responder.respond(command, forceRefresh);
      this.send(client, {
        type: 'command_response',
        command,
        output: answer.output,
        timestamp: answer.timestamp,
        cached: answer.cached,
        age_seconds: answer.ageSeconds,
        status: answer.status,
      });
    } catch (error) {
      this.logger.error(
        `Command '${command}' failed`,
        error instanceof Error ? error.stack : error,
      );
      this.send(client, { type: 'error', command, message: 'The command failed' });
    }
  }

  private send(client: WebSocket, message: object): void {
    if (client.readyState === client.OPEN) client.send(JSON.stringify(message));
  }
}
