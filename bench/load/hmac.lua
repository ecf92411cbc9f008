-- SHA-256 and HMAC-SHA256 in LuaJIT (wrk's embedded Lua), for signing Slack requests in wrk.
--
-- wrk drives the server from one core, so the cost of signing every request is the cost of the
-- generator. The expensive part of HMAC over "v0:<ts>:<body>" is hashing the body, and for our
-- load only its last few bytes change. prefix_signer() therefore hashes the key blocks and the
-- fixed start of the message once; each signature then compresses only the block(s) that hold the
-- varying tail, plus one block of the outer hash. Checked against openssl by selftest.lua.
local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local rshift, lshift, ror, tobit, tohex = bit.rshift, bit.lshift, bit.ror, bit.tobit, bit.tohex
local byte, char, rep, sub, concat, floor = string.byte, string.char, string.rep, string.sub,
  table.concat, math.floor

local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
for i = 1, 64 do K[i] = tobit(K[i]) end

local IV = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
             0x5be0cd19 }
for i = 1, 8 do IV[i] = tobit(IV[i]) end

-- FFI arrays rather than tables for the round constants and the message schedule: no type checks
-- in the inner loop, about a third faster per block in wrk's LuaJIT. One schedule per Lua state
-- (wrk runs one state per thread), so nothing is shared between threads.
local ffi = require("ffi")
local KF = ffi.new("int32_t[64]")
for i = 1, 64 do KF[i - 1] = K[i] end
local W = ffi.new("int32_t[64]")

-- Compresses the block already loaded into W[0..15] into state H (8 words, updated in place).
local function compress(H)
  local w = W
  for j = 16, 63 do
    local v15, v2 = w[j - 15], w[j - 2]
    local s0 = bxor(ror(v15, 7), ror(v15, 18), rshift(v15, 3))
    local s1 = bxor(ror(v2, 17), ror(v2, 19), rshift(v2, 10))
    w[j] = tobit(w[j - 16] + s0 + w[j - 7] + s1)
  end
  local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
  for j = 0, 63 do
    local S1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
    local ch = bxor(band(e, f), band(bnot(e), g))
    local t1 = tobit(h + S1 + ch + KF[j] + w[j])
    local S0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
    local maj = bxor(band(a, b), band(a, c), band(b, c))
    h, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + S0 + maj)
  end
  H[1], H[2], H[3], H[4] = tobit(H[1] + a), tobit(H[2] + b), tobit(H[3] + c), tobit(H[4] + d)
  H[5], H[6], H[7], H[8] = tobit(H[5] + e), tobit(H[6] + f), tobit(H[7] + g), tobit(H[8] + h)
end

-- Compresses every whole 64-byte block of s (starting at byte 1) into H.
local function compress_string(H, s)
  local w = W
  for off = 1, #s - 63, 64 do
    for j = 0, 15 do
      local a, b, c, d = byte(s, off + j * 4, off + j * 4 + 3)
      w[j] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
    end
    compress(H)
  end
end

local function be32(x)
  return char(band(rshift(x, 24), 255), band(rshift(x, 16), 255), band(rshift(x, 8), 255), band(x, 255))
end

-- SHA-256 padding for a message of `total` bytes whose unhashed tail is `tail`: tail .. 0x80 ..
-- zeros .. 64-bit big-endian bit length, a whole number of blocks.
local function pad(tail, total)
  local bits = total * 8
  return tail .. "\128" .. rep("\0", (55 - total) % 64) .. be32(tobit(floor(bits / 4294967296)))
    .. be32(tobit(bits % 4294967296))
end

local function copy8(H)
  return { H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8] }
end

local function digest_bytes(H)
  return be32(H[1]) .. be32(H[2]) .. be32(H[3]) .. be32(H[4]) .. be32(H[5]) .. be32(H[6])
    .. be32(H[7]) .. be32(H[8])
end

local function digest_hex(H)
  return tohex(H[1], 8) .. tohex(H[2], 8) .. tohex(H[3], 8) .. tohex(H[4], 8) .. tohex(H[5], 8)
    .. tohex(H[6], 8) .. tohex(H[7], 8) .. tohex(H[8], 8)
end

-- Raw 32-byte SHA-256 of s.
local function sha256(s)
  local H = copy8(IV)
  compress_string(H, pad(s, #s))
  return digest_bytes(H)
end

local function key_block(key, v)
  if #key > 64 then key = sha256(key) end
  key = key .. rep("\0", 64 - #key)
  local t = {}
  for i = 1, 64 do t[i] = char(bxor(byte(key, i), v)) end
  return concat(t)
end

-- Signs messages that all start with `prefix`: returns sign(suffix) -> lowercase hex
-- HMAC-SHA256(key, prefix .. suffix). Precomputed: the state after key^ipad and every whole block
-- of the prefix (the "midstate"), and the state after key^opad.
local function prefix_signer(key, prefix)
  local ipad_and_prefix = key_block(key, 0x36) .. prefix
  local whole = #ipad_and_prefix - #ipad_and_prefix % 64
  local inner_mid = copy8(IV)
  compress_string(inner_mid, sub(ipad_and_prefix, 1, whole))
  local rest = sub(ipad_and_prefix, whole + 1)
  local outer_mid = copy8(IV)
  compress_string(outer_mid, key_block(key, 0x5c))

  return function(suffix)
    local H = copy8(inner_mid)
    compress_string(H, pad(rest .. suffix, #ipad_and_prefix + #suffix))
    -- The outer message is key^opad (already hashed) plus the 32-byte inner digest: exactly one
    -- more block, written straight into the schedule.
    local w = W
    for i = 1, 8 do w[i - 1] = H[i] end
    w[8] = tobit(0x80000000)
    for i = 9, 14 do w[i] = 0 end
    w[15] = (64 + 32) * 8
    local O = copy8(outer_mid)
    compress(O)
    return digest_hex(O)
  end
end

-- Lowercase hex HMAC-SHA256(key, msg), without any precomputation.
local function hmac_sha256_hex(key, msg)
  return prefix_signer(key, "")(msg)
end

-- Percent-encoding of application/x-www-form-urlencoded (space -> '+').
local function form_escape(s)
  s = s:gsub("[^%w%-%._~ ]", function(c) return string.format("%%%02X", byte(c)) end)
  return (s:gsub(" ", "+"))
end

local function form_encode(fields)
  local parts = {}
  for i, kv in ipairs(fields) do parts[i] = form_escape(kv[1]) .. "=" .. form_escape(kv[2]) end
  return concat(parts, "&")
end

-- wrk's done() hook: one machine-readable line for bench/run. err_status is wrk's count of
-- responses with a status of 400 or more; nothing in this load can get a 1xx or 3xx.
local function report(summary, latency)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_s=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end

return {
  sha256 = sha256,
  hmac_sha256_hex = hmac_sha256_hex,
  prefix_signer = prefix_signer,
  form_encode = form_encode,
  report = report,
  secret = os.getenv("SLACK_SIGNING_SECRET") or "bench-signing-secret-0123456789abcdef",
}
