#include "adapters/web/access.hpp"

#include "adapters/http/responses.hpp"

#include <openssl/crypto.h>

namespace scribe::web {
namespace {

namespace beast_http = boost::beast::http;

constexpr std::string_view bearer = "Bearer ";

bool same_secret(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

access_policy::access_policy(const config::web_options& web, const config::server_options& server)
    : token_(web.token), loopback_only_(is_loopback_host(server.listen_host)) {}

std::optional<http::response> access_policy::refuse(const http::request& req) const {
  if (token_.empty()) {
    if (loopback_only_) return std::nullopt;
    return http::make_error(req, beast_http::status::forbidden,
                            "incident data is served to other machines only with web.token set");
  }
  const std::string_view header = req[beast_http::field::authorization];
  if (header.starts_with(bearer) && same_secret(header.substr(bearer.size()), token_)) {
    return std::nullopt;
  }
  auto refused = http::make_error(req, beast_http::status::unauthorized,
                                  "send the web token as Authorization: Bearer <token>");
  refused.set(beast_http::field::www_authenticate, "Bearer realm=\"scribe\"");
  return refused;
}

std::string access_policy::describe() const {
  if (!token_.empty()) return "incident data requires web.token";
  return loopback_only_ ? "incident data is served without a token, to this machine only "
                          "(listening on loopback; set web.token before listening elsewhere)"
                        : "incident data is not served: set web.token to serve it beyond loopback";
}

}  // namespace scribe::web
