#pragma once
// What came of one call to a chat platform's API, sorted into what the caller does next: use the
// answer, give up, or retry later. Each platform's client decides which of its answers is which
// (Slack: ok:false codes; Matrix: HTTP statuses and errcodes); job handlers turn the result into a
// job outcome.

#include "adapters/http/client.hpp"

#include <boost/system/error_code.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace scribe::http {

struct call_result {
  enum class kind {
    ok,      // `body` holds the response
    failed,  // an error that retrying will not fix; `error` holds the platform's code
    retry,   // try again later, after `retry_after` if the platform said so
  };
  kind what = kind::retry;
  std::string body;
  std::string error;
  std::chrono::milliseconds retry_after{0};

  static call_result ok(std::string body = {}) { return {kind::ok, std::move(body), {}, {}}; }
};

// A response's Retry-After in seconds (RFC 9110 10.2.3; the HTTP-date form is not used by chat
// platforms), capped at an hour; 0 when absent or unreadable.
std::chrono::milliseconds retry_after_of(const client_response& response);

// The error code a failed call is counted under when the platform gave none: "timeout", "tls"
// (handshake or certificate), "dns", "connection_refused", "bad_response" (not HTTP, or too
// large), "invalid_request" (a bad URL), else "network".
std::string_view transport_error_code(const boost::system::error_code& ec);

// The metric label for an HTTP status the platform answered with: "http_429", "http_503".
std::string http_status_code(unsigned status);

// Counts one call to a chat platform's API in scribe_chat_api_calls_total and, unless it
// succeeded, scribe_chat_api_errors_total. `platform` ("slack", "matrix") and `method`
// ("chat.postMessage", "send") come from Scribe's code; `code` is the platform's error code or one
// of the two functions above. A code that is not 1-64 characters of A-Z a-z 0-9 _ . - is counted
// as "other": an answer from the network must not invent label values without bound. Thread-safe.
void count_api_call(std::string_view platform, std::string_view method, const call_result& result,
                    std::string_view code);

}  // namespace scribe::http
