// GET /metrics wired as `scribe serve` wires it, next to the Slack adapter: after some requests it
// shows them counted under their route patterns, the store's figures, and nothing secret.

#include "adapters/site/access.hpp"
#include "adapters/slack/signature.hpp"
#include "adapters/slack/slack_adapter.hpp"
#include "adapters/web/metrics_endpoint.hpp"
#include "bot/incident_desk.hpp"
#include "bot/postmortem_desk.hpp"
#include "metrics/registry.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/desk_fixture.hpp"
#include "tests/support/dispatch.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include "runtime/store_thread.hpp"

#include <string>

namespace scribe {
namespace {

namespace beast_http = boost::beast::http;
using namespace std::chrono_literals;

constexpr std::string_view signing_secret = "5ecr3t-signing-0123456789abcdef";
constexpr std::string_view bot_token = "xoxb-999-888-s3cr3tbot";
constexpr std::string_view web_token = "w3b-t0ken-for-scrapes";

constexpr std::string_view event_body = R"({"token": "XXYYZZ", "team_id": "T1",
  "api_app_id": "A1", "type": "event_callback", "event_id": "Ev42", "event_time": 1795255200,
  "event": {"type": "reaction_added", "user": "U1", "reaction": "pushpin",
            "item": {"type": "message", "channel": "C1", "ts": "1795255100.000100"},
            "event_ts": "1795255200.000200"}})";

// The options as `scribe serve` would read them with the secrets set; built before the objects
// that copy them.
config::slack_options slack_settings() {
  config::slack_options opts;
  opts.signing_secret = std::string(signing_secret);
  opts.bot_token = std::string(bot_token);
  opts.api_base_url = "http://127.0.0.1:9/api";  // workers are not started
  return opts;
}

config::web_options web_settings() {
  config::web_options opts;
  opts.token = std::string(web_token);
  return opts;
}

struct service_fixture : test_support::desk_fixture {
  service_fixture() {
    slack.add_routes(routes);
    endpoint.add_routes(routes);
  }
  ~service_fixture() { pool.join(); }

  http::response send(http::request req) {
    req.prepare_payload();
    ioc.restart();
    return test_support::dispatch_request(ioc, routes, std::move(req));
  }

  http::response slack_post(std::string_view path, std::string body, std::string_view type,
                            bool signed_right = true) {
    const std::string timestamp = std::to_string(bot::to_unix_micros(clock.now()) / 1'000'000);
    http::request req{beast_http::verb::post, path, 11};
    req.set(beast_http::field::content_type, type);
    req.set("X-Slack-Request-Timestamp", timestamp);
    req.set("X-Slack-Signature", signed_right ? slack::sign(signing_secret, timestamp, body)
                                              : "v0=" + std::string(64, '0'));
    req.body() = std::move(body);
    return send(std::move(req));
  }

  http::response scrape(bool with_token = true) {
    http::request req{beast_http::verb::get, "/metrics", 11};
    if (with_token) req.set(beast_http::field::authorization, "Bearer " + std::string(web_token));
    return send(std::move(req));
  }

  boost::asio::io_context ioc;
  scribe::runtime::store_thread pool{nullptr};
  http::client client{ioc, http::client_options{}};
  config::slack_options slack_options = slack_settings();
  config::jobs_options limits;
  config::web_options web_options = web_settings();
  config::server_options server_options;
  site::access_policy access{web_options, server_options};
  slack::slack_adapter slack{ioc,         pool,  slack_options, "",    desk,
                             postmortems, store, client,        clock, limits};
  web::metrics_endpoint endpoint{pool, store, store, clock, access};
  http::router routes;
};

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("/metrics counts requests by route and shows the store's figures, no secrets",
          "[integration][metrics]") {
  service_fixture fx;
  // Message text that must never reach the metrics.
  fx.desk.run_command({{"slack", "T1", "C1"},
                       {"U1", "alice"},
                       "open Checkout returns 502 for card payments",
                       "/incident",
                       {},
                       {}});

  CHECK(fx.slack_post("/slack/events", std::string(event_body), "application/json").result() ==
        beast_http::status::ok);
  CHECK(
      fx.slack_post("/slack/events", std::string(event_body), "application/json", false).result() ==
      beast_http::status::unauthorized);
  http::request lost{beast_http::verb::get,
                     "/incidents/1/secret-path?token=" + std::string(web_token), 11};
  CHECK(fx.send(std::move(lost)).result() == beast_http::status::not_found);
  CHECK(fx.scrape(false).result() == beast_http::status::unauthorized);

  fx.clock.advance(90s);
  const auto res = fx.scrape();
  REQUIRE(res.result() == beast_http::status::ok);
  CHECK(res[beast_http::field::content_type] == metrics::content_type);
  const std::string& text = res.body();
  INFO(text);

  CHECK(has(text, "# TYPE scribe_http_requests_total counter\n"));
  CHECK(has(text,
            "scribe_http_requests_total{route=\"/slack/events\",method=\"POST\",status=\"200\"} "));
  CHECK(has(text,
            "scribe_http_requests_total{route=\"/slack/events\",method=\"POST\",status=\"401\"} "));
  CHECK(
      has(text, "scribe_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} "));
  CHECK(has(text, "scribe_http_requests_total{route=\"/metrics\",method=\"GET\",status=\"401\"} "));
  CHECK(has(text, "scribe_http_request_duration_seconds_count{route=\"/slack/events\"} "));
  CHECK(has(text, "\nscribe_incidents_open 1\n"));
  CHECK(has(text, "\nscribe_timeline_entries_recorded_total 1\n"));
  CHECK(has(text, "\nscribe_queue_depth{queue=\"slack.inbox\"} 1\n"));
  CHECK(has(text, "\nscribe_queue_oldest_age_seconds{queue=\"slack.inbox\"} 90\n"));
  CHECK(has(text, "\nscribe_store_up 1\n"));
  CHECK(has(text, "\nscribe_process_start_time_seconds "));

  CHECK_FALSE(has(text, signing_secret));
  CHECK_FALSE(has(text, bot_token));
  CHECK_FALSE(has(text, web_token));
  CHECK_FALSE(has(text, "secret-path"));
  CHECK_FALSE(has(text, "Checkout"));
  CHECK_FALSE(has(text, "Ev42"));

  // Every line is a comment or a sample: the format has no room for anything else.
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    REQUIRE(end != std::string::npos);
    const std::string line = text.substr(start, end - start);
    INFO(line);
    CHECK((line.starts_with("# HELP scribe_") || line.starts_with("# TYPE scribe_") ||
           line.starts_with("scribe_")));
    start = end + 1;
  }
}

}  // namespace scribe
