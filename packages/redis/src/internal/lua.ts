// The Lua scripts that make each buffer operation one atomic step on the server.
// Every script gets the keys of `keyList()`: stream, stats, leases, demand, dead letters.

/** Helpers shared by the scripts (prepended to each). */
const PRELUDE = `
local stream, stats, leases, demand, dlq = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local function toMap(flat)
  local map = {}
  for i = 1, #flat, 2 do map[flat[i]] = flat[i + 1] end
  return map
end
-- The group's XINFO fields; nil without a stream, unless create is true: it makes the stream with the
-- group (never at another id: the group starts before the first entry); an error reply when the
-- stream exists without the group.
local function groupOf(group, create)
  if redis.call('EXISTS', stream) == 0 then
    if not create then return nil end
    redis.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM', 'ENTRIESREAD', 0)
  end
  for _, entry in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
    local info = toMap(entry)
    if info['name'] == group then return info end
  end
  return redis.error_reply('NOGROUP the consumer group of ' .. stream .. ' is missing')
end
-- Entry ids are "<sequence>-0", numbered from 1 by the append script, and undelivered entries
-- are never deleted: so the undelivered count is the difference of two sequence numbers. (Redis's
-- own lag is not trusted: 7.0 loses a group's entries-read on an AOF reload or on a replica.)
local function seqOf(id)
  return tonumber(string.match(id, '^(%d+)')) or 0
end
-- The newest entry is never trimmed (the trim floor is at most the last delivered id), so it
-- carries the last sequence number given out.
local function position(info)
  local delivered = seqOf(info['last-delivered-id'])
  local newest = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1]
  local added = newest and seqOf(newest[1]) or 0
  return added - delivered, delivered, added
end
local function deadLetter(id, deliveries, reason, limit)
  local entry = redis.call('XRANGE', stream, id, id)[1]
  if entry then
    redis.call('XADD', dlq, 'MAXLEN', '~', limit, '*', 'e', toMap(entry[2])['e'], 'id', id, 'deliveries', deliveries, 'reason', reason)
    redis.call('HINCRBY', stats, 'deadLettered', 1)
  else
    redis.call('HINCRBY', stats, 'lost', 1)
  end
  redis.call('XACK', stream, ARGV[1], id)
end
local function idBefore(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end
local function now()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
`;

/**
 * Appends a batch. ARGV: group, capacity, mode (`drop-newest`, `drop-oldest`, or `fit`, which
 * adds what fits and drops nothing), then one encoded event per argument.
 * Returns `{ added, dropped, buffered }`.
 *
 * Drop-oldest never deletes: it moves the group's cursor past the oldest undelivered entries
 * (`XGROUP SETID … ENTRIESREAD`), so they are never delivered and `lag` stays exact; they are
 * trimmed later with `XTRIM MINID`, which leaves no tombstone. Pending entries are never touched.
 */
export const APPEND = `${PRELUDE}
local group, capacity, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local first, count = 4, #ARGV - 3
local info = groupOf(group, true)
if info['err'] then return info end
local lag, read, last = position(info)
local dropped, skipped = 0, 0
if mode == 'drop-oldest' then
  local over = lag + count - capacity
  if over > 0 then
    skipped = math.min(over, lag)
    if skipped > 0 then
      read = read + skipped
      lag = lag - skipped
      redis.call('XGROUP', 'SETID', stream, group, read .. '-0', 'ENTRIESREAD', read)
    end
    local new = over - skipped
    first = first + new
    dropped = over
  end
else
  local room = math.max(0, capacity - lag)
  if count > room then
    if mode == 'drop-newest' then dropped = count - room end
    count = room
  end
end
local final = (mode == 'drop-oldest') and #ARGV or (first + count - 1)
local added = 0
for i = first, final do
  last = last + 1
  redis.call('XADD', stream, last .. '-0', 'e', ARGV[i])
  added = added + 1
end
lag = lag + added
local offered = (mode == 'fit') and added or (#ARGV - 3)
redis.call('HINCRBY', stats, 'appended', offered)
if dropped > 0 then redis.call('HINCRBY', stats, 'dropped', dropped) end
if skipped > 0 then redis.call('HINCRBY', stats, 'skipped', skipped) end
if redis.call('XLEN', stream) > 2 * capacity then
  local pending = redis.call('XPENDING', stream, group)
  local floor = read .. '-0'
  if pending[1] > 0 then floor = pending[2] end
  redis.call('XTRIM', stream, 'MINID', floor)
end
return { added, dropped, lag }
`;

/**
 * Settles entries a consumer holds, only those it still owns. ARGV: group, consumer, mode
 * (`ack`; `release`, which hands them to the released pseudo-consumer for the next claim;
 * `return`, the same for entries never handled, whose delivery is not counted; `dead`, which
 * moves them to the dead-letter stream), leaving (`1` also ends the consumer's
 * lease), dead-letter limit, released-consumer name, then the entry ids. Returns the ids it no
 * longer owned.
 */
export const SETTLE = `${PRELUDE}
local group, consumer, mode, leaving, limit, released = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local owned, lost = {}, {}
-- One range read of the consumer's pending entries instead of one per id: a batch comes in id
-- order, so its first and last ids span it. An id the range does not show (a batch taken over
-- from several consumers is not in order; an entry owned by another consumer) is looked up alone.
local low, high = ARGV[7], ARGV[#ARGV]
local mine = {}
if low then
  if idBefore(high, low) then low, high = high, low end
  for _, entry in ipairs(redis.call('XPENDING', stream, group, low, high, 1000 + 2 * (#ARGV - 6), consumer)) do
    mine[entry[1]] = entry
  end
end
for i = 7, #ARGV do
  local id = ARGV[i]
  local entry = mine[id] or redis.call('XPENDING', stream, group, id, id, 1)[1]
  if entry and entry[2] == consumer then
    owned[#owned + 1] = id
    if mode == 'dead' then deadLetter(id, entry[4], 'undecodable', limit) end
    if mode == 'return' then
      redis.call('XCLAIM', stream, group, released, 0, id, 'RETRYCOUNT', math.max(0, entry[4] - 1), 'JUSTID')
    end
  else
    lost[#lost + 1] = id
  end
end
for i = 1, #owned, 1000 do
  local chunk = { unpack(owned, i, math.min(i + 999, #owned)) }
  if mode == 'ack' then
    redis.call('XACK', stream, group, unpack(chunk))
  elseif mode == 'release' then
    local args = { stream, group, released, 0, unpack(chunk) }
    args[#args + 1] = 'JUSTID'
    redis.call('XCLAIM', unpack(args))
  end
end
if mode == 'ack' and #owned > 0 then redis.call('HINCRBY', stats, 'acked', #owned) end
if #lost > 0 then redis.call('HINCRBY', stats, 'ownershipLost', #lost) end
if leaving == '1' then
  redis.call('HDEL', leases, consumer)
  redis.call('HDEL', demand, consumer)
  if redis.call('EXISTS', stream) == 1 and #redis.call('XPENDING', stream, group, '-', '+', 1, consumer) == 0 then
    redis.call('XGROUP', 'DELCONSUMER', stream, group, consumer)
  end
end
return lost
`;

/**
 * Takes over entries from consumers that are gone, for the caller, with their data. ARGV: group,
 * caller, most entries to take, max deliveries, visibility timeout (ms, 0 = off), released
 * name, disconnect check (`1` = the names that follow are the connected consumers; a consumer
 * missing from them and idle for longer than the next argument is gone), idle grace (ms), then
 * the connected names. A consumer is gone when its lease ran out, it is missing from the
 * connected names, or it is the released pseudo-consumer. Entries delivered `max deliveries`
 * times go to the dead-letter stream instead. Returns `id, encoded event, delivery count`
 * triples, flat.
 */
export const CLAIM = `${PRELUDE}
local group, caller, room, maxDeliveries = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local visibility, released, checkConnections, grace = tonumber(ARGV[5]), ARGV[6], ARGV[7] == '1', tonumber(ARGV[8])
local limit = ARGV[9]
local info = groupOf(group)
if not info then return {} end
if info['err'] then return info end
local connected = {}
for i = 10, #ARGV do connected[ARGV[i]] = true end
local clock = now()
local out = {}
local function take(pending, minIdle)
  local ids, counts = {}, {}
  for _, entry in ipairs(pending) do
    local id, deliveries = entry[1], entry[4]
    if deliveries >= maxDeliveries then
      deadLetter(id, deliveries, 'maxDeliveries', limit)
    else
      ids[#ids + 1] = id
      counts[id] = deliveries
    end
  end
  if #ids == 0 then return 0 end
  local claimed = redis.call('XCLAIM', stream, group, caller, minIdle, unpack(ids))
  for _, entry in ipairs(claimed) do
    out[#out + 1] = entry[1]
    out[#out + 1] = toMap(entry[2])['e'] or ''
    out[#out + 1] = counts[entry[1]] + 1
  end
  redis.call('HINCRBY', stats, 'redelivered', #claimed)
  -- XCLAIM drops ids whose entry was trimmed away from the pending list and does not return them.
  if minIdle == 0 and #claimed < #ids then redis.call('HINCRBY', stats, 'lost', #ids - #claimed) end
  room = room - #claimed
  return #ids + (#pending - #ids)
end
for _, entry in ipairs(redis.call('XINFO', 'CONSUMERS', stream, group)) do
  local consumer = toMap(entry)
  local name, pending, idle = consumer['name'], consumer['pending'], consumer['idle']
  if name ~= caller then
    local lease = redis.call('HGET', leases, name)
    local gone = name == released or not lease or tonumber(lease) < clock
      or (checkConnections and not connected[name] and idle > grace)
    if gone then
      local taken = 0
      if pending > 0 and room > 0 then
        taken = take(redis.call('XPENDING', stream, group, '-', '+', room, name), 0)
      end
      if taken == pending then
        redis.call('XGROUP', 'DELCONSUMER', stream, group, name)
        redis.call('HDEL', leases, name)
        redis.call('HDEL', demand, name)
      end
    end
  end
end
-- Leases of consumers that ran out (a process that died before its consumer read anything).
local expiries = redis.call('HGETALL', leases)
for i = 1, #expiries, 2 do
  if tonumber(expiries[i + 1]) < clock then
    redis.call('HDEL', leases, expiries[i])
    redis.call('HDEL', demand, expiries[i])
  end
end
if room > 0 and visibility > 0 then
  local stale = {}
  for _, entry in ipairs(redis.call('XPENDING', stream, group, 'IDLE', visibility, '-', '+', room)) do
    if entry[2] ~= caller then stale[#stale + 1] = entry end
  end
  if #stale > 0 then take(stale, visibility) end
end
return out
`;

/**
 * Refreshes leases and published demand, creating the stream and its group when there is no
 * stream yet (a consumer may start before the first append). ARGV: lease length (ms), group,
 * then consumer, demand pairs. Returns the server time.
 */
export const HEARTBEAT = `${PRELUDE}
local ttl = tonumber(ARGV[1])
local clock = now()
groupOf(ARGV[2], true)
for i = 3, #ARGV, 2 do
  redis.call('HSET', leases, ARGV[i], clock + ttl)
  redis.call('HSET', demand, ARGV[i], ARGV[i + 1])
end
return clock
`;

/**
 * Reads the buffer's gauges and counters in one step. ARGV: group. Returns `buffered, inFlight,
 * entries delivered or skipped, live consumers, their demand`, then the counters as field, value pairs.
 */
export const SNAPSHOT = `${PRELUDE}
local info = groupOf(ARGV[1])
if info and info['err'] then return info end
local lag, read, pending = 0, 0, 0
if info then
  lag, read = position(info)
  pending = info['pending']
end
local clock = now()
local live, asked = 0, 0
local expiries = toMap(redis.call('HGETALL', leases))
for name, expiry in pairs(expiries) do
  if tonumber(expiry) >= clock then
    live = live + 1
    asked = asked + (tonumber(redis.call('HGET', demand, name)) or 0)
  end
end
local out = { lag, pending, read, live, asked }
for _, value in ipairs(redis.call('HGETALL', stats)) do out[#out + 1] = value end
return out
`;

/** The server's version (`redis.REDIS_VERSION`, which Redis 7.0 brought: older servers give `false`). */
export const VERSION = `return redis.REDIS_VERSION or false`;
