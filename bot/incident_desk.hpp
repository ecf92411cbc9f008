#pragma once
// The incident desk: what Scribe does when a responder types a command or flags a message. Chat
// adapters translate platform payloads into these calls and the replies back into platform
// messages; the desk knows nothing of any platform.
//
// Every call blocks on the store (see incident_store.hpp): call it off network threads. The desk
// holds no state of its own, so one instance serves all threads.

#include "bot/command.hpp"
#include "bot/error.hpp"
#include "bot/incident.hpp"
#include "bot/incident_store.hpp"
#include "bot/job_queue.hpp"
#include "bot/time.hpp"
#include "config/options.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace scribe::bot {

enum class reply_visibility {
  channel,  // everyone in the channel should see it (an incident opened, closed, re-rated)
  author,   // only the person who asked (help, status, mistakes)
};

struct bot_reply {
  std::string text;  // plain text with `code` spans; adapters render it for their platform
  reply_visibility visibility = reply_visibility::author;
};

struct command_request {
  channel_ref channel;
  person author;
  std::string text;        // what followed the command word, as typed
  std::string invoked_as;  // "/incident" or "!incident", quoted back in advice
  // The chat message that carried the command, where the platform has one (Matrix): a note it
  // adds is stored once however often the message is processed.
  std::optional<std::string> message_ref;
  // When that message was written; a note takes this time rather than when it was processed
  // (a Matrix transaction may be delivered late, after an outage).
  std::optional<timestamp> written_at;
};

// A chat message someone asked to keep in the timeline.
struct flagged_message {
  std::string message_ref;  // the platform's stable reference, the de-duplication key
  std::string link;         // back to the message; may be empty
  person author;            // who wrote the message (not who flagged it)
  timestamp written_at;     // when it was written (not when it was flagged)
  std::string text;
  entry_source source = entry_source::reaction;
};

// One person's flag on a chat message, as the platform reported it.
struct flag_request {
  channel_ref channel;
  std::string message_ref;
  person by;
  // When the flag was made: the reaction's own time, or when the request that carried it arrived
  // (a shortcut, a mention). Not when Scribe gets round to processing it.
  timestamp flagged_at;
  // When the flagged message was written, where the platform tells without fetching it (Slack's
  // message ts is its time); nullopt otherwise.
  std::optional<timestamp> written_at;
};

// The incident a flag belongs to: the one that was open in the channel when the flag was made,
// whenever the flag is processed (an incident that closed in between still gets it); else the one
// whose open window holds the time the message was written (flagging late, during the postmortem);
// else none. `written_at` nullopt: only the first rule applies.
std::optional<incident> incident_for_flag(incident_store& store, const channel_ref& channel,
                                          timestamp flagged_at,
                                          std::optional<timestamp> written_at);

// What Scribe tells the flagger, privately, when a flag is not recorded; `invoked_as` ("/incident")
// is quoted in the advice.
std::string no_incident_for_flag_reply(std::string_view invoked_as);
// The flagged message is a bot's (Scribe's own included): only people's messages are recorded.
std::string bot_message_not_recorded_reply();
// The flagged message was deleted before Scribe could read it.
std::string message_gone_reply();
// The platform refused to give Scribe the flagged message; `error` is what it said.
std::string message_unreadable_reply(std::string_view error);

// Timeline replies show at most this many entries, the latest ones.
inline constexpr std::size_t timeline_reply_limit = 50;

class incident_desk {
 public:
  // Every reference must outlive the desk. `postmortem` says what closing an incident asks and
  // when its reminder and automatic draft are due.
  incident_desk(incident_store& store, job_queue& jobs, const clock& clock,
                const config::postmortem_options& postmortem);

  // Never throws for anything the person typed; store failures propagate as exceptions.
  bot_reply run_command(const command_request& request);

  // Records a flagged message in the incident the flag belongs to (see incident_for_flag); a
  // message flagged twice (by one person or several) is stored once, also in an incident that has
  // closed since. errc::no_incident_for_flag when the flag belongs to none.
  result<recorded_entry> flag_message(const flag_request& flag, const flagged_message& message);

  // A message flagged again: adds the flag if the incident it belongs to has the message already,
  // and returns its entry's id. nullopt: not recorded yet, or the flag's incident depends on when
  // the message was written and flag.written_at is not known; the caller fetches the message and
  // calls flag_message. errc::no_incident_for_flag when flag.written_at is known and the flag
  // belongs to no incident.
  result<std::optional<std::int64_t>> flag_again(const flag_request& flag);

  // Takes back `by`'s flag; the entry goes when nobody's flag is left, and is then returned.
  // errc::entry_not_found when `by` had not flagged it.
  result<std::optional<timeline_entry>> unflag_message(const channel_ref& channel,
                                                       const std::string& message_ref,
                                                       const person& by);

  // Takes back the flag whose id is `flag_id` (a Matrix reaction event, recorded as the flagger),
  // as unflag_message does. errc::entry_not_found when no entry has that flag.
  result<std::optional<timeline_entry>> unflag_by_id(const channel_ref& channel,
                                                     const std::string& flag_id);

  // A message was edited or deleted in chat: the timeline follows. Messages that were never
  // flagged change nothing.
  std::int64_t edit_message(const channel_ref& channel, const std::string& message_ref,
                            const std::string& new_text);
  std::vector<timeline_entry> delete_message(const channel_ref& channel,
                                             const std::string& message_ref);

 private:
  bot_reply open(const command_request& request, const open_command& cmd);
  bot_reply note(const command_request& request, const note_command& cmd);
  bot_reply set_severity(const command_request& request, const severity_command& cmd);
  bot_reply status(const command_request& request);
  bot_reply show_timeline(const command_request& request);
  bot_reply close(const command_request& request, const close_command& cmd);
  bot_reply draft(const command_request& request);
  entry_draft system_entry(const person& author, std::string text, timestamp at) const;

  incident_store& store_;
  job_queue& jobs_;
  const clock& clock_;
  const config::postmortem_options& postmortem_;
};

}  // namespace scribe::bot
