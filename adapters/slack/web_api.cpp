#include "adapters/slack/web_api.hpp"

#include "adapters/slack/payloads.hpp"
#include "config/log.hpp"

#include <boost/system/system_error.hpp>

#include <array>

namespace scribe::slack {
namespace {

namespace beast_http = boost::beast::http;

// Codes that mean "not now" rather than "never" (Slack's per-method error lists).
bool is_transient_error(std::string_view code) {
  static constexpr std::array<std::string_view, 6> transient{
      "ratelimited", "rate_limited",        "internal_error",
      "fatal_error", "service_unavailable", "request_timeout"};
  for (auto t : transient) {
    if (code == t) return true;
  }
  return false;
}

}  // namespace

web_api::web_api(http::client& client, std::string base_url, std::string bot_token)
    : client_(client), base_url_(std::move(base_url)), bot_token_(std::move(bot_token)) {}

boost::asio::awaitable<call_result> web_api::call_form(std::string method, form_params params) {
  http::client_request request{beast_http::verb::post,
                               base_url_ + "/" + method,
                               {{"Authorization", "Bearer " + bot_token_},
                                {"Content-Type", "application/x-www-form-urlencoded"}},
                               http::encode_form(params)};
  co_return co_await send(std::move(method), std::move(request), true);
}

boost::asio::awaitable<call_result> web_api::call_json(std::string method, nlohmann::json body) {
  http::client_request request{beast_http::verb::post,
                               base_url_ + "/" + method,
                               {{"Authorization", "Bearer " + bot_token_},
                                {"Content-Type", "application/json; charset=utf-8"}},
                               body.dump()};
  co_return co_await send(std::move(method), std::move(request), true);
}

boost::asio::awaitable<call_result> web_api::post_response_url(std::string url,
                                                               nlohmann::json body) {
  http::client_request request{beast_http::verb::post,
                               std::move(url),
                               {{"Content-Type", "application/json; charset=utf-8"}},
                               body.dump()};
  // Counted as one method: the URL itself is a secret-like capability and unbounded.
  co_return co_await send("response_url", std::move(request), false);
}

boost::asio::awaitable<call_result> web_api::send(std::string method, http::client_request request,
                                                  bool expect_api_json) {
  std::string code;
  auto result = co_await exchange(std::move(request), expect_api_json, code);
  http::count_api_call("slack", method, result, code);
  co_return result;
}

boost::asio::awaitable<call_result> web_api::exchange(http::client_request request,
                                                      bool expect_api_json, std::string& code) {
  // The path names the method; the query and body are not logged (they hold message text).
  const std::string target = request.url.substr(0, request.url.find('?'));
  http::client_response response;
  try {
    response = co_await client_.send(std::move(request));
  } catch (const boost::system::system_error& e) {
    code = http::transport_error_code(e.code());
    co_return call_result{call_result::kind::retry, {}, e.code().message(), {}};
  }
  if (response.status != 200) code = http::http_status_code(response.status);
  if (response.status == 429) {
    co_return call_result{call_result::kind::retry, {}, "HTTP 429", http::retry_after_of(response)};
  }
  if (response.status >= 500) {
    co_return call_result{
        call_result::kind::retry, {}, "HTTP " + std::to_string(response.status), {}};
  }
  if (response.status != 200) {
    co_return call_result{
        call_result::kind::failed, {}, "HTTP " + std::to_string(response.status), {}};
  }
  if (!expect_api_json)
    co_return call_result{call_result::kind::ok, std::move(response.body), {}, {}};
  auto parsed = parse_api_result(response.body);
  if (!parsed) {
    log::warn("slack api: unreadable response", {{"url", target}});
    code = "unreadable_response";
    co_return call_result{call_result::kind::retry, {}, "unreadable response", {}};
  }
  if (parsed->ok) co_return call_result{call_result::kind::ok, std::move(response.body), {}, {}};
  const auto kind =
      is_transient_error(parsed->error) ? call_result::kind::retry : call_result::kind::failed;
  log::warn("slack api error", {{"url", target}, {"error", parsed->error}});
  code = parsed->error;
  co_return call_result{kind, std::move(response.body), parsed->error, {}};
}

}  // namespace scribe::slack
