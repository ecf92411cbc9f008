#include "adapters/matrix/client_api.hpp"

#include "adapters/http/form.hpp"
#include "config/log.hpp"

#include <boost/system/system_error.hpp>

#include <algorithm>

namespace scribe::matrix {
namespace {

namespace beast_http = boost::beast::http;

constexpr std::string_view client_prefix = "/_matrix/client/v3";

std::string segment(std::string_view value) {
  return "/" + http::percent_encode(value);
}

// 429's delay: Retry-After when sent, else the body's retry_after_ms (deprecated since v1.10
// but still sent by some servers; PROTOCOLS.md 8 "Errors"), capped at an hour.
std::chrono::milliseconds rate_limit_delay(const http::client_response& response) {
  if (auto header = http::retry_after_of(response); header.count() > 0) return header;
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object()) return {};
  const auto it = body.find("retry_after_ms");
  if (it == body.end() || !it->is_number_integer()) return {};
  const auto ms = std::clamp<std::int64_t>(it->get<std::int64_t>(), 0, 3'600'000);
  return std::chrono::milliseconds(ms);
}

}  // namespace

std::string error_code_of(std::string_view body) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_object()) return {};
  const auto it = parsed.find("errcode");
  return it != parsed.end() && it->is_string() ? it->get<std::string>() : std::string();
}

client_api::client_api(http::client& client, std::string homeserver_url, std::string as_token)
    : client_(client), base_url_(std::move(homeserver_url)), as_token_(std::move(as_token)) {}

boost::asio::awaitable<call_result> client_api::send(std::string room_id, std::string event_type,
                                                     std::string txn_id, nlohmann::json content) {
  std::string path = std::string(client_prefix) + "/rooms" + segment(room_id) + "/send" +
                     segment(event_type) + segment(txn_id);
  co_return co_await call("send", beast_http::verb::put, std::move(path), content.dump());
}

boost::asio::awaitable<call_result> client_api::redact(std::string room_id, std::string event_id,
                                                       std::string txn_id, std::string reason) {
  std::string path = std::string(client_prefix) + "/rooms" + segment(room_id) + "/redact" +
                     segment(event_id) + segment(txn_id);
  nlohmann::json body = nlohmann::json::object();
  if (!reason.empty()) body["reason"] = reason;
  co_return co_await call("redact", beast_http::verb::put, std::move(path), body.dump());
}

boost::asio::awaitable<call_result> client_api::join(std::string room_id_or_alias) {
  std::string path = std::string(client_prefix) + "/join" + segment(room_id_or_alias);
  co_return co_await call("join", beast_http::verb::post, std::move(path), "{}");
}

boost::asio::awaitable<call_result> client_api::get_event(std::string room_id,
                                                          std::string event_id) {
  std::string path =
      std::string(client_prefix) + "/rooms" + segment(room_id) + "/event" + segment(event_id);
  co_return co_await call("get_event", beast_http::verb::get, std::move(path), {});
}

boost::asio::awaitable<call_result> client_api::relations(std::string room_id, std::string event_id,
                                                          std::string rel_type,
                                                          std::string event_type) {
  std::string path = "/_matrix/client/v1/rooms" + segment(room_id) + "/relations" +
                     segment(event_id) + segment(rel_type) + segment(event_type);
  co_return co_await call("relations", beast_http::verb::get, std::move(path), {});
}

boost::asio::awaitable<call_result> client_api::joined_members(std::string room_id) {
  std::string path = std::string(client_prefix) + "/rooms" + segment(room_id) + "/joined_members";
  co_return co_await call("joined_members", beast_http::verb::get, std::move(path), {});
}

boost::asio::awaitable<call_result> client_api::call(std::string_view method_label,
                                                     beast_http::verb method, std::string path,
                                                     std::string body) {
  std::string code;
  auto result = co_await exchange(method, std::move(path), std::move(body), code);
  http::count_api_call("matrix", method_label, result, code);
  co_return result;
}

boost::asio::awaitable<call_result> client_api::exchange(beast_http::verb method, std::string path,
                                                         std::string body, std::string& code) {
  http::client_request request{
      method, base_url_ + path, {{"Authorization", "Bearer " + as_token_}}, std::move(body)};
  if (method != beast_http::verb::get) {
    request.headers.emplace_back("Content-Type", "application/json");
  }
  http::client_response response;
  try {
    response = co_await client_.send(std::move(request));
  } catch (const boost::system::system_error& e) {
    code = http::transport_error_code(e.code());
    co_return call_result{call_result::kind::retry, {}, e.code().message(), {}};
  }
  if (response.status == 200) co_return call_result::ok(std::move(response.body));
  std::string errcode = error_code_of(response.body);
  code = errcode.empty() ? http::http_status_code(response.status) : errcode;
  if (errcode.empty()) errcode = "HTTP " + std::to_string(response.status);
  if (response.status == 429) {
    co_return call_result{call_result::kind::retry, {}, errcode, rate_limit_delay(response)};
  }
  if (response.status >= 500) co_return call_result{call_result::kind::retry, {}, errcode, {}};
  // The path names rooms and events, which are not secret; bodies are never logged.
  log::warn("matrix api error",
            {{"path", path}, {"status", std::to_string(response.status)}, {"errcode", errcode}});
  co_return call_result{call_result::kind::failed, std::move(response.body), errcode, {}};
}

}  // namespace scribe::matrix
