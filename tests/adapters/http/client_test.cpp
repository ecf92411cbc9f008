// The HTTP client: its URL parser alone, then against scripted servers, plain and TLS, on loopback
// addresses and port 0, with a test CA made at run time.

#include "adapters/http/client.hpp"
#include "adapters/http/url.hpp"
#include "config/log.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/scripted_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls.hpp"

#include <openssl/ssl.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace scribe::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using beast_http::status;
using beast_http::verb;
using test_support::always;
using test_support::certificate_names;
using test_support::received_request;
using test_support::scripted_reply;
using test_support::scripted_server;
using test_support::scripted_server_options;
using clock_type = std::chrono::steady_clock;

client_options test_options() {
  client_options opts;
  opts.connect_timeout = 3s;
  opts.request_timeout = 3s;
  return opts;
}

// The client under test, on an io_context run by two threads as Scribe runs it.
class client_runner {
 public:
  explicit client_runner(client_options opts = test_options()) : client_(ioc_, std::move(opts)) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~client_runner() {
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
  }
  client_runner(const client_runner&) = delete;
  client_runner& operator=(const client_runner&) = delete;

  std::future<client_response> start(client_request req) {
    return net::co_spawn(ioc_, client_.send(std::move(req)), net::use_future);
  }
  client_response send(client_request req) { return finish(start(std::move(req))); }

  // Fails rather than hangs the suite if send() breaks its own deadline promise.
  static client_response finish(std::future<client_response> pending) {
    if (pending.wait_for(30s) != std::future_status::ready) {
      throw std::runtime_error("send() did not complete within 30 s");
    }
    return pending.get();
  }

  // The exception send() ended with, or nothing if it succeeded.
  std::optional<boost::system::system_error> failure(client_request req) {
    try {
      send(std::move(req));
    } catch (const boost::system::system_error& e) {
      return e;
    }
    return std::nullopt;
  }

 private:
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(ioc_);
  client client_;
  std::vector<std::thread> threads_;
};

client_request get(std::string url) {
  client_request req;
  req.url = std::move(url);
  return req;
}

// Answers every request with its own target.
scripted_reply echo_target(const received_request& received) {
  return scripted_reply::respond(status::ok, std::string(received.request.target()));
}

// A test CA whose ca.pem is on disk for the client's ca_file.
struct test_pki {
  test_support::temp_dir dir;
  test_support::test_ca ca;
  std::string ca_file = ca.write_ca_file(dir.path()).string();

  scripted_server_options server(certificate_names names = {}, std::string address = "127.0.0.1") {
    scripted_server_options opts;
    opts.address = std::move(address);
    opts.tls = ca.server_context(names);
    return opts;
  }
  client_options trusting() const {
    auto opts = test_options();
    opts.ca_file = ca_file;
    return opts;
  }
};

using test_support::captured_log;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::chrono::milliseconds since(clock_type::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
}

// A port on 127.0.0.1 where nothing listens, held (bound, not listening) so that no other test
// takes it meanwhile: connecting there is refused.
class refusing_port {
 public:
  refusing_port() : socket_(ioc_) {
    socket_.open(net::ip::tcp::v4());
    socket_.bind({net::ip::address_v4::loopback(), 0});
  }
  std::uint16_t port() const { return socket_.local_endpoint().port(); }

 private:
  net::io_context ioc_;
  net::ip::tcp::socket socket_;
};

}  // namespace

// ---- URLs ----------------------------------------------------------------------------------

TEST_CASE("parse_url takes http and https URLs apart", "[unit]") {
  auto u = parse_url("https://Slack.COM/api/chat.postMessage?x=1#frag");
  REQUIRE(u);
  CHECK(u->tls);
  CHECK(u->host == "slack.com");
  CHECK(u->port == 443);
  CHECK(u->target == "/api/chat.postMessage?x=1");
  CHECK(!u->host_is_ip);
  CHECK(u->host_header() == "slack.com");
  CHECK(u->origin() == "https://slack.com:443");

  u = parse_url("HTTP://127.0.0.1:8080");
  REQUIRE(u);
  CHECK(!u->tls);
  CHECK(u->port == 8080);
  CHECK(u->target == "/");
  CHECK(u->host_is_ip);
  CHECK(u->host_header() == "127.0.0.1:8080");

  u = parse_url("http://[::1]:9000?q");
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->host_is_ip);
  CHECK(u->target == "/?q");
  CHECK(u->host_header() == "[::1]:9000");

  u = parse_url("http://matrix.example.org:80/_matrix/client/v3/rooms/%21abc%3Aexample.org/send");
  REQUIRE(u);
  CHECK(u->host_header() == "matrix.example.org");
  CHECK(u->target == "/_matrix/client/v3/rooms/%21abc%3Aexample.org/send");
}

TEST_CASE("parse_url refuses what it cannot send safely", "[unit]") {
  const auto [text, expected] = GENERATE(table<std::string, url_errc>({
      {"ftp://example.com/", url_errc::unsupported_scheme},
      {"example.com/api", url_errc::unsupported_scheme},
      {"http://", url_errc::missing_host},
      {"http:///path", url_errc::missing_host},
      {"http://:80/", url_errc::missing_host},
      {"https://user:pw@example.com/", url_errc::user_info},
      {"http://exa$mple.com/", url_errc::bad_host},
      {"http://[::1/", url_errc::bad_host},
      {"http://[not-ip]/", url_errc::bad_host},
      {"http://example.com:/", url_errc::bad_port},
      {"http://example.com:0/", url_errc::bad_port},
      {"http://example.com:65536/", url_errc::bad_port},
      {"http://example.com:8o/", url_errc::bad_port},
      {"http://example.com/a b", url_errc::bad_character},
      {"http://example.com/a\r\nX-Injected: 1", url_errc::bad_character},
      {"http://example.com/caf\xc3\xa9", url_errc::bad_character},
  }));
  INFO(text);
  const auto u = parse_url(text);
  REQUIRE(!u);
  CHECK(u.error() == make_error_code(expected));
  CHECK(u.error() == boost::system::errc::invalid_argument);
}

// ---- TLS settings -------------------------------------------------------------------------

TEST_CASE("client TLS context verifies peers and requires TLS 1.2", "[unit]") {
  auto ctx = make_client_tls_context("");
  CHECK(SSL_CTX_get_verify_mode(ctx.native_handle()) == SSL_VERIFY_PEER);
  CHECK(SSL_CTX_get_min_proto_version(ctx.native_handle()) == TLS1_2_VERSION);
}

TEST_CASE("client refuses a ca_file it cannot load, naming it", "[unit]") {
  test_support::temp_dir dir;
  net::io_context ioc;
  auto opts = test_options();

  SECTION("missing") {
    opts.ca_file = (dir / "missing.pem").string();
  }
  SECTION("not PEM") {
    opts.ca_file = (dir / "junk.pem").string();
    std::ofstream(opts.ca_file) << "not a certificate\n";
  }
  try {
    client c(ioc, opts);
    FAIL("the client accepted " << opts.ca_file);
  } catch (const std::runtime_error& e) {
    CHECK(contains(e.what(), opts.ca_file));
    CHECK(contains(e.what(), "tls.ca_file"));
  }
}

// ---- Plain HTTP ---------------------------------------------------------------------------

TEST_CASE("client sends method, target, headers and body, and reads the response",
          "[integration]") {
  scripted_server srv([](const received_request&) {
    auto reply = scripted_reply::respond(status::ok, R"({"ok":true})", "application/json");
    reply.response.set("X-Reply", "yes");
    return reply;
  });
  client_runner runner;

  client_request req;
  req.method = verb::post;
  req.url = srv.url("/api/chat.postMessage?x=1");
  req.headers = {{"Authorization", "Bearer xoxb-1"}, {"Content-Type", "application/json"}};
  req.body = R"({"channel":"C1"})";
  const auto res = runner.send(req);
  CHECK(res.status == 200);
  CHECK(res.body == R"({"ok":true})");
  CHECK(res.headers["X-Reply"] == "yes");
  CHECK(res.headers[beast_http::field::content_type] == "application/json");

  const auto received = srv.requests();
  REQUIRE(received.size() == 1);
  const auto& sent = received[0].request;
  CHECK(sent.method() == verb::post);
  CHECK(sent.target() == "/api/chat.postMessage?x=1");
  CHECK(sent[beast_http::field::host] == "127.0.0.1:" + std::to_string(srv.port()));
  CHECK(sent[beast_http::field::user_agent].starts_with("scribe/"));
  CHECK(sent[beast_http::field::user_agent].size() > 7);
  CHECK(sent[beast_http::field::content_length] == "16");
  CHECK(sent[beast_http::field::authorization] == "Bearer xoxb-1");
  CHECK(sent[beast_http::field::content_type] == "application/json");
  CHECK(sent.body() == R"({"channel":"C1"})");
}

TEST_CASE("client sends a GET without a body or framing headers", "[integration]") {
  scripted_server srv(echo_target);
  client_runner runner;
  auto req = get(srv.url("/x"));
  req.headers = {{"User-Agent", "custom/1"}};
  CHECK(runner.send(req).body == "/x");
  const auto sent = srv.requests().at(0).request;
  CHECK(sent.find(beast_http::field::content_length) == sent.end());
  CHECK(sent.find(beast_http::field::transfer_encoding) == sent.end());
  CHECK(sent[beast_http::field::user_agent] == "custom/1");
}

TEST_CASE("client returns any HTTP status as a response", "[integration]") {
  scripted_server srv([](const received_request&) {
    auto reply = scripted_reply::respond(status::too_many_requests, "slow down");
    reply.response.set(beast_http::field::retry_after, "3");
    return reply;
  });
  client_runner runner;
  const auto res = runner.send(get(srv.url()));
  CHECK(res.status == 429);
  CHECK(res.headers[beast_http::field::retry_after] == "3");
  CHECK(res.body == "slow down");
}

TEST_CASE("client reads chunked, interim, EOF-delimited and HEAD responses", "[integration]") {
  client_runner runner;

  SECTION("chunked") {
    scripted_server srv(
        always(scripted_reply::raw_bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                         "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")));
    CHECK(runner.send(get(srv.url())).body == "hello world");
    CHECK(runner.send(get(srv.url())).body == "hello world");
    CHECK(srv.accepted() == 1);  // the chunked framing left the connection reusable
  }
  SECTION("an interim 100 Continue is skipped") {
    scripted_server srv(always(scripted_reply::raw_bytes(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")));
    const auto res = runner.send(get(srv.url()));
    CHECK(res.status == 201);
    CHECK(res.body == "ok");
  }
  SECTION("body delimited by the server closing") {
    auto reply = scripted_reply::raw_bytes("HTTP/1.1 200 OK\r\n\r\nuntil the end");
    reply.close_after = true;
    scripted_server srv(always(reply));
    CHECK(runner.send(get(srv.url())).body == "until the end");
    CHECK(runner.send(get(srv.url())).body == "until the end");
    CHECK(srv.accepted() == 2);
  }
  SECTION("HEAD: Content-Length without a body") {
    scripted_server srv(
        always(scripted_reply::raw_bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")));
    auto head = get(srv.url());
    head.method = verb::head;
    const auto res = runner.send(head);
    CHECK(res.status == 200);
    CHECK(res.body.empty());
    // Had the client waited for 5 body bytes, this would time out.
    CHECK(runner.send(head).status == 200);
    CHECK(srv.accepted() == 1);
  }
}

TEST_CASE("client refuses bad URLs and headers before sending anything", "[integration]") {
  scripted_server srv(echo_target);
  client_runner runner;
  auto req = get(srv.url());

  SECTION("unsupported scheme") {
    req.url = "ftp://127.0.0.1/";
  }
  SECTION("bad port") {
    req.url = "http://127.0.0.1:70000/";
  }
  SECTION("CR LF in a header value") {
    req.headers = {{"X-A", "1\r\nX-Injected: 2"}};
  }
  SECTION("a header name that is not a token") {
    req.headers = {{"X A", "1"}};
  }
  SECTION("Host from the caller") {
    req.headers = {{"host", "evil.example"}};
  }
  SECTION("Content-Length from the caller") {
    req.headers = {{"Content-Length", "5"}};
  }

  const auto failure = runner.failure(req);
  REQUIRE(failure);
  CHECK(failure->code() == boost::system::errc::invalid_argument);
  CHECK(srv.accepted() == 0);
}

// ---- Connection reuse ---------------------------------------------------------------------

TEST_CASE("client reuses one connection for sequential requests to one origin", "[integration]") {
  scripted_server srv(echo_target);
  client_runner runner;
  CHECK(runner.send(get(srv.url("/1"))).body == "/1");
  CHECK(runner.send(get(srv.url("/2"))).body == "/2");
  CHECK(runner.send(get(srv.url("/3"))).body == "/3");
  CHECK(srv.accepted() == 1);
  for (const auto& received : srv.requests()) CHECK(received.connection == 1);
}

TEST_CASE("client reuses connections over TLS too", "[integration]") {
  test_pki pki;
  scripted_server srv(echo_target, pki.server());
  client_runner runner(pki.trusting());
  CHECK(runner.send(get(srv.url("/1"))).body == "/1");
  CHECK(runner.send(get(srv.url("/2"))).body == "/2");
  CHECK(srv.accepted() == 1);
}

TEST_CASE("client keeps separate pools per port and per host name", "[integration]") {
  scripted_server first(echo_target);
  scripted_server second(echo_target);
  client_runner runner;
  for (int round = 0; round < 2; ++round) {
    CHECK(runner.send(get(first.url("/a"))).body == "/a");
    CHECK(runner.send(get(second.url("/b"))).body == "/b");
    // Same address and port, another host name: another origin.
    CHECK(runner.send(get("http://localhost:" + std::to_string(first.port()) + "/c")).body == "/c");
  }
  CHECK(first.accepted() == 2);
  CHECK(second.accepted() == 1);
  for (const auto& received : first.requests()) {
    const bool by_name = received.request[beast_http::field::host].starts_with("localhost:");
    CHECK(received.connection == (by_name ? 2u : 1u));
  }
}

TEST_CASE("client does not reuse a connection the response said to close", "[integration]") {
  // The server says "Connection: close" but keeps the socket open.
  scripted_server srv(always(scripted_reply::raw_bytes(
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")));
  client_runner runner;
  CHECK(runner.send(get(srv.url())).body == "ok");
  CHECK(runner.send(get(srv.url())).body == "ok");
  CHECK(srv.accepted() == 2);
}

TEST_CASE("client closes idle connections past idle_connection_ttl", "[integration]") {
  scripted_server srv(echo_target);
  auto opts = test_options();
  opts.idle_connection_ttl = 100ms;
  client_runner runner(opts);
  runner.send(get(srv.url()));
  std::this_thread::sleep_for(250ms);
  runner.send(get(srv.url()));
  CHECK(srv.accepted() == 2);
}

TEST_CASE("client keeps at most max_idle_connections_per_host idle connections", "[integration]") {
  // Slow answers make the requests overlap, so each opens its own connection.
  scripted_server srv([](const received_request& received) {
    auto reply = echo_target(received);
    reply.delay = 200ms;
    return reply;
  });
  auto opts = test_options();
  opts.max_idle_connections_per_host = 4;
  client_runner runner(opts);

  std::vector<std::future<client_response>> burst;
  for (int i = 0; i < 20; ++i) burst.push_back(runner.start(get(srv.url())));
  for (auto& f : burst) CHECK(client_runner::finish(std::move(f)).status == 200);
  CHECK(srv.accepted() == 20);
  // The client closed the 16 it could not keep.
  CHECK(srv.wait_for_open_connections(4));

  burst.clear();
  for (int i = 0; i < 5; ++i) burst.push_back(runner.start(get(srv.url())));
  for (auto& f : burst) CHECK(client_runner::finish(std::move(f)).status == 200);
  CHECK(srv.accepted() == 21);  // four reused, one new
}

TEST_CASE("client with max_idle_connections_per_host 0 never reuses", "[integration]") {
  scripted_server srv(echo_target);
  auto opts = test_options();
  opts.max_idle_connections_per_host = 0;
  client_runner runner(opts);
  runner.send(get(srv.url()));
  runner.send(get(srv.url()));
  CHECK(srv.accepted() == 2);
  CHECK(srv.wait_for_open_connections(0));
}

TEST_CASE("client retries once when a reused connection was closed under it", "[integration]") {
  captured_log log_lines;
  // The second request arrives on the kept-alive connection, which the server then closes
  // without answering, as a server closing an idle connection at that moment would.
  std::atomic<int> count{0};
  scripted_server srv([&count](const received_request& received) {
    return ++count == 2 ? scripted_reply::drop() : echo_target(received);
  });
  client_runner runner;

  client_request post;
  post.method = verb::post;
  post.url = srv.url("/second");
  post.body = "payload";
  CHECK(runner.send(get(srv.url("/first"))).body == "/first");
  CHECK(runner.send(post).body == "/second");

  const auto received = srv.requests();
  REQUIRE(received.size() == 3);
  CHECK(received[1].connection == 1);  // dropped
  CHECK(received[2].connection == 2);  // the retry, on a fresh connection
  CHECK(received[2].request.body() == "payload");
  CHECK(srv.accepted() == 2);
  CHECK(log_lines.containing("retrying on a new one").size() == 1);
}

TEST_CASE("client does not retry on a fresh connection", "[integration]") {
  scripted_server srv(always(scripted_reply::drop()));
  client_runner runner;
  const auto failure = runner.failure(get(srv.url()));
  REQUIRE(failure);
  CHECK(failure->code() == beast_http::error::end_of_stream);
  CHECK(srv.requests().size() == 1);
}

TEST_CASE("client notices an idle connection the server closed before reusing it",
          "[integration]") {
  captured_log log_lines;
  // Keep-alive announced, then closed: the server's idle timeout, early.
  auto reply = scripted_reply::respond(status::ok, "ok");
  reply.close_after = true;
  scripted_server srv(always(reply));
  client_runner runner;
  CHECK(runner.send(get(srv.url())).body == "ok");
  REQUIRE(srv.wait_for_open_connections(0));
  std::this_thread::sleep_for(20ms);  // the FIN reaches the client's socket
  CHECK(runner.send(get(srv.url())).body == "ok");
  CHECK(srv.accepted() == 2);
  CHECK(srv.requests().size() == 2);
  // Found closed before the request was sent: no retry was needed.
  CHECK(log_lines.containing("retrying").size() == 0);
}

TEST_CASE("client handles 20 concurrent requests", "[integration]") {
  test_pki pki;
  scripted_server srv(echo_target, pki.server());
  client_runner runner(pki.trusting());
  for (int round = 0; round < 2; ++round) {
    std::vector<std::future<client_response>> pending;
    for (int i = 0; i < 20; ++i) {
      pending.push_back(runner.start(get(srv.url("/" + std::to_string(i)))));
    }
    for (int i = 0; i < 20; ++i) {
      const auto res = client_runner::finish(std::move(pending[static_cast<std::size_t>(i)]));
      CHECK(res.status == 200);
      CHECK(res.body == "/" + std::to_string(i));
    }
  }
  CHECK(srv.requests().size() == 40);
  CHECK(srv.accepted() <= 40);
}

// ---- TLS ----------------------------------------------------------------------------------

TEST_CASE("client verifies the server against ca_file and sends SNI for names only",
          "[integration]") {
  test_pki pki;
  scripted_server srv(echo_target, pki.server());
  client_runner runner(pki.trusting());

  CHECK(runner.send(get("https://localhost:" + std::to_string(srv.port()) + "/n")).body == "/n");
  CHECK(runner.send(get("https://127.0.0.1:" + std::to_string(srv.port()) + "/i")).body == "/i");
  const auto received = srv.requests();
  REQUIRE(received.size() == 2);
  CHECK(received[0].server_name == "localhost");
  CHECK(received[1].server_name.empty());
}

TEST_CASE("client refuses a certificate from a CA it does not trust", "[integration]") {
  test_pki pki;
  scripted_server srv(echo_target, pki.server());
  client_runner runner;  // no ca_file: the system's CAs only
  const auto failure = runner.failure(get(srv.url()));
  REQUIRE(failure);
  INFO(failure->what());
  CHECK(contains(failure->what(), "TLS handshake with https://127.0.0.1:"));
  CHECK(contains(failure->what(), "certificate verify failed"));
  CHECK(contains(failure->what(), "unable to get local issuer certificate"));
  CHECK(srv.requests().empty());
}

TEST_CASE("client refuses a certificate for another name", "[integration]") {
  test_pki pki;

  SECTION("host name") {
    scripted_server srv(echo_target, pki.server({.dns = {"other.example"}, .ip = {}}));
    client_runner runner(pki.trusting());
    const auto failure = runner.failure(get("https://localhost:" + std::to_string(srv.port())));
    REQUIRE(failure);
    INFO(failure->what());
    CHECK(contains(failure->what(), "hostname mismatch"));
    CHECK(srv.requests().empty());
  }
  SECTION("IP address") {
    // The certificate names localhost and 127.0.0.1; the server is at 127.0.0.2.
    scripted_server srv(echo_target, pki.server({}, "127.0.0.2"));
    client_runner runner(pki.trusting());
    const auto failure = runner.failure(get(srv.url()));
    REQUIRE(failure);
    INFO(failure->what());
    CHECK(contains(failure->what(), "IP address mismatch"));
    CHECK(srv.requests().empty());
  }
}

TEST_CASE("client refuses TLS older than 1.2", "[integration]") {
  test_pki pki;
  auto opts = pki.server();
  SSL_CTX* server_ctx = opts.tls->native_handle();
  REQUIRE(SSL_CTX_set_min_proto_version(server_ctx, TLS1_VERSION) == 1);
  REQUIRE(SSL_CTX_set_max_proto_version(server_ctx, TLS1_1_VERSION) == 1);
  // OpenSSL 3 allows TLS 1.0 and 1.1 only at security level 0.
  REQUIRE(SSL_CTX_set_cipher_list(server_ctx, "DEFAULT@SECLEVEL=0") == 1);
  scripted_server srv(echo_target, std::move(opts));
  client_runner runner(pki.trusting());
  const auto failure = runner.failure(get(srv.url()));
  REQUIRE(failure);
  INFO(failure->what());
  CHECK(contains(failure->what(), "TLS handshake with"));
  CHECK(srv.requests().empty());
}

// ---- Failures and deadlines ---------------------------------------------------------------

TEST_CASE("client reports a refused connection", "[integration]") {
  refusing_port closed;
  client_runner runner;
  const auto failure = runner.failure(get("http://127.0.0.1:" + std::to_string(closed.port())));
  REQUIRE(failure);
  CHECK(failure->code() == net::error::connection_refused);
  CHECK(contains(failure->what(), "connect to http://127.0.0.1:"));
}

TEST_CASE("client times out on a server that never answers", "[integration]") {
  scripted_server srv(always(scripted_reply::hang()));
  auto opts = test_options();
  opts.request_timeout = 300ms;
  client_runner runner(opts);
  const auto start = clock_type::now();
  const auto failure = runner.failure(get(srv.url()));
  REQUIRE(failure);
  CHECK(failure->code() == net::error::timed_out);
  CHECK(since(start) >= 250ms);
  CHECK(since(start) < 1500ms);
  CHECK(srv.wait_for_requests(1));
  CHECK(srv.requests().size() == 1);
}

TEST_CASE("client times out on a server that never completes the TLS handshake", "[integration]") {
  scripted_server_options silent;
  silent.silent = true;
  scripted_server srv(echo_target, std::move(silent));
  auto opts = test_options();
  opts.connect_timeout = 300ms;
  client_runner runner(opts);
  const auto start = clock_type::now();
  const auto failure = runner.failure(get("https://127.0.0.1:" + std::to_string(srv.port())));
  REQUIRE(failure);
  CHECK(failure->code() == net::error::timed_out);
  CHECK(contains(failure->what(), "TLS handshake"));
  CHECK(since(start) >= 250ms);
  CHECK(since(start) < 1500ms);
  CHECK(srv.accepted() == 1);
}

TEST_CASE("client's request deadline covers the whole response, not each read", "[integration]") {
  // A byte every 50 ms: each read is quick, the whole response would take seconds.
  auto reply = scripted_reply::respond(status::ok, std::string(100, 'x'));
  reply.pace = 50ms;
  scripted_server srv(always(reply));
  auto opts = test_options();
  opts.request_timeout = 400ms;
  client_runner runner(opts);
  const auto start = clock_type::now();
  const auto failure = runner.failure(get(srv.url()));
  REQUIRE(failure);
  CHECK(failure->code() == net::error::timed_out);
  CHECK(since(start) >= 350ms);
  CHECK(since(start) < 1500ms);
}

TEST_CASE("client refuses a response body over max_response_body", "[integration]") {
  auto opts = test_options();
  opts.max_response_body = 1024;
  client_runner runner(opts);

  SECTION("Content-Length") {
    scripted_server srv(always(scripted_reply::respond(status::ok, std::string(1025, 'x'))));
    const auto failure = runner.failure(get(srv.url()));
    REQUIRE(failure);
    CHECK(failure->code() == beast_http::error::body_limit);
  }
  SECTION("chunked") {
    std::string raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) raw += "200\r\n" + std::string(512, 'y') + "\r\n";
    raw += "0\r\n\r\n";
    scripted_server srv(always(scripted_reply::raw_bytes(raw)));
    const auto failure = runner.failure(get(srv.url()));
    REQUIRE(failure);
    CHECK(failure->code() == beast_http::error::body_limit);
  }
  SECTION("at the limit is fine") {
    scripted_server srv(always(scripted_reply::respond(status::ok, std::string(1024, 'x'))));
    CHECK(runner.send(get(srv.url())).body.size() == 1024);
  }
}

TEST_CASE("client reports malformed responses", "[integration]") {
  client_runner runner;
  const auto [name, raw] = GENERATE(table<const char*, std::string>({
      {"not HTTP", "garbage\r\n\r\n"},
      {"bad status line", "HTTP/1.1 OK\r\n\r\n"},
      {"bad Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n"},
      {"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
  }));
  INFO(name);
  scripted_server srv(always(scripted_reply::raw_bytes(raw)));
  const auto failure = runner.failure(get(srv.url()));
  REQUIRE(failure);
  CHECK(failure->code().category() ==
        beast_http::make_error_code(beast_http::error::bad_version).category());
}

TEST_CASE("client reports a response body cut short", "[integration]") {
  auto reply = scripted_reply::raw_bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
  reply.close_after = true;
  scripted_server srv(always(reply));
  client_runner runner;
  const auto failure = runner.failure(get(srv.url()));
  REQUIRE(failure);
  CHECK(failure->code() == beast_http::error::partial_message);
}

TEST_CASE("client never logs bodies, tokens or query strings", "[integration]") {
  captured_log log_lines;
  scripted_server srv(always(scripted_reply::respond(status::ok, "response-secret")));
  refusing_port closed;
  client_runner runner;

  client_request req;
  req.method = verb::post;
  req.url = srv.url("/api/chat.postMessage?token=query-secret");
  req.headers = {{"Authorization", "Bearer xoxb-secret"}};
  req.body = "body-secret";
  CHECK(runner.send(req).status == 200);
  req.url = "http://127.0.0.1:" + std::to_string(closed.port()) + "/p?token=query-secret";
  const auto failure = runner.failure(req);
  REQUIRE(failure);
  CHECK(!contains(failure->what(), "secret"));

  CHECK(log_lines.containing("msg=\"http client request\" method=POST url=http://127.0.0.1:")
            .size() == 1);
  CHECK(log_lines.containing("msg=\"http client request failed\" method=POST").size() == 1);
  CHECK(log_lines.containing("/api/chat.postMessage").size() == 1);
  for (const auto& line : log_lines.lines()) {
    INFO(line);
    CHECK(!contains(line, "secret"));
  }
}

}  // namespace scribe::http
