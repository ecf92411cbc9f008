// The small Matrix readers of request metadata (adapters/matrix/payloads.hpp): the hs_token check
// on every homeserver request, the user ID of GET /_matrix/app/v1/users/{userId}, the reaction key
// match and the error body. The input is "authorization\nquery token\n..." for check_hs_token (no
// second line: no ?access_token=), and is read whole as a user ID.

#include "adapters/matrix/payloads.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace fuzz = scribe::fuzz;
namespace matrix = scribe::matrix;
namespace beast_http = boost::beast::http;

constexpr std::string_view hs_token = "fuzz-hs-token";

void check_token(std::string_view authorization, std::optional<std::string_view> query) {
  const auto check = matrix::check_hs_token(authorization, query, hs_token);
  switch (check.outcome) {
    case matrix::hs_token_outcome::ok:
      SCRIBE_FUZZ_CHECK(check.ok() && check.status == beast_http::status::ok);
      // Accepted only when the token was really sent, in the header or the query.
      SCRIBE_FUZZ_CHECK(query == hs_token || authorization.find(hs_token) != std::string::npos);
      break;
    case matrix::hs_token_outcome::missing:
      SCRIBE_FUZZ_CHECK(check.status == beast_http::status::unauthorized);
      SCRIBE_FUZZ_CHECK(check.errcode == matrix::errcode_missing_token);
      break;
    case matrix::hs_token_outcome::wrong:
      SCRIBE_FUZZ_CHECK(check.status == beast_http::status::forbidden);
      SCRIBE_FUZZ_CHECK(check.errcode == matrix::errcode_forbidden);
      break;
  }
  // An empty hs_token matches nothing.
  SCRIBE_FUZZ_CHECK(!matrix::check_hs_token(authorization, query, "").ok());
}

void check_user_id(std::string_view user_id) {
  const auto parts = matrix::parse_user_id(user_id);
  if (!parts) return;
  SCRIBE_FUZZ_CHECK(user_id.size() <= 255);
  SCRIBE_FUZZ_CHECK(!parts->localpart.empty() && !parts->server_name.empty());
  SCRIBE_FUZZ_CHECK("@" + parts->localpart + ":" + parts->server_name == user_id);
  for (const char c : parts->localpart) {
    SCRIBE_FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      std::string_view("._=-/+").find(c) != std::string_view::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto lines = fuzz::split(text, '\n');
  const std::optional<std::string_view> query =
      lines.size() > 1 ? std::optional<std::string_view>(lines[1]) : std::nullopt;
  check_token(lines[0], query);
  check_user_id(text);

  // A key matches itself unless nothing is left once U+FE0F is removed; nothing matches an empty
  // configured emoji.
  const bool no_emoji = lines[0].empty() || lines[0] == "\xEF\xB8\x8F";
  SCRIBE_FUZZ_CHECK(matrix::flag_key_matches(lines[0], lines[0]) == !no_emoji);
  SCRIBE_FUZZ_CHECK(!matrix::flag_key_matches(lines[0], ""));
  if (query) (void)matrix::flag_key_matches(lines[0], *query);

  // The error body is JSON whatever it quotes.
  const auto body = matrix::error_body(lines[0], query.value_or(""));
  SCRIBE_FUZZ_CHECK(!nlohmann::json::parse(body, nullptr, false).is_discarded());
  return 0;
}
