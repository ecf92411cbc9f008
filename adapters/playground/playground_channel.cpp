#include "adapters/playground/playground_channel.hpp"

#include "config/log.hpp"
#include "text/text.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>

namespace scribe::playground {
namespace {

using bot::errc;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// "@scribe" as a word of its own, in any case.
bool mentions_scribe(std::string_view text) {
  constexpr std::string_view mention = "@scribe";
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    const bool same = text::iequals(text.substr(at, mention.size()), mention);
    const std::size_t end = at + mention.size();
    if (same && (end == text.size() || !is_word_char(text[end]))) return true;
  }
  return false;
}

// The arguments of a `/incident ...` command, or nullopt for any other message.
std::optional<std::string_view> command_arguments(std::string_view text) {
  if (!text.starts_with(command_word_text)) return std::nullopt;
  const std::string_view rest = text.substr(command_word_text.size());
  if (!rest.empty() && !is_space(rest.front())) return std::nullopt;  // "/incidents"
  return text::trim(rest);
}

bool has_reaction(const bot::chat_message& message, std::string_view emoji, std::string_view by) {
  return std::any_of(message.reactions.begin(), message.reactions.end(),
                     [&](const bot::chat_reaction& r) { return r.emoji == emoji && r.by == by; });
}

}  // namespace

bot::person scribe_person() {
  return {"scribe", "Scribe"};
}

bot::channel_ref channel() {
  return {std::string(platform), std::string(workspace), std::string(channel_name)};
}

std::string message_ref(std::int64_t message_id) {
  return std::to_string(message_id);
}

std::string message_link(std::int64_t message_id) {
  return "/playground#m" + std::to_string(message_id);
}

bot::result<bot::person> person_named(std::string_view name) {
  name = text::trim(name);
  const bool control = std::any_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (name.empty() || name.size() > max_name_bytes || control) return errc::invalid_argument;
  // Anyone may type any name: the playground is for trying Scribe out, not for real incidents.
  return bot::person{std::string(name), std::string(name)};
}

bool asks_question(const bot::chat_message& message) {
  if (!message.from_bot || !message.post_key) return false;
  // "<job key>#<place>" (run_postmortem): the ask job's place 0 is the introduction, the others
  // its questions.
  const std::string_view key = *message.post_key;
  const auto hash = key.rfind('#');
  if (hash == std::string_view::npos || key.substr(hash + 1) == "0") return false;
  const auto job = bot::decode_postmortem_job(key.substr(0, hash));
  return job && job->step == bot::postmortem_step::ask;
}

playground_platform::playground_platform(bot::chat_log& chat, bot::store_executor& store,
                                         const bot::clock& clock)
    : chat_(chat), store_(store), clock_(clock) {}

namespace {

std::optional<std::int64_t> id_of(std::string_view message_ref) {
  std::int64_t id = 0;
  const auto [end, ec] =
      std::from_chars(message_ref.data(), message_ref.data() + message_ref.size(), id);
  if (ec != std::errc{} || end != message_ref.data() + message_ref.size()) return std::nullopt;
  return id;
}

}  // namespace

boost::asio::awaitable<bot::platform_answer<bot::read_message>> playground_platform::read(
    bot::channel_ref, std::string ref) {
  const auto id = id_of(ref);
  auto find = [this, &id] { return id ? chat_.find_message(*id) : std::nullopt; };
  const auto message = co_await bot::on_store(store_, std::move(find));
  if (!message || message->channel != channel_name) {
    co_return bot::platform_answer<bot::read_message>::not_found();
  }
  co_return bot::platform_answer<bot::read_message>::ok(
      {message->author.id, message->from_bot, message->posted_at, message->text});
}

boost::asio::awaitable<bot::platform_answer<std::string>> playground_platform::display_name(
    bot::channel_ref, std::string person_id) {
  co_return bot::platform_answer<std::string>::ok(std::move(person_id));  // the id is the name
}

boost::asio::awaitable<bot::platform_answer<std::string>> playground_platform::readable(
    bot::channel_ref, std::string text) {
  co_return bot::platform_answer<std::string>::ok(std::move(text));
}

boost::asio::awaitable<bot::platform_answer<std::string>> playground_platform::permalink(
    bot::channel_ref, std::string ref) {
  const auto id = id_of(ref);
  co_return bot::platform_answer<std::string>::ok(id ? message_link(*id) : std::string());
}

boost::asio::awaitable<void> playground_platform::send(bot::chat_notice notice, std::string key) {
  using kind = bot::chat_notice::kind;
  auto deliver = [this, &notice, &key] {
    const auto id = id_of(notice.message_ref);
    switch (notice.what) {
      case kind::confirm:
        if (id) chat_.add_reaction(*id, recorded_emoji, scribe_person().id);
        break;
      case kind::withdraw:
        if (id) chat_.remove_reaction(*id, recorded_emoji, scribe_person().id);
        break;
      case kind::tell:
      case kind::reply:
        // A private answer, or a reply meant for the asker alone, is shown to them only (as
        // Slack's ephemeral messages).
        post_as_scribe(notice.text, bot::chat_format::text, notice.person_id, key);
        break;
    }
  };
  co_await bot::on_store(store_, std::move(deliver));
}

boost::asio::awaitable<bot::platform_answer<bot::done>> playground_platform::post_once(
    bot::job job, bot::channel_ref, std::vector<bot::chat_post> posts,
    std::function<boost::asio::awaitable<void>(std::size_t, std::string)> posted) {
  for (std::size_t place = 0; place < posts.size(); ++place) {
    // The chat log stores a post once per key, however often the job runs.
    auto post = [this, &posts, &job, place] {
      return post_as_scribe(std::move(posts[place].text), posts[place].format, "",
                            job.key + "#" + std::to_string(place));
    };
    const auto message = co_await bot::on_store(store_, std::move(post));
    co_await posted(place, message_ref(message.id));
  }
  co_return bot::platform_answer<bot::done>::ok({});
}

boost::asio::awaitable<bot::platform_answer<bot::done>> playground_platform::join(
    bot::channel_ref) {
  co_return bot::platform_answer<bot::done>::ok({});  // there is one channel, always joined
}

bot::chat_message playground_platform::post_as_scribe(std::string text, bot::chat_format format,
                                                      std::string visible_to,
                                                      std::optional<std::string> post_key) {
  const bot::new_chat_message message{
      std::string(channel_name), std::nullopt, scribe_person(), true,
      std::move(visible_to),     format,       std::move(text), clock_.now(),
      std::move(post_key)};
  // Outside any thread, the post cannot be refused.
  return chat_.post(message).value();
}

playground_channel::playground_channel(bot::incident_desk& desk, bot::postmortem_desk& postmortems,
                                       bot::chat_log& chat, bot::store_executor& store,
                                       const bot::clock& clock,
                                       std::function<void()> postmortem_due)
    : chat_(chat),
      store_(store),
      clock_(clock),
      platform_(chat, store, clock),
      flows_(platform_, desk, postmortems, store, std::move(postmortem_due)) {}

boost::asio::awaitable<bot::result<bot::chat_message>> playground_channel::say(
    bot::person author, std::string written, std::optional<std::int64_t> thread) {
  const auto trimmed = text::trim(written);
  if (trimmed.empty() || trimmed.size() > max_text_bytes) co_return errc::invalid_argument;
  const bot::new_chat_message said{
      std::string(channel_name), thread,       author,      false, "", bot::chat_format::text,
      std::string(trimmed),      clock_.now(), std::nullopt};
  auto post = [this, &said] { return chat_.post(said); };
  const auto posted = co_await bot::on_store(store_, std::move(post));
  if (!posted) co_return posted;
  const auto& message = *posted;
  const auto channel = playground::channel();
  const auto ref = message_ref(message.id);
  // Named events, moved in: GCC 12 destroys a braced temporary in a co_await expression twice.
  if (const auto arguments = command_arguments(message.text)) {
    bot::chat_event command =
        bot::command_event{channel, author.id, std::string(*arguments), ref, message.posted_at};
    co_await act(std::move(command));
  } else if (message.thread_id) {
    bot::chat_event reply = bot::thread_reply_event{
        channel, message_ref(*message.thread_id), ref, author.id, message.posted_at, message.text};
    co_await act(std::move(reply));
  }
  if (mentions_scribe(message.text)) {
    bot::chat_event mention =
        bot::flag_event{channel,
                        ref,
                        author.id,
                        author.id,
                        message.posted_at,
                        message.posted_at,
                        bot::entry_source::mention,
                        bot::carried_message{author.id, false, message.text},
                        message.thread_id ? message_ref(*message.thread_id) : "",
                        ""};
    co_await act(std::move(mention));
  }
  co_return posted;
}

boost::asio::awaitable<bot::result<void>> playground_channel::toggle_flag(std::int64_t message_id,
                                                                          bot::person by) {
  // 📌 on or off, as the chat shows it, in one store call; then Scribe follows.
  auto toggle = [this, message_id, &by]() -> std::optional<bool> {
    const auto message = chat_.find_message(message_id);
    if (!message || message->from_bot || message->channel != channel_name) return std::nullopt;
    if (has_reaction(*message, flag_emoji, by.id)) {
      chat_.remove_reaction(message_id, flag_emoji, by.id);
      return false;
    }
    chat_.add_reaction(message_id, flag_emoji, by.id);
    return true;
  };
  const auto flagged = co_await bot::on_store(store_, std::move(toggle));
  if (!flagged) co_return errc::entry_not_found;
  const auto channel = playground::channel();
  const auto ref = message_ref(message_id);
  bot::chat_event event = bot::unflag_event{channel, ref, by.id};
  if (*flagged) {
    event = bot::flag_event{
        channel,      ref, by.id, by.id, clock_.now(), std::nullopt, bot::entry_source::reaction,
        std::nullopt, "",  ""};
  }
  co_await act(std::move(event));
  co_return bot::result<void>{};
}

boost::asio::awaitable<void> playground_channel::act(bot::chat_event event) {
  // The page waits for Scribe's answer; a workflow asked to wait (an answer to a question still
  // being posted) tries again shortly, a few times, rather than being queued.
  constexpr int tries = 20;
  constexpr auto longest_wait = std::chrono::milliseconds(250);
  for (int attempt = 1;; ++attempt) {
    bot::chat_event copy = event;
    const auto outcome = co_await flows_.handle(std::move(copy));
    if (outcome.what != bot::job_outcome::kind::retry || attempt == tries) {
      if (outcome.what != bot::job_outcome::kind::done) {
        log::warn("playground event not handled", {{"error", outcome.error}});
      }
      co_return;
    }
    boost::asio::steady_timer wait(co_await boost::asio::this_coro::executor);
    wait.expires_after(outcome.retry_after.count() > 0 ? std::min(outcome.retry_after, longest_wait)
                                                       : longest_wait);
    co_await wait.async_wait(boost::asio::use_awaitable);
  }
}

boost::asio::awaitable<bot::job_outcome> playground_channel::run_postmortem(bot::job job) {
  co_return co_await flows_.run_postmortem(std::move(job));
}

std::vector<bot::chat_message> playground_channel::recent(std::size_t limit) {
  return chat_.recent_messages(std::string(channel_name), limit);
}

std::optional<bot::chat_message> playground_channel::thread_root(std::int64_t id) {
  auto message = chat_.find_message(id);
  if (!message || message->channel != channel_name || message->thread_id) return std::nullopt;
  return message;
}

}  // namespace scribe::playground
