#include "adapters/http/url.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include <algorithm>
#include <iterator>
#include <string>

namespace scribe::http {

namespace {

// Boost's error_category has a protected non-virtual destructor by design (categories are static
// singletons, never deleted through a base pointer), which -Wnon-virtual-dtor cannot tell.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class url_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "scribe.url"; }

  std::string message(int ev) const override {
    switch (static_cast<url_errc>(ev)) {
      case url_errc::unsupported_scheme: return "the URL must start with http:// or https://";
      case url_errc::missing_host: return "the URL has no host";
      case url_errc::bad_host: return "the URL's host is malformed";
      case url_errc::user_info: return "user info (user@host) in URLs is not supported";
      case url_errc::bad_port: return "the URL's port must be a number from 1 to 65535";
      case url_errc::bad_character:
        return "the URL contains a space, control or non-ASCII character (percent-encode it)";
    }
    return "unknown URL error";
  }

  boost::system::error_condition default_error_condition(int) const noexcept override {
    return boost::system::errc::make_error_condition(boost::system::errc::invalid_argument);
  }
};
#pragma GCC diagnostic pop

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 3986 reg-name without percent-encoding: enough for DNS names, which is all resolvers take.
bool is_host_char(char c) {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// Bytes that would end the request line early or split it (request smuggling) if sent raw.
bool is_forbidden_in_target(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte >= 0x7f;
}

}  // namespace

const boost::system::error_category& url_category() noexcept {
  static const url_category_impl category;
  return category;
}

boost::system::error_code make_error_code(url_errc e) noexcept {
  return {static_cast<int>(e), url_category()};
}

std::string url::host_header() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  std::string value = ipv6 ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) value += ":" + std::to_string(port);
  return value;
}

std::string url::origin() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return std::string(tls ? "https://" : "http://") + (ipv6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

boost::system::result<url> parse_url(std::string_view text) {
  url parsed;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return make_error_code(url_errc::unsupported_scheme);
  const auto scheme = text.substr(0, scheme_end);
  if (iequals_ascii(scheme, "https")) {
    parsed.tls = true;
  } else if (!iequals_ascii(scheme, "http")) {
    return make_error_code(url_errc::unsupported_scheme);
  }
  std::string_view rest = text.substr(scheme_end + 3);
  if (std::any_of(rest.begin(), rest.end(), is_forbidden_in_target)) {
    return make_error_code(url_errc::bad_character);
  }

  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path_and_more =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return make_error_code(url_errc::user_info);

  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return make_error_code(url_errc::bad_host);
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return make_error_code(url_errc::bad_host);
      has_port = true;
      port_text = after.substr(1);
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(std::string(host), ec);
    if (ec) return make_error_code(url_errc::bad_host);
    parsed.host_is_ip = true;
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (host.empty()) return make_error_code(url_errc::missing_host);
    if (!std::all_of(host.begin(), host.end(), is_host_char)) {
      return make_error_code(url_errc::bad_host);
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address_v4(std::string(host), ec);
    parsed.host_is_ip = !ec;
  }
  if (host.empty()) return make_error_code(url_errc::missing_host);
  parsed.host.reserve(host.size());
  std::transform(host.begin(), host.end(), std::back_inserter(parsed.host), lower);

  if (has_port) {
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      return make_error_code(url_errc::bad_port);
    }
    const unsigned long number = std::stoul(std::string(port_text));
    if (number == 0 || number > 65535) return make_error_code(url_errc::bad_port);
    parsed.port = static_cast<std::uint16_t>(number);
  } else {
    parsed.port = parsed.tls ? 443 : 80;
  }

  path_and_more = path_and_more.substr(0, path_and_more.find('#'));
  if (path_and_more.empty() || path_and_more.front() != '/') parsed.target = "/";
  parsed.target += path_and_more;
  return parsed;
}

}  // namespace scribe::http
