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
// Store calls run on the store executor. No state of its own: one instance serves every thread.

#include "bot/chat_flows.hpp"
#include "bot/chat_log.hpp"
#include "bot/chat_platform.hpp"
#include "bot/incident_desk.hpp"
#include "bot/postmortem_desk.hpp"
#include "bot/store_executor.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>

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
inline constexpr std::string_view command_word_text = "/incident";
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

// The playground as the workflows' chat platform (bot/chat_platform.hpp): its messages, names and
// reactions are rows of the chat log, so every call is a store call, made on the store executor,
// and what Scribe sends is posted (or reacted) at once: its "API" cannot fail for a while, and its
// posts are stored once per key. A person's id is their name.
class playground_platform final : public bot::chat_platform {
 public:
  // Every reference must outlive the platform.
  playground_platform(bot::chat_log& chat, bot::store_executor& store, const bot::clock& clock);

  std::string_view name() const override { return platform; }
  std::string_view command_word() const override { return command_word_text; }
  std::string_view other_ways_to_answer() const override { return {}; }
  // The page shows 📝 on a recorded answer, as on a recorded message.
  bool marks_answers() const override { return true; }

  boost::asio::awaitable<bot::platform_answer<bot::read_message>> read(
      bot::channel_ref channel, std::string message_ref) override;
  boost::asio::awaitable<bot::platform_answer<std::string>> display_name(
      bot::channel_ref channel, std::string person_id) override;
  boost::asio::awaitable<bot::platform_answer<std::string>> readable(bot::channel_ref channel,
                                                                     std::string text) override;
  boost::asio::awaitable<bot::platform_answer<std::string>> permalink(
      bot::channel_ref channel, std::string message_ref) override;
  boost::asio::awaitable<void> send(bot::chat_notice notice, std::string key) override;
  boost::asio::awaitable<bot::platform_answer<bot::done>> post_once(
      bot::job job, bot::channel_ref channel, std::vector<bot::chat_post> posts,
      std::function<boost::asio::awaitable<void>(std::size_t, std::string)> posted) override;
  boost::asio::awaitable<bot::platform_answer<bot::done>> join(bot::channel_ref channel) override;

 private:
  // Posts as Scribe, once per key. Blocks on the store.
  bot::chat_message post_as_scribe(std::string text, bot::chat_format format,
                                   std::string visible_to, std::optional<std::string> post_key);

  bot::chat_log& chat_;
  bot::store_executor& store_;
  const bot::clock& clock_;
};

// What people do in the playground, and Scribe's answer: each message or 📌 is stored and then
// handed, as the typed event it is, to the workflows, which run before the call returns (the page
// shows their effect at once; a workflow that must wait for something under way, an answer to a
// question still being posted, waits a moment and runs again).
class playground_channel {
 public:
  // Every reference must outlive the channel. `postmortem_due` as for bot::chat_flows.
  playground_channel(bot::incident_desk& desk, bot::postmortem_desk& postmortems,
                     bot::chat_log& chat, bot::store_executor& store, const bot::clock& clock,
                     std::function<void()> postmortem_due);

  // Posts `author`'s message (in the thread of `thread`, if set) and lets Scribe act on it.
  // errc::invalid_argument for blank text or text over max_text_bytes; errc::entry_not_found
  // for a thread that is not a message of the channel.
  boost::asio::awaitable<bot::result<bot::chat_message>> say(bot::person author, std::string text,
                                                             std::optional<std::int64_t> thread);

  // `by` puts 📌 on the message or takes it back. errc::entry_not_found for an unknown message
  // (Scribe's own messages cannot be flagged).
  boost::asio::awaitable<bot::result<void>> toggle_flag(std::int64_t message_id, bot::person by);

  // Runs a postmortem job (bot/postmortem.hpp) of the playground's queue.
  boost::asio::awaitable<bot::job_outcome> run_postmortem(bot::job job);

  // The channel's latest messages, oldest first. Blocks on the store.
  std::vector<bot::chat_message> recent(std::size_t limit);
  // The channel's message `id` if it starts a thread (is not itself a reply). Blocks on the store.
  std::optional<bot::chat_message> thread_root(std::int64_t id);

 private:
  boost::asio::awaitable<void> act(bot::chat_event event);

  bot::chat_log& chat_;
  bot::store_executor& store_;
  const bot::clock& clock_;
  playground_platform platform_;
  bot::chat_flows flows_;
};

}  // namespace scribe::playground
