#pragma once
// The chat platform port: what Scribe's workflows (bot/chat_flows.hpp) ask of Slack, Matrix or the
// playground. Each platform adapter implements it with a client of its API; the workflows are
// written once, against it, and a new platform needs a webhook parser and this, nothing in bot/.
//
// Every call may be made from any coroutine of the io_context; implementations are safe for
// concurrent calls. None throws for what a platform answers: failures come back as a
// platform_answer. What is sent is sent once: a notice once per key (across a crash too, through
// the adapter's outbox), a postmortem's posts once per job and place.

#include "bot/chat_event.hpp"
#include "bot/chat_log.hpp"
#include "bot/incident.hpp"
#include "bot/job_queue.hpp"
#include "bot/time.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::bot {

// What came of asking the platform for something.
enum class answer_kind {
  ok,         // the answer is there
  not_found,  // what was asked for is not there (a deleted message)
  failed,     // an error retrying will not fix; the error is the platform's code
  retry,      // try again later (after retry_after if the platform said so); the error says why
};

template <class T>
struct platform_answer {
  answer_kind what = answer_kind::ok;
  T value{};
  std::string error;
  std::chrono::milliseconds retry_after{0};

  static platform_answer ok(T value) { return {answer_kind::ok, std::move(value), {}, {}}; }
  static platform_answer not_found() { return {answer_kind::not_found, {}, {}, {}}; }
  static platform_answer failed(std::string code) {
    return {answer_kind::failed, {}, std::move(code), {}};
  }
  static platform_answer retry(std::string why, std::chrono::milliseconds after = {}) {
    return {answer_kind::retry, {}, std::move(why), after};
  }
  // The same failure as an answer of another type.
  template <class U>
  platform_answer<U> as() const {
    return {what, {}, error, retry_after};
  }
};

// Nothing to return but success.
struct done {};

// A chat message as a flag needs it.
struct read_message {
  std::string author_id;  // empty when the platform does not say
  bool from_bot = false;  // a bot's (Scribe's own included): never recorded
  timestamp written_at;
  std::string text;  // as the platform wrote it: readable() makes it plain
};

// One message of a postmortem's posts. A platform may post one as several messages (a draft
// longer than its limits); posts keep their order.
struct chat_post {
  std::string text;
  chat_format format = chat_format::text;
  // The platform may offer a form to answer the postmortem's questions of this incident beside
  // the post (Slack: an "Answer in a form" button).
  std::optional<std::int64_t> answer_form_for;
  // The incident whose postmortem draft this is: a platform that cannot post all of it says where
  // the whole draft is.
  std::optional<incident> draft_of;
};

class chat_platform {
 public:
  virtual ~chat_platform() = default;

  // The platform's name in channel_ref ("slack").
  virtual std::string_view name() const = 0;
  // What people type before a command ("/incident", "!incident"), quoted in advice.
  virtual std::string_view command_word() const = 0;
  // What the postmortem's introduction and reminder add about other ways to answer than a
  // question's thread ("Or answer them all in a form."); empty when there are none.
  virtual std::string_view other_ways_to_answer() const = 0;
  // Whether a recorded answer gets the recorded mark too (the playground's page shows it; Slack
  // and Matrix leave answers unmarked, so that a thread does not fill with 📝).
  virtual bool marks_answers() const = 0;

  // The message `message_ref` of `channel`; not_found when it was deleted.
  virtual boost::asio::awaitable<platform_answer<read_message>> read(channel_ref channel,
                                                                     std::string message_ref) = 0;
  // How people see `person_id` named in `channel`; the id when the platform does not say.
  virtual boost::asio::awaitable<platform_answer<std::string>> display_name(
      channel_ref channel, std::string person_id) = 0;
  // `text` as Scribe stores it: the platform's markup made plain, mentions named ("@alice").
  virtual boost::asio::awaitable<platform_answer<std::string>> readable(channel_ref channel,
                                                                        std::string text) = 0;
  // A link people can follow to the message; empty when there is none.
  virtual boost::asio::awaitable<platform_answer<std::string>> permalink(
      channel_ref channel, std::string message_ref) = 0;

  // Sends `notice` once for `key`, however often it is asked for (also across a restart).
  virtual boost::asio::awaitable<void> send(chat_notice notice, std::string key) = 0;

  // Posts `posts` in `channel`, in order, each once across every run of `job` (a run after a
  // crash or a failure finds what an earlier run posted). `posted` is called with each post's
  // place and the reference of its (first) message as soon as it is posted or found, also when
  // a later one fails.
  virtual boost::asio::awaitable<platform_answer<done>> post_once(
      job job, channel_ref channel, std::vector<chat_post> posts,
      std::function<boost::asio::awaitable<void>(std::size_t, std::string)> posted) = 0;

  // Joins `channel` after an invitation (invited_event).
  virtual boost::asio::awaitable<platform_answer<done>> join(channel_ref channel) = 0;
};

}  // namespace scribe::bot
