// The Matrix adapter's bounded inbox: a transaction that finds matrix.inbox holding
// jobs.max_pending pending jobs gets 503 M_UNKNOWN with Retry-After and is not stored, so the
// homeserver keeps it and sends it again.

#include "adapters/matrix/matrix_adapter.hpp"
#include "adapters/matrix/matrix_events.hpp"
#include "bot/incident_desk.hpp"
#include "bot/postmortem_desk.hpp"
#include "metrics/catalog.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/desk_fixture.hpp"
#include "tests/support/dispatch.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include "runtime/store_thread.hpp"

#include <memory>
#include <string>

namespace scribe::matrix {
namespace {

namespace beast_http = boost::beast::http;

struct inbox_fixture : test_support::desk_fixture {
  explicit inbox_fixture(unsigned max_pending) : limits{max_pending} {
    options.homeserver_url = "http://127.0.0.1:9";  // never called: no worker runs
    options.server_name = "example.org";
    options.as_token = "as-secret-token";
    options.hs_token = "hs-secret-token";
    adapter = std::make_unique<matrix_adapter>(ioc, store_thread, options, desk, postmortems, store,
                                               client, clock, limits);
    adapter->add_routes(routes);
  }
  ~inbox_fixture() {
    adapter.reset();
    store_thread.join();
  }

  http::response put_transaction(std::string txn_id) {
    http::request req{beast_http::verb::put, "/_matrix/app/v1/transactions/" + txn_id, 11};
    req.set(beast_http::field::authorization, "Bearer hs-secret-token");
    req.set(beast_http::field::content_type, "application/json");
    // A command: an event Scribe acts on, so the transaction has something to store.
    req.body() = R"({"events": [{"type": "m.room.message", "event_id": "$)" + txn_id +
                 R"(", "room_id": "!r:example.org", "sender": "@ann:example.org",
                 "origin_server_ts": 1795255200000,
                 "content": {"msgtype": "m.text", "body": "!incident status"}}]})";
    req.prepare_payload();
    ioc.restart();
    return test_support::dispatch_request(ioc, routes, std::move(req));
  }

  boost::asio::io_context ioc;
  scribe::runtime::store_thread store_thread{nullptr};
  http::client client{ioc, http::client_options{}};
  config::matrix_options options;
  config::jobs_options limits;
  http::router routes;
  std::unique_ptr<matrix_adapter> adapter;
};

}  // namespace

TEST_CASE("a transaction that finds the inbox full gets 503 and is not stored", "[unit][matrix]") {
  test_support::captured_log log_lines;
  inbox_fixture fx(1);
  const auto rejected_before = metrics::queue_rejected().with({inbox_queue}).value();

  CHECK(fx.put_transaction("t1").result() == beast_http::status::ok);
  CHECK(fx.store.pending(inbox_queue) == 1);

  const auto refused = fx.put_transaction("t2");
  CHECK(refused.result() == beast_http::status::service_unavailable);
  CHECK(refused[beast_http::field::retry_after] == "30");
  const auto body = nlohmann::json::parse(refused.body());
  CHECK(body.at("errcode") == "M_UNKNOWN");
  CHECK(body.at("error") == "inbox full: 1 deliveries wait to be handled; try again later");
  CHECK(fx.store.pending(inbox_queue) == 1);
  CHECK(metrics::queue_rejected().with({inbox_queue}).value() == rejected_before + 1);
  const auto warned = log_lines.containing("msg=\"inbox full\" queue=matrix.inbox pending=1");
  REQUIRE(warned.size() == 1);
  CHECK(warned[0].find("request_id=" + std::string(refused["X-Request-Id"])) != std::string::npos);
}

TEST_CASE("a refused homeserver request names its request id in the log", "[unit][matrix]") {
  test_support::captured_log log_lines;
  inbox_fixture fx(10);
  http::request req{beast_http::verb::put, "/_matrix/app/v1/transactions/t1", 11};
  req.set(beast_http::field::authorization, "Bearer wrong");
  req.set("X-Request-Id", "proxy-1234");
  req.body() = R"({"events": []})";
  req.prepare_payload();
  const auto res = test_support::dispatch_request(fx.ioc, fx.routes, std::move(req));
  CHECK(res.result() == beast_http::status::forbidden);
  // dispatch_request does not read the incoming header (the server's session does): the id is
  // made up here, and it is the one logged.
  const auto refused = log_lines.containing("msg=\"matrix request refused\"");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].find("request_id=" + std::string(res["X-Request-Id"])) != std::string::npos);
  for (const auto& line : log_lines.lines()) CHECK(line.find("secret-token") == std::string::npos);
}

}  // namespace scribe::matrix
