#pragma once
// What happened in a chat, as Scribe's workflows (bot/chat_flows.hpp) take it, and the small
// notices they send back (chat_notice). Events: one typed,
// normalised event per thing a person did, whatever the platform. A platform adapter parses what
// its webhook (or socket) delivered once, into one of these, stores it in its inbox and
// acknowledges; the inbox's worker hands it to the workflows later, also after a restart.
//
// The inbox keeps events, and the outbox notices, in a versioned text form (encode_chat_event,
// encode_chat_notice), so what one version of Scribe stored is read by the next.

#include "bot/error.hpp"
#include "bot/incident.hpp"
#include "bot/time.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace scribe::bot {

// A message the event itself carried (a mention is its own message; Slack's message shortcut
// sends the message it was used on), so that nothing needs fetching.
struct carried_message {
  std::string author_id;  // empty when the platform does not say (a bot's message)
  bool from_bot = false;
  std::string text;  // as the platform wrote it: chat_platform::readable() makes it plain
};

// Someone flagged a message: a 📌 reaction, a mention of Scribe, a shortcut.
struct flag_event {
  channel_ref channel;
  std::string message_ref;
  std::string person_id;  // who flagged it
  // The flag's own id, which taking it back names: a Matrix reaction event's id (redacting it
  // takes the flag back); where flags have none (Slack), the person's id.
  std::string flag_id;
  timestamp flagged_at;                 // when the flag was made (bot::flag_request)
  std::optional<timestamp> written_at;  // when the message was written, if the platform says
  entry_source source = entry_source::reaction;
  std::optional<carried_message> message;
  std::string thread_ref;  // the thread the message is in, if any: private answers go there
  std::string route;       // a platform's own way back to the flagger (Slack's response_url)
};

// Someone took their flag back (Slack: the 📌 removed). Matrix takes flags back by redacting the
// reaction: a message_deleted_event with flag_id.
struct unflag_event {
  channel_ref channel;
  std::string message_ref;
  std::string person_id;
};

// A message was edited. `editor` is set where the platform lets anyone send an edit and its
// receivers must check it (Matrix: only the original sender may replace a message).
struct message_edited_event {
  channel_ref channel;
  std::string message_ref;
  std::string text;  // the new text, as the platform wrote it
  std::optional<std::string> editor;
};

// A message was deleted. On Matrix a redaction may also take back a flag whose id is the
// redacted event (flag_event::by): `flag_id` is set then.
struct message_deleted_event {
  channel_ref channel;
  std::string message_ref;
  std::optional<std::string> flag_id;
};

// A reply in a thread: an answer when the thread is a postmortem question's.
struct thread_reply_event {
  channel_ref channel;
  std::string thread_ref;  // the thread's first message
  std::string reply_ref;
  std::string author_id;
  timestamp written_at;
  std::string text;  // as the platform wrote it
};

// A command typed as a chat message (Matrix's `!incident ...`), answered in the room.
struct command_event {
  channel_ref channel;
  std::string author_id;
  std::string text;  // what followed the command word
  std::string message_ref;
  timestamp written_at;
};

// Scribe was invited to a channel it may join (Matrix: an m.room.member invite for its user from
// an allowed server).
struct invited_event {
  channel_ref channel;
  std::string inviter_id;
};

using chat_event =
    std::variant<flag_event, unflag_event, message_edited_event, message_deleted_event,
                 thread_reply_event, command_event, invited_event>;

// The channel an event happened in.
const channel_ref& channel_of(const chat_event& event);

// A small message Scribe sends outside a postmortem: delivered once per key, now or by the
// adapter's outbox after a crash.
struct chat_notice {
  enum class kind {
    confirm,   // mark `message_ref` as recorded (📝)
    withdraw,  // take that mark back: the entry is gone
    tell,      // tell `person_id` alone (where the platform can), about `message_ref`
    reply,     // answer `message_ref` in the channel
  };
  kind what = kind::confirm;
  channel_ref channel;
  std::string message_ref;
  std::string person_id;
  std::string text;        // for tell and reply: plain text with `code` spans
  std::string thread_ref;  // the thread `message_ref` is in, if any
  std::string route;       // a platform's own way back to the person (Slack's response_url)
};

// The outbox's form of a notice, as encode_chat_event's for events.
std::string encode_chat_notice(const chat_notice& notice);
std::optional<chat_notice> decode_chat_notice(std::string_view text);

// The inbox's form of an event: one line of JSON with a version ("v":1) and a type. Events come
// from JSON that the platforms' parsers accepted, so their text is valid UTF-8; anything else
// would be written as U+FFFD.
std::string encode_chat_event(const chat_event& event);
// nullopt for anything encode_chat_event did not write (another format, a later version).
std::optional<chat_event> decode_chat_event(std::string_view text);

}  // namespace scribe::bot
