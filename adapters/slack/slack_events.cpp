#include "adapters/slack/slack_events.hpp"

#include "adapters/slack/slack_platform.hpp"
#include "adapters/slack/text.hpp"

namespace scribe::slack {
namespace {

std::optional<bot::timestamp> time_of(std::string_view ts) {
  const auto parsed = parse_message_ts(ts);
  if (!parsed) return std::nullopt;
  return *parsed;
}

std::string thread_ref_of(std::string_view channel, std::string_view thread_ts) {
  return thread_ts.empty() ? std::string() : message_ref(channel, thread_ts);
}

}  // namespace

std::optional<bot::chat_event> chat_event_of(const event_envelope& envelope,
                                             const config::slack_options& options,
                                             bot::timestamp received_at) {
  const slack_event event = parse_event(envelope.event);
  const std::string& team = envelope.team_id;
  if (const auto* reaction = std::get_if<reaction_event>(&event)) {
    if (reaction_base_name(reaction->reaction) != options.flag_reaction) return std::nullopt;
    const bot::channel_ref channel{"slack", team, reaction->item_channel};
    std::string ref = message_ref(reaction->item_channel, reaction->item_ts);
    if (!reaction->added) return bot::unflag_event{channel, std::move(ref), reaction->user};
    // The reaction's own time is when the flag was made; the message's ts when it was written.
    return bot::flag_event{channel,
                           std::move(ref),
                           reaction->user,
                           reaction->user,
                           time_of(reaction->event_ts).value_or(received_at),
                           time_of(reaction->item_ts),
                           bot::entry_source::reaction,
                           std::nullopt,
                           {},
                           {}};
  }
  if (const auto* mention = std::get_if<mention_event>(&event)) {
    // Bots, Scribe included, never reach the timeline this way: no loops.
    if (!mention->bot_id.empty() || mention->user.empty()) return std::nullopt;
    // The mention is the flag: made when it was written (Slack may deliver it minutes later).
    const auto written_at = time_of(mention->ts);
    return bot::flag_event{{"slack", team, mention->channel},
                           message_ref(mention->channel, mention->ts),
                           mention->user,
                           mention->user,
                           written_at.value_or(received_at),
                           written_at,
                           bot::entry_source::mention,
                           bot::carried_message{mention->user, false,
                                                std::string(strip_leading_mention(mention->text))},
                           thread_ref_of(mention->channel, mention->thread_ts),
                           {}};
  }
  if (const auto* reply = std::get_if<thread_reply_event>(&event)) {
    // Bots' replies, Scribe's own included, are never answers.
    const auto written_at = time_of(reply->ts);
    if (!reply->bot_id.empty() || !written_at) return std::nullopt;
    return bot::thread_reply_event{{"slack", team, reply->channel},
                                   message_ref(reply->channel, reply->thread_ts),
                                   message_ref(reply->channel, reply->ts),
                                   reply->user,
                                   *written_at,
                                   reply->text};
  }
  // An edited or deleted message may be a timeline entry, an answer, or both. Slack lets only its
  // author edit a message, so the edit needs no check.
  if (const auto* edit = std::get_if<message_edit_event>(&event)) {
    if (!edit->bot_id.empty()) return std::nullopt;
    return bot::message_edited_event{
        {"slack", team, edit->channel}, message_ref(edit->channel, edit->ts), edit->new_text, {}};
  }
  if (const auto* deletion = std::get_if<message_delete_event>(&event)) {
    return bot::message_deleted_event{{"slack", team, deletion->channel},
                                      message_ref(deletion->channel, deletion->deleted_ts),
                                      {}};
  }
  return std::nullopt;
}

bot::chat_event chat_event_of(const message_shortcut& shortcut, bot::timestamp received_at) {
  // A shortcut is made when it is used: Scribe received it at once.
  return bot::flag_event{
      {"slack", shortcut.team_id, shortcut.channel_id},
      message_ref(shortcut.channel_id, shortcut.message_ts),
      shortcut.user_id,
      shortcut.user_id,
      received_at,
      time_of(shortcut.message_ts),
      bot::entry_source::reaction,
      bot::carried_message{shortcut.message_user, !shortcut.message_bot_id.empty(),
                           shortcut.message_text},
      thread_ref_of(shortcut.channel_id, shortcut.thread_ts),
      shortcut.response_url};
}

namespace {

std::optional<bot::chat_event> legacy_inbox_event(const bot::job& job,
                                                  const config::slack_options& options) {
  const auto newline = job.payload.find('\n');
  if (newline == std::string::npos) return std::nullopt;
  const std::string_view kind = std::string_view(job.payload).substr(0, newline);
  const std::string_view body = std::string_view(job.payload).substr(newline + 1);
  // The job was created when Slack's request arrived.
  if (kind == "event") {
    const auto envelope = parse_event_envelope(body);
    if (!envelope) return std::nullopt;
    return chat_event_of(*envelope, options, job.created_at);
  }
  if (kind == "shortcut") {
    const auto form = http::parse_form(body);
    if (!form) return std::nullopt;
    const auto parsed = parse_interaction(*form);
    const auto* shortcut = parsed ? std::get_if<message_shortcut>(&*parsed) : nullptr;
    if (shortcut == nullptr) return std::nullopt;
    return chat_event_of(*shortcut, job.created_at);
  }
  return std::nullopt;
}

}  // namespace

std::vector<bot::chat_event> legacy_inbox_events(const bot::job& job,
                                                 const config::slack_options& options) {
  std::vector<bot::chat_event> events;
  if (auto event = legacy_inbox_event(job, options)) events.push_back(std::move(*event));
  return events;
}

}  // namespace scribe::slack
