import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';

import { SAMPLE_OPTIONS } from '../sample.constants.js';
import type { ResolvedSampleOptions } from '../sample-options.interface.js';
import { PREWARMED_COMMANDS } from './command-cache.policy.js';
import { CommandResponder } from './command-responder.service.js';

/**
 * The Python original's `prewarm_cache`: runs the common commands once at startup, so the first visitors get
 * cached answers. The app starts listening only once it is done; a failure is logged, not fatal.
 */
@Injectable()
export class CachePrewarmService implements OnApplicationBootstrap {
  private readonly logger = new Logger('CachePrewarm');

  constructor(
    private readonly responder: CommandResponder,
    @Inject(SAMPLE_OPTIONS) private readonly options: ResolvedSampleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.prewarm) return;
    const started = performance.now();
    const results = await Promise.allSettled(
      PREWARMED_COMMANDS.map((command) => this.responder.respond(command)),
    );
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        this.logger.warn(`Could not pre-warm '${PREWARMED_COMMANDS[i]}': ${String(result.reason)}`);
      }
    });
    this.logger.log(
      `Pre-warmed ${PREWARMED_COMMANDS.join(', ')} in ${Math.round(performance.now() - started)} ms`,
    );
  }
}
