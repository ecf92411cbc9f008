#pragma once
// Who may read incident data over HTTP. Incidents are sensitive (who did what during an outage),
// so with `web.token` set every request must carry it: as a Bearer token (curl, scripts) or as the
// session cookie that GET/POST /signin sets for a browser. Without a token, data is served only
// while the server listens on loopback, where only this machine can ask. Chat webhooks never come
// here: they carry their own signatures.
//
// The session cookie is HMAC-SHA256(token, "scribe web session") in hex, not the token itself:
// a cookie that leaks (a browser profile, a proxy log) does not reveal the token, and changing
// the token signs every browser out. It is HttpOnly, Secure and SameSite=Strict, so scripts
// cannot read it and other sites' pages cannot send it.
//
// Thread-safety: immutable after construction; every member is const and safe from any thread.

#include "adapters/http/router.hpp"
#include "config/options.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace scribe::site {

// The name of the sign-in cookie.
inline constexpr std::string_view session_cookie_name = "scribe_session";

class access_policy {
 public:
  access_policy(const config::web_options& web, const config::server_options& server);

  // nullopt when `req` may read incident data; otherwise the response to send: 401 with
  // WWW-Authenticate for a missing or wrong token (or session cookie), 403 when no token is
  // configured and the server is reachable from other machines. For the JSON API and downloads.
  std::optional<http::response> refuse(const http::request& req) const;

  // As refuse(), for HTML pages a person opens: instead of the 401, a 303 to
  // /signin?next=<the requested path and query>, so the browser comes back after signing in.
  std::optional<http::response> refuse_page(const http::request& req) const;

  // As refuse(), for requests that change state (form posts): also 403 when the request carries
  // an Origin header whose host and port differ from the Host header's, i.e. another site's page
  // made the browser send it (cross-site request forgery; the check matters most without a token,
  // where a loopback server trusts every request that reaches it).
  std::optional<http::response> refuse_write(const http::request& req) const;

  // Registers GET /signin (the form), POST /signin (checks the token, sets the cookie, 303 to
  // `next`) and POST /signout (clears the cookie). `this` must outlive the routes.
  void add_signin_routes(http::router& routes) const;

  boost::asio::awaitable<http::response> handle_signin_form(http::request_context ctx) const;
  boost::asio::awaitable<http::response> handle_signin(http::request_context ctx) const;
  boost::asio::awaitable<http::response> handle_signout(http::request_context ctx) const;

  // Whether web.token is set, so that pages offer to sign out.
  bool token_required() const { return !token_.empty(); }

  // Whether every page, the API and /metrics answer 403: no web.token, and listening beyond
  // loopback. Start-up warns about it, since nothing but the chat webhooks will work.
  bool refuses_everyone() const { return token_.empty() && !loopback_only_; }

  // One line for the start-up log: how incident data is protected.
  std::string describe() const;

 private:
  bool authorized(const http::request& req) const;

  std::string token_;
  std::string session_;  // the cookie value that proves the token; empty without a token
  bool loopback_only_;
};

// Whether a listen host only accepts connections from this machine.
bool is_loopback_host(std::string_view host);

// Where to go after signing in: `next` when it is a path on this site (one leading '/', not "//"
// or "/\", which browsers read as another host, and no control characters); otherwise "/".
std::string local_redirect_target(std::string_view next);

// Whether an Origin header value ("https://scribe.example.org:8443") names the same host and port
// as a Host header value ("scribe.example.org:8443"). Hosts compare case-insensitively; a missing
// port is the scheme's default. "null" and anything unparsable are never the same.
bool same_origin(std::string_view origin, std::string_view host);

// The value of the cookie `name` in the request's Cookie headers, or "" when there is none.
std::string_view cookie_value(const http::request& req, std::string_view name);

}  // namespace scribe::site
