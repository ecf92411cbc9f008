#include "adapters/slack/slack_platform.hpp"

#include "adapters/jobs/job_worker.hpp"
#include "adapters/slack/messages.hpp"
#include "adapters/slack/text.hpp"
#include "config/log.hpp"

#include <charconv>

namespace scribe::slack {
namespace {

using bot::job_outcome;
using jobs::outcome_of;

call_result ok_call() {
  return {call_result::kind::ok, {}, {}, {}};
}

}  // namespace

std::string message_ref(std::string_view channel, std::string_view ts) {
  return std::string(channel) + "/" + std::string(ts);
}

std::string_view ts_of(std::string_view message_ref) {
  const auto slash = message_ref.find('/');
  return slash == std::string_view::npos ? message_ref : message_ref.substr(slash + 1);
}

bot::result<bot::timestamp> parse_message_ts(std::string_view ts) {
  const auto dot = ts.find('.');
  if (dot == std::string_view::npos || dot == 0 || ts.size() - dot - 1 != 6) {
    return http::errc::malformed_request;
  }
  std::int64_t seconds = 0;
  std::int64_t micros = 0;
  const auto whole = ts.substr(0, dot);
  const auto fraction = ts.substr(dot + 1);
  const auto [end1, ec1] = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
  const auto [end2, ec2] =
      std::from_chars(fraction.data(), fraction.data() + fraction.size(), micros);
  if (ec1 != std::errc{} || end1 != whole.data() + whole.size() || ec2 != std::errc{} ||
      end2 != fraction.data() + fraction.size() || seconds < 0 || micros < 0 ||
      seconds > 253'402'300'799) {  // year 9999: beyond it, microseconds would overflow later
    return http::errc::malformed_request;
  }
  return bot::from_unix_micros(seconds * 1'000'000 + micros);
}

slack_platform::slack_platform(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                               bot::job_queue& jobs, const bot::clock& clock, web_api& api,
                               const config::slack_options& options, std::string public_url,
                               const config::jobs_options& limits)
    : api_(api),
      options_(options),
      public_url_(std::move(public_url)),
      outbox_(
          ioc, store_thread, jobs, clock, std::string(outbox_queue),
          [this](bot::job job) { return deliver(std::move(job)); }, limits) {}

boost::asio::awaitable<bot::platform_answer<bot::read_message>> slack_platform::read(
    bot::channel_ref channel, std::string ref) {
  const std::string ts(ts_of(ref));
  const auto written_at = parse_message_ts(ts);
  if (!written_at) co_return bot::platform_answer<bot::read_message>::not_found();
  form_params history{
      {"channel", channel.channel}, {"latest", ts}, {"inclusive", "true"}, {"limit", "1"}};
  auto found = co_await api_.call_form("conversations.history", std::move(history));
  if (found.what != call_result::kind::ok) co_return answer_of<bot::read_message>(found);
  auto parsed = parse_history_message(found.body, ts);
  if (!parsed || !parsed->value) {
    // Not in the channel's history: a thread reply, which only conversations.replies returns.
    form_params replies{{"channel", channel.channel}, {"ts", ts}};
    found = co_await api_.call_form("conversations.replies", std::move(replies));
    // Neither the channel nor a thread has it: deleted since.
    if (found.what == call_result::kind::failed && found.error == "thread_not_found") {
      co_return bot::platform_answer<bot::read_message>::not_found();
    }
    if (found.what != call_result::kind::ok) co_return answer_of<bot::read_message>(found);
    parsed = parse_history_message(found.body, ts);
  }
  if (!parsed || !parsed->value) co_return bot::platform_answer<bot::read_message>::not_found();
  const auto& message = *parsed->value;
  co_return bot::platform_answer<bot::read_message>::ok(
      {message.user, !message.bot_id.empty(), *written_at, message.text});
}

boost::asio::awaitable<call_result> slack_platform::names_of(std::string user_id,
                                                             user_names& names) {
  {
    std::lock_guard lock(names_mutex_);
    if (auto it = names_.find(user_id); it != names_.end()) {
      names = it->second;
      co_return ok_call();
    }
  }
  form_params params{{"user", user_id}};
  auto info = co_await api_.call_form("users.info", std::move(params));
  if (info.what != call_result::kind::ok) co_return info;
  auto parsed = parse_user_name(info.body);
  names = parsed && parsed->value ? *parsed->value : user_names{user_id, user_id};
  std::lock_guard lock(names_mutex_);
  names_[user_id] = names;
  co_return info;
}

std::optional<std::string> slack_platform::known_name(const std::string& person_id) {
  std::lock_guard lock(names_mutex_);
  const auto it = names_.find(person_id);
  if (it == names_.end()) return std::nullopt;
  return it->second.display;
}

boost::asio::awaitable<bot::platform_answer<std::string>> slack_platform::display_name(
    bot::channel_ref, std::string person_id) {
  user_names known;
  auto named = co_await names_of(person_id, known);
  if (named.what == call_result::kind::retry) co_return answer_of<std::string>(named);
  // A person Slack does not know (user_not_found) keeps their id as a name.
  co_return bot::platform_answer<std::string>::ok(known.display.empty() ? person_id
                                                                        : known.display);
}

boost::asio::awaitable<bot::platform_answer<std::string>> slack_platform::readable(
    bot::channel_ref, std::string slack_text) {
  std::map<std::string, std::string> names;
  for (auto& id : unlabelled_mentions(slack_text)) {
    user_names known;
    auto named = co_await names_of(id, known);
    if (named.what == call_result::kind::retry) co_return answer_of<std::string>(named);
    // The handle, not the display name: "owner @Bob B." would read as owner "@Bob".
    if (named.what == call_result::kind::ok) names.emplace(std::move(id), std::move(known.handle));
  }
  co_return bot::platform_answer<std::string>::ok(plain_text(label_mentions(slack_text, names)));
}

boost::asio::awaitable<bot::platform_answer<std::string>> slack_platform::permalink(
    bot::channel_ref channel, std::string ref) {
  form_params params{{"channel", channel.channel}, {"message_ts", std::string(ts_of(ref))}};
  auto link = co_await api_.call_form("chat.getPermalink", std::move(params));
  if (link.what == call_result::kind::retry) co_return answer_of<std::string>(link);
  // A message Slack will not link is still worth recording, without a link.
  auto parsed = parse_permalink(link.body);
  co_return bot::platform_answer<std::string>::ok(
      link.what == call_result::kind::ok && parsed && parsed->value ? *parsed->value : "");
}

boost::asio::awaitable<void> slack_platform::send(bot::chat_notice notice, std::string key) {
  co_await outbox_.send(std::move(key), bot::encode_chat_notice(notice));
}

boost::asio::awaitable<void> slack_platform::send_call(std::string key, nlohmann::json call) {
  co_await outbox_.send(std::move(key), call.dump());
}

boost::asio::awaitable<job_outcome> slack_platform::deliver(bot::job job) {
  call_result sent;
  if (const auto notice = bot::decode_chat_notice(job.payload)) {
    sent = co_await deliver_notice(*notice);
  } else {
    // A raw call: a slash command's reply in parts, or what an earlier Scribe stored.
    const auto item = nlohmann::json::parse(job.payload, nullptr, false);
    if (!item.is_object()) co_return job_outcome::give_up("malformed outbox item");
    if (item.contains("response_url")) {
      std::string url = item.value("response_url", "");
      nlohmann::json body = item.value("body", nlohmann::json::object());
      sent = co_await api_.post_response_url(std::move(url), std::move(body));
    } else {
      std::string method = item.value("method", "");
      nlohmann::json params = item.value("params", nlohmann::json::object());
      sent = co_await api_.call_json(std::move(method), std::move(params));
    }
  }
  if (sent.what == call_result::kind::ok) co_return job_outcome::done();
  // Already there, or already gone: what the job wanted is true.
  if (sent.error == "already_reacted" || sent.error == "no_reaction") co_return job_outcome::done();
  co_return outcome_of(sent, job.key);
}

boost::asio::awaitable<call_result> slack_platform::deliver_notice(const bot::chat_notice& notice) {
  const std::string ts(ts_of(notice.message_ref));
  const std::string thread(ts_of(notice.thread_ref));
  using kind = bot::chat_notice::kind;
  switch (notice.what) {
    case kind::confirm:
    case kind::withdraw: {
      nlohmann::json params{
          {"channel", notice.channel.channel}, {"name", recorded_reaction}, {"timestamp", ts}};
      std::string method = notice.what == kind::confirm ? "reactions.add" : "reactions.remove";
      co_return co_await api_.call_json(std::move(method), std::move(params));
    }
    case kind::tell:
    case kind::reply: {
      const std::string text = escape_text(notice.text);
      // A shortcut's answer goes back where it came from; Slack shows it to that person alone.
      if (!notice.route.empty()) {
        nlohmann::json body{{"response_type", "ephemeral"}, {"text", text}};
        std::string url = notice.route;
        co_return co_await api_.post_response_url(std::move(url), std::move(body));
      }
      const bool alone = notice.what == kind::tell || !notice.person_id.empty();
      nlohmann::json params{{"channel", notice.channel.channel}, {"text", text}};
      if (alone) params["user"] = notice.person_id;
      if (!thread.empty()) params["thread_ts"] = thread;
      std::string method = alone ? "chat.postEphemeral" : "chat.postMessage";
      co_return co_await api_.call_json(std::move(method), std::move(params));
    }
  }
  co_return ok_call();
}

boost::asio::awaitable<call_result> slack_platform::find_posted(
    const bot::job& job, std::string channel, std::map<std::string, std::string>& ts_by_key) {
  // Messages of this job were posted after it was created; a minute covers clock skew.
  const auto since = bot::to_unix_micros(job.created_at) / 1'000'000 - 60;
  std::string cursor;
  // Pages of 200; a job's messages are recent, so a few pages reach back far enough.
  for (int page = 0; page < 10; ++page) {
    form_params params{{"channel", channel},
                       {"oldest", std::to_string(since) + ".000000"},
                       {"include_all_metadata", "true"},
                       {"limit", "200"}};
    if (!cursor.empty()) params.emplace_back("cursor", cursor);
    auto found = co_await api_.call_form("conversations.history", std::move(params));
    if (found.what != call_result::kind::ok) co_return found;
    auto parsed = parse_posted_page(found.body);
    if (!parsed || !parsed->value) {
      co_return call_result{call_result::kind::retry, {}, "unreadable history", {}};
    }
    ts_by_key.merge(parsed->value->ts_by_key);
    cursor = parsed->value->next_cursor;
    if (cursor.empty()) break;
  }
  co_return ok_call();
}

boost::asio::awaitable<bot::platform_answer<bot::done>> slack_platform::post_once(
    bot::job job, bot::channel_ref channel, std::vector<bot::chat_post> posts,
    std::function<boost::asio::awaitable<void>(std::size_t, std::string)> posted) {
  // Each post becomes one or more chat.postMessage bodies; the messages of the whole job are
  // numbered "<job key>#1", "#2", ... in posting order, as they always were.
  std::vector<nlohmann::json> messages;
  std::map<std::size_t, std::size_t> post_starting_at;  // a post's first message -> the post
  // Slack allows about one message per second per channel; 20 messages is a long draft already.
  constexpr std::size_t max_draft_messages = 20;
  for (std::size_t place = 0; place < posts.size(); ++place) {
    const auto& post = posts[place];
    post_starting_at[messages.size()] = place;
    if (post.format == bot::chat_format::markdown) {
      std::string full_url;
      if (post.draft_of && !public_url_.empty()) {
        full_url = public_url_ + "/incidents/" + bot::incident_label(*post.draft_of) +
                   "/postmortem.md?workspace=" + post.draft_of->channel.workspace;
      }
      for (auto& m : draft_messages(channel.channel, post.text, max_draft_messages, full_url)) {
        messages.push_back(std::move(m));
      }
    } else if (post.answer_form_for) {
      messages.push_back(
          message_with_form_button(channel.channel, post.text, *post.answer_form_for));
    } else {
      messages.push_back(chat_messages(channel.channel, post.text, std::nullopt).front());
    }
  }
  std::map<std::string, std::string> already;
  if (job.attempts > 1) {
    auto looked = co_await find_posted(job, channel.channel, already);
    if (looked.what != call_result::kind::ok) co_return answer_of<bot::done>(looked);
  }
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string key = job.key + "#" + std::to_string(i + 1);
    std::string ts;
    if (auto it = already.find(key); it != already.end()) {
      ts = it->second;
    } else {
      nlohmann::json body = std::move(messages[i]);
      body["metadata"] = {{"event_type", posted_event_type}, {"event_payload", {{"key", key}}}};
      auto sent = co_await api_.call_json("chat.postMessage", std::move(body));
      if (sent.what != call_result::kind::ok) co_return answer_of<bot::done>(sent);
      auto parsed = parse_posted_ts(sent.body);
      if (!parsed || !parsed->value) {
        co_return bot::platform_answer<bot::done>::retry("chat.postMessage without a ts");
      }
      ts = *parsed->value;
    }
    if (const auto it = post_starting_at.find(i); it != post_starting_at.end()) {
      co_await posted(it->second, message_ref(channel.channel, ts));
    }
  }
  co_return bot::platform_answer<bot::done>::ok({});
}

boost::asio::awaitable<bot::platform_answer<bot::done>> slack_platform::join(bot::channel_ref) {
  // Slack delivers no invitation events to Scribe: people add it with /invite.
  co_return bot::platform_answer<bot::done>::ok({});
}

}  // namespace scribe::slack
