#pragma once
// Building responses that carry what every Scribe response needs: the request's HTTP version, its
// keep-alive choice, a Content-Length and `Server: scribe`.

#include "adapters/http/router.hpp"

#include <string>
#include <string_view>

namespace scribe::http {

// A response with `body` of `content_type`. The session still adjusts keep-alive (closing when the
// server shuts down) and strips the body of a HEAD response.
response make_response(const request& req, beast_http::status status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");

// An error response whose text/plain body is `reason` followed by a newline. `reason` is a fixed,
// helpful message: never echo secrets or unbounded request data into it.
response make_error(const request& req, beast_http::status status, std::string_view reason);

}  // namespace scribe::http
