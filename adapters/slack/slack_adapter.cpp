#include "adapters/slack/slack_adapter.hpp"
#include "adapters/http/error.hpp"

#include "adapters/http/form.hpp"
#include "adapters/http/responses.hpp"
#include "adapters/slack/messages.hpp"
#include "adapters/slack/payloads.hpp"
#include "adapters/slack/signature.hpp"
#include "adapters/slack/text.hpp"
#include "config/log.hpp"
#include "runtime/offload.hpp"

#include <boost/asio/co_spawn.hpp>

#include <algorithm>
#include <charconv>

// GCC 12 destroys a braced aggregate or a capturing closure twice when it is passed by value as
// a temporary inside a co_await expression. Every such argument below is a named local, moved in.

namespace scribe::slack {
namespace {

namespace beast_http = boost::beast::http;
using bot::job_outcome;
using jobs::outcome_of;

constexpr std::string_view form_type = "application/x-www-form-urlencoded";
constexpr std::string_view json_type = "application/json";
// Inbox payloads start with their kind and a newline, then the request body as Slack sent it.
constexpr std::string_view event_kind = "event";
constexpr std::string_view shortcut_kind = "shortcut";

// Slack sends forms to commands and interactivity and JSON to events; anything else is refused
// before it is parsed.
std::optional<http::response> refuse_media_type(const http::request& req,
                                                std::string_view media_type) {
  if (http::is_media_type(req[beast_http::field::content_type], media_type)) return std::nullopt;
  return http::make_error(req, beast_http::status::unsupported_media_type,
                          "expected " + std::string(media_type));
}

http::response empty_ok(const http::request& req) {
  return http::make_response(req, beast_http::status::ok, "", "text/plain; charset=utf-8");
}

std::string message_ref(std::string_view channel, std::string_view ts) {
  return std::string(channel) + "/" + std::string(ts);
}

}  // namespace

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

// What a flag needs to know of the message; fetched from Slack when the event does not carry it.
struct slack_adapter::message_to_flag {
  bot::channel_ref channel;
  std::string ts;
  bool known = false;  // text, author_id and bot_id below are filled in
  std::string text;    // Slack text, still escaped
  std::string author_id;
  std::string bot_id;
  bot::person flagged_by;
  bot::timestamp flagged_at;  // the reaction's time, or when the request arrived
  bot::entry_source source = bot::entry_source::reaction;
  std::string response_url;  // a shortcut's: where to answer the flagger privately
  std::string thread_ts;     // where the flagged message is, for a private answer beside it
};

slack_adapter::slack_adapter(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                             const config::slack_options& options, std::string public_url,
                             bot::incident_desk& desk, bot::postmortem_desk& postmortems,
                             bot::job_queue& jobs, http::client& client, const bot::clock& clock,
                             const config::jobs_options& limits)
    : ioc_(ioc),
      store_thread_(store_thread),
      options_(options),
      public_url_(std::move(public_url)),
      desk_(desk),
      postmortems_(postmortems),
      jobs_(jobs),
      clock_(clock),
      api_(client, options.api_base_url, options.bot_token),
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
          ioc, store_thread, jobs, clock, bot::postmortem_queue("slack"),
          [this](bot::job job) { return process_postmortem(std::move(job)); },
          jobs::worker_options{.lease = limits.lease}) {}

void slack_adapter::add_routes(http::router& routes) {
  routes.add(beast_http::verb::post, "/slack/commands",
             [this](http::request_context ctx) { return handle_command(std::move(ctx)); });
  routes.add(beast_http::verb::post, "/slack/events",
             [this](http::request_context ctx) { return handle_event(std::move(ctx)); });
  routes.add(beast_http::verb::post, "/slack/interactions",
             [this](http::request_context ctx) { return handle_interaction(std::move(ctx)); });
}

void slack_adapter::start() {
  inbox_worker_.start();
  outbox_worker_.start();
  postmortem_worker_.start();
}

void slack_adapter::stop() {
  inbox_worker_.stop();
  outbox_worker_.stop();
  postmortem_worker_.stop();
}

bot::result<void> slack_adapter::verify(const http::request& req) const {
  // A second signature or timestamp header would make the request mean whichever one a reader
  // takes: refused, whatever the first one says.
  if (req.count("X-Slack-Signature") > 1 || req.count("X-Slack-Request-Timestamp") > 1) {
    return http::errc::bad_signature;
  }
  const auto now = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          clock_.now().time_since_epoch()));
  return verify_signature(options_.signing_secret, req["X-Slack-Request-Timestamp"],
                          req["X-Slack-Signature"], req.body(), now);
}

std::optional<http::response> slack_adapter::refuse_unverified(const http::request& req,
                                                               std::string_view request_id) const {
  auto verified = verify(req);
  if (verified) return std::nullopt;
  log::warn("slack request refused", {{"path", std::string(http::target_path(req.target()))},
                                      {"reason", verified.error().message()},
                                      {"request_id", std::string(request_id)}});
  return http::make_error(req, beast_http::status::unauthorized, verified.error().message());
}

http::response slack_adapter::refuse_full(const http::request& req, std::int64_t pending,
                                          std::string_view request_id) {
  inbox_limit_.note_refused(pending, request_id);
  auto res = http::make_error(req, beast_http::status::service_unavailable, inbox_limit_.reason());
  res.set(beast_http::field::retry_after, std::to_string(jobs::inbox_limit::retry_after.count()));
  return res;
}

boost::asio::awaitable<http::response> slack_adapter::handle_command(http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = refuse_media_type(req, form_type)) co_return std::move(*refused);
  auto form = http::parse_form(req.body());
  if (!form)
    co_return http::make_error(req, beast_http::status::bad_request, "malformed form body");
  // Slack checks the certificate with an unsigned ssl_check=1 post and expects an empty 200
  // (bolt does the same); nothing in it is acted on.
  if (is_ssl_check(*form)) co_return empty_ok(req);
  if (auto refused = refuse_unverified(req, ctx.request_id)) co_return std::move(*refused);
  auto command = parse_slash_command(*form);
  if (!command) {
    co_return http::make_error(req, beast_http::status::bad_request, "malformed slash command");
  }
  bot::command_request request{{"slack", command->team_id, command->channel_id},
                               {command->user_id, command->user_name},
                               plain_text(command->text),
                               options_.command,
                               std::nullopt,
                               std::nullopt};
  auto run = [this, &request] { return desk_.run_command(request); };
  const bot::bot_reply reply = co_await runtime::offload(store_thread_, std::move(run));
  // `close` and `draft` leave postmortem jobs behind; the worker need not wait for its next poll.
  postmortem_worker_.notify();
  auto response = slash_command_response(reply);
  // What does not fit in one response follows through the response_url, in order. Slack takes at
  // most 5 posts to one response_url (PROTOCOLS.md section 2); replies are far shorter than that.
  constexpr std::size_t response_url_posts = 5;
  if (response.rest.size() > response_url_posts) {
    log::warn("slack reply cut", {{"parts", std::to_string(response.rest.size() + 1)},
                                  {"request_id", ctx.request_id}});
    response.rest.resize(response_url_posts);
  }
  for (std::size_t i = 0; i < response.rest.size(); ++i) {
    nlohmann::json payload{{"response_url", command->response_url}, {"body", response.rest[i]}};
    co_await enqueue_outbox("reply:" + command->trigger_id + ":" + std::to_string(i + 1),
                            payload.dump());
  }
  co_return http::make_response(req, beast_http::status::ok, response.first.dump(),
                                "application/json");
}

boost::asio::awaitable<http::response> slack_adapter::handle_event(http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = refuse_media_type(req, json_type)) co_return std::move(*refused);
  if (auto refused = refuse_unverified(req, ctx.request_id)) co_return std::move(*refused);
  auto envelope = parse_event_envelope(req.body());
  if (!envelope)
    co_return http::make_error(req, beast_http::status::bad_request, "malformed event");
  if (envelope->type == "url_verification") {
    nlohmann::json answer{{"challenge", envelope->challenge}};
    co_return http::make_response(req, beast_http::status::ok, answer.dump(), "application/json");
  }
  if (envelope->type == "app_rate_limited") {
    log::warn("slack is rate-limiting events to scribe",
              {{"team", envelope->team_id},
               {"minute", std::to_string(envelope->minute_rate_limited)},
               {"request_id", ctx.request_id}});
    co_return empty_ok(req);
  }
  if (envelope->type != "event_callback") co_return empty_ok(req);

  // Stored before the 200: once Slack has its ack it will not send the event again.
  std::string payload = std::string(event_kind) + "\n" + req.body();
  auto store = [this, &envelope, &payload] {
    return inbox_limit_.enqueue(envelope->event_id, payload, clock_.now());
  };
  const auto admitted = co_await runtime::offload(store_thread_, std::move(store));
  if (admitted.full) co_return refuse_full(req, admitted.pending, ctx.request_id);
  const bool added = admitted.added;
  const auto retry = req["X-Slack-Retry-Num"];
  log::debug("slack event", {{"event_id", envelope->event_id},
                             {"new", added ? "yes" : "no"},
                             {"retry", retry.empty() ? "0" : std::string(retry)},
                             {"request_id", ctx.request_id}});
  if (added) inbox_worker_.notify();
  co_return empty_ok(req);
}

boost::asio::awaitable<http::response> slack_adapter::handle_interaction(
    http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = refuse_media_type(req, form_type)) co_return std::move(*refused);
  if (auto refused = refuse_unverified(req, ctx.request_id)) co_return std::move(*refused);
  auto form = http::parse_form(req.body());
  if (!form)
    co_return http::make_error(req, beast_http::status::bad_request, "malformed form body");
  auto parsed = parse_interaction(*form);
  if (!parsed) {
    co_return http::make_error(req, beast_http::status::bad_request, "malformed interaction");
  }
  if (auto* action = std::get_if<block_action>(&*parsed)) {
    const bool wants_form = std::any_of(
        action->actions.begin(), action->actions.end(),
        [](const block_action::action& a) { return a.action_id == answer_form_action; });
    // The trigger_id is good for 3 seconds: the modal opens right away, beside the ack.
    if (wants_form) {
      boost::asio::co_spawn(ioc_, open_answer_form(std::move(*action)),
                            [](const std::exception_ptr& error) {
                              if (!error) return;
                              try {
                                std::rethrow_exception(error);
                              } catch (const std::exception& e) {
                                log::error("opening the answer form failed", {{"error", e.what()}});
                              }
                            });
    }
    co_return empty_ok(req);
  }
  if (auto* submission = std::get_if<view_submission>(&*parsed)) {
    if (submission->callback_id != answer_form_callback) co_return empty_ok(req);
    co_return co_await save_form_answers(std::move(ctx), std::move(*submission));
  }
  const auto* shortcut = std::get_if<message_shortcut>(&*parsed);
  if (shortcut == nullptr || shortcut->callback_id != add_to_timeline_callback) {
    co_return empty_ok(req);  // not Scribe's
  }
  std::string payload = std::string(shortcut_kind) + "\n" + req.body();
  // A trigger_id is unique to one use of the shortcut: Slack's retries carry the same one.
  std::string key = "shortcut:" + shortcut->trigger_id;
  auto store = [this, &key, &payload] { return inbox_limit_.enqueue(key, payload, clock_.now()); };
  const auto admitted = co_await runtime::offload(store_thread_, std::move(store));
  // Slack does not deliver a shortcut again: the person sees that it failed and may try again.
  if (admitted.full) co_return refuse_full(req, admitted.pending, ctx.request_id);
  if (admitted.added) inbox_worker_.notify();
  co_return empty_ok(req);
}

boost::asio::awaitable<void> slack_adapter::enqueue_outbox(std::string key, std::string payload) {
  auto store = [this, &key, &payload] {
    return jobs_.enqueue(outbox_queue, key, payload, clock_.now());
  };
  if (co_await runtime::offload(store_thread_, std::move(store))) outbox_worker_.notify();
}

boost::asio::awaitable<job_outcome> slack_adapter::process_inbox(bot::job job) {
  const auto newline = job.payload.find('\n');
  const std::string_view kind = std::string_view(job.payload).substr(0, newline);
  std::string body = newline == std::string::npos ? std::string() : job.payload.substr(newline + 1);
  // The job was created when Slack's request arrived: the time of a flag that carries none.
  if (kind == event_kind) co_return co_await process_event(std::move(body), job.created_at);
  if (kind == shortcut_kind) co_return co_await process_shortcut(std::move(body), job.created_at);
  co_return job_outcome::give_up("unknown inbox item");
}

boost::asio::awaitable<job_outcome> slack_adapter::process_event(std::string body,
                                                                 bot::timestamp received_at) {
  auto envelope = parse_event_envelope(body);
  if (!envelope) co_return job_outcome::give_up("malformed event");
  const slack_event event = parse_event(envelope->event);
  const std::string& team = envelope->team_id;

  if (const auto* reaction = std::get_if<reaction_event>(&event)) {
    if (reaction_base_name(reaction->reaction) != options_.flag_reaction)
      co_return job_outcome::done();
    bot::channel_ref channel{"slack", team, reaction->item_channel};
    if (!reaction->added) {
      co_return co_await unflag(std::move(channel), reaction->item_ts, reaction->user);
    }
    message_to_flag message;
    message.channel = std::move(channel);
    message.ts = reaction->item_ts;
    message.flagged_by = {reaction->user, ""};
    const auto reacted_at = parse_message_ts(reaction->event_ts);
    message.flagged_at = reacted_at ? *reacted_at : received_at;
    co_return co_await flag(std::move(message));
  }
  if (const auto* mention = std::get_if<mention_event>(&event)) {
    if (!mention->bot_id.empty() || mention->user.empty()) {
      co_return job_outcome::done();  // bots, Scribe included, never reach the timeline this way
    }
    message_to_flag message;
    message.channel = {"slack", team, mention->channel};
    message.ts = mention->ts;
    message.known = true;
    message.text = std::string(strip_leading_mention(mention->text));
    message.author_id = mention->user;
    message.flagged_by = {mention->user, ""};
    // The mention is the flag: made when it was written (Slack may deliver it minutes later).
    const auto written_at = parse_message_ts(mention->ts);
    message.flagged_at = written_at ? *written_at : received_at;
    message.thread_ts = mention->thread_ts;
    message.source = bot::entry_source::mention;
    co_return co_await flag(std::move(message));
  }
  if (auto* reply = std::get_if<thread_reply_event>(&event)) {
    // Bots' replies, Scribe's own included, are never answers.
    if (!reply->bot_id.empty()) co_return job_outcome::done();
    bot::channel_ref channel{"slack", team, reply->channel};
    co_return co_await answer(std::move(channel), std::move(*reply));
  }
  // An edited or deleted message may be a timeline entry, an answer, or both.
  if (const auto* edit = std::get_if<message_edit_event>(&event)) {
    if (!edit->bot_id.empty()) co_return job_outcome::done();
    bot::channel_ref channel{"slack", team, edit->channel};
    std::string ref = message_ref(edit->channel, edit->ts);
    std::string text;
    auto readable = co_await readable_text(edit->new_text, text);
    if (readable.what == call_result::kind::retry) co_return outcome_of(readable, "users.info");
    auto update = [this, &channel, &ref, &text] {
      desk_.edit_message(channel, ref, text);
      postmortems_.edit_answer(channel, ref, text);
    };
    co_await runtime::offload(store_thread_, std::move(update));
    co_return job_outcome::done();
  }
  if (const auto* deletion = std::get_if<message_delete_event>(&event)) {
    bot::channel_ref channel{"slack", team, deletion->channel};
    std::string ref = message_ref(deletion->channel, deletion->deleted_ts);
    auto remove = [this, &channel, &ref] {
      desk_.delete_message(channel, ref);
      postmortems_.delete_answer(channel, ref);
    };
    co_await runtime::offload(store_thread_, std::move(remove));
    co_return job_outcome::done();
  }
  log::debug("slack event ignored", {{"why", std::get<ignored_event>(event).why}});
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> slack_adapter::process_shortcut(std::string body,
                                                                    bot::timestamp received_at) {
  auto form = http::parse_form(body);
  if (!form) co_return job_outcome::give_up("malformed shortcut");
  auto parsed = parse_interaction(*form);
  const auto* shortcut = parsed ? std::get_if<message_shortcut>(&*parsed) : nullptr;
  if (shortcut == nullptr) co_return job_outcome::give_up("malformed shortcut");
  message_to_flag message;
  message.channel = {"slack", shortcut->team_id, shortcut->channel_id};
  message.ts = shortcut->message_ts;
  message.known = true;
  message.text = shortcut->message_text;
  message.author_id = shortcut->message_user;
  message.bot_id = shortcut->message_bot_id;
  message.flagged_by = {shortcut->user_id, shortcut->user_name};
  message.flagged_at = received_at;
  message.response_url = shortcut->response_url;
  message.thread_ts = shortcut->thread_ts;
  co_return co_await flag(std::move(message));
}

boost::asio::awaitable<call_result> slack_adapter::fetch_message(std::string channel,
                                                                 std::string ts) {
  form_params history{{"channel", channel}, {"latest", ts}, {"inclusive", "true"}, {"limit", "1"}};
  auto found = co_await api_.call_form("conversations.history", std::move(history));
  if (found.what != call_result::kind::ok) co_return found;
  if (auto parsed = parse_history_message(found.body, ts); parsed) co_return found;
  // Not in the channel's history: a thread reply, which only conversations.replies returns.
  form_params replies{{"channel", channel}, {"ts", ts}};
  co_return co_await api_.call_form("conversations.replies", std::move(replies));
}

boost::asio::awaitable<call_result> slack_adapter::names_of(std::string user_id,
                                                            user_names& names) {
  {
    std::lock_guard lock(names_mutex_);
    if (auto it = names_.find(user_id); it != names_.end()) {
      names = it->second;
      co_return call_result{call_result::kind::ok, {}, {}, {}};
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

boost::asio::awaitable<call_result> slack_adapter::readable_text(std::string slack_text,
                                                                 std::string& text) {
  std::map<std::string, std::string> names;
  for (auto& id : unlabelled_mentions(slack_text)) {
    user_names known;
    auto named = co_await names_of(id, known);
    if (named.what == call_result::kind::retry) co_return named;
    // The handle, not the display name: "owner @Bob B." would read as owner "@Bob".
    if (named.what == call_result::kind::ok) names.emplace(std::move(id), std::move(known.handle));
  }
  text = plain_text(label_mentions(slack_text, names));
  co_return call_result{call_result::kind::ok, {}, {}, {}};
}

boost::asio::awaitable<job_outcome> slack_adapter::flag(message_to_flag message) {
  const std::string ref = message_ref(message.channel.channel, message.ts);
  auto written_at = parse_message_ts(message.ts);
  if (!written_at) co_return job_outcome::give_up("malformed message ts");
  // Slack's ts is the message's time, so the incident is known before anything is fetched.
  bot::flag_request request{message.channel, ref, message.flagged_by, message.flagged_at,
                            *written_at};
  auto flag_recorded = [this, &request] { return desk_.flag_again(request); };
  const auto again = co_await runtime::offload(store_thread_, std::move(flag_recorded));
  if (!again) {
    co_await answer_flagger(message, bot::no_incident_for_flag_reply(options_.command));
    co_return job_outcome::done();
  }
  if (*again) {
    // Recorded already: nothing to fetch. The confirmation is asked for again, in case the run
    // that recorded the entry died before it could (the outbox keeps one job per entry).
    co_await confirm_recorded(message.channel.channel, message.ts, **again);
    co_return job_outcome::done();
  }

  if (!message.known) {
    auto fetched = co_await fetch_message(message.channel.channel, message.ts);
    if (fetched.what == call_result::kind::retry)
      co_return outcome_of(fetched, "fetching the message");
    // Neither the channel's history nor a thread has it: deleted since it was flagged.
    if (fetched.what == call_result::kind::failed && fetched.error == "thread_not_found") {
      co_await answer_flagger(message, bot::message_gone_reply());
      co_return job_outcome::done();
    }
    if (fetched.what == call_result::kind::failed) {
      log::warn("a flagged message cannot be read",
                {{"channel", message.channel.channel}, {"error", fetched.error}});
      co_await answer_flagger(message, bot::message_unreadable_reply(fetched.error));
      co_return job_outcome::done();
    }
    auto parsed = parse_history_message(fetched.body, message.ts);
    if (!parsed || !parsed->value) {
      co_await answer_flagger(message, bot::message_gone_reply());
      co_return job_outcome::done();
    }
    message.text = parsed->value->text;
    message.author_id = parsed->value->user;
    message.bot_id = parsed->value->bot_id;
  }
  // Bots' messages, Scribe's own included, never reach the timeline (the issue's rule: no loops).
  if (!message.bot_id.empty()) {
    co_await answer_flagger(message, bot::bot_message_not_recorded_reply());
    co_return job_outcome::done();
  }

  bot::person author{message.author_id, ""};
  if (!message.author_id.empty()) {
    user_names known;
    auto named = co_await names_of(message.author_id, known);
    author.name = known.display;
    if (named.what == call_result::kind::retry) co_return outcome_of(named, "users.info");
  }
  if (author.name.empty()) author.name = author.id.empty() ? "unknown" : author.id;

  form_params link_params{{"channel", message.channel.channel}, {"message_ts", message.ts}};
  auto link = co_await api_.call_form("chat.getPermalink", std::move(link_params));
  if (link.what == call_result::kind::retry) co_return outcome_of(link, "chat.getPermalink");
  auto permalink = parse_permalink(link.body);
  std::string url = permalink && permalink->value ? *permalink->value : std::string();

  std::string text;
  auto readable = co_await readable_text(message.text, text);
  if (readable.what == call_result::kind::retry) co_return outcome_of(readable, "users.info");
  bot::flagged_message flagged{ref,         std::move(url),  std::move(author),
                               *written_at, std::move(text), message.source};
  auto record = [this, &request, &flagged] { return desk_.flag_message(request, flagged); };
  const auto recorded = co_await runtime::offload(store_thread_, std::move(record));
  if (!recorded) {
    co_await answer_flagger(message, bot::no_incident_for_flag_reply(options_.command));
    co_return job_outcome::done();
  }
  co_await confirm_recorded(message.channel.channel, message.ts, recorded->entry.id);
  co_return job_outcome::done();
}

boost::asio::awaitable<void> slack_adapter::answer_flagger(const message_to_flag& message,
                                                           std::string text) {
  // Once per flag however often its job runs: the key names the message and the flagger.
  std::string key =
      "flag-answer:" + message.channel.channel + ":" + message.ts + ":" + message.flagged_by.id;
  nlohmann::json payload;
  if (!message.response_url.empty()) {
    payload = {{"response_url", message.response_url},
               {"body", {{"response_type", "ephemeral"}, {"text", std::move(text)}}}};
  } else {
    nlohmann::json params{{"channel", message.channel.channel},
                          {"user", message.flagged_by.id},
                          {"text", std::move(text)}};
    if (!message.thread_ts.empty()) params["thread_ts"] = message.thread_ts;
    payload = {{"method", "chat.postEphemeral"}, {"params", std::move(params)}};
  }
  co_await enqueue_outbox(std::move(key), payload.dump());
}

boost::asio::awaitable<void> slack_adapter::confirm_recorded(std::string channel, std::string ts,
                                                             std::int64_t entry_id) {
  nlohmann::json payload{
      {"method", "reactions.add"},
      {"params", {{"channel", channel}, {"name", recorded_reaction}, {"timestamp", ts}}}};
  co_await enqueue_outbox("react:" + std::to_string(entry_id), payload.dump());
}

boost::asio::awaitable<job_outcome> slack_adapter::unflag(bot::channel_ref channel, std::string ts,
                                                          std::string user) {
  std::string ref = message_ref(channel.channel, ts);
  bot::person by{std::move(user), ""};
  auto take_back = [this, &channel, &ref, &by] { return desk_.unflag_message(channel, ref, by); };
  const auto removed = co_await runtime::offload(store_thread_, std::move(take_back));
  if (removed && removed->has_value()) {
    nlohmann::json payload{
        {"method", "reactions.remove"},
        {"params", {{"channel", channel.channel}, {"name", recorded_reaction}, {"timestamp", ts}}}};
    co_await enqueue_outbox("unreact:" + std::to_string((*removed)->id), payload.dump());
  }
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> slack_adapter::process_outbox(bot::job job) {
  const auto item = nlohmann::json::parse(job.payload, nullptr, false);
  if (!item.is_object()) co_return job_outcome::give_up("malformed outbox item");
  call_result sent;
  if (item.contains("response_url")) {
    std::string url = item.value("response_url", "");
    nlohmann::json body = item.value("body", nlohmann::json::object());
    sent = co_await api_.post_response_url(std::move(url), std::move(body));
  } else {
    std::string method = item.value("method", "");
    nlohmann::json params = item.value("params", nlohmann::json::object());
    sent = co_await api_.call_json(std::move(method), std::move(params));
  }
  if (sent.what == call_result::kind::ok) co_return job_outcome::done();
  // Already there, or already gone: what the job wanted is true.
  if (sent.error == "already_reacted" || sent.error == "no_reaction") co_return job_outcome::done();
  co_return outcome_of(sent, job.key);
}

boost::asio::awaitable<job_outcome> slack_adapter::answer(bot::channel_ref channel,
                                                          thread_reply_event reply) {
  auto written_at = parse_message_ts(reply.ts);
  if (!written_at) co_return job_outcome::give_up("malformed message ts");
  bot::thread_reply answer{std::move(channel),
                           message_ref(reply.channel, reply.thread_ts),
                           message_ref(reply.channel, reply.ts),
                           {reply.user, ""},
                           *written_at,
                           {}};
  user_names known;
  auto named = co_await names_of(reply.user, known);
  answer.author.name = known.display;
  if (named.what == call_result::kind::retry) co_return outcome_of(named, "users.info");
  auto readable = co_await readable_text(reply.text, answer.text);
  if (readable.what == call_result::kind::retry) co_return outcome_of(readable, "users.info");
  if (answer.author.name.empty()) answer.author.name = reply.user;
  auto record = [this, &answer] { return postmortems_.answer_in_thread(answer); };
  const auto recorded = co_await runtime::offload(store_thread_, std::move(record));
  if (!recorded) {
    if (recorded.error() == bot::errc::not_ready_yet) {
      co_return job_outcome::retry("the questions are still being posted", std::chrono::seconds(2));
    }
    co_return job_outcome::done();  // a thread that is not a question's: an ordinary reply
  }
  log::info("postmortem answer", {{"incident", std::to_string(recorded->answer.incident_id)},
                                  {"question", recorded->answer.question_id},
                                  {"new", recorded->inserted ? "yes" : "no"}});
  if (recorded->completed) postmortem_worker_.notify();
  co_return job_outcome::done();
}

boost::asio::awaitable<void> slack_adapter::open_answer_form(block_action action) {
  const auto value =
      std::find_if(action.actions.begin(), action.actions.end(), [](const block_action::action& a) {
        return a.action_id == answer_form_action;
      })->value;
  std::int64_t incident_id = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), incident_id);
  if (ec != std::errc{} || end != value.data() + value.size()) co_return;
  auto load = [this, incident_id] {
    return std::pair{postmortems_.find_incident(incident_id), postmortems_.questions(incident_id)};
  };
  const auto [inc, questions] = co_await runtime::offload(store_thread_, std::move(load));
  // A button names its incident itself; one workspace's button never opens another's.
  if (!inc || inc->channel.platform != "slack" || inc->channel.workspace != action.team_id ||
      questions.empty()) {
    log::warn("answer form for an unknown incident", {{"incident", value}});
    co_return;
  }
  nlohmann::json params{{"trigger_id", action.trigger_id},
                        {"view", answer_form_view(*inc, questions)}};
  auto opened = co_await api_.call_json("views.open", std::move(params));
  if (opened.what != call_result::kind::ok) {
    log::warn("views.open failed", {{"error", opened.error}});
    co_return;
  }
  // The submission carries only the username; while the person types, their display name is
  // looked up so that form answers show the same name as thread answers.
  user_names known;
  co_await names_of(action.user_id, known);
}

boost::asio::awaitable<http::response> slack_adapter::save_form_answers(
    http::request_context ctx, view_submission submission) {
  std::int64_t incident_id = 0;
  const auto& meta = submission.private_metadata;
  const auto [end, ec] = std::from_chars(meta.data(), meta.data() + meta.size(), incident_id);
  if (ec != std::errc{} || end != meta.data() + meta.size()) {
    co_return http::make_error(ctx.req, beast_http::status::bad_request,
                               "malformed private_metadata");
  }
  std::map<std::string, std::string> texts;
  const std::string suffix = "." + std::string(answer_field_action);
  for (const auto& [key, text] : submission.values) {
    if (key.ends_with(suffix)) texts[key.substr(0, key.size() - suffix.size())] = text;
  }
  std::string name;
  {
    std::lock_guard lock(names_mutex_);
    auto it = names_.find(submission.user_id);
    name = it != names_.end() ? it->second.display : submission.user_name;
  }
  bot::person author{submission.user_id, name.empty() ? submission.user_id : name};
  auto save = [&] {
    return postmortems_.answer_in_form(incident_id, "slack", submission.team_id, author,
                                       submission.view_id, texts);
  };
  const auto saved = co_await runtime::offload(store_thread_, std::move(save));
  if (!saved) {
    // Slack shows these under the form's fields and keeps the form open (DOC:"Modals",
    // response_action "errors").
    const std::string message = saved.error() == bot::errc::invalid_argument
                                    ? "Answer at least one question, or cancel the form."
                                    : "This incident's postmortem no longer takes answers here.";
    // The message goes under the form's first field.
    auto asked = [this, incident_id] { return postmortems_.questions(incident_id); };
    const auto questions = co_await runtime::offload(store_thread_, std::move(asked));
    const auto first =
        std::find_if(questions.begin(), questions.end(),
                     [&](const bot::asked_question& q) { return texts.contains(q.id); });
    nlohmann::json errors = nlohmann::json::object();
    if (first != questions.end()) {
      errors[first->id] = message;
    } else if (!texts.empty()) {
      errors[texts.begin()->first] = message;
    }
    nlohmann::json body{{"response_action", "errors"}, {"errors", std::move(errors)}};
    co_return http::make_response(ctx.req, beast_http::status::ok, body.dump(), "application/json");
  }
  log::info("postmortem form answers", {{"incident", std::to_string(incident_id)},
                                        {"answers", std::to_string(saved->size())}});
  if (std::any_of(saved->begin(), saved->end(),
                  [](const bot::recorded_answer& a) { return a.completed; })) {
    postmortem_worker_.notify();
  }
  co_return empty_ok(ctx.req);
}

boost::asio::awaitable<job_outcome> slack_adapter::process_postmortem(bot::job job) {
  const auto step = bot::decode_postmortem_job(job.payload);
  if (!step) co_return job_outcome::give_up("malformed postmortem job");
  if (step->step == bot::postmortem_step::draft)
    co_return co_await post_draft(std::move(job), *step);
  auto load = [this, id = step->incident_id] { return postmortems_.find_incident(id); };
  auto inc = co_await runtime::offload(store_thread_, std::move(load));
  if (!inc) co_return job_outcome::give_up("unknown incident");
  if (step->step == bot::postmortem_step::ask) {
    co_return co_await ask_questions(std::move(job), std::move(*inc));
  }
  co_return co_await post_reminder(std::move(job), std::move(*inc));
}

boost::asio::awaitable<job_outcome> slack_adapter::ask_questions(bot::job job, bot::incident inc) {
  auto load = [this, id = inc.id] { return postmortems_.questions(id); };
  const auto questions = co_await runtime::offload(store_thread_, std::move(load));
  if (questions.empty()) co_return job_outcome::done();
  const std::string& channel = inc.channel.channel;
  const auto texts =
      bot::question_messages(inc, questions, "Or answer them all in a form.", options_.command);
  std::vector<nlohmann::json> messages;
  messages.push_back(message_with_form_button(channel, texts.front(), inc.id));
  for (std::size_t i = 1; i < texts.size(); ++i) {
    messages.push_back(chat_messages(channel, texts[i], std::nullopt).front());
  }
  std::vector<std::string> posted;
  const auto sent = co_await post_sequence(job, channel, std::move(messages), posted);
  // posted[0] is the introduction; posted[i + 1] asked question i.
  auto record = [this, &inc, &questions, &posted] {
    for (std::size_t i = 0; i + 1 < posted.size() && i < questions.size(); ++i) {
      (void)postmortems_.question_posted(inc.id, questions[i].id,
                                         message_ref(inc.channel.channel, posted[i + 1]));
    }
  };
  co_await runtime::offload(store_thread_, std::move(record));
  if (sent.what != call_result::kind::ok) co_return outcome_of(sent, "posting the questions");
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> slack_adapter::post_reminder(bot::job job, bot::incident inc) {
  auto decide = [this, id = inc.id] { return postmortems_.reminder(id, options_.command); };
  const auto text = co_await runtime::offload(store_thread_, std::move(decide));
  if (!text) co_return job_outcome::done();  // answered, or drafted already
  std::vector<nlohmann::json> messages{
      message_with_form_button(inc.channel.channel, *text, inc.id)};
  std::vector<std::string> posted;
  const auto sent = co_await post_sequence(job, inc.channel.channel, std::move(messages), posted);
  if (sent.what != call_result::kind::ok) co_return outcome_of(sent, "posting the reminder");
  co_return job_outcome::done();
}

boost::asio::awaitable<job_outcome> slack_adapter::post_draft(bot::job job,
                                                              bot::postmortem_job step) {
  auto compose = [this, &step] { return postmortems_.draft(step); };
  const auto drafted = co_await runtime::offload(store_thread_, std::move(compose));
  if (!drafted) co_return job_outcome::done();  // nothing new since the last draft
  const auto& inc = drafted->inc;
  std::string full_url;
  if (!public_url_.empty()) {
    full_url = public_url_ + "/incidents/" + bot::incident_label(inc) +
               "/postmortem.md?workspace=" + inc.channel.workspace;
  }
  // Slack allows about one message per second per channel; 20 messages is a long draft already.
  constexpr std::size_t max_draft_messages = 20;
  auto messages =
      draft_messages(inc.channel.channel, drafted->draft.markdown, max_draft_messages, full_url);
  std::vector<std::string> posted;
  const auto sent = co_await post_sequence(job, inc.channel.channel, std::move(messages), posted);
  if (sent.what != call_result::kind::ok) co_return outcome_of(sent, "posting the draft");
  log::info("postmortem draft posted", {{"incident", bot::incident_label(inc)},
                                        {"version", std::to_string(drafted->draft.version)},
                                        {"messages", std::to_string(posted.size())}});
  co_return job_outcome::done();
}

boost::asio::awaitable<call_result> slack_adapter::find_posted(
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
  co_return call_result{call_result::kind::ok, {}, {}, {}};
}

boost::asio::awaitable<call_result> slack_adapter::post_sequence(
    const bot::job& job, std::string channel, std::vector<nlohmann::json> messages,
    std::vector<std::string>& posted_ts) {
  std::map<std::string, std::string> already;
  if (job.attempts > 1) {
    auto looked = co_await find_posted(job, channel, already);
    if (looked.what != call_result::kind::ok) co_return looked;
  }
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string key = job.key + "#" + std::to_string(i + 1);
    if (auto it = already.find(key); it != already.end()) {
      posted_ts.push_back(it->second);
      continue;
    }
    nlohmann::json body = std::move(messages[i]);
    body["metadata"] = {{"event_type", posted_event_type}, {"event_payload", {{"key", key}}}};
    auto sent = co_await api_.call_json("chat.postMessage", std::move(body));
    if (sent.what != call_result::kind::ok) co_return sent;
    auto ts = parse_posted_ts(sent.body);
    if (!ts || !ts->value) {
      co_return call_result{call_result::kind::retry, {}, "chat.postMessage without a ts", {}};
    }
    posted_ts.push_back(*ts->value);
  }
  co_return call_result{call_result::kind::ok, {}, {}, {}};
}

}  // namespace scribe::slack
