#pragma once
// application/x-www-form-urlencoded bodies (Slack's slash commands and interactivity requests) and
// Content-Type matching. Pure functions over bytes: no I/O, safe from any thread, never throw for
// anything a request contains.

#include "adapters/http/error.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scribe::http {

// The decoded name/value pairs of a form body, in body order.
struct form_fields {
  // Every pair as sent, duplicates included, so nothing a client sent is silently dropped.
  std::vector<std::pair<std::string, std::string>> entries;

  // The value of the first pair named `name`, or nullopt. A later duplicate never overrides an
  // earlier one (as URLSearchParams.get() in the WHATWG URL standard). The view points into
  // `entries`: valid while this object lives and is not modified.
  std::optional<std::string_view> get(std::string_view name) const;
  // How many pairs are named `name`: more than one means the body repeated the field.
  std::size_t count(std::string_view name) const;
};

// Parses an application/x-www-form-urlencoded body as the WHATWG URL standard's
// "application/x-www-form-urlencoded parser" does: pairs split on '&' (empty ones skipped), name
// and value split on the first '=', '+' decoded as a space, then percent-decoding.
// Two deliberate differences from that standard:
// - a '%' not followed by two hex digits is http::errc::malformed_request (the standard keeps it
//   literally; no Slack request contains one, so it marks a broken or hostile client);
// - as the standard does, decoded bytes that are not valid UTF-8 become U+FFFD per maximal
//   invalid subpart, so every value can go into JSON and the timeline. The signature is
//   checked over the raw body first, so this never affects verification.
// An empty body gives no fields.
result<form_fields> parse_form(std::string_view body);

// The fields of a request target's query string ("/x?a=1&b=2"), parsed as parse_form does; no
// fields when there is no query.
result<form_fields> parse_query(std::string_view target);

// The first value of the query field `name`, or "" when there is none or the query is malformed.
std::string query_value(std::string_view target, std::string_view name);

// Percent-decoding (RFC 3986). In form bodies '+' is a space; in paths it is a '+'. nullopt for a
// '%' that is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

// The other way: every byte but the unreserved characters (RFC 3986 section 2.3) is
// percent-encoded, spaces too. Safe as a form value and as one path segment (a Matrix room id
// "!abc:example.org" in a URL path).
std::string percent_encode(std::string_view in);

// Form bodies Scribe sends: name=value pairs, each percent_encode()d, joined by '&'.
using form_pairs = std::vector<std::pair<std::string, std::string>>;
std::string encode_form(const form_pairs& pairs);

// Whether a Content-Type header value names `media_type` ("application/x-www-form-urlencoded"),
// compared case-insensitively (RFC 9110 8.3.1) and ignoring parameters such as "; charset=utf-8"
// and surrounding whitespace. PROTOCOLS.md 4: match the media type only.
bool is_media_type(std::string_view content_type_header, std::string_view media_type);

// `text` with each maximal invalid UTF-8 subpart replaced by U+FFFD, as the WHATWG Encoding
// standard's "UTF-8 decode" does. Valid input comes back unchanged.
std::string replace_invalid_utf8(std::string_view text);

}  // namespace scribe::http
