#include "bot/incident_desk.hpp"

#include "text/text.hpp"

#include <algorithm>
#include <type_traits>

namespace scribe::bot {
namespace {

constexpr std::size_t timeline_line_length = 300;  // bytes of an entry shown in a chat reply

std::string quote(std::string_view invoked_as, std::string_view rest) {
  return "`" + std::string{invoked_as} + " " + std::string{rest} + "`";
}

bot_reply no_open_incident(const command_request& request) {
  return {"There is no open incident in this channel. Start one with " +
              quote(request.invoked_as, "open <title>") + ".",
          reply_visibility::author};
}

std::string headline(const incident& inc) {
  std::string out = incident_label(inc) + " · " + inc.title + " · " + severity_label(inc.severity);
  out += inc.status == incident_status::open ? " · open" : " · closed";
  return out;
}

}  // namespace

std::optional<incident> incident_for_flag(incident_store& store, const channel_ref& channel,
                                          timestamp flagged_at,
                                          std::optional<timestamp> written_at) {
  if (auto inc = store.find_incident_open_at(channel, flagged_at)) return inc;
  if (written_at) return store.find_incident_open_at(channel, *written_at);
  return std::nullopt;
}

std::string no_incident_for_flag_reply(std::string_view invoked_as) {
  return "No incident was open in this channel when you flagged that message, and it was not "
         "written during one, so it is not in any timeline. Start one with " +
         quote(invoked_as, "open <title>") + ".";
}

std::string bot_message_not_recorded_reply() {
  return "That message was posted by a bot: Scribe keeps what people wrote, so it is not in the "
         "timeline.";
}

std::string message_gone_reply() {
  return "That message was deleted before Scribe could read it, so it is not in the timeline.";
}

std::string message_unreadable_reply(std::string_view error) {
  return "Scribe could not read that message (the chat platform said `" + std::string(error) +
         "`), so it is not in the timeline. Is Scribe a member of this channel?";
}

incident_desk::incident_desk(incident_store& store, job_queue& jobs, const clock& clock,
                             const config::postmortem_options& postmortem)
    : store_(store), jobs_(jobs), clock_(clock), postmortem_(postmortem) {}

bot_reply incident_desk::run_command(const command_request& request) {
  const parsed_command cmd = parse_command(request.text, request.invoked_as);
  return std::visit(
      [&](const auto& c) -> bot_reply {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, open_command>)
          return open(request, c);
        else if constexpr (std::is_same_v<T, note_command>)
          return note(request, c);
        else if constexpr (std::is_same_v<T, severity_command>)
          return set_severity(request, c);
        else if constexpr (std::is_same_v<T, status_command>)
          return status(request);
        else if constexpr (std::is_same_v<T, timeline_command>)
          return show_timeline(request);
        else if constexpr (std::is_same_v<T, close_command>)
          return close(request, c);
        else if constexpr (std::is_same_v<T, draft_command>)
          return draft(request);
        else if constexpr (std::is_same_v<T, help_command>)
          return {help_text(request.invoked_as)};
        else
          return {c.reply};
      },
      cmd);
}

entry_draft incident_desk::system_entry(const person& author, std::string text,
                                        timestamp at) const {
  return {at, at, author, std::move(text), entry_source::system, std::nullopt, {}};
}

bot_reply incident_desk::open(const command_request& request, const open_command& cmd) {
  // Opened when it was declared: a command processed late (a Matrix transaction delivered after
  // an outage) still opens the incident at the time of the message, so that flags made meanwhile
  // find it (incident_for_flag).
  const timestamp at = request.written_at.value_or(clock_.now());
  auto opened =
      store_.open_incident({request.channel, cmd.title, std::nullopt, request.author, at},
                           system_entry(request.author, "Incident opened: " + cmd.title, at));
  if (!opened) {
    if (opened.error() != errc::incident_already_open) return {opened.error().message()};
    // Another open may have won a race; either way the channel's incident is the one to name.
    auto existing = store_.find_open_incident(request.channel);
    std::string which =
        existing ? incident_label(*existing) + " (" + existing->title + ")" : "An incident";
    return {which + " is already open in this channel. Close it with " +
            quote(request.invoked_as, "close") + " before opening another."};
  }
  return {incident_label(*opened) + " opened by " + request.author.name + ": " + opened->title +
              "\nAdd notes with " + quote(request.invoked_as, "note <text>") +
              ", set the severity with " + quote(request.invoked_as, "sev <1-5>") + ", and " +
              quote(request.invoked_as, "close") + " when it is over.",
          reply_visibility::channel};
}

bot_reply incident_desk::note(const command_request& request, const note_command& cmd) {
  const timestamp now = clock_.now();
  const timestamp at = request.written_at.value_or(now);
  // A note is a flag of its own message: processed late, it goes to the incident that was open
  // when it was written, even one closed since.
  auto inc = request.written_at ? store_.find_incident_open_at(request.channel, at) : std::nullopt;
  if (!inc) inc = store_.find_open_incident(request.channel);
  if (!inc) return no_open_incident(request);
  auto recorded = store_.add_entry(
      inc->id, {at, now, request.author, cmd.text, entry_source::command, request.message_ref, {}});
  if (!recorded) return {recorded.error().message()};
  return {"Noted in " + incident_label(*inc) + " at " + format_utc_clock(at) + " UTC."};
}

bot_reply incident_desk::set_severity(const command_request& request, const severity_command& cmd) {
  auto inc = store_.find_open_incident(request.channel);
  if (!inc) return no_open_incident(request);
  if (inc->severity == cmd.severity) {
    return {incident_label(*inc) + " is already " + severity_label(cmd.severity) + "."};
  }
  const timestamp now = clock_.now();
  std::string text = "Severity set to " + severity_label(cmd.severity) + " (was " +
                     severity_label(inc->severity) + ")";
  auto updated =
      store_.set_severity(inc->id, cmd.severity, system_entry(request.author, text, now));
  if (!updated) return no_open_incident(request);
  return {incident_label(*updated) + ": " + text + " by " + request.author.name + ".",
          reply_visibility::channel};
}

bot_reply incident_desk::status(const command_request& request) {
  auto inc = store_.find_open_incident(request.channel);
  if (!inc) return no_open_incident(request);
  const auto entries = store_.timeline_size(inc->id);
  return {headline(*inc) + "\nOpened by " + inc->opened_by.name + " at " +
          format_rfc3339(inc->opened_at) + ", " + format_duration(clock_.now() - inc->opened_at) +
          " ago. " + std::to_string(entries) +
          (entries == 1 ? " timeline entry." : " timeline entries.")};
}

bot_reply incident_desk::show_timeline(const command_request& request) {
  auto inc = store_.find_open_incident(request.channel);
  if (!inc) return no_open_incident(request);
  const auto total = store_.timeline_size(inc->id);
  const auto entries = store_.timeline_tail(inc->id, timeline_reply_limit);
  std::string out = headline(*inc);
  if (const auto earlier = total - static_cast<std::int64_t>(entries.size()); earlier > 0) {
    out += "\n(" + std::to_string(earlier) + " earlier entries not shown)";
  }
  for (const auto& e : entries) {
    std::string line = text::single_line(e.text);
    if (line.size() > timeline_line_length)
      line = text::utf8_prefix(line, timeline_line_length) + "…";
    out += "\n" + format_utc_clock(e.occurred_at) + " UTC  " + e.author.name + "  [" +
           std::string{to_string(e.source)} + "]  " + line;
  }
  return {out};
}

bot_reply incident_desk::close(const command_request& request, const close_command& cmd) {
  auto inc = store_.find_open_incident(request.channel);
  if (!inc) return no_open_incident(request);
  const timestamp now = clock_.now();
  // Closed when it was said, as open() opens: flags made after it go by the rule of the time.
  const timestamp at = std::max(request.written_at.value_or(now), inc->opened_at);
  incident_closure closure{
      request.author,
      at,
      cmd.summary,
      system_entry(request.author,
                   cmd.summary.empty() ? "Incident closed" : "Incident closed: " + cmd.summary, at),
      {},
      {}};
  for (const auto& q : postmortem_.questions) closure.questions.push_back({q.id, q.text, {}});
  const auto remind_after =
      std::chrono::duration_cast<std::chrono::microseconds>(postmortem_.remind_after);
  const auto draft_after =
      std::chrono::duration_cast<std::chrono::microseconds>(postmortem_.draft_after);
  closure.follow_ups = {
      schedule(*inc, {postmortem_step::ask, inc->id, {}}, now),
      schedule(*inc, {postmortem_step::remind, inc->id, {}}, now + remind_after),
      schedule(*inc, {postmortem_step::draft, inc->id, "timer"}, now + draft_after),
  };
  auto closed = store_.close_incident(inc->id, closure);
  if (!closed) return no_open_incident(request);  // someone else closed it a moment ago
  // Only the facts of the close: the postmortem's introduction (question_messages) follows at
  // once and explains the review, on every platform, so saying it here too would say it twice.
  return {incident_label(*closed) + " closed by " + request.author.name + " after " +
              format_duration(at - closed->opened_at) + ": " + closed->title,
          reply_visibility::channel};
}

bot_reply incident_desk::draft(const command_request& request) {
  auto inc = store_.find_latest_incident(request.channel);
  if (!inc) {
    return {"There is no incident in this channel to draft a postmortem for. Start one with " +
            quote(request.invoked_as, "open <title>") + "."};
  }
  const timestamp now = clock_.now();
  // Each request is its own version: the key names the moment and the person.
  const postmortem_job job{
      postmortem_step::draft, inc->id,
      "command:" + std::to_string(to_unix_micros(now)) + ":" + request.author.id};
  const follow_up planned = schedule(*inc, job, now);
  jobs_.enqueue(planned.queue, planned.key, planned.payload, now);
  return {
      "Drafting the postmortem of " + incident_label(*inc) +
          (inc->status == incident_status::open ? " (still open: a draft of what is known so far)"
                                                : "") +
          "; " + request.author.name + " asked for it. It will be posted here in a moment.",
      reply_visibility::channel};
}

result<recorded_entry> incident_desk::flag_message(const flag_request& flag,
                                                   const flagged_message& message) {
  const auto inc = incident_for_flag(store_, flag.channel, flag.flagged_at, message.written_at);
  if (!inc) return errc::no_incident_for_flag;
  return store_.flag_entry(inc->id,
                           {message.written_at, clock_.now(), message.author, message.text,
                            message.source, message.message_ref, message.link},
                           flag.by.id);
}

result<std::optional<std::int64_t>> incident_desk::flag_again(const flag_request& flag) {
  const auto inc = incident_for_flag(store_, flag.channel, flag.flagged_at, flag.written_at);
  if (!inc) {
    if (flag.written_at) return errc::no_incident_for_flag;
    return std::optional<std::int64_t>{};  // the message's time decides: fetch it first
  }
  return store_.add_flag(inc->id, flag.message_ref, flag.by.id);
}

result<std::optional<timeline_entry>> incident_desk::unflag_message(const channel_ref& channel,
                                                                    const std::string& message_ref,
                                                                    const person& by) {
  return store_.unflag_entry(channel, message_ref, by.id);
}

result<std::optional<timeline_entry>> incident_desk::unflag_by_id(const channel_ref& channel,
                                                                  const std::string& flag_id) {
  const auto message_ref = store_.find_flagged_message(channel, flag_id);
  if (!message_ref) return errc::entry_not_found;
  return store_.unflag_entry(channel, *message_ref, flag_id);
}

std::int64_t incident_desk::edit_message(const channel_ref& channel, const std::string& message_ref,
                                         const std::string& new_text) {
  return store_.update_entry_text(channel, message_ref, new_text);
}

std::vector<timeline_entry> incident_desk::delete_message(const channel_ref& channel,
                                                          const std::string& message_ref) {
  return store_.remove_entries(channel, message_ref);
}

}  // namespace scribe::bot
