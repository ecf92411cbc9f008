#include "config/values.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <system_error>

namespace scribe::config {
namespace {

using std::chrono::milliseconds;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// from_chars itself rejects signs for unsigned types and never skips spaces; requiring the whole
// text to be consumed rejects "10 " and "1e3".
enum class number_result { ok, not_a_number, too_large };
number_result to_number(std::string_view digits, std::uint64_t& out) {
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), is_digit))
    return number_result::not_a_number;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec == std::errc::result_out_of_range) return number_result::too_large;
  if (ec != std::errc{} || end != digits.data() + digits.size()) return number_result::not_a_number;
  return number_result::ok;
}

std::size_t leading_digits(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && is_digit(text[n])) ++n;
  return n;
}

struct unit {
  std::string_view suffix;
  std::uint64_t factor;
};

// Largest first: format_* picks the first unit that divides the value.
constexpr std::array duration_units{unit{"d", 86'400'000}, unit{"h", 3'600'000}, unit{"m", 60'000},
                                    unit{"s", 1'000}, unit{"ms", 1}};
constexpr std::array size_units{unit{"MiB", 1024 * 1024}, unit{"KiB", 1024}, unit{"", 1}};

bool is_ipv4_literal(std::string_view host) {
  std::string copy(host);  // inet_pton needs a terminated string
  in_addr addr{};
  return inet_pton(AF_INET, copy.c_str(), &addr) == 1;
}

bool is_ipv6_literal(std::string_view host) {
  std::string copy(host);
  in6_addr addr{};
  return inet_pton(AF_INET6, copy.c_str(), &addr) == 1;
}

bool is_hostname(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::string_view last_label;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = host.find('.', start);
    std::string_view label =
        host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      bool ok = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
      if (!ok) return false;
    }
    last_label = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // A name whose last label is all digits reads as an IPv4 address (as URL parsers treat it), so
  // "300.1.1.1" is a mistyped address, not a hostname.
  return !std::all_of(last_label.begin(), last_label.end(), is_digit);
}

std::uint16_t parse_port(std::string_view text, std::uint16_t min) {
  if (text.empty()) throw std::invalid_argument("the port is missing after ':'");
  std::uint64_t port = 0;
  if (to_number(text, port) != number_result::ok || port > 65535 || port < min) {
    throw std::invalid_argument(min == 0 ? "the port must be a number from 0 to 65535"
                                         : "the port must be a number from 1 to 65535");
  }
  return static_cast<std::uint16_t>(port);
}

// Splits "host:port" or "[v6]:port"; the host is returned without brackets.
struct split_authority {
  std::string_view host;
  std::string_view port;  // empty when there was no ':'
  bool has_port = false;
  bool bracketed = false;
};

split_authority split_host_port(std::string_view text) {
  split_authority out;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos)
      throw std::invalid_argument("missing ']' after the IPv6 address");
    out.host = text.substr(1, close - 1);
    out.bracketed = true;
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw std::invalid_argument("expected ':' and a port after ']'");
      out.has_port = true;
      out.port = rest.substr(1);
    }
    return out;
  }
  std::size_t colon = text.rfind(':');
  if (colon != std::string_view::npos && text.find(':') != colon) {
    throw std::invalid_argument("an IPv6 address must be written in brackets, e.g. [::1]:8080");
  }
  out.host = text.substr(0, colon);
  if (colon != std::string_view::npos) {
    out.has_port = true;
    out.port = text.substr(colon + 1);
  }
  return out;
}

void check_host(const split_authority& parts) {
  if (parts.bracketed) {
    if (!is_ipv6_literal(parts.host))
      throw std::invalid_argument("the host in brackets is not an IPv6 address");
    return;
  }
  if (parts.host.empty()) throw std::invalid_argument("the host is missing");
  if (!is_valid_host(parts.host)) {
    throw std::invalid_argument("the host must be an IP address or a hostname such as localhost");
  }
}

bool has_space_or_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == '\x7f'; });
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// Why "1.5h" is refused, with an example in the unit that was written: 1.5 of it in the next
// smaller unit ("90m, not 1.5h"). The example is the same for every input with that unit, so the
// reason never repeats the value (see values.hpp).
std::string fraction_reason(std::string_view unit_written) {
  constexpr std::string_view reason = "a duration must be a whole number of its unit";
  const auto found = std::find_if(duration_units.begin(), duration_units.end(),
                                  [&](const unit& u) { return u.suffix == unit_written; });
  if (found == duration_units.end()) {
    return std::string(reason) + " (ms, s, m, h or d, e.g. 90m, not 1.5h)";
  }
  if (found + 1 == duration_units.end()) {
    return std::string(reason) + ": milliseconds are the smallest (e.g. 2ms, not 1.5ms)";
  }
  const unit& smaller = *(found + 1);
  return std::string(reason) + ": write a fraction in a smaller unit (e.g. " +
         std::to_string(found->factor * 3 / 2 / smaller.factor) + std::string(smaller.suffix) +
         ", not 1.5" + std::string(found->suffix) + ")";
}

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text) {
  constexpr std::string_view expected =
      "expected a whole number followed by ms, s, m, h or d (e.g. 10s)";
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    throw std::invalid_argument(text.front() == '-' ? "a duration cannot be negative"
                                                    : std::string(expected));
  }
  std::size_t digits = leading_digits(text);
  if (digits == 0) throw std::invalid_argument(std::string(expected));
  std::string_view suffix = text.substr(digits);
  if (!suffix.empty() && (suffix.front() == '.' || suffix.front() == ',')) {
    throw std::invalid_argument(
        fraction_reason(suffix.substr(1 + leading_digits(suffix.substr(1)))));
  }
  if (suffix.empty())
    throw std::invalid_argument("the unit is missing (ms, s, m, h or d, e.g. 10s)");
  auto found = std::find_if(duration_units.begin(), duration_units.end(),
                            [&](const unit& u) { return u.suffix == suffix; });
  if (found == duration_units.end()) {
    throw std::invalid_argument("unknown unit (use ms, s, m, h or d, e.g. 10s)");
  }
  std::uint64_t count = 0;
  auto max_count = static_cast<std::uint64_t>(max_duration.count()) / found->factor;
  if (to_number(text.substr(0, digits), count) != number_result::ok || count > max_count) {
    throw std::invalid_argument("too long (at most 36500d)");
  }
  return milliseconds(static_cast<milliseconds::rep>(count * found->factor));
}

std::string format_duration(std::chrono::milliseconds duration) {
  auto count = duration.count();
  if (count == 0) return "0s";
  std::string sign = count < 0 ? "-" : "";
  // Go through unsigned so that the minimum value does not overflow when negated.
  std::uint64_t magnitude =
      count < 0 ? 0 - static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
  for (const unit& u : duration_units) {
    if (magnitude % u.factor == 0)
      return sign + std::to_string(magnitude / u.factor) + std::string(u.suffix);
  }
  return sign + std::to_string(magnitude) + "ms";  // unreachable: the factor of ms is 1
}

std::uint64_t parse_size(std::string_view text) {
  if (!text.empty() && text.front() == '-')
    throw std::invalid_argument("a size cannot be negative");
  std::size_t digits = leading_digits(text);
  if (digits == 0)
    throw std::invalid_argument(
        "expected a number of bytes, optionally with KiB or MiB (e.g. 64KiB)");
  std::string_view suffix = text.substr(digits);
  if (!suffix.empty() && (suffix.front() == '.' || suffix.front() == ',')) {
    throw std::invalid_argument(
        "a size must be a whole number of its unit (e.g. 1536KiB, not a fraction of a MiB)");
  }
  auto found = std::find_if(size_units.begin(), size_units.end(),
                            [&](const unit& u) { return u.suffix == suffix; });
  if (found == size_units.end())
    throw std::invalid_argument("unknown unit (use KiB or MiB, e.g. 64KiB, or plain bytes)");
  std::uint64_t count = 0;
  if (to_number(text.substr(0, digits), count) != number_result::ok ||
      count > std::numeric_limits<std::uint64_t>::max() / found->factor) {
    throw std::invalid_argument("too large");
  }
  return count * found->factor;
}

std::string format_size(std::uint64_t bytes) {
  for (const unit& u : size_units) {
    if (bytes != 0 && bytes % u.factor == 0)
      return std::to_string(bytes / u.factor) + std::string(u.suffix);
  }
  return std::to_string(bytes);
}

std::uint64_t parse_whole_number(std::string_view text, std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  auto range = std::to_string(min) + " to " + std::to_string(max);
  number_result result = to_number(text, value);
  if (result == number_result::not_a_number)
    throw std::invalid_argument("expected a whole number from " + range);
  // A value too large for 64 bits is also outside [min, max].
  if (result == number_result::too_large || value < min || value > max) {
    throw std::invalid_argument("must be from " + range);
  }
  return value;
}

bool is_valid_host(std::string_view host) {
  return is_ipv4_literal(host) || is_ipv6_literal(host) || is_hostname(host);
}

host_port parse_host_port(std::string_view text) {
  constexpr std::string_view expected = "expected host:port (e.g. 127.0.0.1:8080)";
  if (text.empty() || has_space_or_control(text))
    throw std::invalid_argument(std::string(expected));
  split_authority parts = split_host_port(text);
  if (!parts.has_port) {
    throw std::invalid_argument(parts.bracketed ? "the port is missing (e.g. [::1]:8080)"
                                                : std::string(expected));
  }
  check_host(parts);
  return host_port{std::string(parts.host), parse_port(parts.port, 0)};
}

std::string format_host_port(std::string_view host, std::uint16_t port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out.append("[").append(host).append("]");
  } else {
    out.append(host);
  }
  return out + ":" + std::to_string(port);
}

std::string parse_public_url(std::string_view text) {
  if (text.empty()) return {};
  if (has_space_or_control(text))
    throw std::invalid_argument("a URL cannot contain spaces or control characters");
  std::size_t scheme_length = 0;
  if (starts_with_ignoring_case(text, "https://")) {
    scheme_length = 8;
  } else if (starts_with_ignoring_case(text, "http://")) {
    scheme_length = 7;
  } else {
    throw std::invalid_argument(
        "expected an http:// or https:// URL (e.g. https://scribe.example.com)");
  }
  std::string_view rest = text.substr(scheme_length);
  std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    throw std::invalid_argument("the URL must not contain a user name or password");
  }
  if (authority.empty())
    throw std::invalid_argument("the URL has no host (e.g. https://scribe.example.com)");
  split_authority parts = split_host_port(authority);
  check_host(parts);
  if (parts.has_port) parse_port(parts.port, 1);
  if (path.find_first_of("?#") != std::string_view::npos) {
    throw std::invalid_argument("the URL must not have a query (?) or fragment (#)");
  }
  std::string out(text);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

std::string redact_credentials(std::string_view value) {
  std::string out(value);
  std::size_t scheme_end = out.find("://");
  if (scheme_end == std::string::npos) return out;
  // libpq also takes the password as a query parameter: ?password=...
  for (std::size_t query = out.find('?'); query != std::string::npos;) {
    const std::size_t name = query + 1;
    const std::size_t end = out.find_first_of("&#", name);
    constexpr std::string_view password = "password=";
    if (out.compare(name, password.size(), password) == 0) {
      const std::size_t start = name + password.size();
      out.replace(start, (end == std::string::npos ? out.size() : end) - start, "***");
    }
    const std::size_t next = out.find_first_of("&#", name);
    query = (next == std::string::npos || out[next] == '#') ? std::string::npos : next;
  }
  std::size_t authority_start = scheme_end + 3;
  std::size_t authority_end = out.find_first_of("/?#", authority_start);
  std::size_t at =
      out.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end);
  if (at == std::string::npos || at < authority_start) return out;
  return out.replace(authority_start, at - authority_start, "***");
}

std::string quote_for_message(std::string_view text, std::size_t max_shown) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_shown; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      std::array<char, 5> hex{};
      std::snprintf(hex.data(), hex.size(), "\\x%02x", c);
      out += hex.data();
    } else {
      out += static_cast<char>(c);
    }
  }
  out += text.size() > max_shown ? "\"..." : "\"";
  return out;
}

}  // namespace scribe::config
