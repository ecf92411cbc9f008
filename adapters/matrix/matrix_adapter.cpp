#include "adapters/matrix/matrix_adapter.hpp"

#include "adapters/http/form.hpp"
#include "adapters/http/responses.hpp"
#include "adapters/matrix/messages.hpp"
#include "config/log.hpp"
#include "json/fields.hpp"
#include "runtime/offload.hpp"

#include <algorithm>

// GCC 12 destroys a braced aggregate or a capturing closure twice when it is passed by value as
// a temporary inside a co_await expression. Every such argument below is a named local, moved in.

namespace scribe::matrix {
namespace {

namespace beast_http = boost::beast::http;
using http::call_result;
using bot::job_outcome;
using jobs::outcome_of;

constexpr std::string_view json_type = "application/json";

http::response json_answer(const http::request& req, beast_http::status status, std::string body) {
  return http::make_response(req, status, std::move(body), json_type);
}

http::response matrix_error(const http::request& req, beast_http::status status,
                            std::string_view errcode, std::string_view error) {
  return json_answer(req, status, error_body(errcode, error));
}

std::string event_id_of(const call_result& sent) {
  const auto body = nlohmann::json::parse(sent.body, nullptr, false);
  return json_fields::string_at(body, "event_id");
}

bot::timestamp from_matrix_ms(std::int64_t ms) {
  return bot::from_unix_micros(ms * 1000);
}

// "!incident note x" -> "note x" when `prefix` is "!incident"; nullopt for other messages.
std::optional<std::string> command_text(std::string_view body, std::string_view prefix) {
  if (!body.starts_with(prefix)) return std::nullopt;
  const auto rest = body.substr(prefix.size());
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\n') return std::nullopt;
  const auto start = rest.find_first_not_of(" \n");
  return std::string(start == std::string_view::npos ? std::string_view{} : rest.substr(start));
}

}  // namespace

std::string message_ref(std::string_view room_id, std::string_view event_id) {
  return std::string(room_id) + "/" + std::string(event_id);
}

matrix_adapter::matrix_adapter(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                               const config::matrix_options& options, bot::incident_desk& desk,
                               bot::postmortem_desk& postmortems, bot::job_queue& jobs,
                               http::client& client, const bot::clock& clock,
                               const config::jobs_options& limits)
    : store_thread_(store_thread),
      options_(options),
      desk_(desk),
      postmortems_(postmortems),
      jobs_(jobs),
      clock_(clock),
      bot_user_id_("@" + options.sender_localpart + ":" + options.server_name),
      api_(client, options.homeserver_url, options.as_token),
      inbox_limit_(jobs, std::string(inbox_queue), limits.max_pending),
      inbox_worker_(
          ioc, store_thread, jobs, clock, std::string(inbox_queue),
          [this](bot::job job) { return process_inbox(std::move(job)); },
          jobs::worker_options{.lease = limits.lease}),
      outbox_worker_(
          ioc, store_thread, jobs, clock, std::string(outbox_queue),
          [this](bot::job job) { return process_outbox(std::move(job)); },
          jobs::worker_options{.lease = limits.lease}),
      postmortem_worker_(
          ioc, store_thread, jobs, clock, bot::postmortem_queue("matrix"),
          [this](bot::job job) { return process_postmortem(std::move(job)); },
          jobs::worker_options{.lease = limits.lease}) {}

void matrix_adapter::add_routes(http::router& routes) {
  auto transaction = [this](http::request_context ctx) {
    return handle_transaction(std::move(ctx));
  };
  routes.add(beast_http::verb::put, "/_matrix/app/v1/transactions/{txnId}", transaction);
  // Homeservers fall back to the unprefixed path of the old API (PROTOCOLS.md 7).
  routes.add(beast_http::verb::put, "/transactions/{txnId}", transaction);
  routes.add(beast_http::verb::get, "/_matrix/app/v1/users/{userId}",
             [this](http::request_context ctx) { return handle_user_query(std::move(ctx)); });
  routes.add(beast_http::verb::get, "/_matrix/app/v1/rooms/{roomAlias}",
             [this](http::request_context ctx) { return handle_room_query(std::move(ctx)); });
  routes.add(beast_http::verb::post, "/_matrix/app/v1/ping",
             [this](http::request_context ctx) { return handle_ping(std::move(ctx)); });
  routes.add_fallback("/_matrix/", [this](http::request_context ctx) {
    return handle_unrecognized(std::move(ctx));
  });
}

void matrix_adapter::start() {
  inbox_worker_.start();
  outbox_worker_.start();
  postmortem_worker_.start();
}

void matrix_adapter::stop() {
  inbox_worker_.stop();
  outbox_worker_.stop();
  postmortem_worker_.stop();
}

bot::channel_ref matrix_adapter::channel_of(const std::string& room_id) const {
  // One application service serves one homeserver: its name is the workspace.
  return {"matrix", options_.server_name, room_id};
}

std::optional<http::response> matrix_adapter::refuse_unauthenticated(
    const http::request& req, std::string_view request_id) const {
  // The query string's access_token is the legacy way homeservers send the hs_token.
  const auto query_fields = http::parse_query(req.target());
  std::optional<std::string_view> query;
  if (query_fields) query = query_fields->get("access_token");
  const auto check =
      check_hs_token(req[beast_http::field::authorization], query, options_.hs_token);
  if (check.ok()) return std::nullopt;
  log::warn("matrix request refused", {{"path", http::loggable_path(req.target())},
                                       {"errcode", std::string(check.errcode)},
                                       {"request_id", std::string(request_id)}});
  return matrix_error(req, check.status, check.errcode, check.error);
}

boost::asio::awaitable<http::response> matrix_adapter::handle_transaction(
    http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = refuse_unauthenticated(req, ctx.request_id)) co_return std::move(*refused);
  if (!parse_transaction(req.body())) {
    co_return matrix_error(req, beast_http::status::bad_request, errcode_not_json,
                           "expected {\"events\": [...]}");
  }
  // Stored before the 200: the homeserver resends a transaction until it is acknowledged, and
  // the txnId makes a resend (also one after a restart) change nothing.
  std::string key = "txn:" + std::string(ctx.param("txnId"));
  std::string body = req.body();
  auto store = [this, &key, &body] { return inbox_limit_.enqueue(key, body, clock_.now()); };
  const auto admitted = co_await runtime::offload(store_thread_, std::move(store));
  if (admitted.full) {
    inbox_limit_.note_refused(admitted.pending, ctx.request_id);
    // The spec names no errcode for an overloaded application service; M_UNKNOWN is its generic
    // one, and the homeserver only looks at the status to decide to send again.
    auto refused = matrix_error(req, beast_http::status::service_unavailable, "M_UNKNOWN",
                                inbox_limit_.reason());
    refused.set(beast_http::field::retry_after,
                std::to_string(jobs::inbox_limit::retry_after.count()));
    co_return refused;
  }
  if (admitted.added) inbox_worker_.notify();
  co_return json_answer(req, beast_http::status::ok, "{}");
}

boost::asio::awaitable<http::response> matrix_adapter::handle_user_query(
    http::request_context ctx) {
  if (auto refused = refuse_unauthenticated(ctx.req, ctx.request_id)) co_return std::move(*refused);
  // Only the bot's own user lives in Scribe's namespace, and it always exists.
  if (ctx.param("userId") == bot_user_id_) {
    co_return json_answer(ctx.req, beast_http::status::ok, "{}");
  }
  co_return matrix_error(ctx.req, beast_http::status::not_found, "M_NOT_FOUND",
                         "Scribe has no such user");
}

boost::asio::awaitable<http::response> matrix_adapter::handle_room_query(
    http::request_context ctx) {
  if (auto refused = refuse_unauthenticated(ctx.req, ctx.request_id)) co_return std::move(*refused);
  co_return matrix_error(ctx.req, beast_http::status::not_found, "M_NOT_FOUND",
                         "Scribe manages no room aliases");
}

boost::asio::awaitable<http::response> matrix_adapter::handle_ping(http::request_context ctx) {
  if (auto refused = refuse_unauthenticated(ctx.req, ctx.request_id)) co_return std::move(*refused);
  co_return json_answer(ctx.req, beast_http::status::ok, "{}");
}

boost::asio::awaitable<http::response> matrix_adapter::handle_unrecognized(
    http::request_context ctx) {
  const bool wrong_method = ctx.param("unmatched") == "405";
  auto answer = matrix_error(
      ctx.req,
      wrong_method ? beast_http::status::method_not_allowed : beast_http::status::not_found,
      errcode_unrecognized, wrong_method ? "method not allowed here" : "unknown endpoint");
  if (wrong_method) answer.set(beast_http::field::allow, ctx.param("allow"));
  co_return answer;
}

boost::asio::awaitable<void> matrix_adapter::enqueue_outbox(std::string key,
                                                            nlohmann::json payload) {
  std::string text = payload.dump();
  auto store = [this, &key, &text] { return jobs_.enqueue(outbox_queue, key, text, clock_.now()); };
  if (co_await runtime::offload(store_thread_, std::move(store))) outbox_worker_.notify();
}

boost::asio::awaitable<job_outcome> matrix_adapter::process_inbox(bot::job job) {
  if (job.key.starts_with("event:")) {
    co_return co_await process_event(nlohmann::json::parse(job.payload, nullptr, false));
  }
  auto events = parse_transaction(job.payload);
  if (!events) co_return job_outcome::give_up("malformed transaction");
  // Each event becomes its own job, keyed by its id, so that one needing a retry (the homeserver
  // busy) neither holds up nor repeats the others, and an event in two transactions runs once.
  for (auto& event : *events) {
    std::string event_id = json_fields::string_at(event, "event_id");
    if (event_id.empty()) continue;
    std::string key = "event:" + event_id;
    std::string payload = event.dump();
    auto store = [this, &key, &payload] {
      return jobs_.enqueue(inbox_queue, key, payload, clock_.now());
    };
    co_await runtime::offload(store_thread_, std::move(store));
  }
  inbox_worker_.notify();
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> matrix_adapter::process_event(nlohmann::json raw) {
  const matrix_event event = parse_event(raw);
  if (const auto* invite = std::get_if<invite_event>(&event)) {
    co_return co_await accept_invite(*invite);
  }
  // Scribe's own events come back in transactions: they never cause anything.
  std::string sender = json_fields::string_at(raw, "sender");
  if (sender == bot_user_id_) co_return job_outcome::done();

  if (const auto* reaction = std::get_if<reaction_event>(&event)) {
    if (!flag_key_matches(reaction->key, options_.flag_reaction)) co_return job_outcome::done();
    // The reaction event is the flag: redacting it takes the flag back.
    bot::person by{reaction->event_id, reaction->sender};
    co_return co_await flag(channel_of(reaction->room_id), reaction->target_event_id, std::move(by),
                            from_matrix_ms(reaction->origin_server_ts),
                            bot::entry_source::reaction);
  }
  if (const auto* redaction = std::get_if<redaction_event>(&event)) {
    co_return co_await take_back(*redaction);
  }
  if (const auto* message = std::get_if<room_message>(&event)) {
    // Notices are what bots send; no client or bot may act on them (PROTOCOLS.md 8).
    if (message->msgtype == "m.notice") co_return job_outcome::done();
    const auto channel = channel_of(message->room_id);
    if (message->relation.kind == relation_kind::replace) {
      // Only the sender of a message may edit it (the spec's "event replacements" rule, which
      // receivers enforce): anyone else's replacement is ignored.
      auto original = co_await api_.get_event(message->room_id, message->relation.event_id);
      if (original.what == call_result::kind::retry) co_return outcome_of(original, "fetching");
      const auto body = nlohmann::json::parse(original.body, nullptr, false);
      if (original.what != call_result::kind::ok ||
          json_fields::string_at(body, "sender") != message->sender) {
        co_return job_outcome::done();
      }
      std::string ref = message_ref(message->room_id, message->relation.event_id);
      std::string text = message->new_body.empty() ? message->body : message->new_body;
      auto update = [this, &channel, &ref, &text] {
        desk_.edit_message(channel, ref, text);
        postmortems_.edit_answer(channel, ref, text);
      };
      co_await runtime::offload(store_thread_, std::move(update));
      co_return job_outcome::done();
    }
    if (auto text = command_text(message->body, options_.command_prefix)) {
      co_return co_await run_command(*message, std::move(*text));
    }
    if (message->relation.kind == relation_kind::thread) co_return co_await answer(*message);
    const auto& mentioned = message->mentioned_user_ids;
    if (std::find(mentioned.begin(), mentioned.end(), bot_user_id_) != mentioned.end()) {
      bot::person by{message->event_id, message->sender};
      co_return co_await flag(channel, message->event_id, std::move(by),
                              from_matrix_ms(message->origin_server_ts),
                              bot::entry_source::mention);
    }
    co_return job_outcome::done();
  }
  log::debug("matrix event ignored", {{"why", std::get<ignored_event>(event).why}});
  co_return job_outcome::done();
}

boost::asio::awaitable<http::call_result> matrix_adapter::display_name(std::string room_id,
                                                                       std::string user_id,
                                                                       std::string& name) {
  {
    std::lock_guard lock(names_mutex_);
    const auto room = names_.find(room_id);
    if (room != names_.end()) {
      if (auto it = room->second.find(user_id); it != room->second.end()) {
        name = it->second;
        co_return call_result::ok();
      }
    }
  }
  auto members = co_await api_.joined_members(room_id);
  if (members.what == call_result::kind::retry) co_return members;
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
  name = it != names.end() ? it->second : user_id;
  std::lock_guard lock(names_mutex_);
  names_[room_id] = std::move(names);
  co_return call_result::ok();
}

boost::asio::awaitable<job_outcome> matrix_adapter::run_command(room_message message,
                                                                std::string text) {
  bot::command_request request{channel_of(message.room_id),
                               {message.sender, ""},
                               std::move(text),
                               options_.command_prefix,
                               message_ref(message.room_id, message.event_id),
                               from_matrix_ms(message.origin_server_ts)};
  auto named = co_await display_name(message.room_id, message.sender, request.author.name);
  if (named.what == call_result::kind::retry) co_return outcome_of(named, "joined_members");
  auto run = [this, &request] { return desk_.run_command(request); };
  const bot::bot_reply reply = co_await runtime::offload(store_thread_, std::move(run));
  postmortem_worker_.notify();  // close and draft leave postmortem jobs behind
  nlohmann::json content = notice(reply.text);
  in_reply_to(content, message.event_id);
  nlohmann::json payload{
      {"room", message.room_id}, {"type", "m.room.message"}, {"content", std::move(content)}};
  co_await enqueue_outbox("reply:" + message.event_id, std::move(payload));
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> matrix_adapter::flag(bot::channel_ref channel,
                                                         std::string event_id,
                                                         bot::person flagged_by,
                                                         bot::timestamp flagged_at,
                                                         bot::entry_source source) {
  // An event id says nothing of its time: until the message is fetched, only the flag's own time
  // can place it (bot::incident_for_flag).
  bot::flag_request request{channel, message_ref(channel.channel, event_id), flagged_by, flagged_at,
                            std::nullopt};
  auto again = [this, &request] { return desk_.flag_again(request); };
  const auto known = co_await runtime::offload(store_thread_, std::move(again));
  if (known && *known) {
    // Recorded already: nothing to fetch. The confirmation is asked for again, in case the run
    // that recorded the entry died before it could (the outbox keeps one job per entry).
    co_await confirm_recorded(channel.channel, event_id, **known);
    co_return job_outcome::done();
  }

  auto fetched = co_await api_.get_event(channel.channel, event_id);
  if (fetched.what == call_result::kind::retry) co_return outcome_of(fetched, "fetching");
  if (fetched.what == call_result::kind::failed) {
    log::warn("a flagged message cannot be read",
              {{"room", channel.channel}, {"error", fetched.error}});
    co_await answer_flagger(request, event_id, bot::message_unreadable_reply(fetched.error));
    co_return job_outcome::done();
  }
  const auto parsed = parse_event(nlohmann::json::parse(fetched.body, nullptr, false));
  const auto* message = std::get_if<room_message>(&parsed);
  if (message == nullptr) {  // redacted: its content is gone
    co_await answer_flagger(request, event_id, bot::message_gone_reply());
    co_return job_outcome::done();
  }
  // Only people's messages reach the timeline; Scribe's own notices never do.
  if (message->sender == bot_user_id_) {
    co_await answer_flagger(request, event_id, bot::bot_message_not_recorded_reply());
    co_return job_outcome::done();
  }
  bot::person author{message->sender, ""};
  auto named = co_await display_name(channel.channel, message->sender, author.name);
  if (named.what == call_result::kind::retry) co_return outcome_of(named, "joined_members");
  bot::flagged_message flagged{
      request.message_ref, "https://matrix.to/#/" + channel.channel + "/" + event_id,
      std::move(author),   from_matrix_ms(message->origin_server_ts),
      message->body,       source};
  auto record = [this, &request, &flagged] { return desk_.flag_message(request, flagged); };
  const auto recorded = co_await runtime::offload(store_thread_, std::move(record));
  if (!recorded) {
    co_await answer_flagger(request, event_id,
                            bot::no_incident_for_flag_reply(options_.command_prefix));
    co_return job_outcome::done();
  }
  co_await confirm_recorded(channel.channel, event_id, recorded->entry.id);
  co_return job_outcome::done();
}

boost::asio::awaitable<void> matrix_adapter::answer_flagger(const bot::flag_request& flag,
                                                            std::string event_id,
                                                            std::string text) {
  // Matrix has no private messages in a room: a notice replying to the flagged message, which
  // mentions the flagger so that their client shows it to them. Once per flag (its event id).
  nlohmann::json content = notice(text);
  in_reply_to(content, event_id);
  content["m.mentions"] = {{"user_ids", {flag.by.name}}};
  nlohmann::json payload{
      {"room", flag.channel.channel}, {"type", "m.room.message"}, {"content", std::move(content)}};
  co_await enqueue_outbox("flag-answer:" + flag.by.id, std::move(payload));
}

boost::asio::awaitable<void> matrix_adapter::confirm_recorded(std::string room_id,
                                                              std::string event_id,
                                                              std::int64_t entry_id) {
  nlohmann::json payload{
      {"room", room_id}, {"type", "m.reaction"}, {"content", reaction(event_id, recorded_key)}};
  co_await enqueue_outbox("react:" + std::to_string(entry_id), std::move(payload));
}

boost::asio::awaitable<job_outcome> matrix_adapter::take_back(redaction_event redaction) {
  const auto channel = channel_of(redaction.room_id);
  // The redacted event was a flag (a 📌 reaction, or a mention), a message, or neither.
  auto unflag = [this, &channel, &redaction] {
    auto removed = desk_.unflag_by_id(channel, redaction.redacts);
    const std::string ref = message_ref(redaction.room_id, redaction.redacts);
    desk_.delete_message(channel, ref);
    postmortems_.delete_answer(channel, ref);
    return removed;
  };
  const auto removed = co_await runtime::offload(store_thread_, std::move(unflag));
  if (removed && removed->has_value() && (*removed)->message_ref) {
    const std::string& ref = *(*removed)->message_ref;
    nlohmann::json payload{
        {"unreact", {{"room", redaction.room_id}, {"event", ref.substr(ref.find('/') + 1)}}}};
    co_await enqueue_outbox("unreact:" + std::to_string((*removed)->id), std::move(payload));
  }
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> matrix_adapter::answer(room_message message) {
  bot::thread_reply reply{channel_of(message.room_id),
                          message_ref(message.room_id, message.relation.event_id),
                          message_ref(message.room_id, message.event_id),
                          {message.sender, ""},
                          from_matrix_ms(message.origin_server_ts),
                          message.body};
  auto named = co_await display_name(message.room_id, message.sender, reply.author.name);
  if (named.what == call_result::kind::retry) co_return outcome_of(named, "joined_members");
  auto record = [this, &reply] { return postmortems_.answer_in_thread(reply); };
  const auto recorded = co_await runtime::offload(store_thread_, std::move(record));
  if (!recorded) {
    if (recorded.error() == bot::errc::not_ready_yet) {
      co_return job_outcome::retry("the questions are still being posted", std::chrono::seconds(2));
    }
    co_return job_outcome::done();  // an ordinary thread
  }
  if (recorded->completed) postmortem_worker_.notify();
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> matrix_adapter::accept_invite(invite_event invite) {
  if (invite.invitee != bot_user_id_) co_return job_outcome::done();
  const auto inviter = parse_user_id(invite.sender);
  const auto& allowed = options_.allowed_servers;
  if (!allowed.empty() && (!inviter || std::find(allowed.begin(), allowed.end(),
                                                 inviter->server_name) == allowed.end())) {
    log::info("matrix invitation declined", {{"room", invite.room_id}, {"from", invite.sender}});
    co_return job_outcome::done();
  }
  auto joined = co_await api_.join(invite.room_id);
  if (joined.what != call_result::kind::ok) co_return outcome_of(joined, "joining");
  log::info("matrix room joined", {{"room", invite.room_id}, {"invited_by", invite.sender}});
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> matrix_adapter::process_outbox(bot::job job) {
  const auto item = nlohmann::json::parse(job.payload, nullptr, false);
  if (!item.is_object()) co_return job_outcome::give_up("malformed outbox item");
  if (item.contains("unreact")) {
    // Scribe's own 📝 on the message: found through the relations API, then redacted.
    const auto& target = item["unreact"];
    std::string room = json_fields::string_at(target, "room");
    std::string event = json_fields::string_at(target, "event");
    auto found = co_await api_.relations(room, event, "m.annotation", "m.reaction");
    if (found.what != call_result::kind::ok) co_return outcome_of(found, "relations");
    const auto body = nlohmann::json::parse(found.body, nullptr, false);
    const auto& chunk = json_fields::member(body, "chunk");
    if (!chunk.is_array()) co_return job_outcome::done();
    for (const auto& related : chunk) {
      const auto& relates =
          json_fields::member(json_fields::member(related, "content"), "m.relates_to");
      if (json_fields::string_at(related, "sender") != bot_user_id_ ||
          json_fields::string_at(relates, "key") != recorded_key) {
        continue;
      }
      auto redacted = co_await api_.redact(room, json_fields::string_at(related, "event_id"),
                                           transaction_id(job.key, 0), "the flag was taken back");
      if (redacted.what != call_result::kind::ok) co_return outcome_of(redacted, "redacting");
    }
    co_return job_outcome::done();
  }
  std::string room = item.value("room", "");
  std::string type = item.value("type", "");
  nlohmann::json content = item.value("content", nlohmann::json::object());
  auto sent = co_await api_.send(std::move(room), std::move(type), transaction_id(job.key, 0),
                                 std::move(content));
  if (sent.what == call_result::kind::ok) co_return job_outcome::done();
  // An annotation that is there already is what the job wanted.
  if (sent.error == "M_DUPLICATE_ANNOTATION") co_return job_outcome::done();
  co_return outcome_of(sent, job.key);
}

boost::asio::awaitable<http::call_result> matrix_adapter::send_all(
    const bot::job& job, std::string room_id, std::vector<nlohmann::json> contents,
    std::vector<std::string>& event_ids) {
  for (std::size_t i = 0; i < contents.size(); ++i) {
    auto sent = co_await api_.send(room_id, "m.room.message", transaction_id(job.key, i + 1),
                                   std::move(contents[i]));
    if (sent.what != call_result::kind::ok) co_return sent;
    event_ids.push_back(event_id_of(sent));
  }
  co_return call_result::ok();
}

boost::asio::awaitable<job_outcome> matrix_adapter::process_postmortem(bot::job job) {
  const auto step = bot::decode_postmortem_job(job.payload);
  if (!step) co_return job_outcome::give_up("malformed postmortem job");
  std::vector<nlohmann::json> contents;
  std::string room;
  std::vector<bot::asked_question> questions;
  if (step->step == bot::postmortem_step::draft) {
    auto compose = [this, &step] { return postmortems_.draft(*step); };
    const auto drafted = co_await runtime::offload(store_thread_, std::move(compose));
    if (!drafted) co_return job_outcome::done();  // nothing new since the last draft
    room = drafted->inc.channel.channel;
    contents = draft_notices(drafted->draft.markdown);
  } else {
    auto load = [this, id = step->incident_id] {
      return std::pair{postmortems_.find_incident(id), postmortems_.questions(id)};
    };
    auto [inc, asked] = co_await runtime::offload(store_thread_, std::move(load));
    if (!inc) co_return job_outcome::give_up("unknown incident");
    room = inc->channel.channel;
    if (step->step == bot::postmortem_step::remind) {
      auto decide = [this, id = inc->id] {
        return postmortems_.reminder(id, options_.command_prefix);
      };
      const auto text = co_await runtime::offload(store_thread_, std::move(decide));
      if (!text) co_return job_outcome::done();
      contents.push_back(notice(*text));
    } else {
      questions = std::move(asked);
      if (questions.empty()) co_return job_outcome::done();
      for (const auto& text :
           bot::question_messages(*inc, questions, "", options_.command_prefix)) {
        contents.push_back(notice(text));
      }
    }
  }
  std::vector<std::string> event_ids;
  const auto sent = co_await send_all(job, room, std::move(contents), event_ids);
  // event_ids[0] is the introduction; event_ids[i + 1] asked question i.
  auto record = [this, &step, &room, &questions, &event_ids] {
    for (std::size_t i = 0; i + 1 < event_ids.size() && i < questions.size(); ++i) {
      (void)postmortems_.question_posted(step->incident_id, questions[i].id,
                                         message_ref(room, event_ids[i + 1]));
    }
  };
  co_await runtime::offload(store_thread_, std::move(record));
  if (sent.what != call_result::kind::ok) co_return outcome_of(sent, "posting");
  co_return job_outcome::done();
}

}  // namespace scribe::matrix
