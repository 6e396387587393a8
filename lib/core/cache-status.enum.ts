/**
 * Where an entry stands in its life.
 *
 * With `age` the time since the entry was written and `ttl` its time to live:
 * - `FRESH` while `age < ttl`;
 * - `STALE` while `ttl <= age <= 2 × ttl` (past its TTL, still usable on request);
 * - `EXPIRED` once `age > 2 × ttl` (never served; removed by cleanup);
 * - `INVALID` once invalidated, whatever its age (never served; removed by cleanup).
 */
export enum CacheStatus {
  FRESH = 'fresh',
  STALE = 'stale',
  EXPIRED = 'expired',
  INVALID = 'invalid',
}
