#include "adapters/matrix/matrix_events.hpp"

#include "adapters/matrix/payloads.hpp"
#include "config/log.hpp"
#include "json/fields.hpp"

#include <algorithm>

namespace scribe::matrix {
namespace {

// "!incident note x" -> "note x" when `prefix` is "!incident"; nullopt for other messages.
std::optional<std::string> command_text(std::string_view body, std::string_view prefix) {
  if (!body.starts_with(prefix)) return std::nullopt;
  const auto rest = body.substr(prefix.size());
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\n') return std::nullopt;
  const auto start = rest.find_first_not_of(" \n");
  return std::string(start == std::string_view::npos ? std::string_view{} : rest.substr(start));
}

bool invited_from_allowed_server(const invite_event& invite,
                                 const config::matrix_options& options) {
  const auto inviter = parse_user_id(invite.sender);
  const auto& allowed = options.allowed_servers;
  return allowed.empty() || (inviter && std::find(allowed.begin(), allowed.end(),
                                                  inviter->server_name) != allowed.end());
}

}  // namespace

std::string message_ref(std::string_view room_id, std::string_view event_id) {
  return std::string(room_id) + "/" + std::string(event_id);
}

std::string_view event_id_of_ref(std::string_view message_ref) {
  const auto slash = message_ref.find('/');
  return slash == std::string_view::npos ? message_ref : message_ref.substr(slash + 1);
}

bot::channel_ref channel_of(const config::matrix_options& options, const std::string& room_id) {
  return {"matrix", options.server_name, room_id};
}

std::string bot_user_id(const config::matrix_options& options) {
  return "@" + options.sender_localpart + ":" + options.server_name;
}

bot::timestamp from_matrix_ms(std::int64_t ms) {
  return bot::from_unix_micros(ms * 1000);
}

std::optional<bot::chat_event> chat_event_of(const nlohmann::json& raw,
                                             const config::matrix_options& options) {
  const matrix_event event = parse_event(raw);
  const std::string me = bot_user_id(options);
  if (const auto* invite = std::get_if<invite_event>(&event)) {
    if (invite->invitee != me) return std::nullopt;
    if (!invited_from_allowed_server(*invite, options)) {
      log::info("matrix invitation declined",
                {{"room", invite->room_id}, {"from", invite->sender}});
      return std::nullopt;
    }
    return bot::invited_event{channel_of(options, invite->room_id), invite->sender};
  }
  // Scribe's own events come back in transactions: they never cause anything.
  if (json_fields::string_at(raw, "sender") == me) return std::nullopt;

  if (const auto* reaction = std::get_if<reaction_event>(&event)) {
    if (!flag_key_matches(reaction->key, options.flag_reaction)) return std::nullopt;
    // The reaction event is the flag: redacting it takes the flag back. An event id says nothing
    // of the message's time: the workflow reads it when the flag's own time does not decide.
    return bot::flag_event{channel_of(options, reaction->room_id),
                           message_ref(reaction->room_id, reaction->target_event_id),
                           reaction->sender,
                           reaction->event_id,
                           from_matrix_ms(reaction->origin_server_ts),
                           std::nullopt,
                           bot::entry_source::reaction,
                           std::nullopt,
                           {},
                           {}};
  }
  if (const auto* redaction = std::get_if<redaction_event>(&event)) {
    // The redacted event was a flag (a 📌 reaction, or a mention), a message, or neither.
    return bot::message_deleted_event{channel_of(options, redaction->room_id),
                                      message_ref(redaction->room_id, redaction->redacts),
                                      redaction->redacts};
  }
  const auto* message = std::get_if<room_message>(&event);
  if (message == nullptr) {
    log::debug("matrix event ignored", {{"why", std::get<ignored_event>(event).why}});
    return std::nullopt;
  }
  // Notices are what bots send; no client or bot may act on them (PROTOCOLS.md 8).
  if (message->msgtype == "m.notice") return std::nullopt;
  const auto channel = channel_of(options, message->room_id);
  const auto written_at = from_matrix_ms(message->origin_server_ts);
  if (message->relation.kind == relation_kind::replace) {
    // Only the sender of a message may edit it (the spec's "event replacements" rule, which
    // receivers enforce): the workflow checks the editor against the original.
    return bot::message_edited_event{
        channel, message_ref(message->room_id, message->relation.event_id),
        message->new_body.empty() ? message->body : message->new_body, message->sender};
  }
  if (auto text = command_text(message->body, options.command_prefix)) {
    return bot::command_event{channel, message->sender, std::move(*text),
                              message_ref(message->room_id, message->event_id), written_at};
  }
  if (message->relation.kind == relation_kind::thread) {
    return bot::thread_reply_event{channel,
                                   message_ref(message->room_id, message->relation.event_id),
                                   message_ref(message->room_id, message->event_id),
                                   message->sender,
                                   written_at,
                                   message->body};
  }
  const auto& mentioned = message->mentioned_user_ids;
  if (std::find(mentioned.begin(), mentioned.end(), me) != mentioned.end()) {
    // The mention is its own flag, and carries its message; its event is the flag's id.
    return bot::flag_event{channel,
                           message_ref(message->room_id, message->event_id),
                           message->sender,
                           message->event_id,
                           written_at,
                           written_at,
                           bot::entry_source::mention,
                           bot::carried_message{message->sender, false, message->body},
                           {},
                           {}};
  }
  return std::nullopt;
}

std::vector<bot::chat_event> legacy_inbox_events(const bot::job& job,
                                                 const config::matrix_options& options) {
  std::vector<bot::chat_event> out;
  auto add = [&](const nlohmann::json& raw) {
    if (auto event = chat_event_of(raw, options)) out.push_back(std::move(*event));
  };
  if (job.key.starts_with("event:")) {
    add(nlohmann::json::parse(job.payload, nullptr, false));
  } else if (auto events = parse_transaction(job.payload)) {
    for (const auto& raw : *events) add(raw);
  }
  return out;
}

}  // namespace scribe::matrix
