#include "adapters/matrix/matrix_adapter.hpp"

#include "adapters/http/form.hpp"
#include "adapters/http/responses.hpp"
#include "adapters/matrix/matrix_events.hpp"
#include "adapters/matrix/messages.hpp"
#include "adapters/matrix/payloads.hpp"
#include "config/log.hpp"
#include "json/fields.hpp"

#include <algorithm>

// GCC 12 destroys a braced aggregate or a capturing closure twice when it is passed by value as
// a temporary inside a co_await expression. Every such argument below is a named local, moved in.

namespace scribe::matrix {
namespace {

namespace beast_http = boost::beast::http;

constexpr std::string_view json_type = "application/json";

http::response json_answer(const http::request& req, beast_http::status status, std::string body) {
  return http::make_response(req, status, std::move(body), json_type);
}

http::response matrix_error(const http::request& req, beast_http::status status,
                            std::string_view errcode, std::string_view error) {
  return json_answer(req, status, error_body(errcode, error));
}

}  // namespace

matrix_adapter::matrix_adapter(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                               const config::matrix_options& options, bot::incident_desk& desk,
                               bot::postmortem_desk& postmortems, bot::job_queue& jobs,
                               http::client& client, const bot::clock& clock,
                               const config::jobs_options& limits)
    : options_(options),
      bot_user_id_(matrix::bot_user_id(options)),
      api_(client, options.homeserver_url, options.as_token),
      platform_(ioc, store_thread, jobs, clock, api_, options, limits),
      flows_(platform_, desk, postmortems, store_thread, [this] { postmortem_worker_.notify(); }),
      inbox_(
          ioc, store_thread, jobs, clock, std::string(inbox_queue), flows_,
          [&options](const bot::job& job) { return legacy_inbox_events(job, options); }, limits),
      postmortem_worker_(
          ioc, store_thread, jobs, clock, bot::postmortem_queue("matrix"),
          [this](bot::job job) { return flows_.run_postmortem(std::move(job)); },
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
  inbox_.start();
  platform_.start();
  postmortem_worker_.start();
}

void matrix_adapter::stop() {
  inbox_.stop();
  platform_.stop();
  postmortem_worker_.stop();
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
  const auto events = parse_transaction(req.body());
  if (!events) {
    co_return matrix_error(req, beast_http::status::bad_request, errcode_not_json,
                           "expected {\"events\": [...]}");
  }
  // Parsed once, here, into the events Scribe acts on, each keyed by its id: a resent
  // transaction, or an event in two transactions, is stored once.
  std::vector<jobs::chat_inbox::delivery> delivered;
  for (const auto& raw : *events) {
    std::string event_id = json_fields::string_at(raw, "event_id");
    if (event_id.empty()) continue;
    if (auto event = chat_event_of(raw, options_)) {
      delivered.push_back({"event:" + event_id, std::move(*event)});
    }
  }
  if (delivered.empty()) co_return json_answer(req, beast_http::status::ok, "{}");
  // Stored, all in one store call, before the 200: the homeserver resends a transaction until it
  // is acknowledged.
  const auto admitted = co_await inbox_.admit(std::move(delivered));
  if (admitted.full) {
    inbox_.limit().note_refused(admitted.pending, ctx.request_id);
    // The spec names no errcode for an overloaded application service; M_UNKNOWN is its generic
    // one, and the homeserver only looks at the status to decide to send again.
    auto refused = matrix_error(req, beast_http::status::service_unavailable, "M_UNKNOWN",
                                inbox_.limit().reason());
    refused.set(beast_http::field::retry_after,
                std::to_string(jobs::inbox_limit::retry_after.count()));
    co_return refused;
  }
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

}  // namespace scribe::matrix
