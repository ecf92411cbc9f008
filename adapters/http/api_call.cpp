#include "adapters/http/api_call.hpp"

#include <algorithm>
#include <charconv>

namespace scribe::http {

std::chrono::milliseconds retry_after_of(const client_response& response) {
  const auto it = response.headers.find(boost::beast::http::field::retry_after);
  if (it == response.headers.end()) return {};
  const std::string_view value = it->value();
  unsigned seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc{} || end != value.data() + value.size()) return {};
  return std::chrono::seconds(std::min(seconds, 3600U));
}

}  // namespace scribe::http
