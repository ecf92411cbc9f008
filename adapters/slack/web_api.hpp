#pragma once
// Calls to Slack's Web API (PROTOCOLS.md section 5), sorted into what the caller must do next:
// use the answer, give up, or retry later.
//
// Slack answers HTTP 200 with {"ok":false,"error":...} for most failures; only 200 and 429 are
// meaningful statuses. 429 carries Retry-After in seconds. Connection failures, timeouts, 5xx,
// unparsable bodies and the transient error codes (ratelimited, internal_error...) are retries.
//
// Every call is counted in scribe_chat_api_calls_total{platform="slack"} under its method name
// (a response_url post as "response_url"), and a failed one in scribe_chat_api_errors_total under
// Slack's error code, "http_<status>" or the transport's code (http::transport_error_code).
//
// Thread-safety: as http::client. Lifetime: the client must outlive this object.

#include "adapters/http/api_call.hpp"
#include "adapters/http/client.hpp"
#include "adapters/http/form.hpp"

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace scribe::slack {

using call_result = http::call_result;

using form_params = http::form_pairs;

class web_api {
 public:
  web_api(http::client& client, std::string base_url, std::string bot_token);

  // Read methods as form posts (the encoding every method accepts).
  boost::asio::awaitable<call_result> call_form(std::string method, form_params params);
  // Write methods as JSON, which needs the token in the Authorization header.
  boost::asio::awaitable<call_result> call_json(std::string method, nlohmann::json body);
  // A slash command's or shortcut's response_url: no token, a plain "ok" on success.
  boost::asio::awaitable<call_result> post_response_url(std::string url, nlohmann::json body);

 private:
  // Sends, sorts and counts the call in the chat API metrics under `method`.
  boost::asio::awaitable<call_result> send(std::string method, http::client_request request,
                                           bool expect_api_json);
  // Sends and sorts; `code` receives the error code the call is counted under ("" when ok).
  boost::asio::awaitable<call_result> exchange(http::client_request request, bool expect_api_json,
                                               std::string& code);

  http::client& client_;
  const std::string base_url_;
  const std::string bot_token_;
};

}  // namespace scribe::slack
