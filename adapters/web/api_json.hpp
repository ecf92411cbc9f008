#pragma once
// The JSON API's answers: every /api/ route answers in these, errors included, so that a script
// reads one format.

#include "adapters/http/router.hpp"

#include <nlohmann/json.hpp>

#include <string_view>

namespace scribe::web {

// `body` pretty-printed as application/json, not cached, not sniffed. Text that is not UTF-8
// (a cut sequence from chat) is replaced rather than turned into a 500.
http::response json_response(const http::request& req, boost::beast::http::status status,
                             const nlohmann::json& body);

// {"error": reason} with `status`.
http::response json_error(const http::request& req, boost::beast::http::status status,
                          std::string_view reason);

// access_policy's plain-text refusal (refuse()), in the API's error format with the same status
// and WWW-Authenticate header.
http::response json_refusal(const http::request& req, http::response refused);

}  // namespace scribe::web
