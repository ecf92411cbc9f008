#include "adapters/http/api_call.hpp"

#include "metrics/catalog.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

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

std::string_view transport_error_code(const boost::system::error_code& ec) {
  namespace asio_error = boost::asio::error;
  if (ec == asio_error::timed_out) return "timeout";
  if (ec.category() == asio_error::get_ssl_category() ||
      ec.category() == boost::asio::ssl::error::get_stream_category()) {
    return "tls";
  }
  if (ec.category() == asio_error::get_netdb_category() ||
      ec.category() == asio_error::get_addrinfo_category()) {
    return "dns";
  }
  if (ec == asio_error::connection_refused) return "connection_refused";
  if (ec.category() ==
      boost::beast::http::make_error_code(boost::beast::http::error::body_limit).category()) {
    return "bad_response";
  }
  if (ec == boost::system::errc::invalid_argument) return "invalid_request";
  return "network";
}

std::string http_status_code(unsigned status) {
  return "http_" + std::to_string(status);
}

void count_api_call(std::string_view platform, std::string_view method, const call_result& result,
                    std::string_view code) {
  std::string_view outcome = "ok";
  if (result.what == call_result::kind::failed) outcome = "failed";
  if (result.what == call_result::kind::retry) outcome = "retry";
  metrics::chat_api_calls().with({platform, method, outcome}).inc();
  if (result.what == call_result::kind::ok) return;
  const bool bounded =
      !code.empty() && code.size() <= 64 && std::all_of(code.begin(), code.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
      });
  metrics::chat_api_errors().with({platform, method, bounded ? code : "other"}).inc();
}

}  // namespace scribe::http
