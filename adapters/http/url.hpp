#pragma once
// The URLs Scribe's HTTP client accepts: absolute http:// and https:// URLs of the form
// scheme://host[:port][/path][?query][#fragment], as RFC 3986 writes them. Chat platforms' API
// bases (https://slack.com/api, a Matrix homeserver) and the http:// URLs tests and proxies use
// all have this shape; anything else (user info, relative references, other schemes) is refused
// rather than guessed at.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace scribe::http {

// Why parse_url() refused a URL. Each compares equal to std::errc::invalid_argument.
enum class url_errc {
  unsupported_scheme = 1,  // not http:// or https://
  missing_host,
  bad_host,       // a character not allowed in a host name, or a malformed [IPv6] literal
  user_info,      // user:password@ is not supported: credentials travel in headers
  bad_port,       // empty, not a number, 0 or over 65535
  bad_character,  // a space, control or non-ASCII byte: it must be percent-encoded
};

const boost::system::error_category& url_category() noexcept;
boost::system::error_code make_error_code(url_errc e) noexcept;

struct url {
  bool tls = false;  // https
  // Lower-cased; an IPv6 literal without its brackets ("::1").
  std::string host;
  std::uint16_t port = 0;  // the scheme's default when the URL names none
  // Path and query as written, "/" when the URL has no path; the fragment is dropped (it is never
  // sent). May carry secrets (a query token): never log it whole, see loggable_path().
  std::string target;
  bool host_is_ip = false;  // an IPv4 or IPv6 literal: no SNI, certificate checked for the IP

  // The Host header's value: the host (IPv6 in brackets), with ":port" unless it is the default.
  std::string host_header() const;
  // "https://host:port", for log lines and error messages: never the target.
  std::string origin() const;
};

// Parses an absolute http(s) URL. Fails with a url_errc for anything else.
boost::system::result<url> parse_url(std::string_view text);

}  // namespace scribe::http

template <>
struct boost::system::is_error_code_enum<scribe::http::url_errc> : std::true_type {};
