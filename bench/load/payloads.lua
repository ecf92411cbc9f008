-- The requests of the load, shared by the wrk scripts and selftest.lua so that the selftest checks
-- the very bodies and signatures the load sends.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local hmac = dofile(dir .. "hmac.lua")

local M = { note_text = "database failover started" }

-- The slash command: the fields Slack sends (as the anchors' slash_command.lua), `/incident note`
-- in team T123, channel C123, where bench/run opens the incident. Every request is the same: each
-- note is a new timeline entry, and no server deduplicates commands.
function M.command_body()
  return hmac.form_encode({
    { "token", "gIkuvaNzQIHg97ATvDxqgjtO" },
    { "team_id", "T123" },
    { "team_domain", "example" },
    { "enterprise_id", "E0001" },
    { "enterprise_name", "Globular Construct Inc" },
    { "channel_id", "C123" },
    { "channel_name", "incident-4711" },
    { "user_id", "U123" },
    { "user_name", "alice" },
    { "command", "/incident" },
    { "text", "note " .. M.note_text },
    { "response_url", "https://hooks.slack.com/commands/T123/1234567890/abcdefABCDEF0123456789ab" },
    { "trigger_id", "13345224609.738474920.8088930838d88f008e0" },
    { "api_app_id", "A123456" },
  })
end

-- The Events API `message` event of subtype `message_changed`: an edit, which Scribe must store
-- and handle (it may be a timeline entry's or an answer's), where a plain message is acknowledged
-- and dropped unread. Scribe stores each event_id once, so every request carries its own event_id
-- (and its own event ts): all that varies sits at the very end of the body, after a
-- fixed prefix that is hashed once per run (hmac.prefix_signer). Whitespace between two members
-- (valid JSON, read alike by every server) makes "v0:<ts>:" .. prefix end on a SHA-256 block
-- boundary after the 64-byte key block, so that a signature costs one block for the varying tail
-- (up to 55 bytes) and one for the outer hash. event_ts is left out for the same reason: in a
-- message event it repeats ts, and neither Scribe nor Bolt reads it there.
--   ts:        the signing timestamp (seconds), also the base of the messages' ts
--   id_prefix: makes event ids unique across wrk runs and threads on one database
-- Returns prefix, suffix(n) with body = prefix .. suffix(n) for request n = 0, 1, 2, ...
function M.event_parts(ts, id_prefix)
  local head = table.concat({
    '{"token":"gIkuvaNzQIHg97ATvDxqgjtO",',
    '"team_id":"T123",',
    '"context_team_id":"T123",',
    '"api_app_id":"A123456",',
    '"type":"event_callback",',
    '"event_time":', tostring(ts), ',',
    '"authorizations":[{"enterprise_id":null,"team_id":"T123","user_id":"U0BENCHBOT",',
    '"is_bot":true,"is_enterprise_install":false}],',
    '"is_ext_shared_channel":false,',
    '"event_context":"4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMTIzIiwiYWlkIjoiQTEyMzQ1NiIsImNpZCI6IkMxMjMifQ",',
    '"event":{"type":"message","subtype":"message_changed","hidden":true,"channel":"C123",',
    '"channel_type":"channel",',
    '"message":{"type":"message","user":"U123","team":"T123",',
    '"text":"database failover started, primary is db-2 now",',
    '"blocks":[{"type":"rich_text","block_id":"b1","elements":[{"type":"rich_text_section",',
    '"elements":[{"type":"text","text":"database failover started, primary is db-2 now"}]}]}],',
    '"edited":{"user":"U123","ts":"', tostring(ts), '.000000"},"ts":"1700000000.000100"},',
    '"previous_message":{"type":"message","user":"U123","team":"T123",',
    '"text":"database failover started","ts":"1700000000.000100"},',
  })
  local tail = '"ts":"'
  local hashed = 64 + #M.signing_prefix(ts) + #head + #tail
  local prefix = head .. string.rep(" ", (64 - hashed % 64) % 64) .. tail
  local format, floor = string.format, math.floor
  local function suffix(n)
    -- A million distinct message ts per second of ts; a run never sends that many.
    return format('%d.%06d"},"event_id":"%s%d"}', ts + floor(n / 1000000), n % 1000000, id_prefix, n)
  end
  return prefix, suffix
end

-- Slack's v0 string to sign starts with this; the body follows.
function M.signing_prefix(ts)
  return "v0:" .. tostring(ts) .. ":"
end

M.hmac = hmac
return M
