#include "bot/time.hpp"
#include "bot/incident.hpp"

#include <catch2/catch.hpp>

using namespace scribe::bot;
using namespace std::chrono_literals;

TEST_CASE("RFC 3339 rendering in UTC", "[unit][time]") {
  CHECK(format_rfc3339(from_unix_micros(0)) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339(from_unix_micros(1'795'255'200'000'000)) == "2026-11-21T10:00:00Z");
  CHECK(format_rfc3339(from_unix_micros(1'482'960'137'003'543)) == "2016-12-28T21:22:17.003543Z");
  CHECK(format_rfc3339(from_unix_micros(951'782'400'000'000)) == "2000-02-29T00:00:00Z");
  CHECK(format_utc_clock(from_unix_micros(1'482'960'137'003'543)) == "21:22");
}

TEST_CASE("durations read like a person would say them", "[unit][time]") {
  CHECK(format_duration(0s) == "0s");
  CHECK(format_duration(-5s) == "0s");
  CHECK(format_duration(12s) == "12s");
  CHECK(format_duration(250s) == "4m 10s");
  CHECK(format_duration(2h) == "2h");
  CHECK(format_duration(72min) == "1h 12m");
  CHECK(format_duration(2h + 59s) == "2h");
  CHECK(format_duration(51h) == "2d 3h");
}

TEST_CASE("labels", "[unit][incident]") {
  incident inc;
  inc.number = 42;
  CHECK(incident_label(inc) == "INC-42");
  CHECK(severity_label(2) == "SEV2");
  CHECK(severity_label(std::nullopt) == "no severity");
  for (auto s : {entry_source::command, entry_source::reaction, entry_source::mention,
                 entry_source::system}) {
    CHECK(parse_entry_source(to_string(s)) == s);
  }
  CHECK_FALSE(parse_entry_source("chat").has_value());
}
