// The route table and dispatch(), without sockets.

#include "adapters/http/router.hpp"
#include "adapters/http/responses.hpp"
#include "config/log.hpp"

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
      ioc, dispatch(routes, request_context{std::move(req), {}, {}}), boost::asio::use_future);
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
  request_context ctx{request{}, {{"id", "42"}, {"txnId", "t1"}}, {}};
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
