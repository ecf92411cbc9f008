#pragma once
// Matrix as the workflows' chat platform (bot/chat_platform.hpp), through the Client-Server API as
// the application service's bot user (PROTOCOLS.md 7-8): messages are read with /event, people
// named from the room's joined_members (cached per room), and links are matrix.to links. What
// Scribe sends goes through the outbox (matrix.outbox): 📝 annotations, the redaction of one, and
// notices. Every send carries a transaction id derived from its job and place, so a resend after a
// failure or a crash is recognised by the homeserver and creates nothing new: that is also how a
// postmortem's posts are made once. Matrix has no private messages in a room: a private answer is
// a notice in reply to the message, mentioning the person.
//
// Lifetime: everything passed to the constructor must outlive it; stop() before the io_context
// stops. Thread-safety: every member may be called from any coroutine.

#include "adapters/jobs/chat_queues.hpp"
#include "adapters/matrix/client_api.hpp"
#include "bot/chat_platform.hpp"
#include "config/options.hpp"
#include "runtime/store_thread.hpp"

#include <boost/asio/io_context.hpp>

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace scribe::matrix {

inline constexpr std::string_view outbox_queue = "matrix.outbox";
// The reaction Scribe adds to a message it recorded (U+1F4DD MEMO), as :memo: on Slack.
inline constexpr std::string_view recorded_key = "\U0001F4DD";

class matrix_platform final : public bot::chat_platform {
 public:
  matrix_platform(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                  bot::job_queue& jobs, const bot::clock& clock, client_api& api,
                  const config::matrix_options& options, const config::jobs_options& limits);

  std::string_view name() const override { return "matrix"; }
  std::string_view command_word() const override { return options_.command_prefix; }
  std::string_view other_ways_to_answer() const override { return {}; }
  bool marks_answers() const override { return false; }

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

  void start() { outbox_.start(); }
  void stop() { outbox_.stop(); }

 private:
  // Delivers one outbox job: a notice, or an event as an earlier Scribe stored it.
  boost::asio::awaitable<bot::job_outcome> deliver(bot::job job);
  // Redacts Scribe's own 📝 on `event_id`, found through the relations API.
  boost::asio::awaitable<call_result> withdraw_mark(std::string room_id, std::string event_id,
                                                    std::string txn_id);

  client_api& api_;
  const config::matrix_options& options_;
  const std::string bot_user_id_;
  jobs::chat_outbox outbox_;
  std::mutex names_mutex_;
  std::map<std::string, std::map<std::string, std::string>> names_;  // room -> user -> name
};

}  // namespace scribe::matrix
