import { Injectable } from '@nestjs/common';

/** What a command printed, as the command queue reports it. */
export interface CommandResult {
  command: string;
  output: string;
  success: boolean;
}

/** How long a fake command takes, in milliseconds: long enough that a cache is worth having. */
export const COMMAND_DELAY_MS = 20;

/**
 * Stands in for a slow command queue (the kind of work the cache is for). It counts the runs of
 * each command, so a test can tell a call the cache answered from one that ran.
 */
@Injectable()
export class CommandRunner {
  private readonly runs = new Map<string, number>();

  async run(command: string): Promise<CommandResult> {
    const run = this.runsOf(command) + 1;
    this.runs.set(command, run);
    await new Promise((resolve) => setTimeout(resolve, COMMAND_DELAY_MS));
    return { command, output: `${command}: run ${run}`, success: true };
  }

  /** How many times `command` ran. */
  runsOf(command: string): number {
    return this.runs.get(command) ?? 0;
  }
}
