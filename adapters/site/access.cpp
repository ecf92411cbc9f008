#include "adapters/site/access.hpp"

#include "adapters/http/form.hpp"
#include "adapters/http/responses.hpp"
#include "adapters/site/html.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <boost/asio/ip/address.hpp>

#include <stdexcept>

namespace scribe::site {
namespace {

namespace beast_http = boost::beast::http;

constexpr std::string_view bearer = "Bearer ";

bool same_secret(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

std::string session_value(std::string_view token) {
  if (token.empty()) return {};
  constexpr std::string_view purpose = "scribe web session";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), token.data(), static_cast<int>(token.size()),
           reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size(), digest,
           &size) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// "host:port" -> {host, port}; a bracketed IPv6 literal keeps its brackets. Port "" when absent.
std::pair<std::string_view, std::string_view> split_host_port(std::string_view authority) {
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket)) {
    return {authority, {}};
  }
  return {authority.substr(0, colon), authority.substr(colon + 1)};
}

std::string_view signin_error_message(bool wrong_token) {
  return wrong_token ? "<p class=\"error\" id=\"signin-error\">That is not the web token. Try "
                       "again.</p>\n"
                     : "";
}

std::string signin_page(std::string_view next, bool wrong_token) {
  std::string body = "<h1>Sign in</h1>\n";
  body += signin_error_message(wrong_token);
  body +=
      "<p>Incident pages need the web token (<code>web.token</code> in Scribe's "
      "configuration).</p>\n"
      "<form id=\"signin\" method=\"post\" action=\"/signin\">\n"
      "<label for=\"token\">Web token</label>\n"
      "<input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"current-password\" "
      "required autofocus>\n"
      "<input type=\"hidden\" name=\"next\" value=\"" +
      escape_html(local_redirect_target(next)) +
      "\">\n"
      "<button type=\"submit\">Sign in</button>\n"
      "</form>\n";
  return html_document({"Sign in", std::move(body), {}, {"/static/scribe.css"}, {}});
}

std::string cookie_header(std::string_view value, bool clear) {
  std::string header = std::string(session_cookie_name) + "=" + std::string(value) + "; Path=/";
  if (clear) header += "; Max-Age=0";
  return header + "; HttpOnly; Secure; SameSite=Strict";
}

// 403 for a request that another site's page made the browser send (see refuse_write).
std::optional<http::response> refuse_cross_site(const http::request& req) {
  const auto origin = req.find(beast_http::field::origin);
  if (origin == req.end() || same_origin(origin->value(), req[beast_http::field::host])) {
    return std::nullopt;
  }
  // A browser sends "Origin: null" for its own same-origin form posts too when the page asked for
  // no referrer; Sec-Fetch-Site is set by the browser alone, so a page elsewhere cannot fake it.
  if (origin->value() == "null" && req["Sec-Fetch-Site"] == "same-origin") return std::nullopt;
  return http::make_error(req, beast_http::status::forbidden,
                          "this form may only be sent from Scribe's own pages");
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();  // 127.0.0.0/8 and ::1, not "127.0.0.1.example.org"
}

std::string local_redirect_target(std::string_view next) {
  if (next.empty() || next[0] != '/') return "/";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";
  for (const char c : next) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "/";
  }
  return std::string(next);
}

bool same_origin(std::string_view origin, std::string_view host) {
  const auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos || host.empty()) return false;
  const std::string_view scheme = origin.substr(0, scheme_end);
  std::string_view default_port;
  if (iequal(scheme, "http")) {
    default_port = "80";
  } else if (iequal(scheme, "https")) {
    default_port = "443";
  } else {
    return false;
  }
  const std::string_view authority = origin.substr(scheme_end + 3);
  if (authority.empty() || authority.find_first_of("/?#@") != std::string_view::npos) return false;
  auto [origin_host, origin_port] = split_host_port(authority);
  auto [host_name, host_port] = split_host_port(host);
  if (origin_port.empty()) origin_port = default_port;
  if (host_port.empty()) host_port = default_port;
  return iequal(origin_host, host_name) && origin_port == host_port;
}

std::string_view cookie_value(const http::request& req, std::string_view name) {
  for (auto [it, end] = req.equal_range(beast_http::field::cookie); it != end; ++it) {
    std::string_view rest = it->value();
    while (!rest.empty()) {
      const auto semicolon = rest.find(';');
      std::string_view pair = rest.substr(0, semicolon);
      rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
        return pair.substr(equals + 1);
      }
    }
  }
  return {};
}

access_policy::access_policy(const config::web_options& web, const config::server_options& server)
    : token_(web.token),
      session_(session_value(web.token)),
      loopback_only_(is_loopback_host(server.listen_host)) {}

bool access_policy::authorized(const http::request& req) const {
  const std::string_view header = req[beast_http::field::authorization];
  if (header.starts_with(bearer) && same_secret(header.substr(bearer.size()), token_)) return true;
  const std::string_view cookie = cookie_value(req, session_cookie_name);
  return !cookie.empty() && same_secret(cookie, session_);
}

std::optional<http::response> access_policy::refuse(const http::request& req) const {
  if (token_.empty()) {
    if (!loopback_only_) {
      return http::make_error(req, beast_http::status::forbidden,
                              "incident data is served to other machines only with web.token set");
    }
    // Loopback alone does not keep other sites out: a page whose domain its owner re-points at
    // 127.0.0.1 (DNS rebinding) is same-origin with that domain, and its requests name it in Host.
    auto host = split_host_port(req[beast_http::field::host]).first;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    if (host.empty() || iequal(host, "localhost") || is_loopback_host(host)) return std::nullopt;
    return http::make_error(req, beast_http::status::forbidden,
                            "without web.token, incident data is served only to requests "
                            "addressed to this machine (Host: localhost or 127.0.0.1)");
  }
  if (authorized(req)) return std::nullopt;
  auto refused = http::make_error(req, beast_http::status::unauthorized,
                                  "send the web token as Authorization: Bearer <token>, or sign "
                                  "in at /signin");
  refused.set(beast_http::field::www_authenticate, "Bearer realm=\"scribe\"");
  return refused;
}

std::optional<http::response> access_policy::refuse_page(const http::request& req) const {
  auto refused = refuse(req);
  if (!refused || refused->result() != beast_http::status::unauthorized) return refused;
  return redirect(req, "/signin?next=" + http::percent_encode(local_redirect_target(req.target())));
}

std::optional<http::response> access_policy::refuse_write(const http::request& req) const {
  if (auto refused = refuse(req)) return refused;
  return refuse_cross_site(req);
}

void access_policy::add_signin_routes(http::router& routes) const {
  routes.add(beast_http::verb::get, "/signin",
             [this](http::request_context ctx) { return handle_signin_form(std::move(ctx)); });
  routes.add(beast_http::verb::post, "/signin",
             [this](http::request_context ctx) { return handle_signin(std::move(ctx)); });
  routes.add(beast_http::verb::post, "/signout",
             [this](http::request_context ctx) { return handle_signout(std::move(ctx)); });
}

boost::asio::awaitable<http::response> access_policy::handle_signin_form(
    http::request_context ctx) const {
  const auto& req = ctx.req;
  if (token_.empty()) {
    std::string body =
        "<h1>Sign in</h1>\n<p id=\"no-token\">No sign-in is needed: " + escape_html(describe()) +
        ".</p>\n<p><a href=\"/\">Incidents</a></p>\n";
    co_return html_response(
        req, beast_http::status::ok,
        html_document({"Sign in", std::move(body), {}, {"/static/scribe.css"}, {}}));
  }
  co_return html_response(req, beast_http::status::ok,
                          signin_page(http::query_value(req.target(), "next"), false));
}

boost::asio::awaitable<http::response> access_policy::handle_signin(
    http::request_context ctx) const {
  const auto& req = ctx.req;
  if (auto refused = refuse_cross_site(req)) co_return std::move(*refused);
  if (!http::is_media_type(req[beast_http::field::content_type],
                           "application/x-www-form-urlencoded")) {
    co_return http::make_error(req, beast_http::status::unsupported_media_type,
                               "send the sign-in form as application/x-www-form-urlencoded");
  }
  const auto form = http::parse_form(req.body());
  if (!form) co_return http::make_error(req, beast_http::status::bad_request, "malformed form");
  const std::string next = local_redirect_target(form->get("next").value_or("/"));
  if (token_.empty()) co_return redirect(req, next);
  if (!same_secret(form->get("token").value_or(""), token_)) {
    auto refused = html_response(req, beast_http::status::unauthorized, signin_page(next, true));
    refused.set(beast_http::field::www_authenticate, "Bearer realm=\"scribe\"");
    co_return refused;
  }
  auto signed_in = redirect(req, next);
  signed_in.set(beast_http::field::set_cookie, cookie_header(session_, false));
  co_return signed_in;
}

boost::asio::awaitable<http::response> access_policy::handle_signout(
    http::request_context ctx) const {
  const auto& req = ctx.req;
  if (auto refused = refuse_cross_site(req)) co_return std::move(*refused);
  auto signed_out = redirect(req, token_.empty() ? "/" : "/signin");
  signed_out.set(beast_http::field::set_cookie, cookie_header("", true));
  co_return signed_out;
}

std::string access_policy::describe() const {
  if (!token_.empty()) return "incident data requires web.token";
  return loopback_only_ ? "incident data is served without a token, to this machine only "
                          "(listening on loopback; set web.token before listening elsewhere)"
                        : "incident data is not served: set web.token to serve it beyond loopback";
}

}  // namespace scribe::site
