/**
 * The little the Redis tier needs from a client: the commands it sends and the connection events
 * it watches. An `ioredis` `Redis` instance fits as it is. Declared here so that the library's
 * public types never name `ioredis`, an optional peer dependency.
 */
export interface RedisClientLike {
  /** The connection state (`'ready'` once commands can be sent). */
  readonly status: string;
  /** The client's own options; the tier reads `keyPrefix` to refuse a client that has one. */
  readonly options?: { keyPrefix?: string };
  get(key: string): Promise<string | null>;
  /** `SET key value PX milliseconds NX`: the one form the tier sends (taking the lease). */
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  /**
   * Runs a script Redis already holds, by its SHA1. Optional: without it every script is sent
   * whole with `eval`.
   */
  evalsha?(sha: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  /** Connects a client created with `lazyConnect` (status `'wait'`). */
  connect?(): Promise<unknown>;
  /**
   * A new connection with the same options but `override`, used for the invalidation bus (the
   * tier passes `{ autoResubscribe: false }`: it subscribes again itself after a reconnect).
   */
  duplicate(override?: Record<string, unknown>): RedisClientLike;
  quit(): Promise<unknown>;
  disconnect(): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as EventEmitter declares it
  on(event: string, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as EventEmitter declares it
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/** When the tier stops trying Redis after failures, and for how long. */
export interface RedisCircuitBreakerOptions {
  /**
   * Consecutive failed Redis commands that open the circuit: connection errors and timeouts.
   * Redis answering with an error (it is up) does not count, nor does the timeout of a batch of
   * background writes that carries more than `maxValueBytes` (the time to move that much data
   * says nothing of Redis's health).
   * @default 5
   */
  failureThreshold?: number;
  /**
   * Milliseconds the circuit stays open (no command is sent to Redis, L2 reads are misses) before
   * one command is let through to probe it.
   * @default 5000
   */
  cooldown?: number;
}

/** The lease that lets one instance at a time run the loader of a key. */
export interface RedisDistributedLockOptions {
  /**
   * Milliseconds the lease lasts. A loader that runs longer loses it, and another instance may
   * start loading the same key; a crashed instance blocks the key for at most this long.
   * @default 10000
   */
  leaseTimeout?: number;
  /**
   * Milliseconds between two looks in Redis of an instance waiting for another one's load. The
   * invalidation bus usually wakes it sooner: the loaded value's write is announced on it.
   * @default 100
   */
  pollInterval?: number;
}

/**
 * The `redis` option of `CacheManagerModule.forRoot()`: Redis as a second cache tier shared by
 * every instance of the app, and as the bus that carries invalidations between them.
 *
 * Give `url` (the tier creates and owns its connections; `ioredis` must be installed) or `client`
 * (an `ioredis` client you own; the tier duplicates it for the bus and never closes it).
 */
export interface RedisTierOptions {
  /** A Redis URL, e.g. `redis://user:password@host:6379/0`. Exclusive with `client`. */
  url?: string;
  /**
   * An `ioredis` client to use. Give it `enableOfflineQueue: false`, so that a command sent while
   * Redis is away fails at once instead of being replayed, late, after it comes back. Exclusive
   * with `url`; must not have a `keyPrefix` of its own (use this option's `keyPrefix`).
   */
  client?: RedisClientLike;
  /**
   * More `ioredis` options for the connections the tier creates from `url` (`tls`,
   * `retryStrategy`, `connectTimeout`…). The tier sets `enableOfflineQueue: false`,
   * `lazyConnect: true` and `maxRetriesPerRequest: 0` unless you set them.
   */
  clientOptions?: Record<string, unknown>;
  /**
   * Prefix of every key and of the channel the tier uses. Apps (or app versions) that must not
   * share cached values use different prefixes.
   * @default 'fresh-cache:'
   */
  keyPrefix?: string;
  /**
   * Milliseconds a Redis command may take before the tier gives up on it: the longest any cache
   * call waits for Redis. A timed-out command counts as a failure for the circuit breaker.
   * @default 250
   */
  commandTimeout?: number;
  /**
   * Milliseconds a background write (a `set`, an invalidation) may take before it counts as
   * failed. Longer than `commandTimeout` because nobody waits for it, and a burst of writes
   * queues on one connection; a failed invalidation is kept and replayed.
   * @default 2000
   */
  writeTimeout?: number;
  /**
   * Largest entry, in bytes of its stored form (the entry's JSON: data, metadata, timestamp),
   * that goes to Redis. A larger one is kept in this instance's memory only: Redis drops the
   * key's older value and the other instances their copy (as for any write), and the entry is
   * counted in `l2Oversized`, never as an error. A larger value found in Redis (written by an
   * instance with a higher bound) is read as a miss without being transferred.
   *
   * Why: moving a value of many megabytes takes longer than a command timeout. Bounding what
   * goes over the connection keeps every Redis command small, so a timeout means Redis or the
   * network is unwell, and counts for the circuit breaker; a few large values cannot switch
   * the tier off. Keep it small enough to move well within `commandTimeout`.
   * @default 1048576 (1 MiB)
   */
  maxValueBytes?: number;
  /** When to stop trying Redis after repeated failures. */
  circuitBreaker?: RedisCircuitBreakerOptions;
  /**
   * Let at most one instance at a time run the loader of a key (`wrap`, `@Cached`): the others
   * serve the STALE entry they hold, or wait for the loaded value. `true` for the defaults.
   * Without it, every instance that misses a key loads it (still once per instance).
   * @default false
   */
  distributedLock?: boolean | RedisDistributedLockOptions;
  /**
   * How much of the bus history Redis keeps: every change announced on the bus (writes,
   * invalidations, deletions, clears) is also appended to a stream, `{keyPrefix}bus-history`, in
   * the same script. An instance that lost the bus for a while reads there what it missed when it
   * hears the bus again, and applies exactly that, keeping the rest of its memory. A gap longer
   * than the history reaches back (more changes than `maxLength` since, older than `maxAge`, or
   * a Redis that lost the stream) clears the instance's memory instead, as a gap always did
   * before.
   */
  busHistory?: {
    /**
     * Changes kept, about (Redis trims whole nodes of the stream: at least this many are kept).
     * Each costs the size of its message in Redis, about 100 bytes for a short key.
     * @default 100000
     */
    maxLength?: number;
    /**
     * Seconds (not milliseconds, unlike the durations above) a change is kept, at least: older
     * ones are trimmed when a change is appended. The default is twice the default TTL: a gap
     * longer than that outlived the entries of the default TTL anyway.
     * @default 600
     */
    maxAge?: number;
  };
  /**
   * How many invalidations made while Redis was unreachable are kept, to be applied and
   * announced when it returns. Past this many, the whole shared cache is cleared on return
   * instead.
   * @default 10000
   */
  maxPendingInvalidations?: number;
  /**
   * Minimum milliseconds between two log lines about Redis errors; the errors in between are
   * counted in the next line. Connection state changes are always logged.
   * @default 10000
   */
  errorLogInterval?: number;
  /**
   * This instance's name on the bus (its own messages are ignored when they come back).
   * @default a random id
   */
  instanceId?: string;
}

/** {@link RedisTierOptions} after defaults and checks. */
export interface ResolvedRedisTierOptions {
  url: string | undefined;
  client: RedisClientLike | undefined;
  clientOptions: Record<string, unknown>;
  keyPrefix: string;
  commandTimeout: number;
  writeTimeout: number;
  maxValueBytes: number;
  failureThreshold: number;
  cooldown: number;
  /** Undefined when the distributed lock is off. */
  lock: Required<RedisDistributedLockOptions> | undefined;
  maxPendingInvalidations: number;
  /** Entries the bus history keeps, about. */
  busHistoryMaxLength: number;
  /** Seconds the bus history keeps an entry, at least. */
  busHistoryMaxAge: number;
  errorLogInterval: number;
  instanceId: string;
}
