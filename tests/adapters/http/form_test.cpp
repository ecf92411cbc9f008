// application/x-www-form-urlencoded parsing and Content-Type matching. Slack is the platform that
// posts forms to Scribe, so its signing vector (tests/fixtures/slack, from Slack's "Verifying
// requests from Slack") is the real-world body read here.

#include "adapters/http/form.hpp"
#include "adapters/http/error.hpp"
#include "tests/support/catch_result.hpp"
#include "text/text.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

namespace scribe::http {
namespace {

// The bytes of tests/fixtures/slack/<name>, exactly.
std::string read_fixture(std::string_view name) {
  const std::string path = std::string{SCRIBE_SLACK_FIXTURES} + "/" + std::string{name};
  std::ifstream in{path, std::ios::binary};
  INFO("fixture " << path);
  REQUIRE(in.good());
  return std::string{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

constexpr std::string_view fffd = "\xEF\xBF\xBD";

std::string decoded_value(std::string_view body) {
  const auto form = parse_form(body);
  REQUIRE(form);
  REQUIRE(form->entries.size() == 1);
  return form->entries.front().second;
}

}  // namespace

TEST_CASE("parse_form reads Slack's signing-vector slash command", "[unit][form]") {
  const auto form = parse_form(read_fixture("slash_command_signing_vector.txt"));
  REQUIRE(form);
  CHECK(form->entries.size() == 11);
  CHECK(form->get("command") == "/webhook-collect");
  CHECK(form->get("text") == "");
  CHECK(form->get("channel_name") == "foobar");
  CHECK(form->get("response_url") ==
        "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN");
  CHECK(form->get("trigger_id") == "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");
  CHECK_FALSE(form->get("missing"));
}

TEST_CASE("parse_form decodes '+', escapes and names", "[unit][form]") {
  CHECK(decoded_value("text=open+sev2+db-2") == "open sev2 db-2");
  CHECK(decoded_value("text=a%2Bb%26c%3Dd%25") == "a+b&c=d%");
  CHECK(decoded_value("text=%e2%82%ac%E2%82%AC") == "\xE2\x82\xAC\xE2\x82\xAC");
  const auto form = parse_form("user+name=x&%74ext=y");
  REQUIRE(form);
  CHECK(form->get("user name") == "x");
  CHECK(form->get("text") == "y");
}

TEST_CASE("parse_form splits pairs as the WHATWG parser does", "[unit][form]") {
  SECTION("empty body") {
    const auto form = parse_form("");
    REQUIRE(form);
    CHECK(form->entries.empty());
  }
  SECTION("empty pairs are skipped") {
    const auto form = parse_form("&&a=1&&");
    REQUIRE(form);
    CHECK(form->entries.size() == 1);
    CHECK(form->get("a") == "1");
  }
  SECTION("a name without '=' has an empty value") {
    const auto form = parse_form("ssl_check");
    REQUIRE(form);
    CHECK(form->get("ssl_check") == "");
  }
  SECTION("the value runs to the next '&', '=' included") {
    CHECK(decoded_value("a=1=2") == "1=2");
    const auto form = parse_form("=x");
    REQUIRE(form);
    CHECK(form->get("") == "x");
  }
}

TEST_CASE("parse_form keeps duplicates and get() returns the first", "[unit][form]") {
  const auto form = parse_form("team_id=T1&text=a&team_id=T2");
  REQUIRE(form);
  CHECK(form->entries.size() == 3);
  CHECK(form->get("team_id") == "T1");
  CHECK(form->count("team_id") == 2);
  CHECK(form->count("text") == 1);
  CHECK(form->count("nothing") == 0);
}

TEST_CASE("parse_form rejects broken percent escapes", "[unit][form]") {
  for (std::string_view body :
       {"a=%", "a=%4", "a=%zz", "a=%4g", "a=1&b=%", "%g1=x", "%", "a=%%41"}) {
    INFO(body);
    const auto form = parse_form(body);
    REQUIRE_FALSE(form);
    CHECK(form.error() == http::errc::malformed_request);
  }
}

TEST_CASE("parse_form replaces invalid UTF-8 with U+FFFD", "[unit][form]") {
  CHECK(decoded_value("t=%FF") == fffd);
  CHECK(decoded_value("t=a%E2%82b") == "a" + std::string{fffd} + "b");        // truncated sequence
  CHECK(decoded_value("t=%C0%AF") == std::string{fffd} + std::string{fffd});  // overlong '/'
  CHECK(decoded_value("t=%ED%A0%80") ==
        std::string{fffd} + std::string{fffd} + std::string{fffd});  // UTF-16 surrogate
  CHECK(decoded_value("t=%C3%A9") == "\xC3\xA9");
  CHECK(text::is_valid_utf8(decoded_value("t=%F0%9F%98%80%F0%9F%98%FF%80%80%C2")));
}

TEST_CASE("replace_invalid_utf8 follows WHATWG's maximal subparts", "[unit][form]") {
  const std::string r{fffd};
  CHECK(replace_invalid_utf8("") == "");
  CHECK(replace_invalid_utf8("plain ascii") == "plain ascii");
  CHECK(replace_invalid_utf8("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");  // valid emoji
  CHECK(replace_invalid_utf8("a\xF0\x9F\x98"
                             "b") == "a" + r + "b");                 // one subpart, one U+FFFD
  CHECK(replace_invalid_utf8("\xF5\x80") == r + r);                  // never a lead byte
  CHECK(replace_invalid_utf8("\x80") == r);                          // stray continuation
  CHECK(replace_invalid_utf8("\xF4\x90\x80\x80") == r + r + r + r);  // past U+10FFFF
  CHECK(replace_invalid_utf8("\xE2\x82") == r);                      // cut at the end
}

TEST_CASE("parse_form handles a large body", "[unit][form]") {
  const std::string value(1 << 20, 'x');
  CHECK(decoded_value("payload=" + value).size() == value.size());
}

TEST_CASE("is_media_type matches the media type only", "[unit][form]") {
  constexpr std::string_view form = "application/x-www-form-urlencoded";
  CHECK(is_media_type("application/x-www-form-urlencoded", form));
  CHECK(is_media_type("Application/X-WWW-Form-URLEncoded; charset=utf-8", form));
  CHECK(is_media_type("  application/x-www-form-urlencoded ;charset=UTF-8", form));
  CHECK(is_media_type("application/json; charset=utf-8", "application/json"));
  CHECK_FALSE(is_media_type("application/x-www-form-urlencodedx", form));
  CHECK_FALSE(is_media_type("application/json", form));
  CHECK_FALSE(is_media_type("application/json-patch+json", "application/json"));
  CHECK_FALSE(is_media_type("", form));
  CHECK_FALSE(is_media_type(";", form));
}

TEST_CASE("a request target's query string reads as a form", "[unit]") {
  const auto fields = parse_query("/incidents/INC-7?workspace=T%201&next=%2Fx&workspace=T2");
  REQUIRE(fields);
  CHECK(fields->get("workspace") == "T 1");
  CHECK(fields->count("workspace") == 2);
  CHECK(parse_query("/incidents")->entries.empty());
  CHECK(parse_query("/x?")->entries.empty());
  CHECK_FALSE(parse_query("/x?a=%zz"));
  CHECK(query_value("/signin?next=%2Fincidents%2FINC-1", "next") == "/incidents/INC-1");
  CHECK(query_value("/signin?next=%zz", "next").empty());
  CHECK(query_value("/signin", "next").empty());
}

}  // namespace scribe::http
