// The Client-Server API calls against a scripted homeserver on loopback: the requests as the spec
// writes them (PROTOCOLS.md 8; matrix-client-server-api-subset.json paths), and how each kind of
// answer is sorted.
#include "adapters/matrix/client_api.hpp"
#include "tests/support/scripted_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

using namespace scribe;
using test_support::scripted_reply;
using test_support::scripted_server;
namespace beast_http = boost::beast::http;

namespace {

scripted_reply json_reply(beast_http::status status, std::string body) {
  return scripted_reply::respond(status, std::move(body), "application/json");
}

// Runs one call to completion on a fresh io_context.
template <class Call>
http::call_result run(const scripted_server& server, Call call) {
  boost::asio::io_context ioc;
  http::client_options options;
  options.request_timeout = std::chrono::seconds(2);
  http::client client(ioc, options);
  matrix::client_api api(client, server.url(""), "as-secret");
  auto result = boost::asio::co_spawn(ioc, call(api), boost::asio::use_future);
  ioc.run();
  return result.get();
}

}  // namespace

TEST_CASE("send: PUT to the room's send path with the as_token and the content",
          "[integration][matrix]") {
  scripted_server server(test_support::always(
      json_reply(beast_http::status::ok, R"({"event_id":"$ev1:example.org"})")));
  const auto sent = run(server, [](matrix::client_api& api) {
    nlohmann::json content{{"msgtype", "m.notice"}, {"body", "hi"}};
    return api.send("!room:example.org", "m.room.message", "scribe.ask_201.3", std::move(content));
  });
  CHECK(sent.what == http::call_result::kind::ok);
  CHECK(nlohmann::json::parse(sent.body).at("event_id") == "$ev1:example.org");
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  const auto& req = requests[0].request;
  CHECK(req.method() == beast_http::verb::put);
  CHECK(req.target() ==
        "/_matrix/client/v3/rooms/%21room%3Aexample.org/send/m.room.message/scribe.ask_201.3");
  CHECK(req[beast_http::field::authorization] == "Bearer as-secret");
  CHECK(req[beast_http::field::content_type] == "application/json");
  CHECK(nlohmann::json::parse(req.body()) ==
        nlohmann::json{{"msgtype", "m.notice"}, {"body", "hi"}});
}

TEST_CASE("redact, join, get_event and joined_members use the spec's paths",
          "[integration][matrix]") {
  scripted_server server(test_support::always(json_reply(beast_http::status::ok, "{}")));
  run(server, [](matrix::client_api& api) {
    return api.redact("!r:x", "$e:x", "scribe.t.1", "flag taken back");
  });
  run(server, [](matrix::client_api& api) { return api.join("#incidents:x"); });
  run(server, [](matrix::client_api& api) { return api.get_event("!r:x", "$e:x"); });
  run(server, [](matrix::client_api& api) { return api.joined_members("!r:x"); });
  const auto requests = server.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[0].request.method() == beast_http::verb::put);
  CHECK(requests[0].request.target() ==
        "/_matrix/client/v3/rooms/%21r%3Ax/redact/%24e%3Ax/scribe.t.1");
  CHECK(nlohmann::json::parse(requests[0].request.body()) ==
        nlohmann::json{{"reason", "flag taken back"}});
  CHECK(requests[1].request.method() == beast_http::verb::post);
  CHECK(requests[1].request.target() == "/_matrix/client/v3/join/%23incidents%3Ax");
  CHECK(requests[2].request.method() == beast_http::verb::get);
  CHECK(requests[2].request.target() == "/_matrix/client/v3/rooms/%21r%3Ax/event/%24e%3Ax");
  CHECK(requests[3].request.target() == "/_matrix/client/v3/rooms/%21r%3Ax/joined_members");
  for (const auto& r : requests) {
    CHECK(r.request[beast_http::field::authorization] == "Bearer as-secret");
  }
}

TEST_CASE("429 waits as the server says: Retry-After, else retry_after_ms",
          "[integration][matrix]") {
  auto limited = json_reply(beast_http::status::too_many_requests,
                            R"({"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests",
                                "retry_after_ms":2500})");
  {
    scripted_server server(test_support::always(limited));
    const auto r = run(server, [](matrix::client_api& api) { return api.join("!r:x"); });
    CHECK(r.what == http::call_result::kind::retry);
    CHECK(r.error == "M_LIMIT_EXCEEDED");
    CHECK(r.retry_after == std::chrono::milliseconds(2500));
  }
  limited.response.set(beast_http::field::retry_after, "7");
  {
    scripted_server server(test_support::always(limited));
    const auto r = run(server, [](matrix::client_api& api) { return api.join("!r:x"); });
    CHECK(r.retry_after == std::chrono::seconds(7));
  }
}

TEST_CASE("server errors and lost connections are retries, client errors are failures",
          "[integration][matrix]") {
  {
    scripted_server server(test_support::always(
        json_reply(beast_http::status::bad_gateway, "<html>bad gateway</html>")));
    const auto r = run(server, [](matrix::client_api& api) { return api.join("!r:x"); });
    CHECK(r.what == http::call_result::kind::retry);
    CHECK(r.error == "HTTP 502");
  }
  {
    scripted_server server(test_support::always(scripted_reply::drop()));
    const auto r = run(server, [](matrix::client_api& api) { return api.join("!r:x"); });
    CHECK(r.what == http::call_result::kind::retry);
  }
  {
    scripted_server server(test_support::always(
        json_reply(beast_http::status::forbidden,
                   R"({"errcode":"M_FORBIDDEN","error":"You are not invited to this room."})")));
    const auto r = run(server, [](matrix::client_api& api) {
      return api.send("!r:x", "m.room.message", "t", nlohmann::json::object());
    });
    CHECK(r.what == http::call_result::kind::failed);
    CHECK(r.error == "M_FORBIDDEN");
  }
  CHECK(matrix::error_code_of(R"({"errcode":"M_UNKNOWN_TOKEN","error":"x"})") == "M_UNKNOWN_TOKEN");
  CHECK(matrix::error_code_of("not json").empty());
  CHECK(matrix::error_code_of(R"({"errcode":7})").empty());
}
