/**
 * A clock the cache reads time from: milliseconds since the Unix epoch.
 *
 * Inject one (the `clock` option) to drive time in tests. The cache never sees time go backwards:
 * a reading below the previous one is treated as the previous one.
 */
export type Clock = () => number;
