#include "config/log.hpp"
#include "tests/support/captured_log.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <vector>

using namespace scribe;

using test_support::captured_log;

TEST_CASE("a record is one line: time, level, message, key=value fields", "[unit][log]") {
  const std::vector<log::field> fields{{"address", "127.0.0.1:8080"}, {"threads", "2"}};
  const auto line = log::format_record(log::level::info, "listening", fields);
  CHECK(std::regex_match(line, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info )"
                                          R"(msg=listening address=127\.0\.0\.1:8080 threads=2)")));
}

TEST_CASE("values that could break the line or the fields are quoted and escaped", "[unit][log]") {
  const std::vector<log::field> fields{{"text", "line one\nline two"},
                                       {"quote", "say \"hi\""},
                                       {"eq", "a=b"},
                                       {"empty", ""},
                                       {"ctl", std::string("\x01\x7f", 2)}};
  const auto line = log::format_record(log::level::warn, "chat said", fields);
  CHECK(line.find('\n') == std::string::npos);
  CHECK_THAT(line, Catch::Contains(R"(msg="chat said")"));
  CHECK_THAT(line, Catch::Contains(R"(text="line one\nline two")"));
  CHECK_THAT(line, Catch::Contains(R"(quote="say \"hi\"")"));
  CHECK_THAT(line, Catch::Contains(R"(eq="a=b")"));
  CHECK_THAT(line, Catch::Contains(R"(empty="")"));
  CHECK_THAT(line, Catch::Contains(R"(ctl="\x01\x7f")"));
}

TEST_CASE("records below the level are dropped", "[unit][log]") {
  captured_log sink;
  log::set_level(log::level::warn);
  log::info("not shown");
  log::warn("shown", {{"k", "v"}});
  log::error("shown too");
  const auto lines = sink.lines();
  REQUIRE(lines.size() == 2);
  CHECK_THAT(lines[0], Catch::Contains("level=warn msg=shown k=v"));
  CHECK_THAT(lines[1], Catch::Contains("level=error"));
}

TEST_CASE("level names", "[unit][log]") {
  log::level parsed{};
  for (auto lvl : {log::level::debug, log::level::info, log::level::warn, log::level::error}) {
    REQUIRE(log::parse_level(log::to_string(lvl), parsed));
    CHECK(parsed == lvl);
  }
  CHECK_FALSE(log::parse_level("verbose", parsed));
  CHECK_FALSE(log::parse_level("INFO", parsed));
}
