/**
 * The Lua scripts of the Redis tier. Each change, its entry in the bus history and its
 * announcement on the channel run as one script, so a receiver that hears of an invalidation and
 * then reads Redis never finds the value that was invalidated (Redis ran the deletion before the
 * publish), and no change is announced that the history does not hold.
 *
 * Time inside the scripts is Redis's own (`TIME`), so the instances' clocks never decide what
 * Redis has already dropped.
 *
 * Keys: `{prefix}e:{key}` holds an entry; `{prefix}x:{category}` is the category's index, a
 * sorted set of keys scored by the time they expire; `{prefix}categories` is the set of category
 * names; `{prefix}bus-history` is the bus history, a stream of the announced messages. The
 * category scripts reach entry keys they compute from the index, so the tier runs on a single
 * Redis (with replicas or Sentinel), not on Redis Cluster.
 */

/** Milliseconds since the epoch, by Redis's clock. */
const NOW_MS = `local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/**
 * The announce step every script that changes something ends with. Its last key is the bus
 * history; its last four arguments are the channel, the message (its stored form, a JSON object),
 * the history's length bound and its age bound (ms). Appends the message to the history (an
 * XADD trimmed to about the length bound, then entries older than the age bound trimmed: `~`
 * trims whole nodes only, so at least that much is kept), and publishes it with its history id
 * put first, so that a receiver knows where it is in the history.
 */
const ANNOUNCE = `local function announce()
  local n = #ARGV
  local history, channel, message = KEYS[#KEYS], ARGV[n - 3], ARGV[n - 2]
  local id = redis.call('XADD', history, 'MAXLEN', '~', ARGV[n - 1], '*', 'm', message)
  local time = redis.call('TIME')
  local oldest = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - tonumber(ARGV[n])
  if oldest > 0 then
    redis.call('XTRIM', history, 'MINID', '~', string.format('%.0f', oldest))
  end
  redis.call('PUBLISH', channel, '{"id":"' .. id .. '",' .. string.sub(message, 2))
end`;

/**
 * KEYS: entry, category index, categories, history. ARGV: value, expires-at (ms), key, category,
 * then the announcement's four. Writes the entry until it turns EXPIRED, indexes it under its category (trimming the
 * members that expired, so the index holds live keys only and lives as long as its last one),
 * and announces the write.
 */
export const SET_SCRIPT = `${NOW_MS}
${ANNOUNCE}
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
announce()
return 1`;

/** KEYS: entry, history. ARGV: the announcement's four. Drops one entry and announces it. */
export const DELETE_SCRIPT = `${ANNOUNCE}
redis.call('DEL', KEYS[1])
announce()
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
 * KEYS: category index, categories, history. ARGV: entry key prefix, category, then the
 * announcement's four. Drops every entry of a category (costs the category's size, never a scan
 * of the keyspace).
 */
export const DROP_CATEGORY_SCRIPT = `${DROP_CATEGORY}
${ANNOUNCE}
local dropped = dropCategory(KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
announce()
return dropped`;

/**
 * KEYS: categories, history. ARGV: entry key prefix, index key prefix, then the announcement's
 * four. Drops every entry of every category: costs the number of entries the tier holds. The
 * history stays: instances that missed the clear read it there.
 */
export const CLEAR_SCRIPT = `${DROP_CATEGORY}
${ANNOUNCE}
local dropped = 0
for _, category in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  dropped = dropped + dropCategory(ARGV[2] .. category, ARGV[1])
end
redis.call('DEL', KEYS[1])
announce()
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

/**
 * KEYS: history. ARGV: where to start (an id, included, or `(` and an id, after it), how many,
 * the largest reply (bytes). Entries of the bus history, oldest first: as many as asked, or
 * fewer when their messages add up to more than the largest reply (at least one), so that no
 * reply is larger than a value may be (keys can be long).
 */
export const READ_HISTORY_SCRIPT = `local entries = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', ARGV[2])
local budget = tonumber(ARGV[3])
local size = 0
for i, entry in ipairs(entries) do
  for _, part in ipairs(entry[2]) do size = size + #part end
  if size > budget and i > 1 then
    local kept = {}
    for j = 1, i - 1 do kept[j] = entries[j] end
    return kept
  end
end
return entries`;

/** KEYS: history. The newest entry of the bus history (none when there is no history). */
export const LAST_IN_HISTORY_SCRIPT = `return redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)`;
