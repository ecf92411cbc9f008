#include "adapters/slack/payloads.hpp"
#include "adapters/http/error.hpp"

#include "json/fields.hpp"
#include "text/text.hpp"

#include <limits>
#include <optional>
#include <utility>

namespace scribe::slack {
namespace {

using json = nlohmann::json;

// Type names from a payload are quoted in ignored_event reasons (which go to the debug log): cap
// them so a hostile value cannot fill the log.
constexpr std::size_t max_quoted_bytes = 64;

std::string quote_capped(std::string_view text) {
  return "\"" + text::utf8_prefix(text, max_quoted_bytes) + "\"";
}

// Whether arrays and objects in `body` nest at most `max_depth` deep. A linear scan that skips
// string contents (escapes included); it does not validate, the parser does that next.
bool nesting_within(std::string_view body, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) return false;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return true;
}

// The parsed document, or nullopt for invalid JSON (nlohmann rejects invalid UTF-8 in strings
// too) or JSON nested too deeply. No exceptions: allow_exceptions = false.
std::optional<json> parse_json(std::string_view body) {
  if (!nesting_within(body, max_json_depth)) return std::nullopt;
  json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return std::nullopt;
  return doc;
}

using json_fields::member;
using json_fields::string_at;

// obj[key] if it is an integer that fits std::int64_t, else 0.
std::int64_t int_at(const json& obj, const char* key) {
  const json& value = member(obj, key);
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    return u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
               ? 0
               : static_cast<std::int64_t>(u);
  }
  return value.is_number_integer() ? value.get<std::int64_t>() : 0;
}

// The first non-empty of `first` and `second`.
std::string either(std::string first, std::string second) {
  return first.empty() ? second : first;
}

// ---- events -------------------------------------------------------------------------------

slack_event parse_reaction(const json& event, bool added) {
  const json& item = member(event, "item");
  const std::string item_type = string_at(item, "type");
  if (item_type != "message") {
    return ignored_event{"reaction on a " +
                         (item_type.empty() ? "missing item" : quote_capped(item_type))};
  }
  reaction_event r;
  r.added = added;
  r.user = string_at(event, "user");
  r.reaction = string_at(event, "reaction");
  r.item_channel = string_at(item, "channel");
  r.item_ts = string_at(item, "ts");
  r.item_user = string_at(event, "item_user");
  r.event_ts = string_at(event, "event_ts");
  if (r.user.empty() || r.reaction.empty() || r.item_channel.empty() || r.item_ts.empty()) {
    return ignored_event{"reaction without user, reaction, item.channel or item.ts"};
  }
  return r;
}

slack_event parse_mention(const json& event) {
  mention_event m;
  m.user = string_at(event, "user");
  m.bot_id = string_at(event, "bot_id");
  m.text = string_at(event, "text");
  m.channel = string_at(event, "channel");
  m.ts = string_at(event, "ts");
  m.thread_ts = string_at(event, "thread_ts");
  if (m.channel.empty() || m.ts.empty()) return ignored_event{"app_mention without channel or ts"};
  if (m.user.empty() && m.bot_id.empty())
    return ignored_event{"app_mention without user or bot_id"};
  return m;
}

slack_event parse_message(const json& event) {
  const std::string subtype = string_at(event, "subtype");
  if (subtype.empty() || subtype == "thread_broadcast") {
    thread_reply_event reply{string_at(event, "channel"),   string_at(event, "ts"),
                             string_at(event, "thread_ts"), string_at(event, "user"),
                             string_at(event, "bot_id"),    string_at(event, "text")};
    if (reply.thread_ts.empty() || reply.thread_ts == reply.ts)
      return ignored_event{"plain message"};
    if (reply.channel.empty() || reply.ts.empty()) {
      return ignored_event{"thread reply without channel or ts"};
    }
    if (reply.user.empty() && reply.bot_id.empty()) {
      return ignored_event{"thread reply without user"};
    }
    return reply;
  }
  if (subtype == "message_changed") {
    const json& message = member(event, "message");
    message_edit_event edit;
    edit.channel = string_at(event, "channel");
    edit.ts = string_at(message, "ts");
    edit.new_text = string_at(message, "text");
    edit.user = string_at(message, "user");
    edit.bot_id = string_at(message, "bot_id");
    if (edit.channel.empty() || edit.ts.empty()) {
      return ignored_event{"message_changed without channel or message.ts"};
    }
    // Unfurls, reply counts and reactions in some clients change a message without changing its
    // text; only a text change is an edit worth recording.
    const json& previous_text = member(member(event, "previous_message"), "text");
    if (previous_text.is_string() && previous_text.get_ref<const std::string&>() == edit.new_text) {
      return ignored_event{"message_changed without a text change"};
    }
    return edit;
  }
  if (subtype == "message_deleted") {
    message_delete_event deletion{string_at(event, "channel"), string_at(event, "deleted_ts")};
    if (deletion.channel.empty() || deletion.deleted_ts.empty()) {
      return ignored_event{"message_deleted without channel or deleted_ts"};
    }
    return deletion;
  }
  return ignored_event{"message subtype " + quote_capped(subtype)};
}

// ---- interactivity ------------------------------------------------------------------------

std::string plain_value(const json& element) {
  if (!element.is_object()) return {};
  if (auto value = string_at(element, "value"); !value.empty()) return value;
  if (auto value = string_at(member(element, "selected_option"), "value"); !value.empty()) {
    return value;
  }
  for (const char* key : {"selected_date", "selected_time", "selected_user",
                          "selected_conversation", "selected_channel"}) {
    if (auto value = string_at(element, key); !value.empty()) return value;
  }
  return {};
}

std::string user_name_of(const json& user) {
  return either(string_at(user, "username"), string_at(user, "name"));
}

std::string team_id_of(const json& payload) {
  return either(string_at(member(payload, "team"), "id"),
                string_at(member(payload, "user"), "team_id"));
}

bot::result<interaction> parse_message_shortcut(const json& payload) {
  const json& message = member(payload, "message");
  message_shortcut s;
  s.callback_id = string_at(payload, "callback_id");
  s.team_id = team_id_of(payload);
  s.channel_id = string_at(member(payload, "channel"), "id");
  s.user_id = string_at(member(payload, "user"), "id");
  s.user_name = user_name_of(member(payload, "user"));
  s.message_ts = either(string_at(payload, "message_ts"), string_at(message, "ts"));
  s.message_text = string_at(message, "text");
  s.message_user = string_at(message, "user");
  s.message_bot_id = string_at(message, "bot_id");
  s.thread_ts = string_at(message, "thread_ts");
  s.trigger_id = string_at(payload, "trigger_id");
  s.response_url = string_at(payload, "response_url");
  if (s.callback_id.empty() || s.channel_id.empty() || s.user_id.empty() || s.message_ts.empty()) {
    return http::errc::malformed_request;
  }
  return interaction{std::move(s)};
}

bot::result<interaction> parse_block_actions(const json& payload) {
  const json& actions = member(payload, "actions");
  const json& message = member(payload, "message");
  const json& container = member(payload, "container");
  block_action b;
  b.team_id = team_id_of(payload);
  b.user_id = string_at(member(payload, "user"), "id");
  b.user_name = user_name_of(member(payload, "user"));
  b.channel_id =
      either(string_at(member(payload, "channel"), "id"), string_at(container, "channel_id"));
  b.message_ts = either(string_at(message, "ts"), string_at(container, "message_ts"));
  b.thread_ts = either(string_at(message, "thread_ts"), string_at(container, "thread_ts"));
  b.trigger_id = string_at(payload, "trigger_id");
  b.response_url = string_at(payload, "response_url");
  if (b.user_id.empty() || !actions.is_array()) return http::errc::malformed_request;
  for (const json& element : actions) {
    if (!element.is_object()) continue;
    b.actions.push_back(
        {string_at(element, "action_id"), string_at(element, "block_id"), plain_value(element)});
  }
  return interaction{std::move(b)};
}

bot::result<interaction> parse_view_submission(const json& payload) {
  const json& view = member(payload, "view");
  view_submission v;
  v.team_id = team_id_of(payload);
  v.user_id = string_at(member(payload, "user"), "id");
  v.user_name = user_name_of(member(payload, "user"));
  v.callback_id = string_at(view, "callback_id");
  v.private_metadata = string_at(view, "private_metadata");
  v.view_id = string_at(view, "id");
  if (v.user_id.empty() || v.view_id.empty()) return http::errc::malformed_request;
  // state.values: {block_id: {action_id: element state}} (bolt-js src/types/view).
  const json& blocks = member(member(view, "state"), "values");
  if (blocks.is_object()) {
    for (const auto& [block_id, actions] : blocks.items()) {
      if (!actions.is_object()) continue;
      for (const auto& [action_id, element] : actions.items()) {
        v.values.insert_or_assign(block_id + "." + action_id, plain_value(element));
      }
    }
  }
  return interaction{std::move(v)};
}

// ---- Web API ------------------------------------------------------------------------------

struct api_document {
  json doc;
  api_result status;
};

// The document and its status, or nullopt (malformed) for anything but an object with a boolean
// "ok". Not a bot::result: an aggregate holding a json is constructible from an errc.
std::optional<api_document> parse_api_document(std::string_view body) {
  auto doc = parse_json(body);
  if (!doc || !doc->is_object()) return std::nullopt;
  const json& ok = member(*doc, "ok");
  if (!ok.is_boolean()) return std::nullopt;
  api_result status{ok.get<bool>(), string_at(*doc, "error"), string_at(*doc, "warning")};
  return api_document{std::move(*doc), std::move(status)};
}

}  // namespace

bot::result<slash_command> parse_slash_command(const http::form_fields& form) {
  auto field = [&form](std::string_view name) { return std::string{form.get(name).value_or("")}; };
  slash_command cmd{field("team_id"), field("channel_id"),   field("channel_name"),
                    field("user_id"), field("user_name"),    field("command"),
                    field("text"),    field("response_url"), field("trigger_id")};
  if (cmd.team_id.empty() || cmd.channel_id.empty() || cmd.user_id.empty() || cmd.command.empty()) {
    return http::errc::malformed_request;
  }
  return cmd;
}

bool is_ssl_check(const http::form_fields& form) {
  return form.get("ssl_check") == "1";
}

bot::result<event_envelope> parse_event_envelope(std::string_view body) {
  auto doc = parse_json(body);
  if (!doc || !doc->is_object()) return http::errc::malformed_request;
  event_envelope env;
  env.type = string_at(*doc, "type");
  env.challenge = string_at(*doc, "challenge");
  env.event_id = string_at(*doc, "event_id");
  env.team_id = string_at(*doc, "team_id");
  env.api_app_id = string_at(*doc, "api_app_id");
  env.event_time = int_at(*doc, "event_time");
  env.minute_rate_limited = int_at(*doc, "minute_rate_limited");
  if (env.type.empty()) return http::errc::malformed_request;
  if (env.type == "url_verification" && env.challenge.empty()) return http::errc::malformed_request;
  if (env.type == "app_rate_limited" && env.team_id.empty()) return http::errc::malformed_request;
  if (env.type == "event_callback") {
    const auto event = doc->find("event");
    if (env.event_id.empty() || env.team_id.empty() || event == doc->end() || !event->is_object()) {
      return http::errc::malformed_request;
    }
    env.event = std::move(*event);
  }
  return env;
}

slack_event parse_event(const nlohmann::json& event) {
  if (!event.is_object()) return ignored_event{"event is not an object"};
  const std::string type = string_at(event, "type");
  if (type == "reaction_added") return parse_reaction(event, true);
  if (type == "reaction_removed") return parse_reaction(event, false);
  if (type == "app_mention") return parse_mention(event);
  if (type == "message") return parse_message(event);
  if (type.empty()) return ignored_event{"event without a type"};
  return ignored_event{"event type " + quote_capped(type)};
}

std::string_view reaction_base_name(std::string_view reaction) {
  return reaction.substr(0, reaction.find("::"));
}

bot::result<interaction> parse_interaction(const http::form_fields& form) {
  const auto payload_field = form.get("payload");
  if (!payload_field) return http::errc::malformed_request;
  const auto payload = parse_json(*payload_field);
  if (!payload || !payload->is_object()) return http::errc::malformed_request;
  const std::string type = string_at(*payload, "type");
  if (type.empty()) return http::errc::malformed_request;
  if (type == "message_action") return parse_message_shortcut(*payload);
  if (type == "block_actions") return parse_block_actions(*payload);
  if (type == "view_submission") return parse_view_submission(*payload);
  return interaction{ignored_interaction{text::utf8_prefix(type, max_quoted_bytes)}};
}

bot::result<api_result> parse_api_result(std::string_view body) {
  auto parsed = parse_api_document(body);
  if (!parsed) return http::errc::malformed_request;
  return std::move(parsed->status);
}

bot::result<api_reply<api_message>> parse_history_message(std::string_view body,
                                                          std::string_view ts) {
  auto parsed = parse_api_document(body);
  if (!parsed) return http::errc::malformed_request;
  if (!parsed->status.ok) return api_reply<api_message>{std::move(parsed->status), std::nullopt};
  const json& messages = member(parsed->doc, "messages");
  if (!messages.is_array()) return http::errc::malformed_request;
  for (const json& message : messages) {
    const json& message_ts = member(message, "ts");
    if (!message_ts.is_string() || message_ts.get_ref<const std::string&>() != ts) continue;
    api_message found{std::string{ts},
                      string_at(message, "thread_ts"),
                      string_at(message, "user"),
                      string_at(message, "bot_id"),
                      string_at(message, "text"),
                      member(message, "edited").is_object()};
    return api_reply<api_message>{std::move(parsed->status), std::move(found)};
  }
  return bot::errc::entry_not_found;
}

bot::result<api_reply<std::string>> parse_permalink(std::string_view body) {
  auto parsed = parse_api_document(body);
  if (!parsed) return http::errc::malformed_request;
  if (!parsed->status.ok) return api_reply<std::string>{std::move(parsed->status), std::nullopt};
  std::string permalink = string_at(parsed->doc, "permalink");
  if (permalink.empty()) return http::errc::malformed_request;
  return api_reply<std::string>{std::move(parsed->status), std::move(permalink)};
}

bot::result<api_reply<user_names>> parse_user_name(std::string_view body) {
  auto parsed = parse_api_document(body);
  if (!parsed) return http::errc::malformed_request;
  if (!parsed->status.ok) return api_reply<user_names>{std::move(parsed->status), std::nullopt};
  const json& user = member(parsed->doc, "user");
  const json& profile = member(user, "profile");
  std::string name = string_at(profile, "display_name");
  if (name.empty()) name = string_at(profile, "real_name");
  if (name.empty()) name = string_at(user, "real_name");
  if (name.empty()) name = string_at(user, "name");
  if (name.empty()) return http::errc::malformed_request;
  std::string handle = string_at(user, "name");
  if (handle.empty()) handle = name;
  return api_reply<user_names>{std::move(parsed->status),
                               user_names{std::move(name), std::move(handle)}};
}

bot::result<api_reply<std::string>> parse_posted_ts(std::string_view body) {
  auto parsed = parse_api_document(body);
  if (!parsed) return http::errc::malformed_request;
  if (!parsed->status.ok) return api_reply<std::string>{std::move(parsed->status), std::nullopt};
  std::string ts = string_at(parsed->doc, "ts");
  if (ts.empty()) return http::errc::malformed_request;
  return api_reply<std::string>{std::move(parsed->status), std::move(ts)};
}

bot::result<api_reply<posted_page>> parse_posted_page(std::string_view body) {
  auto parsed = parse_api_document(body);
  if (!parsed) return http::errc::malformed_request;
  if (!parsed->status.ok) return api_reply<posted_page>{std::move(parsed->status), std::nullopt};
  const json& messages = member(parsed->doc, "messages");
  if (!messages.is_array()) return http::errc::malformed_request;
  posted_page page;
  for (const json& message : messages) {
    const json& metadata = member(message, "metadata");
    if (string_at(metadata, "event_type") != posted_event_type) continue;
    std::string key = string_at(member(metadata, "event_payload"), "key");
    std::string ts = string_at(message, "ts");
    if (!key.empty() && !ts.empty()) page.ts_by_key.emplace(std::move(key), std::move(ts));
  }
  page.next_cursor = string_at(member(parsed->doc, "response_metadata"), "next_cursor");
  return api_reply<posted_page>{std::move(parsed->status), std::move(page)};
}

}  // namespace scribe::slack
