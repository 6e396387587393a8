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
 * names; `{prefix}t:{tag}` is the tag's index, a sorted set like a category's;
 * `{prefix}tags:{key}` is the set of the tags the entry under `key` carries (only for a tagged
 * entry, and expiring with it), so that a script that rewrites or drops the entry takes it out of
 * exactly the tag indexes that list it; `{prefix}bus-history` is the bus history, a stream of the
 * announced messages. The category and tag scripts reach keys they compute from an index, so the
 * tier runs on a single Redis (with replicas or Sentinel), not on Redis Cluster.
 *
 * A tag index lists a key exactly while the entry under it carries the tag (until the entry
 * expires: members whose score has passed are skipped, and trimmed by the next write of the tag).
 * A category index may also list a key rewritten under another category since: dropping or
 * expiring that category then reaches the key too, which only costs a reload.
 */

import { EXPIRED_MARK_OFFSET } from './redis-entry.codec.js';

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
 * Lists `member` in the index `indexKey` until `expiresAt`, trims the members that expired (so the
 * index holds live keys only), and makes the index live as long as its last member.
 */
const ADD_TO_INDEX = `local function addToIndex(indexKey, member, expiresAt, nowMs)
  redis.call('ZADD', indexKey, expiresAt, member)
  redis.call('ZREMRANGEBYSCORE', indexKey, '-inf', nowMs)
  local last = redis.call('ZRANGE', indexKey, -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', indexKey, last[2])
end`;

/**
 * Takes `key` out of the index of every tag its entry carries (as `tagsKey`, the entry's tag
 * set, lists them), and drops that set. Something that is not ours under those keys is dropped or
 * left, never an error: a foreign value must not block a write or an invalidation.
 */
const UNTAG = `local function untag(tagsKey, tagIndexPrefix, key)
  local tags = redis.pcall('SMEMBERS', tagsKey)
  if tags.err == nil then
    for _, tag in ipairs(tags) do redis.pcall('ZREM', tagIndexPrefix .. tag, key) end
  end
  redis.call('DEL', tagsKey)
end`;

/**
 * Marks the entry under `entryKey` expired early, keeping its value and its expiry: one byte
 * (the entry codec puts the mark first). An entry of an earlier version, without the mark, gets
 * it put first. Nothing there, or something not ours: left as it is. Returns 1 when it marked one.
 */
const MARK_EXPIRED = `local function markExpired(entryKey)
  local head = redis.pcall('GETRANGE', entryKey, 0, ${EXPIRED_MARK_OFFSET})
  if type(head) ~= 'string' then return 0 end
  if head == '{"x":0' then
    redis.call('SETRANGE', entryKey, ${EXPIRED_MARK_OFFSET}, '1')
    return 1
  end
  if head ~= '{"v":1' then return 0 end
  local value = redis.call('GET', entryKey)
  redis.call('SET', entryKey, '{"x":1,' .. string.sub(value, 2), 'KEEPTTL')
  return 1
end`;

/** The live members of the index `indexKey` (their entries have not expired by `nowMs`). */
const LIVE_MEMBERS = `local function liveMembers(indexKey, nowMs)
  return redis.call('ZRANGEBYSCORE', indexKey, '(' .. string.format('%.0f', nowMs), '+inf')
end`;

/**
 * KEYS: entry, category index, categories, entry's tag set, history. ARGV: value, expires-at
 * (ms), key, category, tag index prefix, the entry's tags (none or more), then the announcement's
 * four. Takes the key out of the indexes of the tags its previous entry carried, writes the entry
 * until it turns EXPIRED, indexes it under its category and each of its tags, and announces the
 * write.
 */
export const SET_SCRIPT = `${NOW_MS}
${ANNOUNCE}
${ADD_TO_INDEX}
${UNTAG}
local expiresAt = tonumber(ARGV[2])
local key = ARGV[3]
local firstTag, lastTag = 6, #ARGV - 4
untag(KEYS[4], ARGV[5], key)
if expiresAt <= nowMs then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', expiresAt)
  addToIndex(KEYS[2], key, expiresAt, nowMs)
  redis.call('SADD', KEYS[3], ARGV[4])
  if lastTag >= firstTag then
    for i = firstTag, lastTag do addToIndex(ARGV[5] .. ARGV[i], key, expiresAt, nowMs) end
    redis.call('SADD', KEYS[4], unpack(ARGV, firstTag, lastTag))
    redis.call('PEXPIREAT', KEYS[4], expiresAt)
  end
end
announce()
return 1`;

/**
 * KEYS: entry, entry's tag set, history. ARGV: tag index prefix, key, then the announcement's
 * four. Drops one entry (and its place in the tag indexes) and announces it.
 */
export const DELETE_SCRIPT = `${ANNOUNCE}
${UNTAG}
redis.call('DEL', KEYS[1])
untag(KEYS[2], ARGV[1], ARGV[2])
announce()
return 1`;

/**
 * KEYS: entry, history. ARGV: the announcement's four. Marks one entry expired early (a later
 * read restores it STALE) and announces it, whether Redis holds the entry or not.
 */
export const EXPIRE_KEY_SCRIPT = `${ANNOUNCE}
${MARK_EXPIRED}
markExpired(KEYS[1])
announce()
return 1`;

/**
 * KEYS: a category or tag index, history. ARGV: entry key prefix, then the announcement's four.
 * Marks every live entry the index lists expired early (costs the index's size, never a scan of
 * the keyspace) and announces it. Returns how many it marked.
 */
export const EXPIRE_INDEXED_SCRIPT = `${NOW_MS}
${ANNOUNCE}
${MARK_EXPIRED}
${LIVE_MEMBERS}
local expired = 0
for _, key in ipairs(liveMembers(KEYS[1], nowMs)) do
  expired = expired + markExpired(ARGV[1] .. key)
end
announce()
return expired`;

/**
 * KEYS: tag index, history. ARGV: entry key prefix, entry tag set prefix, tag index prefix, then
 * the announcement's four. Drops every live entry carrying the tag (and its place in the indexes
 * of its other tags), then the tag's index, and announces it: costs the tag's size (and the
 * entries' tags), never a scan of the keyspace. Returns how many entries it reached.
 */
export const DROP_TAG_SCRIPT = `${NOW_MS}
${ANNOUNCE}
${UNTAG}
${LIVE_MEMBERS}
local members = liveMembers(KEYS[1], nowMs)
for _, key in ipairs(members) do
  redis.call('DEL', ARGV[1] .. key)
  untag(ARGV[2] .. key, ARGV[3], key)
end
redis.call('DEL', KEYS[1])
announce()
return #members`;

/** Deletes every entry listed in the index `indexKey` (untagging each), then the index. */
const DROP_CATEGORY = `${UNTAG}
local function dropCategory(indexKey, entryPrefix, tagsPrefix, tagIndexPrefix)
  local members = redis.call('ZRANGE', indexKey, 0, -1)
  for i = 1, #members, 500 do
    local batch = {}
    for j = i, math.min(i + 499, #members) do
      batch[#batch + 1] = entryPrefix .. members[j]
      untag(tagsPrefix .. members[j], tagIndexPrefix, members[j])
    end
    redis.call('DEL', unpack(batch))
  end
  redis.call('DEL', indexKey)
  return #members
end`;

/**
 * KEYS: category index, categories, history. ARGV: entry key prefix, category, entry tag set
 * prefix, tag index prefix, then the announcement's four. Drops every entry of a category (costs
 * the category's size and its entries' tags, never a scan of the keyspace).
 */
export const DROP_CATEGORY_SCRIPT = `${DROP_CATEGORY}
${ANNOUNCE}
local dropped = dropCategory(KEYS[1], ARGV[1], ARGV[3], ARGV[4])
redis.call('SREM', KEYS[2], ARGV[2])
announce()
return dropped`;

/**
 * KEYS: categories, history. ARGV: entry key prefix, category index prefix, entry tag set prefix,
 * tag index prefix, then the announcement's four. Drops every entry of every category (and so
 * every tag index): costs the number of entries the tier holds, and their tags. The history
 * stays: instances that missed the clear read it there.
 */
export const CLEAR_SCRIPT = `${DROP_CATEGORY}
${ANNOUNCE}
local dropped = 0
for _, category in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  dropped = dropped + dropCategory(ARGV[2] .. category, ARGV[1], ARGV[3], ARGV[4])
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
