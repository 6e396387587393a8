import { Injectable, NotFoundException } from '@nestjs/common';

import { CacheInvalidate, Cached } from '../../lib/index.js';
import { CommandQueueService } from '../command-queue/command-queue.service.js';
import type { ExecutionResult } from '../command-queue/execution-result.interface.js';
import { COMMAND_CACHE_POLICY as POLICY, PRESENCE_TAG } from './command-cache.policy.js';

/** A failed command's result is returned to the caller but never cached. */
const failed = (result: ExecutionResult): boolean => !result.success;

/**
 * One tag per user an answer shows (`user:bob`), read from the answer itself, so that
 * `invalidateTag('user:bob')` reaches exactly the cached answers that show Bob.
 */
const usersShown = (result: ExecutionResult): string[] => {
  const output = result.output as { users?: { name: string }[] };
  return (output.users ?? []).map((user) => `user:${user.name.toLowerCase()}`);
};

/** `handler(true)` runs the command now and replaces the cached answer (`?refresh=true`). */
const refresh = (forceRefresh?: boolean): boolean => forceRefresh === true;

/**
 * The command handlers. Each read goes through the slow command queue only when the cache has
 * no usable answer: `@Cached` returns a FRESH answer as it is, and a STALE one at once while it
 * refreshes it in the background (`staleWhileRevalidate`), the Python original's "include
 * stale" reads; called with `true`, a handler runs its command whatever is cached
 * (`forceRefresh`, the original's `force_refresh`). Each key is fixed, so a forced call replaces
 * the same entry the others read.
 */
@Injectable()
export class ResoniteService {
  constructor(private readonly queue: CommandQueueService) {}

  @Cached({
    ...POLICY.users,
    resultTags: usersShown,
    staleWhileRevalidate: true,
    unless: failed,
    forceRefresh: refresh,
  })
  users(forceRefresh = false): Promise<ExecutionResult> {
    void forceRefresh; // read by the decorator's forceRefresh
    return this.queue.execute('users');
  }

  @Cached({ ...POLICY.worlds, staleWhileRevalidate: true, unless: failed, forceRefresh: refresh })
  worlds(forceRefresh = false): Promise<ExecutionResult> {
    void forceRefresh; // read by the decorator's forceRefresh
    return this.queue.execute('worlds');
  }

  @Cached({ ...POLICY.status, staleWhileRevalidate: true, unless: failed, forceRefresh: refresh })
  status(forceRefresh = false): Promise<ExecutionResult> {
    void forceRefresh; // read by the decorator's forceRefresh
    return this.queue.execute('status');
  }

  @Cached({
    ...POLICY.container_health,
    staleWhileRevalidate: true,
    unless: failed,
    forceRefresh: refresh,
  })
  containerHealth(forceRefresh = false): Promise<ExecutionResult> {
    void forceRefresh; // read by the decorator's forceRefresh
    return this.queue.execute('container_health');
  }

  /**
   * Kicks a user: who is online and where changed, so the answers tagged `presence` (users and
   * worlds) are expired, not dropped: the next read gets the old answer at once while one refresh
   * runs, instead of every reader waiting for the slow queue (only when the kick succeeded: a
   * rejected promise expires nothing).
   * @throws NotFoundException when no such user is online.
   */
  @CacheInvalidate({ tags: [PRESENCE_TAG], expire: true })
  async kick(user: string): Promise<ExecutionResult> {
    const result = await this.queue.execute('kick', [user]);
    if (!result.success) throw new NotFoundException((result.output as { error: string }).error);
    return result;
  }
}
