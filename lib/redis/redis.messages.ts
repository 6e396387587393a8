/** Message factories of the Redis tier, shared by the code and its tests. */

import { describeValue } from '../core/describe-value.util.js';

export const INVALID_REDIS_OPTION = (option: string, expected: string, value: unknown): string =>
  `Invalid cache option "${option === '' ? 'redis' : `redis.${option}`}": expected ${expected}, ` +
  `got ${describeValue(value)}.`;

export const REDIS_URL_OR_CLIENT =
  'Invalid cache option "redis": give exactly one of "url" (a Redis URL) or "client" (an ioredis client).';

export const CLIENT_HAS_KEY_PREFIX = (prefix: string): string =>
  `Invalid cache option "redis.client": the client has its own keyPrefix ${describeValue(prefix)}; ` +
  'give a client without one and set "redis.keyPrefix" instead.';

export const IOREDIS_MISSING = (reason: string): string =>
  `The cache's "redis" option needs the "ioredis" package (an optional peer dependency): ` +
  `npm install ioredis. Loading it failed: ${reason}`;

export const REDIS_CONNECTED = (what: string): string => `Redis tier: ${what} connected`;

export const REDIS_DISCONNECTED = (what: string): string =>
  `Redis tier: ${what} lost; serving from memory and loaders until it returns`;

export const REDIS_ERRORS = (count: number, last: string): string =>
  `Redis tier: ${count} error${count === 1 ? '' : 's'} talking to Redis (last: ${last})`;

export const CIRCUIT_OPENED = (failures: number, cooldownMs: number): string =>
  `Redis tier: ${failures} failures in a row; not using Redis for ${cooldownMs}ms`;

export const CIRCUIT_CLOSED = 'Redis tier: Redis answers again; circuit closed';

const entries = (count: number): string => `${count} in-memory entr${count === 1 ? 'y' : 'ies'}`;

export const L1_CLEARED_AFTER_RECONNECT = (removed: number, reason: string): string =>
  `Redis tier: invalidation bus (re)connected after a gap; ${reason}; cleared ` +
  `${entries(removed)} that may have been invalidated meanwhile`;

export const L1_CAUGHT_UP_AFTER_RECONNECT = (applied: number, kept: number): string =>
  `Redis tier: invalidation bus reconnected after a gap; applied the ${applied} ` +
  `change${applied === 1 ? '' : 's'} other instances made meanwhile, from the bus history; ` +
  `kept ${entries(kept)}`;

/** Why a gap could not be caught up from the bus history (the clear's log line says it). */
export const GAP_REASON = {
  noPosition: 'this instance had no position in the bus history yet',
  tooLong:
    'the gap is longer than the bus history reaches back (see "redis.busHistory"), or Redis lost it',
  unreadable: 'the bus history could not be read',
  badEntry: 'the bus history holds an entry that is not a valid message',
  earlierVersion:
    'an instance that does not write the bus history (an earlier version) shares the channel',
} as const;

export const EARLIER_VERSION_HEARD = (src: string): string =>
  `Redis tier: heard a message without a bus history id from instance ${describeValue(src)} ` +
  '(an earlier version?); after a gap, this instance clears its memory instead of catching up';

export const BAD_ENTRY = (key: string, reason: string): string =>
  `Redis tier: ignoring the value of key ${describeValue(key)} in Redis (${reason}); treated as a miss`;

export const ENTRY_KEPT_IN_MEMORY = (key: string, bytes: number, maxBytes: number): string =>
  `Redis tier: the entry of key ${describeValue(key)} takes ${bytes} bytes stored, over ` +
  `"redis.maxValueBytes" (${maxBytes}); kept in this instance's memory only, not shared`;

export const ENTRY_TOO_LARGE_IN_REDIS = (key: string, bytes: number, maxBytes: number): string =>
  `Redis tier: the value of key ${describeValue(key)} in Redis takes ${bytes} bytes, over ` +
  `"redis.maxValueBytes" (${maxBytes}); not transferred, treated as a miss`;

export const BAD_MESSAGE = (reason: string): string =>
  `Redis tier: ignoring a message on the invalidation channel (${reason})`;

export const PENDING_REPLAYED = (count: number, clearedAll: boolean): string =>
  clearedAll
    ? 'Redis tier: too many invalidations were made while Redis was away; cleared the shared cache'
    : `Redis tier: applied ${count} invalidation${count === 1 ? '' : 's'} made while Redis was away`;

export const COMMAND_TIMED_OUT = (ms: number): string => `command timed out after ${ms}ms`;

export const NOT_SENT = 'not sent: Redis is not connected, or the circuit is open';
