#include "config/values.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
namespace config = scribe::config;

namespace {

// The reason a parser gives for refusing `text`.
template <class Parse>
std::string reason_for(Parse parse, const std::string& text) {
  try {
    parse(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  FAIL("expected std::invalid_argument for \"" << text << "\"");
  return {};
}

std::string duration_reason(const std::string& text) {
  return reason_for([](const std::string& t) { config::parse_duration(t); }, text);
}
std::string size_reason(const std::string& text) {
  return reason_for([](const std::string& t) { config::parse_size(t); }, text);
}
std::string host_port_reason(const std::string& text) {
  return reason_for([](const std::string& t) { config::parse_host_port(t); }, text);
}
std::string url_reason(const std::string& text) {
  return reason_for([](const std::string& t) { config::parse_public_url(t); }, text);
}

}  // namespace

TEST_CASE("parse_duration reads every unit", "[unit]") {
  CHECK(config::parse_duration("500ms") == 500ms);
  CHECK(config::parse_duration("10s") == 10s);
  CHECK(config::parse_duration("5m") == 5min);
  CHECK(config::parse_duration("4h") == 4h);
  CHECK(config::parse_duration("1d") == 24h);
  CHECK(config::parse_duration("0s") == 0ms);  // zero is a duration; keys that need more check it
  CHECK(config::parse_duration("007s") == 7s);
}

TEST_CASE("parse_duration refuses what it cannot read exactly", "[unit]") {
  CHECK_THAT(duration_reason("0"), Contains("unit is missing"));
  CHECK_THAT(duration_reason("10"), Contains("unit is missing"));
  CHECK_THAT(duration_reason("-1s"), Contains("negative"));
  CHECK_THAT(duration_reason("+1s"), Contains("whole number"));
  CHECK_THAT(duration_reason("1.5s"), Contains("e.g. 1500ms, not 1.5s"));
  // The example is in the unit that was written, not always milliseconds.
  CHECK_THAT(duration_reason("1.5h"), Contains("e.g. 90m, not 1.5h"));
  CHECK_THAT(duration_reason("2.25d"), Contains("e.g. 36h, not 1.5d"));
  CHECK_THAT(duration_reason("0,5m"), Contains("e.g. 90s, not 1.5m"));
  CHECK_THAT(duration_reason("1.5ms"), Contains("milliseconds are the smallest"));
  CHECK_THAT(duration_reason("1.5"), Contains("whole number of its unit (ms, s, m, h or d"));
  CHECK_THAT(duration_reason("10 s"), Contains("unknown unit"));
  CHECK_THAT(duration_reason("10S"), Contains("unknown unit"));
  CHECK_THAT(duration_reason("10sec"), Contains("unknown unit"));
  CHECK_THAT(duration_reason("1h30m"), Contains("unknown unit"));
  CHECK_THAT(duration_reason(" 10s"), Contains("whole number"));
  CHECK_THAT(duration_reason(""), Contains("whole number"));
  CHECK_THAT(duration_reason("s"), Contains("whole number"));
}

TEST_CASE("parse_duration caps durations at 100 years, also past 64 bits", "[unit]") {
  CHECK(config::parse_duration("36500d") == config::max_duration);
  CHECK_THAT(duration_reason("36501d"), Contains("too long"));
  CHECK_THAT(duration_reason("876001h"), Contains("too long"));
  CHECK_THAT(duration_reason("99999999999999999999d"), Contains("too long"));
  CHECK_THAT(duration_reason("99999999999999999999ms"), Contains("too long"));
}

TEST_CASE("format_duration is the inverse of parse_duration", "[unit]") {
  CHECK(config::format_duration(10s) == "10s");
  CHECK(config::format_duration(60s) == "1m");
  CHECK(config::format_duration(90s) == "90s");
  CHECK(config::format_duration(1500ms) == "1500ms");
  CHECK(config::format_duration(48h) == "2d");
  CHECK(config::format_duration(0ms) == "0s");
  CHECK(config::format_duration(-2s) == "-2s");
  for (auto d : {1ms, 999ms, 1000ms, 61000ms, 3600000ms, config::max_duration}) {
    CHECK(config::parse_duration(config::format_duration(d)) == d);
  }
}

TEST_CASE("parse_size reads bytes, KiB and MiB", "[unit]") {
  CHECK(config::parse_size("0") == 0);
  CHECK(config::parse_size("65536") == 65536);
  CHECK(config::parse_size("64KiB") == 65536);
  CHECK(config::parse_size("1MiB") == 1048576);
  CHECK(config::parse_size("18446744073709551615") == 18446744073709551615ULL);
}

TEST_CASE("parse_size refuses fractions, decimal units and overflow", "[unit]") {
  CHECK_THAT(size_reason("1.5MiB"), Contains("1536KiB"));
  CHECK_THAT(size_reason("64KB"), Contains("unknown unit"));
  CHECK_THAT(size_reason("64kib"), Contains("unknown unit"));
  CHECK_THAT(size_reason("64 KiB"), Contains("unknown unit"));
  CHECK_THAT(size_reason("-1"), Contains("negative"));
  CHECK_THAT(size_reason("MiB64"), Contains("number of bytes"));
  CHECK_THAT(size_reason("18446744073709551616"), Contains("too large"));
  CHECK_THAT(size_reason("17592186044416MiB"), Contains("too large"));  // 2^44 MiB = 2^64 bytes
}

TEST_CASE("format_size is the inverse of parse_size", "[unit]") {
  CHECK(config::format_size(65536) == "64KiB");
  CHECK(config::format_size(64 * 1024 * 1024) == "64MiB");
  CHECK(config::format_size(1500) == "1500");
  CHECK(config::format_size(0) == "0");
}

TEST_CASE("parse_whole_number checks digits and range", "[unit]") {
  CHECK(config::parse_whole_number("1", 1, 64) == 1);
  CHECK(config::parse_whole_number("64", 1, 64) == 64);
  CHECK_THROWS_WITH(config::parse_whole_number("0", 1, 64), "must be from 1 to 64");
  CHECK_THROWS_WITH(config::parse_whole_number("65", 1, 64), "must be from 1 to 64");
  CHECK_THROWS_WITH(config::parse_whole_number("99999999999999999999", 1, 64),
                    "must be from 1 to 64");
  CHECK_THROWS_WITH(config::parse_whole_number("-1", 1, 64),
                    "expected a whole number from 1 to 64");
  CHECK_THROWS_WITH(config::parse_whole_number("4.0", 1, 64),
                    "expected a whole number from 1 to 64");
  CHECK_THROWS_WITH(config::parse_whole_number("0x10", 1, 64),
                    "expected a whole number from 1 to 64");
  CHECK_THROWS_WITH(config::parse_whole_number("", 1, 64), "expected a whole number from 1 to 64");
}

TEST_CASE("parse_host_port accepts IPv4, IPv6 in brackets and hostnames", "[unit]") {
  auto v4 = config::parse_host_port("127.0.0.1:8080");
  CHECK(v4.host == "127.0.0.1");
  CHECK(v4.port == 8080);
  auto v6 = config::parse_host_port("[::1]:8443");
  CHECK(v6.host == "::1");
  CHECK(v6.port == 8443);
  auto any6 = config::parse_host_port("[::]:0");
  CHECK(any6.host == "::");
  CHECK(any6.port == 0);
  CHECK(config::parse_host_port("localhost:65535").port == 65535);
  CHECK(config::parse_host_port("scribe-1.example.com:80").host == "scribe-1.example.com");
  CHECK(config::parse_host_port("0.0.0.0:8080").host == "0.0.0.0");
}

TEST_CASE("parse_host_port says what is wrong", "[unit]") {
  CHECK(host_port_reason("abc") == "expected host:port (e.g. 127.0.0.1:8080)");
  CHECK(host_port_reason("") == "expected host:port (e.g. 127.0.0.1:8080)");
  CHECK_THAT(host_port_reason("::1:8080"), Contains("brackets"));
  CHECK_THAT(host_port_reason("[::1]"), Contains("port is missing"));
  CHECK_THAT(host_port_reason("[::1]8080"), Contains("':'"));
  CHECK_THAT(host_port_reason("[::1:8080"), Contains("']'"));
  CHECK_THAT(host_port_reason("[localhost]:80"), Contains("IPv6"));
  CHECK_THAT(host_port_reason(":8080"), Contains("host is missing"));
  CHECK_THAT(host_port_reason("localhost:"), Contains("port is missing"));
  CHECK_THAT(host_port_reason("localhost:65536"), Contains("0 to 65535"));
  CHECK_THAT(host_port_reason("localhost:-1"), Contains("0 to 65535"));
  CHECK_THAT(host_port_reason("localhost:http"), Contains("0 to 65535"));
  CHECK_THAT(host_port_reason("300.1.1.1:80"), Contains("IP address or a hostname"));
  CHECK_THAT(host_port_reason("my_host:80"), Contains("IP address or a hostname"));
  CHECK_THAT(host_port_reason("-bad.example:80"), Contains("IP address or a hostname"));
  CHECK_THAT(host_port_reason("a..b:80"), Contains("IP address or a hostname"));
  CHECK_THAT(host_port_reason("local host:80"), Contains("expected host:port"));
}

TEST_CASE("format_host_port puts brackets back around IPv6", "[unit]") {
  CHECK(config::format_host_port("::1", 8080) == "[::1]:8080");
  CHECK(config::format_host_port("127.0.0.1", 0) == "127.0.0.1:0");
}

TEST_CASE("parse_public_url accepts empty or http(s) with a host", "[unit]") {
  CHECK(config::parse_public_url("").empty());
  CHECK(config::parse_public_url("https://scribe.example.com") == "https://scribe.example.com");
  CHECK(config::parse_public_url("https://scribe.example.com/") == "https://scribe.example.com");
  CHECK(config::parse_public_url("http://127.0.0.1:8080/scribe//") ==
        "http://127.0.0.1:8080/scribe");
  CHECK(config::parse_public_url("https://[::1]:8443") == "https://[::1]:8443");
  CHECK(config::parse_public_url("HTTPS://Scribe.Example.com") == "HTTPS://Scribe.Example.com");
}

TEST_CASE("parse_public_url says what is wrong", "[unit]") {
  CHECK_THAT(url_reason("scribe.example.com"), Contains("http:// or https://"));
  CHECK_THAT(url_reason("ftp://scribe.example.com"), Contains("http:// or https://"));
  CHECK_THAT(url_reason("https://"), Contains("no host"));
  CHECK_THAT(url_reason("https:///path"), Contains("no host"));
  CHECK_THAT(url_reason("https://user:hunter2@scribe.example.com"),
             Contains("user name or password"));
  CHECK_THAT(url_reason("https://scribe.example.com/?x=1"), Contains("query"));
  CHECK_THAT(url_reason("https://scribe.example.com#top"), Contains("fragment"));
  CHECK_THAT(url_reason("https://scribe.example.com:0"), Contains("1 to 65535"));
  CHECK_THAT(url_reason("https://scribe example.com"), Contains("spaces"));
  CHECK_THAT(url_reason("https://bad_host.example.com"), Contains("IP address or a hostname"));
}

TEST_CASE("parser reasons never repeat the input, which may be a secret", "[unit]") {
  CHECK_THAT(duration_reason("hunter2"), !Contains("hunter2"));
  CHECK_THAT(duration_reason("2hunter"), !Contains("hunter"));
  CHECK_THAT(size_reason("2hunter"), !Contains("hunter"));
  CHECK_THAT(host_port_reason("hunter2"), !Contains("hunter2"));
  CHECK_THAT(host_port_reason("hunter_2:80"), !Contains("hunter"));
  CHECK_THAT(url_reason("hunter2"), !Contains("hunter2"));
  CHECK_THAT(url_reason("https://me:hunter2@example.com"), !Contains("hunter2"));
  CHECK_THROWS_WITH(config::parse_whole_number("hunter2", 1, 64), !Contains("hunter2"));
}
