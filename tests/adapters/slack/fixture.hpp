#pragma once
// Helpers for the Slack tests: reading tests/fixtures/slack (see its README for each file's
// source) and building form bodies as Slack sends them.

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace scribe::slack::test_support {

// The bytes of tests/fixtures/slack/<name>, exactly; fails the test if the file is missing.
inline std::string read_fixture(std::string_view name) {
  const std::string path = std::string{SCRIBE_SLACK_FIXTURES} + "/" + std::string{name};
  std::ifstream in{path, std::ios::binary};
  INFO("fixture " << path);
  REQUIRE(in.good());
  return std::string{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

// Percent-encodes everything but unreserved characters, as Slack (and URLSearchParams, which
// writes spaces as '+') does for form values.
inline std::string form_encode(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '*') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[byte >> 4];
      out += hex[byte & 0x0F];
    }
  }
  return out;
}

}  // namespace scribe::slack::test_support
