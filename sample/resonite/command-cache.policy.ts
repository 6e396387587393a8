import { CONTAINER_NAME } from '../sample.constants.js';

/** How long each kind of answer stays FRESH, after the Python original's TTL guidelines. */
export interface CommandCachePolicy {
  /** The cache key, after the Python original's naming convention (`<source>:<what>:<which>`). */
  readonly key: string;
  /** The Python original's category for this kind of data. */
  readonly category: string;
  /** Seconds FRESH (then STALE for as long again). */
  readonly ttl: number;
  /** What the answer depends on, for `expireTag` / `invalidateTag` (none: nothing shared). */
  readonly tags?: readonly string[];
}

/** The tag of the answers that depend on who is online: a kick expires them. */
export const PRESENCE_TAG = 'presence';

/**
 * The cached commands: users and worlds change often (the Python original's guideline: 60-180 s), container status is
 * watched closely (30-60 s) and container health is near real time (the original's system metrics:
 * 15-30 s).
 */
export const COMMAND_CACHE_POLICY = {
  users: { key: 'resonite:users:all', category: 'resonite_data', ttl: 60, tags: [PRESENCE_TAG] },
  worlds: { key: 'resonite:worlds:all', category: 'resonite_data', ttl: 120, tags: [PRESENCE_TAG] },
  status: { key: `container:status:${CONTAINER_NAME}`, category: 'container_status', ttl: 45 },
  container_health: {
    key: `container:health:${CONTAINER_NAME}`,
    category: 'system_metrics',
    ttl: 15,
  },
} as const satisfies Record<string, CommandCachePolicy>;

/** A command whose answer is cached. */
export type CachedCommand = keyof typeof COMMAND_CACHE_POLICY;

export const CACHED_COMMANDS = Object.keys(COMMAND_CACHE_POLICY) as CachedCommand[];

/** The Python original's pre-warmed commands. */
export const PREWARMED_COMMANDS: readonly CachedCommand[] = ['users', 'worlds', 'status'];

export function isCachedCommand(command: unknown): command is CachedCommand {
  return typeof command === 'string' && Object.hasOwn(COMMAND_CACHE_POLICY, command);
}
