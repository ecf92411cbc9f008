#pragma once
// Typed views of what a Matrix homeserver sends Scribe's Application Service: the hs_token on
// every request, the body of PUT /_matrix/app/v1/transactions/{txnId}, the client events inside
// it, and the user ID of GET /_matrix/app/v1/users/{userId}. Field lists follow PROTOCOLS.md 7-8
// and the specs in /work/shared/spec (matrix-spec at d0ba2aae, "MX" below).
//
// Pure functions, safe from any thread. None throws for anything in a request: a body that cannot
// be read gives http::errc::malformed_request, an event Scribe cannot use is an ignored_event
// saying why, fields Scribe does not read are ignored, and optional string fields that are absent,
// null or not strings read as "". Call the parsers only after check_hs_token() accepted the
// request.

#include "adapters/http/error.hpp"
#include "bot/error.hpp"

#include <boost/beast/http/status.hpp>
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace scribe::matrix {

// ---------------------------------------------------------------------------------------------
// Authorization of homeserver -> application service requests (MX content/application-service-
// api.md "Authorization", PROTOCOLS.md 7).

// The `errcode`s of the standard error response {"errcode", "error"} (MX client-server-api
// "Standard error response"; the AS API uses the same shape).
inline constexpr std::string_view errcode_missing_token = "M_MISSING_TOKEN";  // 401
inline constexpr std::string_view errcode_forbidden = "M_FORBIDDEN";          // 403
inline constexpr std::string_view errcode_unrecognized = "M_UNRECOGNIZED";  // 404 route, 405 method
inline constexpr std::string_view errcode_not_json = "M_NOT_JSON";          // 400: not JSON at all

enum class hs_token_outcome {
  ok,       // the token matches hs_token
  missing,  // no token: no Bearer credential and no (non-empty) ?access_token=
  wrong,    // a token that does not match, or a header and a query token that differ
};

// What check_hs_token() decided and how to answer when it is not `ok`. The views point to string
// literals: they live as long as the program. `error` is a fixed message that never contains a
// token.
struct hs_token_check {
  hs_token_outcome outcome = hs_token_outcome::ok;
  boost::beast::http::status status = boost::beast::http::status::ok;  // 200, 401 or 403
  std::string_view errcode;  // "" when ok; errcode_missing_token or errcode_forbidden
  std::string_view error;    // "" when ok

  bool ok() const noexcept { return outcome == hs_token_outcome::ok; }
};

// Checks the homeserver's credentials on any request to the AS API (transactions, ping, user and
// room queries).
// - `authorization_header`: the Authorization header as received, "" when absent. Only the Bearer
//   scheme counts (case-insensitively, RFC 9110 11.1); any other scheme or an empty token is no
//   token.
// - `access_token_query`: the decoded ?access_token= value (legacy, before v1.4), nullopt when
//   absent. An empty value is no token.
// - `hs_token`: the registration's hs_token. An empty one matches nothing (fail closed).
// missing -> 401 M_MISSING_TOKEN; wrong -> 403 M_FORBIDDEN (MX: "failing the request with an
// M_FORBIDDEN error if it does not match"); when both a header and a query token are present they
// must equal each other as well as hs_token ("Application services should ensure both match if
// both are provided"). The AS API names no errcode for missing credentials (its 401 responses on
// the query endpoints show only COM.EXAMPLE.MYAPPSERVICE_UNAUTHORIZED, and /transactions lists
// only 200), so this follows the Client-Server API's "Using access tokens": "When credentials are
// required but missing [...] 401 and the error code M_MISSING_TOKEN"; the AS spec says its header
// format "is similar to the Client-Server API". Tokens are compared with CRYPTO_memcmp.
hs_token_check check_hs_token(std::string_view authorization_header,
                              std::optional<std::string_view> access_token_query,
                              std::string_view hs_token);

// The standard error body {"errcode": errcode, "error": error} as compact JSON. Invalid UTF-8 in
// either is replaced with U+FFFD; never throws for its arguments.
std::string error_body(std::string_view errcode, std::string_view error);

// ---------------------------------------------------------------------------------------------
// Transactions (MX application-service transactions.yaml): {"events": [ClientEvent...],
// "ephemeral"?: [...]}.

// The deepest nesting of arrays and objects kept from a transaction body: far more than any field
// Scribe reads needs (transaction > events > event > content > m.relates_to > m.in_reply_to is 6)
// and far less than what would exhaust a thread's stack (nlohmann::json copies, compares and dumps
// recursively; its parser and destructor do not).
inline constexpr std::size_t max_json_depth = 64;

// The `events` array of a transaction body, each element as sent (for parse_event()).
// `ephemeral` (receipts, typing, presence) and every other key are ignored.
//
// Arrays and objects nested deeper than max_json_depth are dropped from the result (an array
// loses the element, an object the key) instead of failing the body: the homeserver retries a
// refused transaction with the same txnId, unchanged, until it succeeds, and holds every later
// transaction behind it (Synapse's appservice scheduler retries the oldest unsent transaction
// with backoff), so a deeply nested custom field in one person's message must not stall Scribe.
//
// http::errc::malformed_request for invalid JSON (nlohmann also refuses invalid UTF-8 and numbers
// beyond double's range), a body that is not an object, or one without an `events` array. A
// homeserver never sends those; answer 400 M_NOT_JSON.
bot::result<std::vector<nlohmann::json>> parse_transaction(std::string_view body);

// ---------------------------------------------------------------------------------------------
// Events (ClientEvent, MX client-server-api "Room event format" and the event schemas).
//
// Every typed event below had a string event_id starting with '$', room_id starting with '!' and
// sender starting with '@'; events without them are ignored. State events are told apart by the
// presence of `state_key` (MX transactions.yaml), never by their type.

// How a message relates to another event (MX modules/threading.md, rich_replies.md,
// event_replacements.md).
enum class relation_kind {
  none,     // a plain message, or one with a rel_type Scribe does not know (m.reference, ...)
  thread,   // m.relates_to.rel_type "m.thread": a message in a thread
  reply,    // m.relates_to.m.in_reply_to without a rel_type: a rich reply
  replace,  // m.relates_to.rel_type "m.replace": an edit
};

struct message_relation {
  relation_kind kind = relation_kind::none;
  // thread: the thread root (every message in a thread points at the root, not at the previous
  // one); reply: the event replied to; replace: the event edited; none: "".
  std::string event_id;
  // thread only: m.in_reply_to.event_id, "" if absent. With is_falling_back it is the fallback
  // for clients without threads (the latest message the sender's client knew in the thread);
  // without it the message is a reply within the thread. Either way the message stays a thread
  // message.
  std::string in_reply_to;
  bool is_falling_back = false;  // thread only
};

// m.room.message of any msgtype (m.text, m.notice, m.emote, m.image, ...): the adapter decides
// which to act on. Bots, Scribe included, send m.notice: a loop guard should check `sender`.
struct room_message {
  std::string event_id;
  std::string room_id;
  std::string sender;
  std::int64_t origin_server_ts = 0;  // milliseconds since the Unix epoch, as sent
  std::string msgtype;
  // The plain-text body. For an event with m.in_reply_to (a reply, or a thread message with one)
  // its rich-reply fallback is stripped (see strip_reply_fallback()). For an edit it is the
  // fallback text ("* new text"): use new_body.
  std::string body;
  // `formatted_body` when `format` is "org.matrix.custom.html" (the only format the spec
  // defines), else ""; the <mx-reply> fallback is stripped like the body's. Untrusted HTML.
  std::string formatted_body;
  message_relation relation;
  // replace only: m.new_content's body, HTML formatted_body (as formatted_body) and msgtype: what
  // the edited message now says. Check that the edit's sender wrote the original before applying
  // it (MX: "The original event and replacement event must have the same sender").
  std::string new_body;
  std::string new_formatted_body;
  std::string new_msgtype;
  // content["m.mentions"].user_ids (strings only, duplicates removed, in order). For an edit this
  // is the top-level m.mentions, which holds only the users newly mentioned by this revision.
  std::vector<std::string> mentioned_user_ids;
};

// m.reaction (MX modules/event_annotations.md): an m.annotation of `target_event_id` with `key`,
// usually an emoji (compare with flag_key_matches()). Removing a reaction is a redaction of it.
struct reaction_event {
  std::string event_id;
  std::string room_id;
  std::string sender;
  std::int64_t origin_server_ts = 0;  // milliseconds since the Unix epoch
  std::string target_event_id;
  std::string key;
};

// m.room.redaction: `redacts` was removed (a message deleted, a reaction withdrawn). Since room
// version 3 a redaction's permission is checked against its target only when it is applied, and
// a homeserver "should not" pass on one it did not apply (MX rooms/v3.md "Handling redactions"):
// the adapter should still act on it only when `sender` wrote the target or is a room moderator.
struct redaction_event {
  std::string event_id;
  std::string room_id;
  std::string sender;
  // Top-level `redacts` (room versions 1-10) or content.redacts (11 and later); when both are
  // present they must be the same event or the redaction is ignored.
  std::string redacts;
};

// m.room.member with content.membership "invite": `sender` invited `invitee` (the state_key) to
// the room. Join the room when the invitee is Scribe (or a user of its namespace).
struct invite_event {
  std::string event_id;
  std::string room_id;
  std::string sender;
  std::string invitee;
};

// Anything Scribe does not act on, with the reason for the debug log (capped; it never quotes a
// body).
struct ignored_event {
  std::string why;
};

using matrix_event =
    std::variant<room_message, reaction_event, redaction_event, invite_event, ignored_event>;

// One element of a transaction's `events`. Never fails: everything it does not return typed is an
// ignored_event: other event types (m.room.encrypted included: Scribe cannot read encrypted
// rooms), state events other than invites, other memberships, non-objects, and typed events
// missing a required field or holding it with the wrong type:
// - every typed event: event_id, room_id, sender (with their sigils), an object `content`;
// - room_message: origin_server_ts (an integer that fits std::int64_t), msgtype, body; a thread
//   or edit relation needs its event_id, a reply its m.in_reply_to.event_id, an edit an
//   m.new_content object with a string body;
// - reaction_event: origin_server_ts, m.relates_to with rel_type "m.annotation", event_id, key;
// - redaction_event: redacts (either place);
// - invite_event: a state_key starting with '@'.
matrix_event parse_event(const nlohmann::json& event);

// `body` without a rich-reply fallback: when it starts with one or more lines beginning with "> "
// that are followed by an empty line, returns what follows that empty line; otherwise `body`
// unchanged (MX modules/rich_replies.md "Stripping the fallback", PROTOCOLS.md 8 "Reply"; since
// v1.13 clients no longer send fallbacks, but older ones still do). The view points into `body`.
// Apply it only to events with m.in_reply_to: a plain message may quote text on purpose.
std::string_view strip_reply_fallback(std::string_view body);

// `formatted_body` without a leading <mx-reply>...</mx-reply> element (MX: "remove the entirety
// of the mx-reply tag"); unchanged when it has none or the tag is never closed. The view points
// into `formatted_body`.
std::string_view strip_html_reply_fallback(std::string_view formatted_body);

// Whether a reaction's key is the configured flag emoji: equal bytes once one trailing U+FE0F
// (VARIATION SELECTOR-16, which clients add to emoji that have a text presentation: "📌" and
// "📌\uFE0F") is removed from each. An empty key or configured emoji matches nothing.
bool flag_key_matches(std::string_view key, std::string_view configured);

// ---------------------------------------------------------------------------------------------
// User IDs (MX appendices "User Identifiers" and "Server Name").

struct user_id_parts {
  std::string localpart;    // "scribe"
  std::string server_name;  // "example.org", "example.org:8448", "[::1]:8448"
};

// Splits a user ID "@localpart:server_name", as the GET /_matrix/app/v1/users/{userId} handler
// receives it (already percent-decoded). nullopt unless it follows the grammar:
// - at most 255 bytes, sigil and server name included;
// - localpart: one or more of a-z 0-9 . _ = - / + (no upper case; the "historical" wider
//   character set is refused: Scribe's own namespace never has such IDs);
// - server_name: a DNS name (letters, digits, '-', '.'), a dotted IPv4 address, or an IPv6
//   literal in brackets (2-45 of 0-9 a-f A-F : .), optionally followed by ':' and 1-5 digits.
std::optional<user_id_parts> parse_user_id(std::string_view user_id);

}  // namespace scribe::matrix
