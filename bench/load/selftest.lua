-- Checks hmac.lua, and the very bodies and signatures the load sends, against openssl; run through
-- wrk so that it is wrk's own LuaJIT that is checked:
--   wrk -t1 -c1 -d1s -s bench/load/selftest.lua http://127.0.0.1:9/
-- It exits while wrk loads it, before wrk connects anywhere. Exit status 0: all ok.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local payloads = dofile(dir .. "payloads.lua")
local hmac = payloads.hmac

local fails, checks = 0, 0
local function check(name, got, want)
  checks = checks + 1
  if got ~= want then
    fails = fails + 1
    io.write("FAIL ", name, "\n  got  ", tostring(got), "\n  want ", tostring(want), "\n")
  end
end
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end

-- openssl reads the message from a file: bodies hold quotes, '&' and '%' that a shell would eat.
local tmp = os.tmpname()
local function openssl_hmac(key, msg)
  assert(key:match("^[%w%-_]+$"), "selftest keys are shell-safe words")
  local f = assert(io.open(tmp, "wb"))
  f:write(msg)
  f:close()
  local p = assert(io.popen("openssl dgst -sha256 -hmac '" .. key .. "' -r '" .. tmp .. "'"))
  local out = p:read("*l") or ""
  p:close()
  return out:match("^(%x+)")
end

-- Known answers (FIPS 180-2, RFC 4231, Slack's documented example).
check("sha256('')", hex(hmac.sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
check("sha256('abc')", hex(hmac.sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
check("sha256(448 bits)", hex(hmac.sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
check("rfc4231 case 2", hmac.hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
check("rfc4231 case 6 (131-byte key)", hmac.hmac_sha256_hex(string.rep("\170", 131),
  "Test Using Larger Than Block-Size Key - Hash Key First"),
  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
check("slack docs example", hmac.hmac_sha256_hex("8f742231b10e8888abcd99yyyzzz85a5",
  "v0:1531420618:token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"),
  "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")

-- Message lengths around the block and padding boundaries, with bytes of every kind, vs openssl.
local alphabet = '{"a":1,&=%+ \n\t\0\255xyz0123456789}'
local function text_of(n, seed)
  local t = {}
  for i = 1, n do
    local k = (i * 7 + seed) % #alphabet + 1
    t[i] = alphabet:sub(k, k)
  end
  return table.concat(t)
end
for _, n in ipairs({ 0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129, 1000 }) do
  local msg = text_of(n, n)
  check("hmac vs openssl, " .. n .. " bytes", hmac.hmac_sha256_hex(hmac.secret, msg),
    openssl_hmac(hmac.secret, msg))
end

-- The midstate signer for every split of a message around the boundaries: the precomputed prefix
-- may end anywhere in a block and the suffix may cross one or two blocks.
local whole = text_of(300, 3)
for _, p in ipairs({ 0, 1, 8, 55, 56, 63, 64, 65, 127, 128, 129, 200 }) do
  local sign = hmac.prefix_signer(hmac.secret, whole:sub(1, p))
  for _, s in ipairs({ 0, 1, 40, 55, 56, 63, 64, 65, 100 }) do
    local msg = whole:sub(1, p + s)
    check(string.format("prefix signer %d+%d", p, s), sign(whole:sub(p + 1, p + s)),
      hmac.hmac_sha256_hex(hmac.secret, msg))
  end
end
local long_key = string.rep("k", 100)  -- longer than a block: the key is hashed first
check("prefix signer, 100-byte key", hmac.prefix_signer(long_key, "abc")("def"),
  openssl_hmac(long_key, "abcdef"))

-- The load itself: the command's signature, and event bodies from the first request on and around
-- the ts rollover, each signed as event.lua signs them, vs openssl over the whole string.
local ts = 1795255200
local command = payloads.command_body()
check("command body signature", hmac.hmac_sha256_hex(hmac.secret, payloads.signing_prefix(ts) .. command),
  openssl_hmac(hmac.secret, payloads.signing_prefix(ts) .. command))
local prefix, suffix = payloads.event_parts(ts, "EvBselftest-t1-")
local sign = hmac.prefix_signer(hmac.secret, payloads.signing_prefix(ts) .. prefix)
for _, n in ipairs({ 0, 1, 9, 10, 99999, 999999, 1000000, 12345678 }) do
  check("event signature n=" .. n, sign(suffix(n)),
    openssl_hmac(hmac.secret, payloads.signing_prefix(ts) .. prefix .. suffix(n)))
end

-- What keeps signing cheap (not correctness): the hashed prefix ends on a block boundary, and the
-- tail of a typical request fits in one block with its padding.
check("event prefix ends on a block boundary", (64 + #payloads.signing_prefix(ts) + #prefix) % 64, 0)
local _, typical = payloads.event_parts(ts, "EvB-12-m-t1-")
check("event tail of bench/run's ids fits one block", #typical(999999) <= 55, true)

-- The event bodies must be JSON with the ids we count on; python3 parses two of them.
local f = assert(io.open(tmp, "wb"))
f:write(prefix .. suffix(0), "\n", prefix .. suffix(1000001), "\n")
f:close()
local p = assert(io.popen("/usr/bin/python3 -c 'import json,sys\n"
  .. "for line in open(sys.argv[1]):\n"
  .. "  d = json.loads(line); e = d[\"event\"]\n"
  .. "  print(d[\"event_id\"], e[\"ts\"], e[\"channel\"], d[\"type\"])' '" .. tmp .. "'"))
local parsed = p:read("*a")
p:close()
check("event bodies are JSON", parsed,
  "EvBselftest-t1-0 1795255200.000000 C123 event_callback\n"
    .. "EvBselftest-t1-1000001 1795255201.000001 C123 event_callback\n")
os.remove(tmp)

io.write(string.format("selftest: %d checks, %s\n", checks, fails == 0 and "all ok" or (fails .. " FAILED")))
os.exit(fails == 0 and 0 or 1)
