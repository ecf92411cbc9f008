#pragma once
// The playground's channel: what happens when a person says something in it or flags a message,
// and how the postmortem's jobs post into it. It is a chat platform that Scribe hosts itself
// (messages in bot::chat_log), driven through the same incident and postmortem desks as Slack and
// Matrix:
// - a message starting with `/incident` is a command, answered by Scribe (replies meant for the
//   asker only are visible to them only, as Slack's ephemeral messages);
// - 📌 on a message flags it into the open incident's timeline (with when it was written and a
//   link back), 📌 again takes the flag back; Scribe confirms a recorded message with 📝;
// - a message that mentions @scribe is flagged too;
// - a reply in the thread of a postmortem question is an answer.
//
// Every call blocks on the store: call it off network threads. No state of its own: one instance
// serves every thread.

#include "bot/chat_log.hpp"
#include "bot/incident_desk.hpp"
#include "bot/postmortem_desk.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::playground {

// The playground is one channel of one workspace.
inline constexpr std::string_view platform = "playground";
inline constexpr std::string_view workspace = "local";
inline constexpr std::string_view channel_name = "playground";
inline constexpr std::string_view command_word = "/incident";
inline const std::string flag_emoji = "\U0001F4CC";      // 📌
inline const std::string recorded_emoji = "\U0001F4DD";  // 📝
inline constexpr std::size_t max_name_bytes = 40;
inline constexpr std::size_t max_text_bytes = 4000;

// Scribe itself, as the author of its messages and reactions.
bot::person scribe_person();

// The channel as the desks know it.
bot::channel_ref channel();

// The timeline's reference to a message, and the link back to it on the page.
std::string message_ref(std::int64_t message_id);
std::string message_link(std::int64_t message_id);

// A person's name as typed into the page, trimmed; errc::invalid_argument (with nothing stored)
// for an empty one, one longer than max_name_bytes, or one with control characters.
bot::result<bot::person> person_named(std::string_view name);

// Whether `message` is Scribe's post of a postmortem question (not the introduction before them),
// whose thread takes answers. Told by the key run_postmortem posts it under.
bool asks_question(const bot::chat_message& message);

class playground_channel {
 public:
  // Every reference must outlive the channel.
  playground_channel(bot::incident_desk& desk, bot::postmortem_desk& postmortems,
                     bot::chat_log& chat, const bot::clock& clock);

  // Posts `author`'s message (in the thread of `thread`, if set) and lets Scribe act on it.
  // errc::invalid_argument for blank text or text over max_text_bytes; errc::entry_not_found
  // for a thread that is not a message of the channel.
  bot::result<bot::chat_message> say(const bot::person& author, std::string_view text,
                                     std::optional<std::int64_t> thread);

  // `by` puts 📌 on the message or takes it back. errc::entry_not_found for an unknown message
  // (Scribe's own messages cannot be flagged).
  bot::result<void> toggle_flag(std::int64_t message_id, const bot::person& by);

  // Runs a postmortem job (bot/postmortem.hpp) of the playground's queue. Each message it posts
  // is keyed by `job_key` and its place, so running the job again posts nothing twice.
  void run_postmortem(const bot::postmortem_job& job, const std::string& job_key);

  // The channel's latest messages, oldest first.
  std::vector<bot::chat_message> recent(std::size_t limit);

  // The channel's message `id` if it starts a thread (is not itself a reply).
  std::optional<bot::chat_message> thread_root(std::int64_t id);

 private:
  void act_on(const bot::chat_message& message);
  void run_command(const bot::chat_message& message, std::string_view arguments);
  void answer(const bot::chat_message& message);
  void flag(const bot::chat_message& message, const bot::person& by, bot::entry_source source);
  bot::chat_message post_as_scribe(std::string text, bot::chat_format format,
                                   std::string visible_to, std::optional<std::string> post_key);

  bot::incident_desk& desk_;
  bot::postmortem_desk& postmortems_;
  bot::chat_log& chat_;
  const bot::clock& clock_;
};

}  // namespace scribe::playground
