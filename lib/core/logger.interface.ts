/**
 * Where the cache writes its log lines. Nest's `Logger` fits as it is; so does `console`.
 */
export interface CacheLogger {
  debug(message: string): void;
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
}
