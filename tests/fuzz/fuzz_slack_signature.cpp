// Slack's request signing (adapters/slack/signature.hpp), the first thing every Slack request
// meets. The input is "timestamp\nsignature\nbody" (the body may hold more newlines): the two
// header values and the raw body. With a secret no seed was signed with, every request must be
// refused; a request signed here with that secret must be accepted.

#include "adapters/slack/signature.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace fuzz = scribe::fuzz;
namespace slack = scribe::slack;

constexpr std::string_view fuzz_secret = "fuzz-signing-secret-not-in-any-seed";

// The time a plain decimal timestamp names, when system_clock can hold it with room to spare
// (its nanoseconds since 1970 last until 2262; this takes up to 2096). Others are only checked
// for being refused.
std::optional<std::chrono::system_clock::time_point> as_time(std::string_view timestamp) {
  constexpr std::int64_t latest = 4'000'000'000;
  if (timestamp.empty() || timestamp.size() > 10) return std::nullopt;
  std::int64_t seconds = 0;
  for (const char c : timestamp) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  if (seconds > latest) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto first = text.find('\n');
  const auto second = first == std::string_view::npos ? first : text.find('\n', first + 1);
  const auto timestamp = text.substr(0, first);
  const auto signature = first == std::string_view::npos
                             ? std::string_view{}
                             : text.substr(first + 1, second - first - 1);
  const auto body = second == std::string_view::npos ? std::string_view{} : text.substr(second + 1);

  // Signed with another secret (or not at all): refused, whenever it was sent.
  const auto when = as_time(timestamp).value_or(std::chrono::system_clock::time_point{});
  SCRIBE_FUZZ_CHECK(!slack::verify_signature(fuzz_secret, timestamp, signature, body, when));
  SCRIBE_FUZZ_CHECK(!slack::verify_signature(fuzz_secret, timestamp, signature, body,
                                             std::chrono::system_clock::now()));
  // An empty secret fails closed, even with the signature it would give.
  SCRIBE_FUZZ_CHECK(
      !slack::verify_signature("", timestamp, slack::sign("", timestamp, body), body, when));

  // Signed with the right secret: accepted when fresh, refused when stale, and refused once the
  // body changes.
  if (const auto sent_at = as_time(timestamp)) {
    const std::string good = slack::sign(fuzz_secret, timestamp, body);
    SCRIBE_FUZZ_CHECK(slack::verify_signature(fuzz_secret, timestamp, good, body, *sent_at));
    SCRIBE_FUZZ_CHECK(!slack::verify_signature(fuzz_secret, timestamp, good, body,
                                               *sent_at + std::chrono::seconds(301)));
    const std::string changed = std::string(body) + "x";
    SCRIBE_FUZZ_CHECK(!slack::verify_signature(fuzz_secret, timestamp, good, changed, *sent_at));
  }
  return 0;
}
