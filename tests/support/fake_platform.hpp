#pragma once
// A chat platform for the workflows' tests (bot/chat_platform.hpp): messages, names and posts in
// memory, what Scribe sent recorded, and answers the test scripts (a retry, a refusal) before the
// normal ones. It keeps the port's promises the way the real platforms do: a notice is delivered
// once per key, and a postmortem post once per job and place (a run after a failure finds what an
// earlier run posted, as Slack's history lookup and Matrix's transaction ids do).
//
// Also: an inline store executor, and run(), which runs a coroutine to its end on an io_context of
// its own.

#include "bot/chat_platform.hpp"
#include "bot/store_executor.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <deque>
#include <map>
#include <string>
#include <vector>

namespace scribe::test_support {

// Runs store calls where the coroutine is: the tests' store is a file, and there is one thread.
class inline_store final : public bot::store_executor {
 public:
  boost::asio::awaitable<void> run(std::function<void()> call) override {
    call();
    co_return;
  }
};

template <class T>
T run(boost::asio::awaitable<T> coroutine) {
  boost::asio::io_context ioc;
  auto result = boost::asio::co_spawn(ioc, std::move(coroutine), boost::asio::use_future);
  ioc.run();
  return result.get();
}

class fake_platform final : public bot::chat_platform {
 public:
  using answer_kind = bot::answer_kind;

  std::string platform = "slack";
  std::string command = "/incident";
  std::string other_ways;
  bool marks = false;

  // The channel's messages by reference, and people's display names by id.
  std::map<std::string, bot::read_message> messages;
  std::map<std::string, std::string> names;
  // Answers given before the normal ones, in order, per call ("read", "display_name", "readable",
  // "permalink", "post", "join"): only their kind and error are used, and an ok one lets that
  // call go through normally.
  std::map<std::string, std::deque<bot::platform_answer<bot::done>>> scripted;
  std::map<std::string, int> calls;

  struct sent_notice {
    std::string key;
    bot::chat_notice notice;
  };
  std::vector<sent_notice> notices;  // each key once, in order
  struct post {
    std::string key;  // "<job key>#<place>"
    std::string ref;
    bot::chat_post content;
  };
  std::vector<post> posted;  // each once, in posting order
  int post_attempts = 0;     // chat_post messages tried, found ones included

  std::string_view name() const override { return platform; }
  std::string_view command_word() const override { return command; }
  std::string_view other_ways_to_answer() const override { return other_ways; }
  bool marks_answers() const override { return marks; }

  boost::asio::awaitable<bot::platform_answer<bot::read_message>> read(
      bot::channel_ref, std::string message_ref) override {
    if (auto s = next("read")) co_return s->as<bot::read_message>();
    const auto it = messages.find(message_ref);
    if (it == messages.end()) co_return bot::platform_answer<bot::read_message>::not_found();
    co_return bot::platform_answer<bot::read_message>::ok(it->second);
  }
  boost::asio::awaitable<bot::platform_answer<std::string>> display_name(
      bot::channel_ref, std::string person_id) override {
    if (auto s = next("display_name")) co_return s->as<std::string>();
    const auto it = names.find(person_id);
    co_return bot::platform_answer<std::string>::ok(it == names.end() ? person_id : it->second);
  }
  // Markup made plain: "<@U1>" becomes "@" and the person's name.
  boost::asio::awaitable<bot::platform_answer<std::string>> readable(bot::channel_ref,
                                                                     std::string text) override {
    if (auto s = next("readable")) co_return s->as<std::string>();
    for (const auto& [id, shown] : names) {
      const std::string mention = "<@" + id + ">";
      for (auto at = text.find(mention); at != std::string::npos; at = text.find(mention)) {
        text.replace(at, mention.size(), "@" + shown);
      }
    }
    co_return bot::platform_answer<std::string>::ok(std::move(text));
  }
  boost::asio::awaitable<bot::platform_answer<std::string>> permalink(
      bot::channel_ref, std::string message_ref) override {
    if (auto s = next("permalink")) co_return s->as<std::string>();
    co_return bot::platform_answer<std::string>::ok("https://chat.example/" + message_ref);
  }
  boost::asio::awaitable<void> send(bot::chat_notice notice, std::string key) override {
    for (const auto& n : notices) {
      if (n.key == key) co_return;
    }
    notices.push_back({std::move(key), std::move(notice)});
  }
  boost::asio::awaitable<bot::platform_answer<bot::done>> post_once(
      bot::job job, bot::channel_ref channel, std::vector<bot::chat_post> posts,
      std::function<boost::asio::awaitable<void>(std::size_t, std::string)> on_posted) override {
    for (std::size_t place = 0; place < posts.size(); ++place) {
      ++post_attempts;
      const std::string key = job.key + "#" + std::to_string(place);
      std::string ref;
      for (const auto& p : posted) {
        if (p.key == key) ref = p.ref;
      }
      if (ref.empty()) {
        if (auto s = next("post")) co_return *s;
        ref = channel.channel + "/posted-" + std::to_string(posted.size() + 1);
        posted.push_back({key, ref, posts[place]});
      }
      co_await on_posted(place, ref);
    }
    co_return bot::platform_answer<bot::done>::ok({});
  }
  boost::asio::awaitable<bot::platform_answer<bot::done>> join(bot::channel_ref) override {
    if (auto s = next("join")) co_return *s;
    co_return bot::platform_answer<bot::done>::ok({});
  }

  // The notices sent of one kind, in order.
  std::vector<sent_notice> sent(bot::chat_notice::kind what) const {
    std::vector<sent_notice> out;
    for (const auto& n : notices) {
      if (n.notice.what == what) out.push_back(n);
    }
    return out;
  }

 private:
  std::optional<bot::platform_answer<bot::done>> next(const std::string& call) {
    ++calls[call];
    auto& queue = scripted[call];
    if (queue.empty()) return std::nullopt;
    auto front = queue.front();
    queue.pop_front();
    if (front.what == answer_kind::ok) return std::nullopt;
    return front;
  }
};

}  // namespace scribe::test_support
