/**
 * The Lua scripts of the Redis tier. Each write and its announcement on the channel run as one
 * script, so a receiver that hears of an invalidation and then reads Redis never finds the value
 * that was invalidated: Redis ran the deletion before the publish.
 *
 * Time inside the scripts is Redis's own (`TIME`), so the instances' clocks never decide what
 * Redis has already dropped.
 *
 * Keys: `{prefix}e:{key}` holds an entry; `{prefix}x:{category}` is the category's index, a
 * sorted set of keys scored by the time they expire; `{prefix}categories` is the set of category
 * names. The category scripts reach entry keys they compute from the index, so the tier runs on
 * a single Redis (with replicas or Sentinel), not on Redis Cluster.
 */

/** Milliseconds since the epoch, by Redis's clock. */
const NOW_MS = `local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/**
 * KEYS: entry, category index, categories. ARGV: value, expires-at (ms), key, category, channel,
 * message. Writes the entry until it turns EXPIRED, indexes it under its category (trimming the
 * members that expired, so the index holds live keys only and lives as long as its last one),
 * and announces the write.
 */
export const SET_SCRIPT = `${NOW_MS}
local expiresAt = tonumber(ARGV[2])
if expiresAt <= nowMs then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', expiresAt)
  redis.call('ZADD', KEYS[2], expiresAt, ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', nowMs)
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[2], last[2])
  redis.call('SADD', KEYS[3], ARGV[4])
end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1`;

/** KEYS: entry. ARGV: channel, message. Drops one entry and announces it. */
export const DELETE_SCRIPT = `redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1`;

/** Deletes every entry listed in the index `indexKey`, then the index. */
const DROP_CATEGORY = `local function dropCategory(indexKey, entryPrefix)
  local members = redis.call('ZRANGE', indexKey, 0, -1)
  for i = 1, #members, 500 do
    local batch = {}
    for j = i, math.min(i + 499, #members) do batch[#batch + 1] = entryPrefix .. members[j] end
    redis.call('DEL', unpack(batch))
  end
  redis.call('DEL', indexKey)
  return #members
end`;

/**
 * KEYS: category index, categories. ARGV: entry key prefix, category, channel, message.
 * Drops every entry of a category (costs the category's size, never a scan of the keyspace).
 */
export const DROP_CATEGORY_SCRIPT = `${DROP_CATEGORY}
local dropped = dropCategory(KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return dropped`;

/**
 * KEYS: categories. ARGV: entry key prefix, index key prefix, channel, message. Drops every
 * entry of every category: costs the number of entries the tier holds.
 */
export const CLEAR_SCRIPT = `${DROP_CATEGORY}
local dropped = 0
for _, category in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  dropped = dropped + dropCategory(ARGV[2] .. category, ARGV[1])
end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return dropped`;

/** KEYS: lease. ARGV: token. Releases a lease only if it is still ours. */
export const RELEASE_LEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * The entry under `key`, or its size when it is larger than `maxBytes`: a large value is
 * measured in Redis (STRLEN is O(1)) and never sent, so no read's reply is larger than the bound.
 */
const BOUNDED_GET = `local function boundedGet(key, maxBytes)
  local size = redis.call('STRLEN', key)
  if size > maxBytes then return size end
  return redis.call('GET', key)
end`;

/**
 * KEYS: entry. ARGV: largest size to return (bytes). The stored entry (nil when there is none),
 * or, when it is larger than ARGV[1], its size in bytes (an integer) instead.
 */
export const READ_ENTRY_SCRIPT = `${BOUNDED_GET}
return boundedGet(KEYS[1], tonumber(ARGV[1]))`;

/**
 * KEYS: entry, lease. ARGV: largest entry size to return (bytes). Whether the entry is there
 * yet (as in READ_ENTRY_SCRIPT), and whether the lease still is.
 */
export const PEEK_LOAD_SCRIPT = `${BOUNDED_GET}
return { boundedGet(KEYS[1], tonumber(ARGV[1])), redis.call('EXISTS', KEYS[2]) }`;
