-- Eventscope's commit script: one atomic commit to an event store in Redis (see LAYOUTS.md).
-- KEYS[1] the events hash, KEYS[2] the stream's list.
-- ARGV[1] layout: "seed" (one id per payload) or "zilverline" (one commit record carrying every payload as an event)
-- ARGV[2] expected version: a number, "any" or "none"
-- ARGV[3] id prefix, ARGV[4] channel, ARGV[5] stream name as shown, ARGV[6] timestamp (ms, the writer's clock)
-- ARGV[7..] payloads (zilverline: each a JSON value)
-- Returns {"ok", version, id...} or {"conflict", actual version}; changes nothing on conflict or error.
local actual = redis.call('LLEN', KEYS[2])
local expected = ARGV[2]
if (expected == 'none' and actual ~= 0)
    or (expected ~= 'any' and expected ~= 'none' and tonumber(expected) ~= actual) then
  return {'conflict', actual}
end
local count = #ARGV - 6
if count < 1 then
  return redis.error_reply('ERR nothing to commit')
end
local revision = redis.call('HLEN', KEYS[1])
local zilverline = ARGV[1] == 'zilverline'
local commits = count
if zilverline then
  commits = 1
end
-- Ids are HLEN + 1 onwards; they are dense only while nobody deletes a field. Refuse to overwrite.
local ids = {}
for i = 1, commits do
  local id = ARGV[3] .. string.format('%d', revision + i)
  if redis.call('HEXISTS', KEYS[1], id) == 1 then
    return redis.error_reply('ERR commit id ' .. id .. ' already exists: the ids in ' .. KEYS[1] ..
      ' are not dense (a field was deleted?); nothing was written')
  end
  ids[i] = id
end
local version = actual + commits
local quoted = {}
if zilverline then
  local record = '{"storeRevision":' .. string.format('%d', revision + 1) .. ',"timestamp":' .. ARGV[6] ..
    ',"streamId":' .. cjson.encode(ARGV[5]) .. ',"streamRevision":' .. string.format('%d', version) ..
    ',"events":[' .. table.concat(ARGV, ',', 7) .. '],"headers":{}}'
  redis.call('HSET', KEYS[1], ids[1], record)
  redis.call('RPUSH', KEYS[2], ids[1])
  redis.call('PUBLISH', ARGV[4], record)
else
  for i = 1, commits do
    redis.call('HSET', KEYS[1], ids[i], ARGV[6 + i])
    quoted[i] = cjson.encode(ids[i])
  end
  -- unpack() is bounded by Lua's C stack, so push in slices.
  for first = 1, commits, 1000 do
    redis.call('RPUSH', KEYS[2], unpack(ids, first, math.min(first + 999, commits)))
  end
  redis.call('PUBLISH', ARGV[4], '{"stream":' .. cjson.encode(ARGV[5]) .. ',"version":' ..
    string.format('%d', version) .. ',"ids":[' .. table.concat(quoted, ',') .. ']}')
end
local reply = {'ok', version}
for i = 1, commits do
  reply[2 + i] = ids[i]
end
return reply
