import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { CommandResult } from './command.runner';
import { CommandsService } from './commands.service';

@Controller('commands')
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  @Get(':command')
  execute(@Param('command') command: string): Promise<CommandResult> {
    return this.commands.execute(command);
  }

  @Post('kick/:user')
  @HttpCode(204)
  kick(@Param('user') user: string): Promise<void> {
    return this.commands.kick(user);
  }
}
