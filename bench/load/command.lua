-- wrk script: signed `/incident note database failover started` slash commands, form-encoded.
--   wrk -t1 -c16 -d10s -s bench/load/command.lua http://127.0.0.1:PORT/slack/commands
-- One body, signed once when wrk loads the script: every note is a new timeline entry, so the
-- requests need not differ, and wrk then sends a prepared request at no Lua cost per request.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local payloads = dofile(dir .. "payloads.lua")
local hmac = payloads.hmac

local ts = os.time()
local body = payloads.command_body()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["User-Agent"] = "Slackbot 1.0 (+https://api.slack.com/robots)"
wrk.headers["X-Slack-Request-Timestamp"] = tostring(ts)
wrk.headers["X-Slack-Signature"] = "v0=" .. hmac.hmac_sha256_hex(hmac.secret, payloads.signing_prefix(ts) .. body)

done = hmac.report
