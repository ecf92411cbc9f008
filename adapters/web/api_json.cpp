#include "adapters/web/api_json.hpp"

#include "adapters/http/responses.hpp"

namespace scribe::web {

namespace beast_http = boost::beast::http;
using json = nlohmann::json;

http::response json_response(const http::request& req, beast_http::status status,
                             const json& body) {
  // Chat text is UTF-8, but a cut sequence must not turn an answer into a 500.
  auto response = http::make_response(
      req, status, body.dump(2, ' ', false, json::error_handler_t::replace) + "\n",
      "application/json");
  response.set("X-Content-Type-Options", "nosniff");
  response.set(beast_http::field::cache_control, "no-store");
  return response;
}

http::response json_error(const http::request& req, beast_http::status status,
                          std::string_view reason) {
  return json_response(req, status, json{{"error", reason}});
}

http::response json_refusal(const http::request& req, http::response refused) {
  std::string_view reason = refused.body();
  while (reason.ends_with('\n')) reason.remove_suffix(1);
  auto response = json_error(req, refused.result(), reason);
  if (const auto challenge = refused.find(beast_http::field::www_authenticate);
      challenge != refused.end()) {
    response.set(beast_http::field::www_authenticate, challenge->value());
  }
  return response;
}

}  // namespace scribe::web
