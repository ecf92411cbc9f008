#pragma once
// Slack's request signing (PROTOCOLS.md 1; DOC:"Verifying requests from Slack"): every Events API,
// slash command and interactivity request carries X-Slack-Request-Timestamp and
// X-Slack-Signature = "v0=" + lowercase hex HMAC-SHA256(signing secret, "v0:" + ts + ":" + body).
// Pure functions: safe from any thread; they never throw for anything a request contains.

#include "adapters/http/error.hpp"
#include "bot/error.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace scribe::slack {

// How far the signed timestamp may be from `now`, in either direction (python-slack-sdk's
// abs(now - ts) > 300 rule; bolt-js only checks the past).
inline constexpr std::chrono::seconds signature_max_skew{300};

// Checks a request's signature over its raw body bytes, exactly as received (never re-serialized).
// Pass the two header values as received; an empty view means the header was missing.
// - http::errc::unsigned_request: either header missing or empty;
// - http::errc::stale_request: the timestamp is not a plain decimal number of seconds (signs,
// spaces,
//   fractions, more than 18 digits), or is more than 300 s before or after `now` (whole seconds,
//   `now` rounded down as bolt-js does: ts+300 passes, ts+301 fails);
// - http::errc::bad_signature: the signature is not "v0=" + 64 hex digits, is not lowercase (Slack
//   sends lowercase hex and both official SDKs compare the string as is, so "V0=" or uppercase
//   hex fails), does not match, or `signing_secret` is empty (fail closed).
// The timestamp is checked before the HMAC, so a replayed old request costs no hashing. The digest
// is compared with CRYPTO_memcmp after a length check.
bot::result<void> verify_signature(std::string_view signing_secret,
                                   std::string_view timestamp_header,
                                   std::string_view signature_header, std::string_view raw_body,
                                   std::chrono::system_clock::time_point now);

// The X-Slack-Signature value Slack would send for `body` signed at `timestamp` (the header value,
// verbatim): "v0=" + 64 lowercase hex digits. For tests, the e2e driver and benchmarks. Throws
// std::runtime_error only if OpenSSL itself fails.
std::string sign(std::string_view signing_secret, std::string_view timestamp,
                 std::string_view body);

}  // namespace scribe::slack
