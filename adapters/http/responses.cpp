#include "adapters/http/responses.hpp"

#include <boost/beast/http/field.hpp>

#include <utility>

namespace scribe::http {

response make_response(const request& req, beast_http::status status, std::string body,
                       std::string_view content_type) {
  response res{status, req.version()};
  res.set(beast_http::field::server, "scribe");
  res.set(beast_http::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

response make_error(const request& req, beast_http::status status, std::string_view reason) {
  std::string body;
  body.reserve(reason.size() + 1);
  body.append(reason);
  body.push_back('\n');
  return make_response(req, status, std::move(body));
}

}  // namespace scribe::http
