// The incident pages' pure helpers (adapters/web/incident_views.hpp).
#include "adapters/web/incident_views.hpp"

#include <catch2/catch.hpp>

using namespace scribe;
using namespace std::chrono_literals;

TEST_CASE("page helpers", "[unit][web]") {
  CHECK(web::safe_link("https://example.org/x") == "https://example.org/x");
  CHECK(web::safe_link("HTTP://example.org/x") == "HTTP://example.org/x");
  CHECK(web::safe_link("/matrix/#/room") == "/matrix/#/room");
  CHECK(web::safe_link("javascript:alert(1)").empty());
  CHECK(web::safe_link("JavaScript:alert(1)").empty());
  CHECK(web::safe_link("data:text/html,x").empty());
  CHECK(web::safe_link("java\tscript:alert(1)").empty());
  CHECK(web::safe_link("https://example.org/\nx").empty());
  CHECK(web::safe_link("example.org").empty());
  CHECK(web::safe_link("").empty());

  const auto t = bot::from_unix_micros(1'795'255'200'000'000 + 3'909'250'000);  // 11:05:09.25
  CHECK(web::format_utc_time_of_day(t) == "11:05:09 UTC");

  bot::incident inc;
  inc.opened_at = t;
  CHECK(web::incident_duration(inc, t + 65min) == "open for 1h 5m");
  inc.closed_at = t + 90s;
  CHECK(web::incident_duration(inc, t + 65min) == "1m 30s");
}
