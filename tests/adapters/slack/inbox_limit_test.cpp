// The Slack adapter's bounded inbox: events and shortcuts that find slack.inbox holding
// jobs.max_pending pending jobs get 503 with Retry-After, nothing is stored, and the refusal is
// counted and logged (rate-limited). Driven through the router like the server would.

#include "adapters/slack/signature.hpp"
#include "adapters/slack/slack_adapter.hpp"
#include "bot/incident_desk.hpp"
#include "bot/postmortem_desk.hpp"
#include "metrics/catalog.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/adapters/slack/fixture.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/desk_fixture.hpp"
#include "tests/support/dispatch.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include "runtime/store_thread.hpp"

#include <memory>
#include <string>

namespace scribe::slack {
namespace {

namespace beast_http = boost::beast::http;
using test_support::read_fixture;

constexpr std::string_view signing_secret = "8f742231b10e8888abcd99yyyzzz85a5";

// A Slack adapter on a temporary store whose workers are never started, so the inbox only fills.
struct inbox_fixture : scribe::test_support::desk_fixture {
  explicit inbox_fixture(unsigned max_pending) : limits{max_pending} {
    options.signing_secret = std::string(signing_secret);
    options.bot_token = "xoxb-test-token";
    options.api_base_url = "http://127.0.0.1:9/api";  // never called: no worker runs
    adapter = std::make_unique<slack_adapter>(ioc, store_thread, options, "", desk, postmortems,
                                              store, client, clock, limits);
    adapter->add_routes(routes);
  }
  ~inbox_fixture() {
    adapter.reset();
    store_thread.join();
  }

  // POSTs `body` to `path` signed as Slack signs, and returns the answer.
  http::response deliver(std::string_view path, std::string body, std::string_view content_type) {
    const auto seconds = bot::to_unix_micros(clock.now()) / 1'000'000;
    const std::string timestamp = std::to_string(seconds);
    http::request req{beast_http::verb::post, path, 11};
    req.set(beast_http::field::content_type, content_type);
    req.set("X-Slack-Request-Timestamp", timestamp);
    req.set("X-Slack-Signature", sign(signing_secret, timestamp, body));
    req.body() = std::move(body);
    req.prepare_payload();
    ioc.restart();
    return scribe::test_support::dispatch_request(ioc, routes, std::move(req));
  }

  // A 📌: an event Scribe acts on, which goes to the inbox (the fixture's 👍 would not).
  http::response deliver_event() {
    std::string body = read_fixture("event_reaction_added.json");
    body.replace(body.find("thumbsup"), 8, "pushpin");
    return deliver("/slack/events", std::move(body), "application/json");
  }

  boost::asio::io_context ioc;
  scribe::runtime::store_thread store_thread{nullptr};
  http::client client{ioc, http::client_options{}};
  config::slack_options options;
  config::jobs_options limits;
  http::router routes;
  std::unique_ptr<slack_adapter> adapter;
};

std::uint64_t rejected_count() {
  return metrics::queue_rejected().with({inbox_queue}).value();
}

}  // namespace

TEST_CASE("an event that finds the inbox full gets 503 and is not stored", "[unit][slack]") {
  scribe::test_support::captured_log log_lines;
  inbox_fixture fx(2);
  fx.store.enqueue(inbox_queue, "earlier-1", "event\n{}", fx.clock.now());
  fx.store.enqueue(inbox_queue, "earlier-2", "event\n{}", fx.clock.now());
  const auto rejected_before = rejected_count();

  const auto refused = fx.deliver_event();
  CHECK(refused.result() == beast_http::status::service_unavailable);
  CHECK(refused[beast_http::field::retry_after] == "30");
  CHECK(refused.body() == "inbox full: 2 deliveries wait to be handled; try again later\n");
  CHECK(fx.store.pending(inbox_queue) == 2);
  CHECK(rejected_count() == rejected_before + 1);
  const auto warned = log_lines.containing("msg=\"inbox full\"");
  REQUIRE(warned.size() == 1);
  CHECK(warned[0].find("level=warn") != std::string::npos);
  CHECK(warned[0].find("queue=slack.inbox pending=2 limit=2 refused=1 request_id=") !=
        std::string::npos);

  SECTION("refusals within 10 s are counted, not logged again") {
    CHECK(fx.deliver_event().result() == beast_http::status::service_unavailable);
    CHECK(fx.deliver("/slack/interactions",
                     "payload=" + test_support::form_encode(
                                      read_fixture("interaction_message_shortcut.json")),
                     "application/x-www-form-urlencoded")
              .result() == beast_http::status::service_unavailable);
    CHECK(rejected_count() == rejected_before + 3);
    CHECK(log_lines.containing("msg=\"inbox full\"").size() == 1);
    CHECK(fx.store.pending(inbox_queue) == 2);
  }
  SECTION("once a job is done there is room again, and the event is acknowledged") {
    const auto job = fx.store.claim(inbox_queue, fx.clock.now(), std::chrono::minutes(1));
    REQUIRE(job);
    fx.store.complete(job->id, fx.clock.now());
    const auto accepted = fx.deliver_event();
    CHECK(accepted.result() == beast_http::status::ok);
    CHECK(fx.store.pending(inbox_queue) == 2);
  }
}

TEST_CASE("a bad signature is refused before the inbox is looked at", "[unit][slack]") {
  inbox_fixture fx(1);
  fx.store.enqueue(inbox_queue, "earlier", "event\n{}", fx.clock.now());
  http::request req{beast_http::verb::post, "/slack/events", 11};
  req.set(beast_http::field::content_type, "application/json");
  req.set("X-Slack-Request-Timestamp", "1");
  req.set("X-Slack-Signature", "v0=00");
  req.body() = read_fixture("event_reaction_added.json");
  req.prepare_payload();
  scribe::test_support::captured_log log_lines;
  const auto res = scribe::test_support::dispatch_request(fx.ioc, fx.routes, std::move(req));
  CHECK(res.result() == beast_http::status::unauthorized);
  const std::string id(res["X-Request-Id"]);
  REQUIRE(!id.empty());
  const auto refused = log_lines.containing("msg=\"slack request refused\"");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].find("request_id=" + id) != std::string::npos);
}

}  // namespace scribe::slack
