// Who may read incident data: the Bearer token, the sign-in cookie, loopback without a token, and
// the cross-site check for form posts. Signing in through the pages:
// tests/adapters/web/signin_test.cpp.
#include "adapters/site/access.hpp"
#include "tests/adapters/site/session_cookie.hpp"

#include <catch2/catch.hpp>

using namespace scribe;
namespace beast_http = boost::beast::http;
using test_support::session_for_token;

namespace {

http::request request(beast_http::verb method,
                      std::vector<std::pair<beast_http::field, std::string>> fields) {
  http::request req{method, "/playground/messages", 11};
  for (const auto& [name, value] : fields) req.set(name, value);
  return req;
}

}  // namespace

TEST_CASE("refuse_write adds a cross-site check to refuse", "[unit][web][access]") {
  config::web_options web;
  config::server_options server;  // loopback by default
  const site::access_policy open(web, server);
  using beast_http::field;
  CHECK_FALSE(
      open.refuse_write(request(beast_http::verb::post, {{field::host, "127.0.0.1:8080"}})));
  CHECK_FALSE(open.refuse_write(
      request(beast_http::verb::post,
              {{field::host, "127.0.0.1:8080"}, {field::origin, "http://127.0.0.1:8080"}})));
  const auto cross = open.refuse_write(
      request(beast_http::verb::post,
              {{field::host, "127.0.0.1:8080"}, {field::origin, "http://evil.example:8080"}}));
  REQUIRE(cross);
  CHECK(cross->result() == beast_http::status::forbidden);
  const auto other_port = open.refuse_write(
      request(beast_http::verb::post,
              {{field::host, "127.0.0.1:8080"}, {field::origin, "http://127.0.0.1:9090"}}));
  REQUIRE(other_port);
  CHECK(other_port->result() == beast_http::status::forbidden);
  CHECK(open.refuse_write(
      request(beast_http::verb::post, {{field::host, "127.0.0.1:8080"}, {field::origin, "null"}})));
  // What Chromium sends for a same-origin form post from a page with no referrer.
  auto null_origin =
      request(beast_http::verb::post, {{field::host, "127.0.0.1:8080"}, {field::origin, "null"}});
  null_origin.set("Sec-Fetch-Site", "same-origin");
  CHECK_FALSE(open.refuse_write(null_origin));
  null_origin.set("Sec-Fetch-Site", "cross-site");
  CHECK(open.refuse_write(null_origin));

  web.token = "s3cret-token";
  const site::access_policy guarded(web, server);
  const auto anonymous = guarded.refuse_write(
      request(beast_http::verb::post,
              {{field::host, "127.0.0.1:8080"}, {field::origin, "http://127.0.0.1:8080"}}));
  REQUIRE(anonymous);
  CHECK(anonymous->result() == beast_http::status::unauthorized);
  CHECK_FALSE(guarded.refuse_write(
      request(beast_http::verb::post,
              {{field::host, "127.0.0.1:8080"},
               {field::origin, "http://127.0.0.1:8080"},
               {field::cookie, "scribe_session=" + std::string(session_for_token)}})));
  const auto forged = guarded.refuse_write(
      request(beast_http::verb::post, {{field::host, "127.0.0.1:8080"},
                                       {field::origin, "https://evil.example"},
                                       {field::authorization, "Bearer s3cret-token"}}));
  REQUIRE(forged);
  CHECK(forged->result() == beast_http::status::forbidden);
}

TEST_CASE("without a token, only requests addressed to this machine are served",
          "[unit][web][access]") {
  config::web_options web;
  config::server_options server;  // loopback by default
  const site::access_policy open(web, server);
  using beast_http::field;
  for (const char* host :
       {"127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:8080", "127.0.0.2"}) {
    INFO(host);
    CHECK_FALSE(open.refuse(request(beast_http::verb::get, {{field::host, host}})));
  }
  // A rebound domain that now resolves to 127.0.0.1 still names itself in Host.
  for (const char* host :
       {"evil.example:8080", "evil.example", "127.0.0.1.evil.example", "[2001:db8::1]:8080"}) {
    INFO(host);
    const auto refused = open.refuse(request(beast_http::verb::get, {{field::host, host}}));
    REQUIRE(refused);
    CHECK(refused->result() == beast_http::status::forbidden);
    CHECK_THAT(refused->body(), Catch::Contains("addressed to this machine"));
  }
  // With a token, the token decides, whatever the Host.
  web.token = "s3cret-token";
  const site::access_policy guarded(web, server);
  CHECK_FALSE(guarded.refuse(request(
      beast_http::verb::get,
      {{field::host, "scribe.example.org"}, {field::authorization, "Bearer s3cret-token"}})));
}

TEST_CASE("access helpers", "[unit][web][access]") {
  CHECK(site::local_redirect_target("/incidents/INC-1?workspace=T1") ==
        "/incidents/INC-1?workspace=T1");
  CHECK(site::local_redirect_target("/") == "/");
  CHECK(site::local_redirect_target("") == "/");
  CHECK(site::local_redirect_target("//evil.example/x") == "/");
  CHECK(site::local_redirect_target("/\\evil.example") == "/");
  CHECK(site::local_redirect_target("https://evil.example") == "/");
  CHECK(site::local_redirect_target("/a\r\nSet-Cookie: x=y") == "/");

  CHECK(site::same_origin("http://127.0.0.1:8080", "127.0.0.1:8080"));
  CHECK(site::same_origin("https://Scribe.Example.org", "scribe.example.org"));
  CHECK(site::same_origin("https://scribe.example.org", "scribe.example.org:443"));
  CHECK(site::same_origin("http://[::1]:8080", "[::1]:8080"));
  CHECK_FALSE(site::same_origin("http://[::1]:8080", "[::1]:8081"));
  CHECK_FALSE(site::same_origin("https://scribe.example.org", "scribe.example.org:80"));
  CHECK_FALSE(site::same_origin("http://scribe.example.org.evil", "scribe.example.org"));
  CHECK_FALSE(site::same_origin("null", "scribe.example.org"));
  CHECK_FALSE(site::same_origin("ftp://scribe.example.org", "scribe.example.org"));
  CHECK_FALSE(site::same_origin("http://a@scribe.example.org", "scribe.example.org"));
  CHECK_FALSE(site::same_origin("http://scribe.example.org", ""));

  http::request req{beast_http::verb::get, "/", 11};
  req.insert(beast_http::field::cookie, "a=1; scribe_session=abc");
  req.insert(beast_http::field::cookie, "b=2");
  CHECK(site::cookie_value(req, "scribe_session") == "abc");
  CHECK(site::cookie_value(req, "b") == "2");
  CHECK(site::cookie_value(req, "session").empty());
}

TEST_CASE("loopback hosts", "[unit][web]") {
  CHECK(site::is_loopback_host("127.0.0.1"));
  CHECK(site::is_loopback_host("127.0.1.1"));
  CHECK(site::is_loopback_host("::1"));
  CHECK(site::is_loopback_host("localhost"));
  CHECK_FALSE(site::is_loopback_host("0.0.0.0"));
  CHECK_FALSE(site::is_loopback_host("::"));
  CHECK_FALSE(site::is_loopback_host("10.0.0.1"));
  CHECK_FALSE(site::is_loopback_host("127.0.0.1.example.org"));
  CHECK_FALSE(site::is_loopback_host("127.evil"));
}
