#pragma once
// Parsers for the kinds of value that configuration keys share (durations, sizes, whole numbers,
// host:port, URLs). The key table (config/keys.hpp) builds its rows from them; later keys such as
// postmortem.draft_after reuse them.
//
// All parsers are pure and thread-safe. They throw std::invalid_argument whose what() is a reason
// that never repeats the input ("expected a whole number followed by a unit ..."), so the caller
// decides whether the value may be shown: for a secret it may not.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace scribe::config {

// The longest duration any key accepts: 100 years, so that adding it to any clock's now() cannot
// overflow (std::chrono::nanoseconds ends at about 292 years).
inline constexpr std::chrono::milliseconds max_duration{std::chrono::hours(24) * 36500};

// A whole number followed by one unit, without spaces: "500ms", "10s", "5m", "4h", "1d". "0s" is
// a valid duration (keys that need more check it themselves). Fractions ("1.5s": write "1500ms"),
// signs, a missing or unknown unit and anything above max_duration are rejected.
std::chrono::milliseconds parse_duration(std::string_view text);
// The inverse of parse_duration, using the largest unit that divides the value exactly ("90s",
// "1m", "1500ms"), so that parse_duration(format_duration(d)) == d.
std::string format_duration(std::chrono::milliseconds duration);

// A number of bytes: a whole number, optionally followed by KiB or MiB without a space ("65536",
// "64KiB", "1MiB"). Decimal units (KB, MB) are rejected rather than guessed.
std::uint64_t parse_size(std::string_view text);
// The inverse of parse_size: "64KiB" for 65536, "1MiB", or plain bytes ("1500").
std::string format_size(std::uint64_t bytes);

// A whole decimal number without sign or spaces, which must lie in [min, max].
std::uint64_t parse_whole_number(std::string_view text, std::uint64_t min, std::uint64_t max);

// A host that Scribe can listen on or be reached at: an IPv4 literal, an IPv6 literal (without the
// brackets) or a DNS hostname (RFC 1123 labels, such as localhost or scribe.example.com).
bool is_valid_host(std::string_view host);

struct host_port {
  std::string host;  // an IPv6 host is held without its brackets
  std::uint16_t port = 0;
};
// "host:port", "[ipv6]:port"; port 0..65535 (0 asks the system for a free port).
host_port parse_host_port(std::string_view text);
// The inverse of parse_host_port: brackets go back around an IPv6 host.
std::string format_host_port(std::string_view host, std::uint16_t port);

// "" or an http:// or https:// URL with a host, an optional port and path, and no user name,
// password, query or fragment. Returns it without trailing slashes, so that callers can append
// "/slack/events" and the like.
std::string parse_public_url(std::string_view text);

// A URL's user:password, the usual way a credential hides in a non-secret value, becomes "***"
// ("postgresql://***@db/scribe"), so that a database URL can be logged and named in errors.
std::string redact_credentials(std::string_view value);

// `text` in double quotes for an error message: quotes and backslashes escaped, control characters
// as \xNN so the message stays on one line, and cut after `max_shown` bytes ("..." says so) so a
// pasted blob does not flood the log.
std::string quote_for_message(std::string_view text, std::size_t max_shown);

}  // namespace scribe::config
