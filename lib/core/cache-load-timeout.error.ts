import { LOAD_TIMED_OUT } from './cache.messages.js';

/**
 * What a `wrap` (or `@Cached` method) call rejects with when its load ran past `hardTimeout`.
 * The load was abandoned: its key is free for the next caller at once, and a value it returns
 * later is not cached (a newer load may already have written the key).
 */
export class CacheLoadTimeoutError extends Error {
  override readonly name = 'CacheLoadTimeoutError';

  constructor(
    /** The key whose load timed out. */
    readonly key: string,
    /** The `hardTimeout` it ran past, in seconds. */
    readonly timeoutSeconds: number,
  ) {
    super(LOAD_TIMED_OUT(key, timeoutSeconds));
  }
}

/** The hardTimeout `error` says a load ran past, or undefined for any other failure. */
export function timeoutOf(error: unknown): number | undefined {
  return error instanceof CacheLoadTimeoutError ? error.timeoutSeconds : undefined;
}
