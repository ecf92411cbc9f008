-- wrk script: signed Slack Events API edits (`message_changed`), each with its own event_id and ts, so
-- that a server which stores events once per event_id (Scribe) stores every request.
--   wrk -t1 -c16 -d10s -s bench/load/event.lua http://127.0.0.1:PORT/slack/events
-- BENCH_EVENT_ID_PREFIX (default "EvB<time>-") starts every event_id: bench/run gives each wrk run
-- its own, so that a warm-up and the measured run on one database never share an id. The
-- timestamp is taken when wrk loads the script, inside every server's 5-minute window for a run.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local payloads = dofile(dir .. "payloads.lua")
local hmac = payloads.hmac

local ts = os.time()
local id_prefix = os.getenv("BENCH_EVENT_ID_PREFIX") or ("EvB" .. ts .. "-")

-- Each wrk thread has its own Lua state and counter; the thread number keeps their ids apart.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_tag", "t" .. threads .. "-")
end

local prefix, suffix, sign, n, head

-- The request is put together by hand rather than by wrk.format, which walks the header table for
-- every request; only the signature and Content-Length change.
function init()
  prefix, suffix = payloads.event_parts(ts, id_prefix .. (thread_tag or "t1-"))
  sign = hmac.prefix_signer(hmac.secret, payloads.signing_prefix(ts) .. prefix)
  n = 0
  head = table.concat({
    "POST ", wrk.path, " HTTP/1.1\r\n",
    "Host: ", wrk.headers["Host"], "\r\n",
    "Content-Type: application/json\r\n",
    "User-Agent: Slackbot 1.0 (+https://api.slack.com/robots)\r\n",
    "X-Slack-Request-Timestamp: ", tostring(ts), "\r\n",
    "X-Slack-Signature: v0=",
  })
end

function request()
  local tail = suffix(n)
  n = n + 1
  return head .. sign(tail) .. "\r\nContent-Length: " .. (#prefix + #tail) .. "\r\n\r\n" .. prefix .. tail
end

done = hmac.report
