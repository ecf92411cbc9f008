#include "adapters/matrix/matrix_platform.hpp"

#include "adapters/jobs/job_worker.hpp"
#include "adapters/matrix/matrix_events.hpp"
#include "adapters/matrix/messages.hpp"
#include "adapters/matrix/payloads.hpp"
#include "json/fields.hpp"

namespace scribe::matrix {
namespace {

using bot::job_outcome;

template <class T>
bot::platform_answer<T> answer_of(const call_result& call) {
  if (call.what == call_result::kind::retry) {
    return bot::platform_answer<T>::retry(call.error, call.retry_after);
  }
  return bot::platform_answer<T>::failed(call.error);
}

std::string event_id_of(const call_result& sent) {
  const auto body = nlohmann::json::parse(sent.body, nullptr, false);
  return json_fields::string_at(body, "event_id");
}

}  // namespace

matrix_platform::matrix_platform(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                                 bot::job_queue& jobs, const bot::clock& clock, client_api& api,
                                 const config::matrix_options& options,
                                 const config::jobs_options& limits)
    : api_(api),
      options_(options),
      bot_user_id_(bot_user_id(options)),
      outbox_(
          ioc, store_thread, jobs, clock, std::string(outbox_queue),
          [this](bot::job job) { return deliver(std::move(job)); }, limits) {}

boost::asio::awaitable<bot::platform_answer<bot::read_message>> matrix_platform::read(
    bot::channel_ref channel, std::string ref) {
  auto fetched = co_await api_.get_event(channel.channel, std::string(event_id_of_ref(ref)));
  if (fetched.what == call_result::kind::failed && fetched.error == "M_NOT_FOUND") {
    co_return bot::platform_answer<bot::read_message>::not_found();
  }
  if (fetched.what != call_result::kind::ok) co_return answer_of<bot::read_message>(fetched);
  const auto parsed = parse_event(nlohmann::json::parse(fetched.body, nullptr, false));
  const auto* message = std::get_if<room_message>(&parsed);
  // A redacted message has no content left: it is gone.
  if (message == nullptr) co_return bot::platform_answer<bot::read_message>::not_found();
  // Only Scribe's own notices are known to be a bot's: other bots look like people in Matrix.
  co_return bot::platform_answer<bot::read_message>::ok(
      {message->sender, message->sender == bot_user_id_, from_matrix_ms(message->origin_server_ts),
       message->body});
}

boost::asio::awaitable<bot::platform_answer<std::string>> matrix_platform::display_name(
    bot::channel_ref channel, std::string user_id) {
  const std::string& room_id = channel.channel;
  {
    std::lock_guard lock(names_mutex_);
    const auto room = names_.find(room_id);
    if (room != names_.end()) {
      if (auto it = room->second.find(user_id); it != room->second.end()) {
        co_return bot::platform_answer<std::string>::ok(it->second);
      }
    }
  }
  auto members = co_await api_.joined_members(room_id);
  if (members.what == call_result::kind::retry) co_return answer_of<std::string>(members);
  std::map<std::string, std::string> names;
  const auto body = nlohmann::json::parse(members.body, nullptr, false);
  const auto& joined = json_fields::member(body, "joined");
  if (joined.is_object()) {
    for (const auto& [id, profile] : joined.items()) {
      std::string shown = json_fields::string_at(profile, "display_name");
      names[id] = shown.empty() ? id : shown;
    }
  }
  const auto it = names.find(user_id);
  std::string name = it != names.end() ? it->second : user_id;
  std::lock_guard lock(names_mutex_);
  names_[room_id] = std::move(names);
  co_return bot::platform_answer<std::string>::ok(std::move(name));
}

boost::asio::awaitable<bot::platform_answer<std::string>> matrix_platform::readable(
    bot::channel_ref, std::string text) {
  // A body is plain text already; mentions in it are written as people see them.
  co_return bot::platform_answer<std::string>::ok(std::move(text));
}

boost::asio::awaitable<bot::platform_answer<std::string>> matrix_platform::permalink(
    bot::channel_ref channel, std::string ref) {
  co_return bot::platform_answer<std::string>::ok("https://matrix.to/#/" + channel.channel + "/" +
                                                  std::string(event_id_of_ref(ref)));
}

boost::asio::awaitable<void> matrix_platform::send(bot::chat_notice notice, std::string key) {
  co_await outbox_.send(std::move(key), bot::encode_chat_notice(notice));
}

boost::asio::awaitable<call_result> matrix_platform::withdraw_mark(std::string room,
                                                                   std::string event,
                                                                   std::string txn_id) {
  auto found = co_await api_.relations(room, event, "m.annotation", "m.reaction");
  if (found.what != call_result::kind::ok) co_return found;
  const auto body = nlohmann::json::parse(found.body, nullptr, false);
  const auto& chunk = json_fields::member(body, "chunk");
  if (!chunk.is_array()) co_return call_result::ok();
  for (const auto& related : chunk) {
    const auto& relates =
        json_fields::member(json_fields::member(related, "content"), "m.relates_to");
    if (json_fields::string_at(related, "sender") != bot_user_id_ ||
        json_fields::string_at(relates, "key") != recorded_key) {
      continue;
    }
    auto redacted = co_await api_.redact(room, json_fields::string_at(related, "event_id"), txn_id,
                                         "the flag was taken back");
    if (redacted.what != call_result::kind::ok) co_return redacted;
  }
  co_return call_result::ok();
}

boost::asio::awaitable<job_outcome> matrix_platform::deliver(bot::job job) {
  // Each send carries the transaction id of its job: the homeserver makes a resend a no-op.
  std::string txn_id = transaction_id(job.key, 0);
  call_result sent;
  if (const auto notice = bot::decode_chat_notice(job.payload)) {
    const std::string& room = notice->channel.channel;
    std::string event(event_id_of_ref(notice->message_ref));
    using kind = bot::chat_notice::kind;
    if (notice->what == kind::withdraw) {
      sent = co_await withdraw_mark(room, std::move(event), std::move(txn_id));
    } else if (notice->what == kind::confirm) {
      sent =
          co_await api_.send(room, "m.reaction", std::move(txn_id), reaction(event, recorded_key));
    } else {
      nlohmann::json content = matrix::notice(notice->text);
      if (!notice->thread_ref.empty()) {
        in_thread(content, event_id_of_ref(notice->thread_ref), event);
      } else if (!event.empty()) {
        in_reply_to(content, event);
      }
      // No private messages in a room: the person is mentioned, so their client points it out.
      if (notice->what == kind::tell) content["m.mentions"] = {{"user_ids", {notice->person_id}}};
      sent = co_await api_.send(room, "m.room.message", std::move(txn_id), std::move(content));
    }
  } else {
    // An event as an earlier Scribe stored it: {"room", "type", "content"} or {"unreact"}.
    const auto item = nlohmann::json::parse(job.payload, nullptr, false);
    if (!item.is_object()) co_return job_outcome::give_up("malformed outbox item");
    if (item.contains("unreact")) {
      const auto& target = item["unreact"];
      sent = co_await withdraw_mark(json_fields::string_at(target, "room"),
                                    json_fields::string_at(target, "event"), std::move(txn_id));
    } else {
      std::string room = item.value("room", "");
      std::string type = item.value("type", "");
      nlohmann::json content = item.value("content", nlohmann::json::object());
      sent = co_await api_.send(std::move(room), std::move(type), std::move(txn_id),
                                std::move(content));
    }
  }
  if (sent.what == call_result::kind::ok) co_return job_outcome::done();
  // An annotation that is there already is what the job wanted.
  if (sent.error == "M_DUPLICATE_ANNOTATION") co_return job_outcome::done();
  co_return jobs::outcome_of(sent, job.key);
}

boost::asio::awaitable<bot::platform_answer<bot::done>> matrix_platform::post_once(
    bot::job job, bot::channel_ref channel, std::vector<bot::chat_post> posts,
    std::function<boost::asio::awaitable<void>(std::size_t, std::string)> posted) {
  // Each post is one notice, or several for a long draft; the job's notices are numbered 1, 2,
  // ... in order, and that number is in each one's transaction id, as it always was.
  std::size_t number = 0;
  for (std::size_t place = 0; place < posts.size(); ++place) {
    std::vector<nlohmann::json> contents;
    if (posts[place].format == bot::chat_format::markdown) {
      contents = draft_notices(posts[place].text);
    } else {
      contents.push_back(notice(posts[place].text));
    }
    for (std::size_t i = 0; i < contents.size(); ++i) {
      auto sent = co_await api_.send(channel.channel, "m.room.message",
                                     transaction_id(job.key, ++number), std::move(contents[i]));
      if (sent.what != call_result::kind::ok) co_return answer_of<bot::done>(sent);
      if (i == 0) co_await posted(place, message_ref(channel.channel, event_id_of(sent)));
    }
  }
  co_return bot::platform_answer<bot::done>::ok({});
}

boost::asio::awaitable<bot::platform_answer<bot::done>> matrix_platform::join(
    bot::channel_ref channel) {
  auto joined = co_await api_.join(channel.channel);
  if (joined.what != call_result::kind::ok) co_return answer_of<bot::done>(joined);
  co_return bot::platform_answer<bot::done>::ok({});
}

}  // namespace scribe::matrix
