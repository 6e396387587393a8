import type { CacheLogger } from '../core/logger.interface.js';
import { ErrorLogThrottle } from './error-log.throttle.js';
import { REDIS_ERRORS } from './redis.messages.js';
import { errorMessage } from '../core/error-text.util.js';

/**
 * What went wrong talking to Redis, counted and logged at a bounded rate. One per tier, shared by
 * the command transport, both connections and the readers of Redis data, so that `lastError` is
 * the last failure of any of them. Failures of Redis itself (errors, timeouts, lost connections)
 * data found there that is not ours (bad entries, bad bus messages), and entries kept out of
 * Redis for their size (not failures at all) are throttled apart: a flood of one never hides
 * the others.
 */
export class RedisTierFaults {
  /** Redis commands that failed or timed out. */
  commandErrors = 0;
  /** Failed attempts to (re)connect. */
  connectionErrors = 0;
  lastError: string | undefined;
  private readonly errorLog: ErrorLogThrottle;
  private readonly badDataLog: ErrorLogThrottle;
  private readonly oversizedLog: ErrorLogThrottle;

  constructor(errorLogInterval: number, logger: CacheLogger) {
    this.errorLog = new ErrorLogThrottle(errorLogInterval, (count, last) =>
      logger.warn(REDIS_ERRORS(count, last)),
    );
    this.badDataLog = new ErrorLogThrottle(errorLogInterval, (count, last) =>
      logger.warn(count === 1 ? last : `${last} (and ${count - 1} more like it)`),
    );
    this.oversizedLog = new ErrorLogThrottle(errorLogInterval, (count, last) =>
      logger.warn(count === 1 ? last : `${last} (and ${count - 1} more like it)`),
    );
  }

  commandFailed(message: string): void {
    this.lastError = message;
    this.commandErrors++;
    this.errorLog.record(message);
  }

  connectionFailed(error: unknown): void {
    this.connectionErrors++;
    this.lastError = errorMessage(error);
    this.errorLog.record(this.lastError);
  }

  /** Something read from Redis (an entry, a bus message) that is not ours: logged, ignored. */
  badData(message: string): void {
    this.badDataLog.record(message);
  }

  /** An entry kept out of Redis for its size (`maxValueBytes`): logged, not a failure. */
  oversized(message: string): void {
    this.oversizedLog.record(message);
  }

  /** Writes what was counted and not written yet (at shutdown). */
  flush(): void {
    this.errorLog.flush();
    this.badDataLog.flush();
    this.oversizedLog.flush();
  }
}
