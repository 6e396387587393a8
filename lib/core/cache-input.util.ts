import { isValidCategory, isValidTimeout, isValidTtl } from './cache-status.util.js';
import {
  INVALID_CATEGORY,
  INVALID_SET_OPTIONS,
  INVALID_TIMEOUT,
  INVALID_TTL,
  INVALID_WRAP_OPTIONS,
} from './cache.messages.js';
import { snapshotTags } from './cache-tags.util.js';
import { errorMessage } from './error-text.util.js';
import type { JsonObject } from './json.interface.js';
import { NotJsonError, snapshotJson, snapshotJsonSized } from './json-snapshot.util.js';
import type { WrapOptions } from './wrap-options.interface.js';

/** The metadata of an entry given none, shared by all of them. */
export const EMPTY_METADATA: JsonObject = Object.freeze({});

/** Throws the `RangeError` `set` throws for a TTL that is not a finite number above 0. */
export function assertTtl(ttl: unknown): asserts ttl is number {
  if (!isValidTtl(ttl)) throw new RangeError(INVALID_TTL(ttl));
}

/** Throws the `RangeError` `set` throws for a category that is not a non-empty string. */
export function assertCategory(category: unknown): asserts category is string {
  if (!isValidCategory(category)) throw new RangeError(INVALID_CATEGORY(category));
}

/** Why a value is not JSON: the snapshot's own reason, or what reading it threw. */
export function notJsonReason(error: unknown): string {
  if (error instanceof NotJsonError) return error.message;
  return `reading it threw: ${errorMessage(error)}`;
}

/**
 * Whether the read option `name` is exactly `expected`. Read options are flags, not validated:
 * anything else (no options, null, an options object that throws when read) is the default.
 */
export function readFlag(options: object | undefined, name: string, expected: boolean): boolean {
  if (options === undefined || options === null) return false;
  try {
    return (options as Record<string, unknown>)[name] === expected;
  } catch {
    return false;
  }
}

/**
 * The snapshot of an entry's metadata: a plain JSON object (none given: an empty one).
 * With `sized`, its size is estimated in the same walk (read it with `snapshotBytes()`; the
 * shared empty metadata costs nothing and leaves the estimate untouched).
 * @throws NotJsonError (or what reading it throws) when it is not one.
 */
export function snapshotMetadata(metadata: unknown, sized = false): JsonObject {
  if (metadata === undefined) return EMPTY_METADATA;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new NotJsonError('metadata must be a plain object');
  }
  return sized ? snapshotJsonSized<JsonObject>(metadata) : snapshotJson<JsonObject>(metadata);
}

/**
 * The options object of `set`, each option read once: an options object that throws when read (a
 * getter, a Proxy) is bad options like any other. Values are checked by the caller.
 * @throws RangeError when `options` is not an object or cannot be read.
 */
export function readSetOptions(options: unknown): {
  ttl: unknown;
  category: unknown;
  metadata: unknown;
  tags: unknown;
} {
  if (options === null || typeof options !== 'object') {
    throw new RangeError(INVALID_SET_OPTIONS(options));
  }
  try {
    const { ttl, category, metadata, tags } = options as Record<string, unknown>;
    return { ttl, category, metadata, tags };
  } catch (error) {
    throw new RangeError(INVALID_SET_OPTIONS(options), { cause: error });
  }
}

/** Throws the `RangeError` for a load timeout that is not 0 to 2147483 seconds, naming `option`. */
export function assertTimeout(option: string, seconds: unknown): asserts seconds is number {
  if (!isValidTimeout(seconds)) throw new RangeError(INVALID_TIMEOUT(option, seconds));
}

/**
 * The options of `wrap`, each read once and checked as `set` checks its own: an options object
 * that throws when read (a getter, a Proxy) is a `RangeError`, never the raw error, and the
 * loader never sees the object again (a getter cannot change its answer halfway).
 * Tags given as an array are snapshot here, once (see cache-tags.util.ts); a function of the
 * loaded value is kept, and its answer checked when a value is cached.
 * @throws RangeError for options that are not a readable object, or a bad ttl, category, tags or
 *   timeout.
 */
export function readWrapOptions<T>(options: WrapOptions<T>): WrapOptions<T> {
  if (options === null || typeof options !== 'object') {
    throw new RangeError(INVALID_WRAP_OPTIONS(options));
  }
  let read: WrapOptions<T>;
  try {
    const {
      ttl,
      category,
      metadata,
      tags,
      staleWhileRevalidate,
      staleIfError,
      forceRefresh,
      unless,
      onUncacheable,
      softTimeout,
      hardTimeout,
    } = options;
    read = {
      ttl,
      category,
      metadata,
      tags,
      staleWhileRevalidate,
      staleIfError,
      forceRefresh,
      unless,
      onUncacheable,
      softTimeout,
      hardTimeout,
    };
  } catch (error) {
    throw new RangeError(INVALID_WRAP_OPTIONS(options), { cause: error });
  }
  if (read.ttl !== undefined) assertTtl(read.ttl);
  if (read.category !== undefined) assertCategory(read.category);
  if (read.tags !== undefined && typeof read.tags !== 'function') {
    read.tags = snapshotTags(read.tags);
  }
  if (read.softTimeout !== undefined) assertTimeout('softTimeout', read.softTimeout);
  if (read.hardTimeout !== undefined) assertTimeout('hardTimeout', read.hardTimeout);
  return read;
}
