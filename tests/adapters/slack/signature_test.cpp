// Slack request signatures: the published test vector, the 300-second window both ways, and the
// ways a forged or broken request fails.

#include "adapters/slack/signature.hpp"
#include "adapters/http/error.hpp"
#include "tests/adapters/slack/fixture.hpp"
#include "tests/support/catch_result.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace scribe::slack {
namespace {

using namespace std::chrono_literals;
using test_support::read_fixture;

// DOC:"Verifying requests from Slack", python-slack-sdk test_signature_verifier.py.
constexpr std::string_view secret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr std::string_view timestamp = "1531420618";
constexpr std::string_view expected =
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
constexpr std::chrono::system_clock::time_point signed_at{1531420618s};

std::string body() {
  return read_fixture("slash_command_signing_vector.txt");
}

bot::result<void> verify_at(std::chrono::system_clock::time_point now,
                            std::string_view ts = timestamp) {
  return verify_signature(secret, ts, expected, body(), now);
}

}  // namespace

TEST_CASE("Slack's published vector signs and verifies", "[unit][signature]") {
  REQUIRE(body().size() == 362);
  CHECK(sign(secret, timestamp, body()) == expected);
  CHECK(verify_at(signed_at));
}

TEST_CASE("the timestamp window is 300 seconds in both directions", "[unit][signature]") {
  CHECK(verify_at(signed_at + 300s));
  CHECK(verify_at(signed_at - 300s));
  CHECK(verify_at(signed_at + 300s + 999ms));  // `now` is rounded down to whole seconds
  CHECK(verify_at(signed_at + 301s).error() == http::errc::stale_request);
  CHECK(verify_at(signed_at - 301s).error() == http::errc::stale_request);
  CHECK(verify_at(signed_at - 300s - 1ms).error() == http::errc::stale_request);
  // The real clock, as python-slack-sdk's negative test does: years after the vector was made.
  CHECK(verify_at(std::chrono::system_clock::now()).error() == http::errc::stale_request);
}

TEST_CASE("forged or altered requests fail as bad_signature", "[unit][signature]") {
  const std::string hex{expected.substr(3)};
  SECTION("tampered body") {
    CHECK(verify_signature(secret, timestamp, expected, body() + "------", signed_at).error() ==
          http::errc::bad_signature);
    std::string flipped = body();
    flipped[100] ^= 0x01;
    CHECK(verify_signature(secret, timestamp, expected, flipped, signed_at).error() ==
          http::errc::bad_signature);
  }
  SECTION("wrong secret") {
    CHECK(
        verify_signature("8f742231b10e8888abcd99yyyzzz85a6", timestamp, expected, body(), signed_at)
            .error() == http::errc::bad_signature);
  }
  SECTION("timestamp other than the signed one, inside the window") {
    CHECK(verify_signature(secret, "1531420619", expected, body(), signed_at).error() ==
          http::errc::bad_signature);
  }
  SECTION("malformed signature headers") {
    for (const std::string& header : std::vector<std::string>{
             hex, "v1=" + hex, "V0=" + hex, "v0" + hex, "v0=" + hex.substr(1), "v0=" + hex + "0",
             std::string{expected} + " ", std::string{"v0="}, std::string{"v0=a2114d57"}}) {
      INFO(header);
      CHECK(verify_signature(secret, timestamp, header, body(), signed_at).error() ==
            http::errc::bad_signature);
    }
  }
  SECTION("uppercase hex is rejected: Slack sends lowercase and the SDKs compare exactly") {
    std::string upper{expected};
    for (std::size_t i = 3; i < upper.size(); ++i) {
      if (upper[i] >= 'a' && upper[i] <= 'f') upper[i] = static_cast<char>(upper[i] - 'a' + 'A');
    }
    CHECK(verify_signature(secret, timestamp, upper, body(), signed_at).error() ==
          http::errc::bad_signature);
  }
  SECTION("an empty signing secret never verifies") {
    const std::string forged = sign("", timestamp, body());
    CHECK(verify_signature("", timestamp, forged, body(), signed_at).error() ==
          http::errc::bad_signature);
  }
}

TEST_CASE("missing headers are unsigned_request", "[unit][signature]") {
  CHECK(verify_signature(secret, "", expected, body(), signed_at).error() ==
        http::errc::unsigned_request);
  CHECK(verify_signature(secret, timestamp, "", body(), signed_at).error() ==
        http::errc::unsigned_request);
  CHECK(verify_signature(secret, "", "", "", signed_at).error() == http::errc::unsigned_request);
}

TEST_CASE("timestamps that are not plain seconds are stale_request", "[unit][signature]") {
  for (std::string_view ts : {"abc", "-1531420618", "+1531420618", " 1531420618", "1531420618 ",
                              "1531420618.5", "1531420618000", "0x5B4780CA", "99999999999999999999",
                              "9223372036854775808", "1531420618\n"}) {
    INFO(ts);
    CHECK(verify_at(signed_at, ts).error() == http::errc::stale_request);
  }
}

TEST_CASE("the base string uses the timestamp header verbatim", "[unit][signature]") {
  CHECK(sign(secret, "01531420618", body()) != sign(secret, timestamp, body()));
  const std::string padded = sign(secret, "01531420618", body());
  CHECK(verify_signature(secret, "01531420618", padded, body(), signed_at));
}

TEST_CASE("sign and verify agree on empty and binary bodies", "[unit][signature]") {
  const std::string binary{"\0\xFF\x80 payload", 11};
  for (const std::string& b : {std::string{}, binary, std::string(1 << 20, 'x')}) {
    const std::string sig = sign(secret, timestamp, b);
    CHECK(sig.size() == 67);
    CHECK(sig.starts_with("v0="));
    CHECK(verify_signature(secret, timestamp, sig, b, signed_at));
  }
}

TEST_CASE("extreme clocks do not overflow the window check", "[unit][signature]") {
  using tp = std::chrono::system_clock::time_point;
  CHECK(verify_at(tp::min()).error() == http::errc::stale_request);
  CHECK(verify_at(tp::max()).error() == http::errc::stale_request);
  CHECK(verify_at(tp{}).error() == http::errc::stale_request);
}

}  // namespace scribe::slack
