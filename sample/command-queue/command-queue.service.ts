import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';

import { SAMPLE_OPTIONS } from '../sample.constants.js';
import type { ResolvedSampleOptions } from '../sample-options.interface.js';
import type { ExecutionResult } from './execution-result.interface.js';
import { ResoniteWorldSimulation } from './resonite-world.simulation.js';

/**
 * The Python original's command queue, simulated: commands to the headless container run one at a time and
 * each takes a while (`commandLatencyMs`, ±25%). This slowness is what the cache saves.
 */
@Injectable()
export class CommandQueueService implements OnApplicationShutdown {
  private readonly logger = new Logger('CommandQueue');
  private readonly world: ResoniteWorldSimulation;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** The end of the queue: each command starts when the previous one finished. */
  private tail: Promise<unknown> = Promise.resolve();
  private executedCount = 0;

  constructor(@Inject(SAMPLE_OPTIONS) private readonly options: ResolvedSampleOptions) {
    this.world = new ResoniteWorldSimulation(options.clock());
  }

  /** How many commands the queue ran: each one a cache miss somewhere. */
  get executed(): number {
    return this.executedCount;
  }

  /**
   * Queues `command` and resolves with its result once it ran. A command the container rejects
   * resolves with `success: false` and the reason as its output.
   */
  execute(command: string, args: readonly string[] = []): Promise<ExecutionResult> {
    const run = () => this.run(command, args);
    const result = this.tail.then(run, run);
    this.tail = result;
    return result;
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async run(command: string, args: readonly string[]): Promise<ExecutionResult> {
    const started = performance.now();
    await this.latency();
    this.executedCount++;
    const executionTimeMs = Math.round(performance.now() - started);
    const timestamp = this.options.clock();
    try {
      const output = this.world.run(command, args, timestamp);
      this.logger.log(`Ran '${[command, ...args].join(' ')}' in ${executionTimeMs} ms`);
      return { success: true, command, output, executionTimeMs, timestamp };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { success: false, command, output: { error: reason }, executionTimeMs, timestamp };
    }
  }

  private latency(): Promise<void> {
    const base = this.options.commandLatencyMs;
    if (base <= 0) return Promise.resolve();
    const ms = base * (0.75 + Math.random() * 0.5);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
