import { CACHE_INVALIDATE_METADATA, CACHED_METADATA } from './cached.constants.js';
import type {
  CacheInvalidateOptions,
  CachedOptions,
} from './interfaces/cached-options.interface.js';

/** Reads what `@Cached` and `@CacheInvalidate` recorded on a method. */
export class CachedMetadataAccessor {
  /** The `@Cached` options of `method`, if it is a `@Cached` method. */
  getCachedOptions(method: unknown): CachedOptions | undefined {
    return typeof method === 'function' ? Reflect.getMetadata(CACHED_METADATA, method) : undefined;
  }

  /** The `@CacheInvalidate` options of `method`, if it is a `@CacheInvalidate` method. */
  getInvalidateOptions(method: unknown): CacheInvalidateOptions | undefined {
    return typeof method === 'function'
      ? Reflect.getMetadata(CACHE_INVALIDATE_METADATA, method)
      : undefined;
  }

  /** Whether `method` carries either decorator. */
  isDecorated(method: unknown): boolean {
    return (
      this.getCachedOptions(method) !== undefined || this.getInvalidateOptions(method) !== undefined
    );
  }
}
