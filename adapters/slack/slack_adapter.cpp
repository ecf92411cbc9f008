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

constexpr std::string_view form_type = "application/x-www-form-urlencoded";
constexpr std::string_view json_type = "application/json";

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

}  // namespace

slack_adapter::slack_adapter(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                             const config::slack_options& options, std::string public_url,
                             bot::incident_desk& desk, bot::postmortem_desk& postmortems,
                             bot::job_queue& jobs, http::client& client, const bot::clock& clock,
                             const config::jobs_options& limits)
    : ioc_(ioc),
      store_thread_(store_thread),
      options_(options),
      desk_(desk),
      postmortems_(postmortems),
      clock_(clock),
      api_(client, options.api_base_url, options.bot_token),
      platform_(ioc, store_thread, jobs, clock, api_, options, std::move(public_url), limits),
      flows_(platform_, desk, postmortems, store_thread, [this] { postmortem_worker_.notify(); }),
      inbox_(
          ioc, store_thread, jobs, clock, std::string(inbox_queue), flows_,
          [&options](const bot::job& job) { return legacy_inbox_events(job, options); }, limits),
      postmortem_worker_(
          ioc, store_thread, jobs, clock, bot::postmortem_queue("slack"),
          [this](bot::job job) { return flows_.run_postmortem(std::move(job)); },
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
  inbox_.start();
  platform_.start();
  postmortem_worker_.start();
}

void slack_adapter::stop() {
  inbox_.stop();
  platform_.stop();
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
  inbox_.limit().note_refused(pending, request_id);
  auto res =
      http::make_error(req, beast_http::status::service_unavailable, inbox_.limit().reason());
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
    nlohmann::json call{{"response_url", command->response_url}, {"body", response.rest[i]}};
    co_await platform_.send_call("reply:" + command->trigger_id + ":" + std::to_string(i + 1),
                                 std::move(call));
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

  // Parsed once, here: what Scribe does not act on is acknowledged and never stored.
  auto event = chat_event_of(*envelope, options_, clock_.now());
  if (!event) {
    log::debug("slack event ignored",
               {{"event_id", envelope->event_id}, {"request_id", ctx.request_id}});
    co_return empty_ok(req);
  }
  // Stored before the 200: once Slack has its ack it will not send the event again.
  std::vector<jobs::chat_inbox::delivery> delivered;
  delivered.push_back({envelope->event_id, std::move(*event)});
  const auto admitted = co_await inbox_.admit(std::move(delivered));
  if (admitted.full) co_return refuse_full(req, admitted.pending, ctx.request_id);
  const auto retry = req["X-Slack-Retry-Num"];
  log::debug("slack event", {{"event_id", envelope->event_id},
                             {"new", admitted.added ? "yes" : "no"},
                             {"retry", retry.empty() ? "0" : std::string(retry)},
                             {"request_id", ctx.request_id}});
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
  // A trigger_id is unique to one use of the shortcut: Slack's retries carry the same one.
  std::vector<jobs::chat_inbox::delivery> delivered;
  delivered.push_back({"shortcut:" + shortcut->trigger_id, chat_event_of(*shortcut, clock_.now())});
  const auto admitted = co_await inbox_.admit(std::move(delivered));
  // Slack does not deliver a shortcut again: the person sees that it failed and may try again.
  if (admitted.full) co_return refuse_full(req, admitted.pending, ctx.request_id);
  co_return empty_ok(req);
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
  bot::channel_ref workspace{"slack", action.team_id, ""};
  co_await platform_.display_name(std::move(workspace), action.user_id);
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
  const std::string name = platform_.known_name(submission.user_id).value_or(submission.user_name);
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

}  // namespace scribe::slack
