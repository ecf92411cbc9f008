#pragma once
// What came of one call to a chat platform's API, sorted into what the caller does next: use the
// answer, give up, or retry later. Each platform's client decides which of its answers is which
// (Slack: ok:false codes; Matrix: HTTP statuses and errcodes); job handlers turn the result into a
// job outcome.

#include "adapters/http/client.hpp"

#include <chrono>
#include <string>

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

}  // namespace scribe::http
