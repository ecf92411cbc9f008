#pragma once
// Typed views of what Slack sends Scribe: slash commands, Events API envelopes and events,
// interactivity payloads, and the Web API responses Scribe reads. Field lists follow
// PROTOCOLS.md 2-5 (bolt-js src/types, node-slack-sdk packages/types, slack-api-specs).
//
// Pure functions, safe from any thread. None throws for anything in a request or response:
// invalid JSON, wrong types and missing required fields give http::errc::malformed_request; fields
// Scribe does not read are ignored; optional string fields that are absent, null or not strings
// read as "". JSON nested more than max_json_depth levels is rejected before it is parsed, because
// nlohmann::json copies, compares and dumps recursively (its parser and destructor do not).
// Call these only after verify_signature() accepted the raw body.

#include "adapters/http/error.hpp"
#include "adapters/http/form.hpp"
#include "bot/error.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace scribe::slack {

// The deepest nesting of arrays and objects accepted in a JSON body, far more than Slack's
// payloads need (rich_text blocks inside the message of a message_changed event inside the
// envelope nest about 10 deep) and far less than what would exhaust a thread's stack.
inline constexpr std::size_t max_json_depth = 64;

// ---------------------------------------------------------------------------------------------
// Slash commands (PROTOCOLS.md 2): a form body.

struct slash_command {
  std::string team_id;
  std::string channel_id;
  std::string channel_name;
  std::string user_id;
  std::string user_name;
  std::string command;  // "/incident"
  std::string text;     // what followed the command, may be empty
  std::string response_url;
  std::string trigger_id;
};

// http::errc::malformed_request unless team_id, channel_id, user_id and command are present and
// non-empty; the other fields may be missing.
bot::result<slash_command> parse_slash_command(const http::form_fields& form);

// Slack's ssl_check=1 probe of a slash-command URL: answer 200 with an empty body, without
// verifying and without acting on any other field (PROTOCOLS.md 1).
bool is_ssl_check(const http::form_fields& form);

// ---------------------------------------------------------------------------------------------
// Events API (PROTOCOLS.md 3): a JSON body.

struct event_envelope {
  std::string type;             // "url_verification", "event_callback", "app_rate_limited", ...
  std::string challenge;        // url_verification: echo it back
  std::string event_id;         // event_callback: the de-duplication key for retries
  std::string team_id;          // event_callback, app_rate_limited
  std::string api_app_id;       // may be empty
  std::int64_t event_time = 0;  // event_callback: seconds, 0 if absent
  std::int64_t minute_rate_limited = 0;  // app_rate_limited: the minute Slack stopped sending
  nlohmann::json event;  // event_callback: the inner event object, for parse_event()
};

// http::errc::malformed_request for invalid or too deeply nested JSON, a body that is not an object
// or has no string "type", a url_verification without a challenge, an event_callback without
// event_id, team_id or an event object, or an app_rate_limited without team_id. Any other type
// comes back with only `type` (and what else is present) set: the caller acknowledges and ignores
// it.
bot::result<event_envelope> parse_event_envelope(std::string_view body);

// reaction_added / reaction_removed on a message.
struct reaction_event {
  bool added = true;     // false for reaction_removed
  std::string user;      // who reacted
  std::string reaction;  // as sent: "thumbsup::skin-tone-6"; see reaction_base_name()
  std::string item_channel;
  std::string item_ts;    // the message reacted to
  std::string item_user;  // who wrote it; may be empty
  std::string event_ts;
};

// app_mention: someone wrote <@bot> in a channel the bot is in.
struct mention_event {
  std::string user;    // empty when a bot mentioned us
  std::string bot_id;  // set when a bot mentioned us: ignore your own to avoid loops
  std::string text;    // Slack text, still escaped, mention included (see text.hpp)
  std::string channel;
  std::string ts;
  std::string thread_ts;  // set when written in a thread
};

// A reply in a thread: a message (no subtype, or thread_broadcast) whose thread_ts is another
// message's ts. Postmortem answers arrive this way.
struct thread_reply_event {
  std::string channel;
  std::string ts;
  std::string thread_ts;  // the thread's first message
  std::string user;
  std::string bot_id;  // set for bots' replies, Scribe's own included: never answers
  std::string text;    // Slack text, still escaped
};

// message with subtype message_changed: the new version of a message.
struct message_edit_event {
  std::string channel;
  std::string ts;        // message.ts: the edited message, not the event
  std::string new_text;  // message.text, still escaped; may be empty (a blocks-only message)
  std::string user;      // message.user
  std::string bot_id;    // message.bot_id
};

// message with subtype message_deleted.
struct message_delete_event {
  std::string channel;
  std::string deleted_ts;
};

// Anything Scribe does not act on, with the reason for the debug log.
struct ignored_event {
  std::string why;
};

using slack_event = std::variant<reaction_event, mention_event, thread_reply_event,
                                 message_edit_event, message_delete_event, ignored_event>;

// The inner event of an event_callback. Never fails: a malformed event (missing channel, ts,
// user...) or one Scribe does not handle is an ignored_event saying why. Ignored: top-level
// messages and every message subtype but thread_broadcast, message_changed and message_deleted
// (bot_message included),
// reactions to files, and a message_changed whose text did not change (Slack sends those when a
// link unfurls or a thread gets a reply).
slack_event parse_event(const nlohmann::json& event);

// The emoji name without a skin tone: "thumbsup::skin-tone-6" -> "thumbsup" (DOC:"reactions.add").
// The view points into `reaction`.
std::string_view reaction_base_name(std::string_view reaction);

// ---------------------------------------------------------------------------------------------
// Interactivity (PROTOCOLS.md 4): a form body whose `payload` field holds JSON.

// A message shortcut ("message_action"): the way to flag any message, thread replies included.
struct message_shortcut {
  std::string callback_id;
  std::string team_id;
  std::string channel_id;
  std::string user_id;  // who used the shortcut
  std::string user_name;
  std::string message_ts;
  std::string message_text;  // Slack text, still escaped; may be empty
  std::string message_user;  // who wrote it; empty for bot messages
  std::string message_bot_id;
  std::string thread_ts;  // set when the message is in a thread
  std::string trigger_id;
  std::string response_url;
};

// A click or selection in a message or modal ("block_actions").
struct block_action {
  struct action {
    std::string action_id;
    std::string block_id;
    std::string value;  // see parse_interaction()
  };
  std::string team_id;
  std::string user_id;
  std::string user_name;
  std::string channel_id;  // empty for actions inside a modal
  std::string message_ts;  // empty for actions inside a modal
  std::string thread_ts;
  std::string trigger_id;
  std::string response_url;
  std::vector<action> actions;
};

// A submitted modal ("view_submission"). Ack with an empty 200 to close it.
struct view_submission {
  std::string team_id;
  std::string user_id;
  std::string user_name;
  std::string callback_id;
  std::string private_metadata;
  std::string view_id;
  // "block_id.action_id" -> the element's plain value.
  std::map<std::string, std::string> values;
};

// Any other interaction type ("shortcut", "view_closed", "block_suggestion", ...): ack and ignore.
struct ignored_interaction {
  std::string type;
};

using interaction =
    std::variant<message_shortcut, block_action, view_submission, ignored_interaction>;

// The interaction in a form's `payload` field. An action's value and a view's values are the
// element's plain value: `value` (buttons, text inputs), `selected_option.value` (static selects,
// radio buttons), or `selected_date`, `selected_time`, `selected_user`, `selected_conversation`,
// `selected_channel`; "" for anything else (multi-selects and checkboxes: Scribe has none).
// The payload's strings went through parse_form(), so invalid UTF-8 is already U+FFFD.
//
// http::errc::malformed_request when `payload` is missing, not JSON (or too deep) or has no string
// "type"; for message_action without callback_id, channel.id, user.id or the message's ts; for
// block_actions without user.id or an actions array; for view_submission without user.id or a
// view with an id.
bot::result<interaction> parse_interaction(const http::form_fields& form);

// ---------------------------------------------------------------------------------------------
// Web API responses (PROTOCOLS.md 5): HTTP 200 with {"ok": bool, "error"?, "warning"?, ...}.

struct api_result {
  bool ok = false;
  std::string error;    // Slack's code when !ok: "channel_not_found", "not_in_channel", ...
  std::string warning;  // may be set even when ok: "already_in_channel"
};

// What a method returned: `value` is set if and only if `status.ok`.
template <class T>
struct api_reply {
  api_result status;
  std::optional<T> value;
};

// http::errc::malformed_request for invalid JSON, a non-object or a missing boolean "ok".
bot::result<api_result> parse_api_result(std::string_view body);

// One message from conversations.history or conversations.replies.
struct api_message {
  std::string ts;
  std::string thread_ts;
  std::string user;
  std::string bot_id;
  std::string text;  // Slack text, still escaped
  bool edited = false;
};

// The message whose ts is exactly `ts` in a conversations.history/replies response (history
// with latest=ts&inclusive=true&limit=1 may return a neighbour instead).
// errc::entry_not_found when ok but no message has that ts; http::errc::malformed_request for a
// body that is not a Web API response or an ok response without a messages array. Messages without
// a string ts are skipped.
bot::result<api_reply<api_message>> parse_history_message(std::string_view body,
                                                          std::string_view ts);

// chat.getPermalink: the permalink. http::errc::malformed_request if ok but it is missing or empty.
bot::result<api_reply<std::string>> parse_permalink(std::string_view body);

// users.info: the name to show for a person: user.profile.display_name, else
// user.profile.real_name, else user.real_name, else user.name (display names are optional in
// Slack and often empty). http::errc::malformed_request if ok but all are empty or there is no
// user. `handle` is user.name, the one-word name people type after @ (display names may have
// spaces, which would end a mention in plain text); the display name when there is none.
struct user_names {
  std::string display;
  std::string handle;
};
bot::result<api_reply<user_names>> parse_user_name(std::string_view body);

// chat.postMessage: the posted message's ts. http::errc::malformed_request if ok but it is missing.
bot::result<api_reply<std::string>> parse_posted_ts(std::string_view body);

// The metadata event_type of messages Scribe posts as part of a sequence; event_payload.key
// names the sequence and the message's place in it.
inline constexpr std::string_view posted_event_type = "scribe_post";

// One page of conversations.history with include_all_metadata=true: the ts of each message whose
// metadata has posted_event_type, by its event_payload.key, and the cursor of the next page
// (empty on the last). http::errc::malformed_request as parse_history_message.
struct posted_page {
  std::map<std::string, std::string> ts_by_key;
  std::string next_cursor;
};
bot::result<api_reply<posted_page>> parse_posted_page(std::string_view body);

}  // namespace scribe::slack
