// The HTTP server over real sockets on 127.0.0.1, port 0.

#include "adapters/http/server.hpp"
#include "adapters/http/responses.hpp"
#include "config/log.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/http_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace scribe::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using beast_http::verb;
using test_support::http_client;
using test_support::make_request;
using clock_type = std::chrono::steady_clock;

config::server_options test_options() {
  config::server_options opts;
  opts.listen_host = "127.0.0.1";
  opts.listen_port = 0;
  opts.body_limit = 1024;
  opts.read_timeout = 2s;
  opts.idle_timeout = 2s;
  opts.shutdown_timeout = 2s;
  return opts;
}

// Counts events and lets the test thread wait for them.
class signal_count {
 public:
  void notify() {
    {
      std::lock_guard lock(mutex_);
      ++count_;
    }
    changed_.notify_all();
  }
  bool wait_for(int at_least, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return count_ >= at_least; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int count_ = 0;
};

using test_support::captured_log;

// Handlers are named coroutines with parameters by value; the lambdas registering them are plain
// functions (GCC bug 107288 affects capturing coroutine lambdas).

net::awaitable<response> reply_ok(request_context ctx) {
  co_return make_response(ctx.req, beast_http::status::ok, "ok");
}

net::awaitable<response> echo(request_context ctx) {
  std::string text = "id=" + std::string(ctx.param("id")) + " body=" + ctx.req.body();
  co_return make_response(ctx.req, beast_http::status::ok, std::move(text));
}

net::awaitable<response> report_remote_port(request_context ctx) {
  co_return make_response(ctx.req, beast_http::status::ok, std::to_string(ctx.remote.port()));
}

net::awaitable<response> fail_with_exception(request_context) {
  throw std::runtime_error("storage exploded");
  co_return response{};
}

net::awaitable<response> wait_then_reply(signal_count* started, std::chrono::milliseconds delay,
                                         request_context ctx) {
  started->notify();
  net::steady_timer timer(co_await net::this_coro::executor, delay);
  co_await timer.async_wait(net::use_awaitable);
  co_return make_response(ctx.req, beast_http::status::ok, "slow done");
}

router default_routes() {
  router routes;
  routes.add(verb::get, "/healthz", reply_ok);
  routes.add(verb::post, "/healthz", reply_ok);
  routes.add(verb::get, "/incidents/{id}", echo);
  routes.add(verb::post, "/incidents/{id}", echo);
  routes.add(verb::get, "/whoami", report_remote_port);
  routes.add(verb::get, "/boom", fail_with_exception);
  return routes;
}

// A server on 127.0.0.1:0 whose io_context runs on two background threads.
class running_server {
 public:
  explicit running_server(router routes, config::server_options opts = test_options())
      : routes_(std::move(routes)), server_(ioc_, opts, routes_) {
    port_ = server_.listen().port();
    server_.start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~running_server() {
    // A no-op if the test already shut down; then `done` is posted at once and stops what a
    // stuck handler keeps running.
    server_.shutdown([this] { ioc_.stop(); });
    for (auto& t : threads_) t.join();
  }
  running_server(const running_server&) = delete;
  running_server& operator=(const running_server&) = delete;

  std::uint16_t port() const { return port_; }
  server& get() { return server_; }
  net::io_context& ioc() { return ioc_; }

  // Waits until the server's connection count is `n`.
  bool wait_for_sessions(std::size_t n, std::chrono::milliseconds timeout = 2s) {
    const auto until = clock_type::now() + timeout;
    while (server_.active_sessions() != n) {
      if (clock_type::now() > until) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

 private:
  router routes_;
  net::io_context ioc_;
  server server_;
  std::uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::chrono::milliseconds since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
}

}  // namespace

TEST_CASE("server answers a route with 200", "[integration]") {
  running_server srv(default_routes());
  const auto res = http_client::send(srv.port(), make_request(verb::get, "/healthz"));
  REQUIRE(res.result() == beast_http::status::ok);
  REQUIRE(res.body() == "ok");
  REQUIRE(res[beast_http::field::server] == "scribe");
  REQUIRE(res[beast_http::field::content_length] == "2");
}

TEST_CASE("server passes path parameters and the raw body to the handler", "[integration]") {
  running_server srv(default_routes());
  const std::string raw = "{\"text\": \"a+b=c&d\"}\n";
  const auto res = http_client::send(srv.port(), make_request(verb::post, "/incidents/4%202", raw));
  REQUIRE(res.result() == beast_http::status::ok);
  REQUIRE(res.body() == "id=4 2 body=" + raw);
}

TEST_CASE("server answers an unknown path with 404 and a reason", "[integration]") {
  running_server srv(default_routes());
  const auto res = http_client::send(srv.port(), make_request(verb::get, "/nope?x=1"));
  REQUIRE(res.result() == beast_http::status::not_found);
  REQUIRE(res.body() == "not found: no such path\n");
}

TEST_CASE("server answers a wrong method with 405 and Allow", "[integration]") {
  running_server srv(default_routes());
  const auto res = http_client::send(srv.port(), make_request(verb::delete_, "/incidents/3"));
  REQUIRE(res.result() == beast_http::status::method_not_allowed);
  REQUIRE(res[beast_http::field::allow] == "GET, HEAD, POST");
  REQUIRE(!res.body().empty());
}

TEST_CASE("server answers HEAD with GET's headers and no body", "[integration]") {
  running_server srv(default_routes());
  http_client client(srv.port());
  const auto head = client.request(make_request(verb::head, "/incidents/77"));
  REQUIRE(head.result() == beast_http::status::ok);
  REQUIRE(head[beast_http::field::content_length] == "11");  // "id=77 body="
  REQUIRE(head.body().empty());
  // Had a body been sent after the HEAD response, this response would not parse.
  const auto get = client.request(make_request(verb::get, "/incidents/77"));
  REQUIRE(get.result() == beast_http::status::ok);
  REQUIRE(get.body() == "id=77 body=");
}

TEST_CASE("server keeps HTTP/1.1 connections alive", "[integration]") {
  running_server srv(default_routes());
  http_client client(srv.port());
  const auto first = client.request(make_request(verb::get, "/whoami"));
  const auto second = client.request(make_request(verb::get, "/whoami"));
  REQUIRE(first.result() == beast_http::status::ok);
  REQUIRE(first.keep_alive());
  REQUIRE(second.body() == first.body());  // same client port: same connection
  REQUIRE(srv.get().active_sessions() == 1);
}

TEST_CASE("server keeps HTTP/1.0 connections alive only when asked", "[integration]") {
  running_server srv(default_routes());

  SECTION("Connection: keep-alive") {
    http_client client(srv.port());
    auto req = make_request(verb::get, "/whoami");
    req.version(10);
    req.keep_alive(true);
    const auto first = client.request(req);
    REQUIRE(first.version() == 10);
    REQUIRE(first.keep_alive());
    REQUIRE(client.request(req).body() == first.body());
  }
  SECTION("no header: closed after the response") {
    http_client client(srv.port());
    auto req = make_request(verb::get, "/healthz");
    req.version(10);
    REQUIRE(client.request(req).result() == beast_http::status::ok);
    REQUIRE(client.read_until_close().empty());
  }
}

TEST_CASE("server honours Connection: close and pipelined requests", "[integration]") {
  running_server srv(default_routes());
  const auto received =
      http_client::send_raw(srv.port(),
                            "GET /incidents/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                            "GET /incidents/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  REQUIRE(contains(received, "id=1 body="));
  REQUIRE(contains(received, "id=2 body="));
  REQUIRE(contains(received, "Connection: close"));
}

TEST_CASE("server answers Expect: 100-continue before reading the body", "[integration]") {
  running_server srv(default_routes());
  http_client client(srv.port());
  REQUIRE(
      !client.write("POST /incidents/5 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                    "Expect: 100-continue\r\n\r\n"));
  REQUIRE(client.read_response().result() == beast_http::status::continue_);
  REQUIRE(!client.write("hello"));
  const auto res = client.read_response();
  REQUIRE(res.result() == beast_http::status::ok);
  REQUIRE(res.body() == "id=5 body=hello");
}

TEST_CASE("server answers a body over the limit with 413 and closes", "[integration]") {
  running_server srv(default_routes());  // body_limit 1024

  SECTION("Content-Length over the limit") {
    http_client client(srv.port());
    const auto res = client.request(make_request(verb::post, "/healthz", std::string(1025, 'x')));
    REQUIRE(res.result() == beast_http::status::payload_too_large);
    REQUIRE(!res.keep_alive());
    REQUIRE(client.read_until_close().empty());
  }
  SECTION("the response reaches the client that sent the whole body") {
    const std::string body(64 * 1024, 'x');
    const auto received =
        http_client::send_raw(srv.port(), "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                              std::to_string(body.size()) + "\r\n\r\n" + body);
    REQUIRE(starts_with(received, "HTTP/1.1 413 "));
    REQUIRE(contains(received, "Connection: close"));
    REQUIRE(contains(received, "payload too large: the body limit is 1024 bytes"));
  }
  SECTION("chunked body over the limit") {
    std::string raw = "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) raw += "200\r\n" + std::string(512, 'y') + "\r\n";
    raw += "0\r\n\r\n";
    REQUIRE(starts_with(http_client::send_raw(srv.port(), raw), "HTTP/1.1 413 "));
  }
  SECTION("a body at the limit is fine") {
    const auto res =
        http_client::send(srv.port(), make_request(verb::post, "/healthz", std::string(1024, 'x')));
    REQUIRE(res.result() == beast_http::status::ok);
  }
}

TEST_CASE("server answers malformed requests with 400 and closes", "[integration]") {
  running_server srv(default_routes());
  const auto [name, bytes] = GENERATE(table<const char*, std::string>({
      {"garbage", std::string("\x01\x02\xff garbage\r\n\r\n")},
      {"bad method token", "G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"bad version", "GET /healthz HTTX/1.1\r\nHost: x\r\n\r\n"},
      {"bad Content-Length", "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 12ab\r\n\r\n"},
      {"two Content-Lengths",
       "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"},
      {"bad chunk size",
       "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
       "zz\r\nhello\r\n0\r\n\r\n"},
      {"bad header line", "GET /healthz HTTP/1.1\r\nHost x\r\n\r\n"},
  }));
  INFO(name);
  const auto received = http_client::send_raw(srv.port(), bytes);
  REQUIRE(starts_with(received, "HTTP/1.1 400 "));
  REQUIRE(contains(received, "bad request: "));
  REQUIRE(contains(received, "Connection: close"));
  // The server is still there.
  REQUIRE(http_client::send(srv.port(), make_request(verb::get, "/healthz")).result() ==
          beast_http::status::ok);
}

TEST_CASE("server answers a method it does not know with 501", "[integration]") {
  running_server srv(default_routes());
  http_client client(srv.port());
  REQUIRE(!client.write("BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto res = client.read_response();
  REQUIRE(res.result() == beast_http::status::not_implemented);
}

TEST_CASE("server answers huge request headers with 431 and closes", "[integration]") {
  running_server srv(default_routes());
  const auto received = http_client::send_raw(
      srv.port(),
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'h') + "\r\n\r\n");
  REQUIRE(starts_with(received, "HTTP/1.1 431 "));
  REQUIRE(contains(received, "request header fields too large"));
}

TEST_CASE("server cuts off a slow sender after read_timeout with 408", "[integration]") {
  captured_log log_lines;
  auto opts = test_options();
  opts.read_timeout = 300ms;
  opts.idle_timeout = 10s;
  running_server srv(default_routes(), opts);

  http_client client(srv.port());
  const auto start = clock_type::now();
  REQUIRE(!client.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  // Each header line arrives well within any per-read timeout; the request never completes.
  while (since(start) < 1200ms) {
    std::this_thread::sleep_for(50ms);
    if (client.write("X-Slow: 1\r\n")) break;  // the server closed
  }
  const auto received = client.read_until_close();
  REQUIRE(starts_with(received, "HTTP/1.1 408 "));
  REQUIRE(contains(received, "request timeout"));

  const auto rejected = log_lines.containing("status=408");
  REQUIRE(rejected.size() == 1);
  // The cut-off came at read_timeout after the first byte, not when the dribbling stopped.
  const auto at = rejected[0].find("duration_us=");
  REQUIRE(at != std::string::npos);
  const auto waited = std::chrono::microseconds(std::stoll(rejected[0].substr(at + 12)));
  REQUIRE(waited >= 290ms);
  REQUIRE(waited < 1000ms);
}

TEST_CASE("server closes a connection idle for idle_timeout", "[integration]") {
  auto opts = test_options();
  opts.idle_timeout = 300ms;
  running_server srv(default_routes(), opts);

  http_client client(srv.port());
  REQUIRE(client.request(make_request(verb::get, "/healthz")).result() == beast_http::status::ok);
  const auto start = clock_type::now();
  REQUIRE(client.read_until_close().empty());
  REQUIRE(since(start) >= 250ms);
  REQUIRE(since(start) < 1500ms);
  REQUIRE(srv.wait_for_sessions(0));
}

TEST_CASE("server closes a new connection that sends nothing within read_timeout",
          "[integration]") {
  auto opts = test_options();
  opts.read_timeout = 300ms;
  opts.idle_timeout = 10s;
  running_server srv(default_routes(), opts);

  http_client client(srv.port());
  const auto start = clock_type::now();
  REQUIRE(client.read_until_close().empty());
  REQUIRE(since(start) >= 250ms);
  REQUIRE(since(start) < 1500ms);
}

TEST_CASE("a handler's exception gives 500 and the server keeps serving", "[integration]") {
  captured_log log_lines;
  running_server srv(default_routes());
  http_client client(srv.port());

  const auto failed = client.request(make_request(verb::get, "/boom"));
  REQUIRE(failed.result() == beast_http::status::internal_server_error);
  REQUIRE(failed.body() == "internal error\n");
  // Same connection, then a new one.
  REQUIRE(client.request(make_request(verb::get, "/healthz")).result() == beast_http::status::ok);
  REQUIRE(http_client::send(srv.port(), make_request(verb::get, "/healthz")).result() ==
          beast_http::status::ok);
  REQUIRE(log_lines.containing("storage exploded").size() == 1);
}

TEST_CASE("server logs each request at debug without query, headers or body", "[integration]") {
  captured_log log_lines;
  running_server srv(default_routes());
  auto req = make_request(verb::post, "/incidents/9?token=query-secret", "body-secret");
  req.set("X-Slack-Signature", "v0=header-secret");
  REQUIRE(http_client::send(srv.port(), req).result() == beast_http::status::ok);
  http_client::send(srv.port(), make_request(verb::get, "/missing"));
  REQUIRE(srv.wait_for_sessions(0));

  // The two connections may log in either order.
  REQUIRE(log_lines.containing("msg=\"http request\"").size() == 2);
  const auto post = log_lines.containing("method=POST path=/incidents/9 status=200 duration_us=");
  REQUIRE(post.size() == 1);
  REQUIRE(contains(post[0], "level=debug msg=\"http request\""));
  REQUIRE(log_lines.containing("method=GET path=/missing status=404 duration_us=").size() == 1);
  for (const auto& line : log_lines.lines()) {
    INFO(line);
    REQUIRE(!contains(line, "secret"));
  }
}

TEST_CASE("server returns the request's id and logs it with the request", "[integration]") {
  captured_log log_lines;
  running_server srv(default_routes());
  auto given = make_request(verb::get, "/healthz");
  given.set("X-Request-Id", "edge-7f3a");
  const auto echoed = http_client::send(srv.port(), given);
  REQUIRE(echoed["X-Request-Id"] == "edge-7f3a");

  auto unusable = make_request(verb::get, "/incidents/5");
  unusable.set("X-Request-Id", std::string(100, 'x'));  // too long: replaced
  const auto made_up = http_client::send(srv.port(), unusable);
  const std::string id(made_up["X-Request-Id"]);
  REQUIRE(id.size() == 16);
  REQUIRE(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  REQUIRE(srv.wait_for_sessions(0));

  REQUIRE(log_lines.containing("path=/healthz status=200").size() == 1);
  REQUIRE(contains(log_lines.containing("path=/healthz status=200")[0], "request_id=edge-7f3a"));
  REQUIRE(contains(log_lines.containing("path=/incidents/5 status=200")[0], "request_id=" + id));
}

TEST_CASE("listen fails when the address is in use", "[integration]") {
  running_server first(default_routes());
  net::io_context ioc;
  router routes = default_routes();
  auto opts = test_options();
  opts.listen_port = first.port();
  server second(ioc, opts, routes);
  REQUIRE_THROWS_AS(second.listen(), boost::system::system_error);
  REQUIRE_THROWS_AS(second.start(), std::logic_error);
}

TEST_CASE("shutdown finishes the request in flight, refuses new connections, calls done",
          "[integration]") {
  signal_count started;
  router routes = default_routes();
  routes.add(verb::get, "/slow", [&started](request_context ctx) {
    return wait_then_reply(&started, 300ms, std::move(ctx));
  });
  auto opts = test_options();
  opts.idle_timeout = 10s;
  opts.shutdown_timeout = 5s;
  running_server srv(std::move(routes), opts);

  http_client idle(srv.port());
  REQUIRE(idle.request(make_request(verb::get, "/healthz")).result() == beast_http::status::ok);
  auto in_flight = std::async(std::launch::async, [port = srv.port()] {
    return http_client::send(port, make_request(verb::get, "/slow"));
  });
  REQUIRE(started.wait_for(1, 2s));
  REQUIRE(srv.get().active_sessions() == 2);

  std::promise<void> done;
  const auto shutdown_at = clock_type::now();
  srv.get().shutdown([&done] { done.set_value(); });

  // The idle keep-alive connection is closed at once, long before idle_timeout.
  REQUIRE(idle.read_until_close().empty());
  REQUIRE(since(shutdown_at) < 1s);

  // New connections are refused once the acceptor is closed (one accepted just before that is
  // closed without an answer).
  bool refused = false;
  while (!refused && since(shutdown_at) < 2s) {
    try {
      http_client late(srv.port());
      REQUIRE(late.read_until_close().empty());
    } catch (const boost::system::system_error& e) {
      refused = e.code() == boost::asio::error::connection_refused;
    }
  }
  REQUIRE(refused);

  // The request in flight still gets its answer, with Connection: close.
  REQUIRE(in_flight.wait_for(2s) == std::future_status::ready);
  const auto res = in_flight.get();
  REQUIRE(res.result() == beast_http::status::ok);
  REQUIRE(res.body() == "slow done");
  REQUIRE(!res.keep_alive());

  REQUIRE(done.get_future().wait_for(2s) == std::future_status::ready);
  REQUIRE(srv.get().active_sessions() == 0);
  // Nothing is left on the io_context: its threads return on their own, well before the 5 s
  // shutdown_timeout (whose timer must have been cancelled).
  const auto until = clock_type::now() + 2s;
  while (!srv.ioc().stopped() && clock_type::now() < until) std::this_thread::sleep_for(5ms);
  REQUIRE(srv.ioc().stopped());
}

TEST_CASE("shutdown gives up on a stuck handler after shutdown_timeout", "[integration]") {
  signal_count started;
  router routes = default_routes();
  routes.add(verb::get, "/stuck", [&started](request_context ctx) {
    return wait_then_reply(&started, std::chrono::hours(1), std::move(ctx));
  });
  auto opts = test_options();
  opts.shutdown_timeout = 300ms;
  running_server srv(std::move(routes), opts);

  auto stuck = std::async(std::launch::async, [port = srv.port()] {
    return http_client::send(port, make_request(verb::get, "/stuck"));
  });
  REQUIRE(started.wait_for(1, 2s));

  std::promise<void> done;
  const auto shutdown_at = clock_type::now();
  srv.get().shutdown([&done] { done.set_value(); });
  REQUIRE(done.get_future().wait_for(3s) == std::future_status::ready);
  REQUIRE(since(shutdown_at) >= 250ms);
  REQUIRE(since(shutdown_at) < 2s);

  // Its socket was closed: the client sees the connection end without a response.
  REQUIRE(stuck.wait_for(2s) == std::future_status::ready);
  REQUIRE_THROWS_AS(stuck.get(), boost::system::system_error);
}

TEST_CASE("a second shutdown call still gets its done", "[integration]") {
  running_server srv(default_routes());
  // Something else keeps the io_context running, as the application's signal_set does.
  auto keep_running = net::make_work_guard(srv.ioc());
  std::promise<void> first;
  std::promise<void> second;
  srv.get().shutdown([&first] { first.set_value(); });
  REQUIRE(first.get_future().wait_for(2s) == std::future_status::ready);
  srv.get().shutdown([&second] { second.set_value(); });
  REQUIRE(second.get_future().wait_for(2s) == std::future_status::ready);
}

}  // namespace scribe::http
