import { NOT_SENT } from '../redis.messages.js';

/** Why a Redis command did not succeed. */
export class RedisCommandError extends Error {
  constructor(
    message: string,
    /** Whether Redis itself answered with an error (it is up; the command or data is wrong). */
    readonly fromRedis = false,
  ) {
    super(message);
  }
}

/** The rejection of a command not sent: not connected, or the circuit is open. */
export const SKIPPED = new RedisCommandError(NOT_SENT);
