#pragma once
// Slack as the workflows' chat platform (bot/chat_platform.hpp), through the Web API
// (PROTOCOLS.md section 5): messages are read with conversations.history (or .replies for a thread
// reply) and linked with chat.getPermalink; people are named by users.info (cached: names change
// rarely, and each flag would ask again); mentions in text become "@handle". What Scribe sends
// goes through the outbox (slack.outbox): reactions (:memo: confirms), ephemeral messages or a
// shortcut's response_url for private answers. A postmortem's posts carry message metadata naming
// their job and place, so that a run after a failure or a crash first looks in the channel's
// history for what an earlier run posted, and posts each once.
//
// Lifetime: everything passed to the constructor must outlive it; stop() before the io_context
// stops. Thread-safety: every member may be called from any coroutine.

#include "adapters/jobs/chat_queues.hpp"
#include "adapters/slack/payloads.hpp"
#include "adapters/slack/web_api.hpp"
#include "bot/chat_platform.hpp"
#include "config/options.hpp"
#include "runtime/store_thread.hpp"

#include <boost/asio/io_context.hpp>

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace scribe::slack {

inline constexpr std::string_view outbox_queue = "slack.outbox";
// The reaction Scribe adds to a message it recorded, so the channel sees it was kept.
inline constexpr std::string_view recorded_reaction = "memo";

// The timeline's reference to a Slack message: "<channel>/<ts>".
std::string message_ref(std::string_view channel, std::string_view ts);
// The ts of a message reference; the whole reference when it has no '/'.
std::string_view ts_of(std::string_view message_ref);
// Slack's message timestamps ("1795255300.000200": seconds and microseconds) as an instant.
// http::errc::malformed_request for anything else.
bot::result<bot::timestamp> parse_message_ts(std::string_view ts);

class slack_platform final : public bot::chat_platform {
 public:
  // `public_url` (server.public_url, may be empty) is where a draft too long for chat links to.
  slack_platform(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                 bot::job_queue& jobs, const bot::clock& clock, web_api& api,
                 const config::slack_options& options, std::string public_url,
                 const config::jobs_options& limits);

  std::string_view name() const override { return "slack"; }
  std::string_view command_word() const override { return options_.command; }
  std::string_view other_ways_to_answer() const override { return "Or answer them all in a form."; }
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

  // Sends a raw Web API call (`method` with JSON `params`) or a response_url post once per key,
  // through the outbox: what a slash command's reply does not fit in one answer.
  boost::asio::awaitable<void> send_call(std::string key, nlohmann::json call);

  // The name users.info gave `person_id` earlier, if it was asked (the answer form's submission
  // carries only a username).
  std::optional<std::string> known_name(const std::string& person_id);

  void start() { outbox_.start(); }
  void stop() { outbox_.stop(); }

 private:
  boost::asio::awaitable<call_result> names_of(std::string user_id, user_names& names);
  // Delivers one outbox job: a notice, or a raw call (also as an earlier Scribe stored it).
  boost::asio::awaitable<bot::job_outcome> deliver(bot::job job);
  boost::asio::awaitable<call_result> deliver_notice(const bot::chat_notice& notice);
  boost::asio::awaitable<call_result> find_posted(const bot::job& job, std::string channel,
                                                  std::map<std::string, std::string>& ts_by_key);

  web_api& api_;
  const config::slack_options& options_;
  const std::string public_url_;
  jobs::chat_outbox outbox_;
  std::mutex names_mutex_;
  std::unordered_map<std::string, user_names> names_;  // guarded by names_mutex_
};

// A call's answer as the workflows take it.
template <class T>
bot::platform_answer<T> answer_of(const call_result& call) {
  if (call.what == call_result::kind::retry) {
    return bot::platform_answer<T>::retry(call.error, call.retry_after);
  }
  return bot::platform_answer<T>::failed(call.error);
}

}  // namespace scribe::slack
