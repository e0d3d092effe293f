/**
 * Checks shared by every script. A key's record hash holds `version` (always), `fence` (once a lease
 * was granted) and `record` (the token as JSON text; absent in a tombstone), nothing else; its lease
 * key is a string (the owner) with a TTL. Anything else in either key was not written by this store.
 * Counts are decimal integers of at most 15 digits, exact in Lua's doubles.
 */
const PRELUDE = `
local function count(v)
  return type(v) == 'string' and #v <= 15 and (v == '0' or string.find(v, '^[1-9][0-9]*$') ~= nil)
end
local function state(h)
  local t = redis.call('TYPE', h)['ok']
  if t == 'none' then return 0, 0 end
  if t ~= 'hash' then return nil end
  local f = redis.call('HMGET', h, 'version', 'fence', 'record')
  local known = 0
  for i = 1, 3 do if f[i] then known = known + 1 end end
  if redis.call('HLEN', h) ~= known or not count(f[1]) or (f[2] and not count(f[2])) then return nil end
  if f[3] and f[1] == '0' then return nil end
  return tonumber(f[1]), tonumber(f[2] or '0')
end
local function lease(k)
  local t = redis.call('TYPE', k)['ok']
  if t == 'none' then return 'free' end
  if t ~= 'string' or redis.call('PTTL', k) < 0 then return nil end
  return 'held'
end
`;

/**
 * The Lua scripts of every operation (run with `EVALSHA`, falling back to `EVAL` on `NOSCRIPT`).
 * `KEYS[1]` is the record hash, `KEYS[2]` the lease key; both carry the store key as a hash tag, so
 * they live in one cluster slot. Every script first checks that both keys hold what this store writes
 * and answers `{'foreign'}` otherwise, changing nothing. Leases are judged by the server alone: the
 * lease key's `PX` TTL, never a time sent by the caller.
 */
export const SCRIPTS = {
  /** → `{'ok', version}` for a tombstone or a never-written key (version 0), `{'ok', version, record}`. */
  read: `${PRELUDE}
local version = state(KEYS[1])
if version == nil then return {'foreign'} end
local record = redis.call('HGET', KEYS[1], 'record')
if record then return {'ok', version, record} end
return {'ok', version}
`,

  /**
   * ARGV: `set` or `delete`, the record's JSON text, the expected version (`''`: any), the writer's
   * fence (`''`: none), the record's refreshDueAt (`''`: none), the store key. Refuses `{'version'}`
   * when the version differs, `{'fence'}` when a newer fence was granted; otherwise writes (or
   * removes) `record`, bumps `version`, moves the store key in the due index `KEYS[2]` (when given:
   * a sorted set scored by refreshDueAt) and publishes the version on `<record key>:changed`:
   * `{'ok', newVersion}`. A delete keeps the hash, so `version` and `fence` never go back.
   */
  write: `${PRELUDE}
local version, fence = state(KEYS[1])
if version == nil then return {'foreign'} end
local indexed = KEYS[2] ~= nil
if indexed then
  local t = redis.call('TYPE', KEYS[2])['ok']
  if t ~= 'none' and t ~= 'zset' then return {'foreign'} end
end
if ARGV[3] ~= '' and tonumber(ARGV[3]) ~= version then return {'version'} end
if ARGV[4] ~= '' and tonumber(ARGV[4]) < fence then return {'fence'} end
if ARGV[1] == 'set' then
  redis.call('HSET', KEYS[1], 'record', ARGV[2])
else
  redis.call('HDEL', KEYS[1], 'record')
end
local written = redis.call('HINCRBY', KEYS[1], 'version', 1)
if indexed then
  if ARGV[1] == 'set' and ARGV[5] ~= '' then
    redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6])
  else
    redis.call('ZREM', KEYS[2], ARGV[6])
  end
end
-- Wakes the key's waiters in other processes (subscribed stores); nobody listening costs nothing.
redis.call('PUBLISH', KEYS[1] .. ':changed', written)
return {'ok', written}
`,

  /**
   * ARGV: owner, TTL in ms. `SET lease owner NX PX ttl`; when it took, bumps the hash's `fence` in
   * the same script: `{'ok', fence}`, else `{'held'}`.
   */
  acquireLease: `${PRELUDE}
local version = state(KEYS[1])
if version == nil or lease(KEYS[2]) == nil then return {'foreign'} end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'held'} end
if version == 0 then redis.call('HSETNX', KEYS[1], 'version', '0') end
return {'ok', redis.call('HINCRBY', KEYS[1], 'fence', 1)}
`,

  /**
   * ARGV: owner, fence, TTL in ms. While the lease key holds `owner` and `fence` is the newest
   * granted, `PEXPIRE`s it: `{'ok'}`; else `{'lost'}`.
   */
  renewLease: `${PRELUDE}
local version, fence = state(KEYS[1])
local held = lease(KEYS[2])
if version == nil or held == nil then return {'foreign'} end
if held == 'held' and fence == tonumber(ARGV[2]) and redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return {'ok'}
end
return {'lost'}
`,

  /**
   * The due index `KEYS[1]`, a sorted set of store keys scored by refreshDueAt. ARGV: before, prefix,
   * the cursor's score (`''`: none) and key, limit, how many entries to look at at most. Members
   * after the cursor in (score, key) order, score at most `before`, starting with the prefix (other
   * providers' keys are passed over, at most the given number of entries per call):
   * `{'ok', nextScore, nextKey, key1, score1, ...}`, next empty when nothing more is due.
   * Keys are compared byte by byte, as the sorted set orders ties (Lua's `<` follows the locale).
   */
  listDue: `
local t = redis.call('TYPE', KEYS[1])['ok']
if t == 'none' then return {'ok', '', ''} end
if t ~= 'zset' then return {'foreign'} end
local function later(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
local prefix, limit, cap = ARGV[2], tonumber(ARGV[5]), tonumber(ARGV[6])
local afterScore = ARGV[3] ~= '' and tonumber(ARGV[3]) or nil
local out = {'ok', '', ''}
local found, seen, offset = 0, 0, 0
while true do
  local batch = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3] ~= '' and ARGV[3] or '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', offset, 200)
  if #batch == 0 then return out end
  for i = 1, #batch, 2 do
    local member, score = batch[i], batch[i + 1]
    local s = tonumber(score)
    if afterScore == nil or s > afterScore or later(member, ARGV[4]) then
      seen = seen + 1
      if string.sub(member, 1, #prefix) == prefix then
        found = found + 1
        out[#out + 1] = member
        out[#out + 1] = score
      end
      if found >= limit or seen >= cap then
        out[2], out[3] = score, member
        return out
      end
    end
  end
  offset = offset + 200
end
`,

  /** ARGV: owner, fence. The same check as renewing, then `DEL` of the lease key; the fence stays. */
  releaseLease: `${PRELUDE}
local version, fence = state(KEYS[1])
local held = lease(KEYS[2])
if version == nil or held == nil then return {'foreign'} end
if held == 'held' and fence == tonumber(ARGV[2]) and redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  return {'ok'}
end
return {'lost'}
`,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
