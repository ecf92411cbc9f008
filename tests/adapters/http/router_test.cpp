// The route table and dispatch(), without sockets.

#include "adapters/http/router.hpp"
#include "adapters/http/responses.hpp"
#include "config/log.hpp"
#include "metrics/catalog.hpp"
#include "tests/support/captured_log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace scribe::http {
namespace {

using beast_http::verb;

boost::asio::awaitable<response> reply_with(std::string text, request_context ctx) {
  co_return make_response(ctx.req, beast_http::status::ok, std::move(text));
}

boost::asio::awaitable<response> echo_params(request_context ctx) {
  std::string text;
  for (const auto& [name, value] : ctx.params) text += name + "=" + value + ";";
  co_return make_response(ctx.req, beast_http::status::ok, std::move(text));
}

boost::asio::awaitable<response> throw_runtime_error(request_context) {
  throw std::runtime_error("database is locked");
  co_return response{};
}

handler replying(std::string text) {
  return [text](request_context ctx) { return reply_with(text, std::move(ctx)); };
}

response run_dispatch(const router& routes, request req) {
  boost::asio::io_context ioc;
  auto result = boost::asio::co_spawn(
      ioc, dispatch(routes, request_context{std::move(req), {}, {}, {}}), boost::asio::use_future);
  ioc.run();
  return result.get();
}

request make(verb method, std::string_view target) {
  return request{method, target, 11};
}

}  // namespace

TEST_CASE("router matches literal paths and extracts parameters", "[unit]") {
  router routes;
  routes.add(verb::get, "/healthz", replying("health"));
  routes.add(verb::get, "/incidents/{id}", echo_params);
  routes.add(verb::post, "/_matrix/app/v1/transactions/{txnId}", echo_params);
  routes.add(verb::get, "/", replying("root"));

  SECTION("literal") {
    const auto found = routes.route(verb::get, "/healthz");
    REQUIRE(found.status == route_result::outcome::matched);
    REQUIRE(found.target != nullptr);
    REQUIRE(found.params.empty());
  }
  SECTION("root") {
    REQUIRE(routes.route(verb::get, "/").status == route_result::outcome::matched);
  }
  SECTION("parameter, query string ignored") {
    const auto found = routes.route(verb::get, "/incidents/42?verbose=1");
    REQUIRE(found.status == route_result::outcome::matched);
    REQUIRE(found.params == std::vector<std::pair<std::string, std::string>>{{"id", "42"}});
  }
  SECTION("parameters are percent-decoded") {
    const auto found = routes.route(verb::post, "/_matrix/app/v1/transactions/a%2Fb%20c");
    REQUIRE(found.status == route_result::outcome::matched);
    REQUIRE(found.params.at(0).second == "a/b c");
  }
  SECTION("bad percent-encoding does not match") {
    REQUIRE(routes.route(verb::get, "/incidents/4%2").status == route_result::outcome::not_found);
    REQUIRE(routes.route(verb::get, "/incidents/%zz").status == route_result::outcome::not_found);
  }
  SECTION("no match") {
    for (const auto* target : {"/nope", "/healthz/", "/incidents", "/incidents/", "/incidents/1/x",
                               "healthz", "", "*", "http://x/healthz"}) {
      INFO(target);
      REQUIRE(routes.route(verb::get, target).status == route_result::outcome::not_found);
    }
  }
}

TEST_CASE("router tells 405 from 404 and lists the allowed methods", "[unit]") {
  router routes;
  routes.add(verb::post, "/incidents/{id}", echo_params);
  routes.add(verb::get, "/incidents/{id}", echo_params);
  routes.add(verb::delete_, "/incidents/{key}", echo_params);

  const auto found = routes.route(verb::put, "/incidents/7");
  REQUIRE(found.status == route_result::outcome::method_not_allowed);
  REQUIRE(found.target == nullptr);
  REQUIRE(found.allow == "DELETE, GET, HEAD, POST");
  REQUIRE(routes.route(verb::put, "/other").status == route_result::outcome::not_found);
  // Each method keeps its own parameter names.
  REQUIRE(routes.route(verb::delete_, "/incidents/7").params.at(0).first == "key");
}

TEST_CASE("router answers HEAD with the GET handler unless HEAD has its own", "[unit]") {
  router routes;
  routes.add(verb::get, "/a", replying("a"));
  routes.add(verb::get, "/b", replying("b-get"));
  routes.add(verb::head, "/b", replying("b-head"));
  routes.add(verb::post, "/c", replying("c"));

  const auto a = routes.route(verb::head, "/a");
  REQUIRE(a.status == route_result::outcome::matched);
  REQUIRE(a.target == routes.route(verb::get, "/a").target);
  const auto b = routes.route(verb::head, "/b");
  REQUIRE(b.target != routes.route(verb::get, "/b").target);
  const auto c = routes.route(verb::head, "/c");
  REQUIRE(c.status == route_result::outcome::method_not_allowed);
  REQUIRE(c.allow == "POST");
}

TEST_CASE("router prefers a literal segment over a parameter", "[unit]") {
  for (const bool literal_first : {true, false}) {
    router routes;
    if (literal_first) routes.add(verb::get, "/incidents/open", replying("open"));
    routes.add(verb::get, "/incidents/{id}", echo_params);
    if (!literal_first) routes.add(verb::get, "/incidents/open", replying("open"));

    REQUIRE(run_dispatch(routes, make(verb::get, "/incidents/open")).body() == "open");
    REQUIRE(run_dispatch(routes, make(verb::get, "/incidents/9")).body() == "id=9;");
  }
}

TEST_CASE("router rejects malformed patterns and duplicates", "[unit]") {
  router routes;
  routes.add(verb::get, "/incidents/{id}", echo_params);

  for (const auto* pattern : {"", "incidents", "/a//b", "/a/", "/{}", "/{1x}", "/a{id}", "/{id",
                              "/id}", "/{a}/{a}", "/a b", "/a%20b", "/a?b", "/a#b"}) {
    INFO(pattern);
    REQUIRE_THROWS_AS(routes.add(verb::get, pattern, echo_params), std::invalid_argument);
  }
  REQUIRE_THROWS_AS(routes.add(verb::get, "/incidents/{other}", echo_params),
                    std::invalid_argument);
  REQUIRE_THROWS_AS(routes.add(verb::unknown, "/x", echo_params), std::invalid_argument);
  REQUIRE_THROWS_AS(routes.add(verb::get, "/x", handler{}), std::invalid_argument);
  REQUIRE_NOTHROW(routes.add(verb::post, "/incidents/{other}", echo_params));
  REQUIRE_NOTHROW(routes.add(verb::get, "/incidents/{id}/entries", echo_params));
}

TEST_CASE("request_context::param finds a parameter by name", "[unit]") {
  request_context ctx{request{}, {{"id", "42"}, {"txnId", "t1"}}, {}, {}};
  REQUIRE(ctx.param("id") == "42");
  REQUIRE(ctx.param("txnId") == "t1");
  REQUIRE(ctx.param("missing").empty());
}

TEST_CASE("target_path and loggable_path drop the query string", "[unit]") {
  REQUIRE(target_path("/a/b?token=x#frag") == "/a/b");
  REQUIRE(target_path("/a#frag") == "/a");
  REQUIRE(loggable_path("/a?token=secret") == "/a");
  REQUIRE(loggable_path("/" + std::string(1000, 'p')).size() == 256);
}

TEST_CASE("make_response and make_error set the common headers", "[unit]") {
  auto req = make(verb::get, "/");
  req.version(10);
  const auto res = make_response(req, beast_http::status::created, "{}", "application/json");
  REQUIRE(res.version() == 10);
  REQUIRE(!res.keep_alive());
  REQUIRE(res[beast_http::field::server] == "scribe");
  REQUIRE(res[beast_http::field::content_type] == "application/json");
  REQUIRE(res[beast_http::field::content_length] == "2");

  const auto err = make_error(make(verb::get, "/"), beast_http::status::not_found, "no such thing");
  REQUIRE(err.body() == "no such thing\n");
  REQUIRE(err.keep_alive());
  REQUIRE(err[beast_http::field::content_type] == "text/plain; charset=utf-8");
}

TEST_CASE("dispatch maps routing outcomes to statuses", "[unit]") {
  router routes;
  routes.add(verb::get, "/incidents/{id}", echo_params);
  routes.add(verb::post, "/incidents/{id}", echo_params);

  SECTION("a match runs the handler with its parameters") {
    const auto res = run_dispatch(routes, make(verb::get, "/incidents/12"));
    REQUIRE(res.result() == beast_http::status::ok);
    REQUIRE(res.body() == "id=12;");
  }
  SECTION("404 with a reason") {
    const auto res = run_dispatch(routes, make(verb::get, "/nothing"));
    REQUIRE(res.result() == beast_http::status::not_found);
    REQUIRE(res.body() == "not found: no such path\n");
  }
  SECTION("405 with Allow") {
    const auto res = run_dispatch(routes, make(verb::put, "/incidents/12"));
    REQUIRE(res.result() == beast_http::status::method_not_allowed);
    REQUIRE(res[beast_http::field::allow] == "GET, HEAD, POST");
  }
  SECTION("501 for a method Beast does not know") {
    request req{verb::unknown, "/incidents/12", 11};
    req.method_string("BREW");
    const auto res = run_dispatch(routes, std::move(req));
    REQUIRE(res.result() == beast_http::status::not_implemented);
  }
}

TEST_CASE("a fallback answers what no route takes under its prefix", "[unit]") {
  router routes;
  routes.add(verb::put, "/_matrix/app/v1/transactions/{txnId}", echo_params);
  routes.add_fallback("/_matrix/", echo_params);

  CHECK(run_dispatch(routes, make(verb::put, "/_matrix/app/v1/transactions/7")).body() ==
        "txnId=7;");
  const auto unknown = run_dispatch(routes, make(verb::get, "/_matrix/app/v1/thirdparty/user"));
  CHECK(unknown.result() == beast_http::status::ok);  // the fallback chose its own status
  CHECK(unknown.body() == "unmatched=404;allow=;");
  const auto wrong_method = run_dispatch(routes, make(verb::get, "/_matrix/app/v1/transactions/7"));
  CHECK(wrong_method.body() == "unmatched=405;allow=PUT;");
  // Outside the prefix, the plain answers stay.
  CHECK(run_dispatch(routes, make(verb::get, "/matrix")).result() == beast_http::status::not_found);
  CHECK_THROWS_AS(routes.add_fallback("nope", echo_params), std::invalid_argument);
}

TEST_CASE("dispatch turns a handler's exception into a logged 500", "[unit]") {
  std::mutex mutex;
  std::vector<std::string> lines;
  log::set_sink([&](log::level, std::string_view line) {
    std::lock_guard lock(mutex);
    lines.emplace_back(line);
  });

  router routes;
  routes.add(verb::get, "/boom", throw_runtime_error);
  routes.add(verb::get, "/sync-throw", [](request_context) -> boost::asio::awaitable<response> {
    throw std::logic_error("thrown before any coroutine");
  });
  const auto res = run_dispatch(routes, make(verb::get, "/boom?x=1"));
  const auto sync = run_dispatch(routes, make(verb::get, "/sync-throw"));
  log::set_sink({});

  REQUIRE(res.result() == beast_http::status::internal_server_error);
  REQUIRE(res.body() == "internal error\n");
  REQUIRE(sync.result() == beast_http::status::internal_server_error);
  REQUIRE(lines.size() == 2);
  REQUIRE(lines[0].find("database is locked") != std::string::npos);
  REQUIRE(lines[0].find("path=/boom ") != std::string::npos);
  REQUIRE(lines[1].find("thrown before any coroutine") != std::string::npos);
}

}  // namespace scribe::http

namespace scribe::http {
namespace {

boost::asio::awaitable<response> echo_request_id(request_context ctx) {
  co_return make_response(ctx.req, beast_http::status::ok, ctx.request_id);
}

std::uint64_t requests_counted(std::string_view route, std::string_view method,
                               std::string_view status) {
  return metrics::http_requests().with({route, method, status}).value();
}

}  // namespace

TEST_CASE("route() names the pattern that matched", "[unit][metrics]") {
  router routes;
  routes.add(verb::get, "/incidents/{id}", echo_params);
  routes.add(verb::get, "/incidents/open", replying("open"));
  CHECK(routes.route(verb::get, "/incidents/42?token=x").pattern == "/incidents/{id}");
  CHECK(routes.route(verb::get, "/incidents/open").pattern == "/incidents/open");
  CHECK(routes.route(verb::head, "/incidents/7").pattern == "/incidents/{id}");
  CHECK(routes.route(verb::get, "/nope").pattern.empty());
  CHECK(routes.route(verb::post, "/incidents/7").pattern.empty());
}

TEST_CASE("dispatch counts requests by route pattern, never by path", "[unit][metrics]") {
  router routes;
  routes.add(verb::get, "/metrics-test/{id}", echo_params);
  routes.add(verb::get, "/metrics-test-boom", throw_runtime_error);
  const auto before_matched = requests_counted("/metrics-test/{id}", "GET", "200");
  const auto before_unmatched = requests_counted("unmatched", "GET", "404");
  const auto before_405 = requests_counted("unmatched", "POST", "405");
  const auto before_500 = requests_counted("/metrics-test-boom", "GET", "500");
  const auto before_other = requests_counted("unmatched", "other", "501");

  CHECK(run_dispatch(routes, make(verb::get, "/metrics-test/1?token=secret")).result_int() == 200);
  CHECK(run_dispatch(routes, make(verb::get, "/metrics-test/2")).result_int() == 200);
  CHECK(run_dispatch(routes, make(verb::get, "/no/such/path")).result_int() == 404);
  CHECK(run_dispatch(routes, make(verb::post, "/metrics-test/3")).result_int() == 405);
  CHECK(run_dispatch(routes, make(verb::get, "/metrics-test-boom")).result_int() == 500);
  request odd{verb::unknown, "/metrics-test/4", 11};
  odd.method_string("BREW");
  CHECK(run_dispatch(routes, std::move(odd)).result_int() == 501);

  CHECK(requests_counted("/metrics-test/{id}", "GET", "200") == before_matched + 2);
  CHECK(requests_counted("unmatched", "GET", "404") == before_unmatched + 1);
  CHECK(requests_counted("unmatched", "POST", "405") == before_405 + 1);
  CHECK(requests_counted("/metrics-test-boom", "GET", "500") == before_500 + 1);
  CHECK(requests_counted("unmatched", "other", "501") == before_other + 1);
  const auto text = metrics::default_registry().render();
  CHECK(text.find("route=\"/metrics-test/{id}\"") != std::string::npos);
  CHECK(text.find("/metrics-test/1") == std::string::npos);
  CHECK(text.find("/no/such/path") == std::string::npos);
  CHECK(text.find("secret") == std::string::npos);
  CHECK(text.find("BREW") == std::string::npos);
  CHECK(text.find("scribe_http_request_duration_seconds_bucket{route=\"/metrics-test/{id}\","
                  "le=\"0.0005\"}") != std::string::npos);
}

TEST_CASE("every dispatched response carries the request's id", "[unit]") {
  router routes;
  routes.add(verb::get, "/id", echo_request_id);
  routes.add(verb::get, "/boom", throw_runtime_error);

  SECTION("a valid incoming X-Request-Id is kept and reaches the handler") {
    auto req = make(verb::get, "/id");
    req.set("X-Request-Id", "3f2a9c1e-7b4d-4e0a-9c8f-0123456789ab");
    boost::asio::io_context ioc;
    request_context ctx{std::move(req), {}, {}, {}};
    ctx.request_id = request_id_for(ctx.req);
    auto result =
        boost::asio::co_spawn(ioc, dispatch(routes, std::move(ctx)), boost::asio::use_future);
    ioc.run();
    const auto res = result.get();
    CHECK(res["X-Request-Id"] == "3f2a9c1e-7b4d-4e0a-9c8f-0123456789ab");
    CHECK(res.body() == "3f2a9c1e-7b4d-4e0a-9c8f-0123456789ab");
  }
  SECTION("without one, dispatch makes one up") {
    const auto res = run_dispatch(routes, make(verb::get, "/id"));
    CHECK(is_valid_request_id(std::string(res["X-Request-Id"])));
    CHECK(res["X-Request-Id"].size() == 16);
    CHECK(res.body() == res["X-Request-Id"]);
  }
  SECTION("errors carry it too, and the 500's log line names it") {
    test_support::captured_log log_lines;
    const auto missing = run_dispatch(routes, make(verb::get, "/nope"));
    CHECK(missing["X-Request-Id"].size() == 16);
    const auto failed = run_dispatch(routes, make(verb::get, "/boom"));
    const std::string id(failed["X-Request-Id"]);
    REQUIRE(id.size() == 16);
    CHECK(log_lines.containing("request_id=" + id).size() == 1);
  }
}

TEST_CASE("request ids: what is taken from the client, what is made up", "[unit]") {
  CHECK(is_valid_request_id("abc"));
  CHECK(is_valid_request_id("3f2a9c1e-7b4d-4e0a-9c8f-0123456789ab"));
  CHECK(is_valid_request_id("Root=1-5759e988-bd862e3fe1be46a994272793"));
  CHECK(is_valid_request_id(std::string(64, 'a')));
  CHECK_FALSE(is_valid_request_id(""));
  CHECK_FALSE(is_valid_request_id(std::string(65, 'a')));
  CHECK_FALSE(is_valid_request_id("has space"));
  CHECK_FALSE(is_valid_request_id("quote\""));
  CHECK_FALSE(is_valid_request_id("line\nbreak"));
  CHECK_FALSE(is_valid_request_id("caf\xC3\xA9"));

  request with_bad{verb::get, "/", 11};
  with_bad.set("X-Request-Id", "no way");
  const auto made = request_id_for(with_bad);
  CHECK(made.size() == 16);
  CHECK(made.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(new_request_id() != new_request_id());
  request with_good{verb::get, "/", 11};
  with_good.set("X-Request-Id", "req-42");
  CHECK(request_id_for(with_good) == "req-42");
}

}  // namespace scribe::http
