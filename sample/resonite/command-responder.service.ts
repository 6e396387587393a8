import { Injectable } from '@nestjs/common';

import { CacheManagerService, CacheStatus, type JsonValue } from '../../lib/index.js';
import type { ExecutionResult } from '../command-queue/execution-result.interface.js';
import { COMMAND_CACHE_POLICY, type CachedCommand } from './command-cache.policy.js';
import { ResoniteService } from './resonite.service.js';

/** A command's answer with its freshness, as the HTTP routes return it. */
export interface CommandResponse {
  command: CachedCommand;
  output: JsonValue;
  /** When the command ran (ISO 8601). */
  timestamp: string;
  /** Whether the answer came from the cache rather than from running the command now. */
  cached: boolean;
  /** Seconds since the command ran. */
  ageSeconds: number;
  /** The answer's status when it was served: `fresh` or `stale` (served while it refreshes). */
  status: CacheStatus;
  category: string;
  ttlSeconds: number;
}

/**
 * Answers a cached command with its freshness, for the HTTP routes and the WebSocket gateway.
 * The handlers of {@link ResoniteService} do the caching; this only tells what the cache held
 * before the call, with `hasKey`, which counts no hit and no miss, so the statistics show exactly
 * one read per request.
 */
@Injectable()
export class CommandResponder {
  private readonly handlers: Record<CachedCommand, (force: boolean) => Promise<ExecutionResult>>;

  constructor(
    private readonly cache: CacheManagerService,
    resonite: ResoniteService,
  ) {
    this.handlers = {
      users: (force) => resonite.users(force),
      worlds: (force) => resonite.worlds(force),
      status: (force) => resonite.status(force),
      container_health: (force) => resonite.containerHealth(force),
    };
  }

  /**
   * Runs `command` through its cached handler. With `forceRefresh`, the command runs now and
   * its answer replaces the cached one (the Python original's `force_refresh`); if it fails,
   * the cached answer stays.
   */
  async respond(command: CachedCommand, forceRefresh = false): Promise<CommandResponse> {
    const { key, category, ttl } = COMMAND_CACHE_POLICY[command];
    const held = forceRefresh
      ? undefined
      : this.cache.hasKey(key)
        ? CacheStatus.FRESH
        : this.cache.hasKey(key, { freshOnly: false })
          ? CacheStatus.STALE
          : undefined;
    const result = await this.handlers[command](forceRefresh);
    return {
      command,
      output: result.output,
      timestamp: new Date(result.timestamp).toISOString(),
      cached: held !== undefined,
      ageSeconds: Math.round((this.cache.now() - result.timestamp) / 100) / 10,
      status: held ?? CacheStatus.FRESH,
      category,
      ttlSeconds: ttl,
    };
  }
}
