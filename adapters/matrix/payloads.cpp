#include "adapters/matrix/payloads.hpp"
#include "adapters/http/error.hpp"

#include "json/fields.hpp"
#include "text/text.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <limits>
#include <utility>

namespace scribe::matrix {
namespace {

using json = nlohmann::json;
namespace beast_http = boost::beast::http;

// ---- tokens ---------------------------------------------------------------------------------

bool same_secret(std::string_view given, std::string_view expected) {
  // The length is not secret (hs_token is a fixed-size random string); the bytes are.
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

// The token of "Bearer <token>", or "" for an absent header, another scheme or no token. The
// scheme is case-insensitive (RFC 9110 11.1) and followed by one or more spaces (RFC 6750 2.1).
std::string_view bearer_token(std::string_view header) {
  constexpr std::string_view scheme = "bearer";
  if (header.size() <= scheme.size() || !text::iequals(header.substr(0, scheme.size()), scheme) ||
      header[scheme.size()] != ' ') {
    return {};
  }
  std::string_view token = header.substr(scheme.size());
  token.remove_prefix(std::min(token.find_first_not_of(' '), token.size()));
  token.remove_suffix(token.size() - (token.find_last_not_of(" \t") + 1));
  return token;
}

// ---- JSON access ----------------------------------------------------------------------------

// Type names from an event are quoted in ignored_event reasons (which go to the debug log): cap
// them so a hostile value cannot fill the log.
constexpr std::size_t max_quoted_bytes = 64;

std::string quote_capped(std::string_view text) {
  return "\"" + text::utf8_prefix(text, max_quoted_bytes) + "\"";
}

using json_fields::member;
using json_fields::string_at;

// obj[key] if it is an integer that fits std::int64_t. Floats (1.4e12, and integers beyond
// 64 bits, which nlohmann reads as floats) and strings are not timestamps.
std::optional<std::int64_t> int64_at(const json& obj, const char* key) {
  const json& value = member(obj, key);
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;
}

// obj[key] as an origin_server_ts: milliseconds since 1970 that Scribe can keep in microseconds.
// A time before 1970 or past what 64-bit microseconds hold is no time a homeserver stamps.
std::optional<std::int64_t> timestamp_ms_at(const json& obj, const char* key) {
  const auto ms = int64_at(obj, key);
  if (!ms || *ms < 0 || *ms > std::numeric_limits<std::int64_t>::max() / 1000) return std::nullopt;
  return ms;
}

// obj[key] if it is a string starting with `sigil` and longer than it, else "".
std::string id_at(const json& obj, const char* key, char sigil) {
  std::string id = string_at(obj, key);
  if (id.size() < 2 || id.front() != sigil) return {};
  return id;
}

// formatted_body, if its format is the one the spec defines (an unknown format is not HTML).
std::string html_body_of(const json& content) {
  if (string_at(content, "format") != "org.matrix.custom.html") return {};
  return string_at(content, "formatted_body");
}

// ---- events ---------------------------------------------------------------------------------

// The fields every typed event needs, read once.
struct event_header {
  std::string event_id;
  std::string room_id;
  std::string sender;
};

// The header, or the reason the event is ignored.
std::variant<event_header, ignored_event> header_of(const json& event, std::string_view type) {
  event_header h{id_at(event, "event_id", '$'), id_at(event, "room_id", '!'),
                 id_at(event, "sender", '@')};
  const auto missing = [type](const char* what) {
    return ignored_event{std::string{type} + " without a valid " + what};
  };
  if (h.event_id.empty()) return missing("event_id");
  if (h.room_id.empty()) return missing("room_id");
  if (h.sender.empty()) return missing("sender");
  if (!member(event, "content").is_object()) return missing("content");
  return h;
}

std::vector<std::string> mentioned_user_ids_of(const json& content) {
  std::vector<std::string> ids;
  const json& user_ids = member(member(content, "m.mentions"), "user_ids");
  if (!user_ids.is_array()) return ids;
  for (const json& id : user_ids) {
    if (!id.is_string()) continue;
    const auto& text = id.get_ref<const std::string&>();
    if (std::find(ids.begin(), ids.end(), text) == ids.end()) ids.push_back(text);
  }
  return ids;
}

// The relation in content["m.relates_to"], or the reason the message is ignored. Threads and edits
// are told apart by rel_type; a rich reply has no rel_type of its own (MX rich_replies.md: "the
// rel_type and event_id keys of m.relates_to become optional"), so an m.in_reply_to beside
// rel_type m.thread keeps the message in its thread.
std::variant<message_relation, ignored_event> relation_of(const json& content) {
  const json& relates_to = member(content, "m.relates_to");
  message_relation relation;
  const json& in_reply_to = member(relates_to, "m.in_reply_to");
  const std::string rel_type = string_at(relates_to, "rel_type");
  if (rel_type == "m.thread" || rel_type == "m.replace") {
    relation.kind = rel_type == "m.thread" ? relation_kind::thread : relation_kind::replace;
    relation.event_id = id_at(relates_to, "event_id", '$');
    if (relation.event_id.empty()) {
      return ignored_event{"m.room.message with " + rel_type + " but no valid event_id"};
    }
    if (relation.kind == relation_kind::thread) {
      relation.in_reply_to = id_at(in_reply_to, "event_id", '$');
      const json& falling_back = member(relates_to, "is_falling_back");
      relation.is_falling_back = falling_back.is_boolean() && falling_back.get<bool>();
    }
    return relation;
  }
  if (!in_reply_to.is_null()) {
    relation.kind = relation_kind::reply;
    relation.event_id = id_at(in_reply_to, "event_id", '$');
    if (relation.event_id.empty()) {
      return ignored_event{"m.room.message with m.in_reply_to but no valid event_id"};
    }
  }
  return relation;
}

matrix_event parse_room_message(const json& event) {
  auto header = header_of(event, "m.room.message");
  if (auto* ignored = std::get_if<ignored_event>(&header)) return std::move(*ignored);
  auto& h = std::get<event_header>(header);
  const json& content = member(event, "content");
  const auto ts = timestamp_ms_at(event, "origin_server_ts");
  if (!ts) return ignored_event{"m.room.message without a valid origin_server_ts"};
  const json& msgtype = member(content, "msgtype");
  const json& body = member(content, "body");
  if (!msgtype.is_string() || !body.is_string()) {
    // Redacted messages arrive this way too: their content is {}.
    return ignored_event{"m.room.message without a string msgtype and body"};
  }
  auto relation = relation_of(content);
  if (auto* ignored = std::get_if<ignored_event>(&relation)) return std::move(*ignored);

  room_message m;
  m.event_id = std::move(h.event_id);
  m.room_id = std::move(h.room_id);
  m.sender = std::move(h.sender);
  m.origin_server_ts = *ts;
  m.msgtype = msgtype.get<std::string>();
  m.body = body.get<std::string>();
  m.formatted_body = html_body_of(content);
  m.relation = std::move(std::get<message_relation>(relation));
  m.mentioned_user_ids = mentioned_user_ids_of(content);

  const bool has_reply_fallback =
      m.relation.kind == relation_kind::reply ||
      (m.relation.kind == relation_kind::thread && !m.relation.in_reply_to.empty());
  if (has_reply_fallback) {
    m.body = std::string{strip_reply_fallback(m.body)};
    m.formatted_body = std::string{strip_html_reply_fallback(m.formatted_body)};
  }

  if (m.relation.kind == relation_kind::replace) {
    // MX event_replacements.md: "The replacement event [...] must have an m.new_content
    // property"; without one the edit is invalid and implementations should ignore it.
    const json& new_content = member(content, "m.new_content");
    const json& new_body = member(new_content, "body");
    if (!new_body.is_string()) {
      return ignored_event{"m.replace edit without an m.new_content object with a string body"};
    }
    m.new_body = new_body.get<std::string>();
    m.new_formatted_body = html_body_of(new_content);
    m.new_msgtype = string_at(new_content, "msgtype");
  }
  return m;
}

matrix_event parse_reaction(const json& event) {
  auto header = header_of(event, "m.reaction");
  if (auto* ignored = std::get_if<ignored_event>(&header)) return std::move(*ignored);
  auto& h = std::get<event_header>(header);
  const auto ts = timestamp_ms_at(event, "origin_server_ts");
  if (!ts) return ignored_event{"m.reaction without a valid origin_server_ts"};
  const json& relates_to = member(member(event, "content"), "m.relates_to");
  const std::string rel_type = string_at(relates_to, "rel_type");
  if (rel_type != "m.annotation") {
    return ignored_event{"m.reaction with rel_type " +
                         (rel_type.empty() ? std::string{"missing"} : quote_capped(rel_type))};
  }
  reaction_event r;
  r.target_event_id = id_at(relates_to, "event_id", '$');
  r.key = string_at(relates_to, "key");
  if (r.target_event_id.empty() || r.key.empty()) {
    return ignored_event{"m.reaction without a valid event_id or key"};
  }
  r.event_id = std::move(h.event_id);
  r.room_id = std::move(h.room_id);
  r.sender = std::move(h.sender);
  r.origin_server_ts = *ts;
  return r;
}

matrix_event parse_redaction(const json& event) {
  auto header = header_of(event, "m.room.redaction");
  if (auto* ignored = std::get_if<ignored_event>(&header)) return std::move(*ignored);
  auto& h = std::get<event_header>(header);
  // Room versions 1-10 carry `redacts` at the top level; version 11 moved it into content and
  // servers may copy it back up for older clients (MX rooms/v11.md). A redaction whose two
  // fields disagree is either broken or an attempt to make a client remove the wrong event.
  const std::string top = id_at(event, "redacts", '$');
  const std::string in_content = id_at(member(event, "content"), "redacts", '$');
  if (!top.empty() && !in_content.empty() && top != in_content) {
    return ignored_event{"m.room.redaction whose top-level and content redacts differ"};
  }
  if (top.empty() && in_content.empty()) {
    return ignored_event{"m.room.redaction without a valid redacts"};
  }
  return redaction_event{std::move(h.event_id), std::move(h.room_id), std::move(h.sender),
                         top.empty() ? in_content : top};
}

matrix_event parse_member(const json& event) {
  const std::string membership = string_at(member(event, "content"), "membership");
  if (membership != "invite") {
    return ignored_event{"m.room.member with membership " +
                         (membership.empty() ? std::string{"missing"} : quote_capped(membership))};
  }
  auto header = header_of(event, "m.room.member");
  if (auto* ignored = std::get_if<ignored_event>(&header)) return std::move(*ignored);
  auto& h = std::get<event_header>(header);
  std::string invitee = id_at(event, "state_key", '@');
  if (invitee.empty()) return ignored_event{"m.room.member invite without a user state_key"};
  return invite_event{std::move(h.event_id), std::move(h.room_id), std::move(h.sender),
                      std::move(invitee)};
}

// ---- user IDs -------------------------------------------------------------------------------

constexpr std::size_t max_user_id_bytes = 255;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_localpart_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || c == '.' || c == '_' || c == '=' || c == '-' ||
         c == '/' || c == '+';
}

bool is_dns_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.';
}

bool is_ipv6_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

// server_name = hostname [ ":" port ]; port = 1*5DIGIT; hostname = IPv4address /
// "[" IPv6address "]" / dns-name (MX appendices "Server Name"). A dotted IPv4 address is also a
// dns-name as far as characters go, so it needs no branch of its own.
bool is_server_name(std::string_view name) {
  std::string_view host = name;
  std::string_view port;
  if (name.starts_with('[')) {
    const auto close = name.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view literal = name.substr(1, close - 1);
    if (literal.size() < 2 || literal.size() > 45 ||
        !std::all_of(literal.begin(), literal.end(), is_ipv6_char)) {
      return false;
    }
    const std::string_view rest = name.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
  } else {
    const auto colon = name.find(':');
    if (colon != std::string_view::npos) {
      host = name.substr(0, colon);
      port = name.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (host.empty() || !std::all_of(host.begin(), host.end(), is_dns_char)) return false;
  }
  return port.size() <= 5 && std::all_of(port.begin(), port.end(), is_digit);
}

}  // namespace

hs_token_check check_hs_token(std::string_view authorization_header,
                              std::optional<std::string_view> access_token_query,
                              std::string_view hs_token) {
  const std::string_view from_header = bearer_token(authorization_header);
  const std::string_view from_query = access_token_query.value_or(std::string_view{});
  if (from_header.empty() && from_query.empty()) {
    return {hs_token_outcome::missing, beast_http::status::unauthorized, errcode_missing_token,
            "send the hs_token as Authorization: Bearer <hs_token>"};
  }
  const hs_token_check wrong{hs_token_outcome::wrong, beast_http::status::forbidden,
                             errcode_forbidden,
                             "the token is not this application service's hs_token"};
  if (!from_header.empty() && !from_query.empty() && !same_secret(from_header, from_query)) {
    return wrong;
  }
  const std::string_view given = from_header.empty() ? from_query : from_header;
  if (hs_token.empty() || !same_secret(given, hs_token)) return wrong;
  return {};
}

std::string error_body(std::string_view errcode, std::string_view error) {
  const json body{{"errcode", errcode}, {"error", error}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

bot::result<std::vector<nlohmann::json>> parse_transaction(std::string_view body) {
  // Containers at depth max_json_depth or below (the body is depth 0) are discarded as they are
  // parsed: see the header for why this prunes instead of refusing. nlohmann's parser is
  // iterative, so the nesting itself costs no stack.
  const json::parser_callback_t prune_deep = [](int depth, json::parse_event_t event, json&) {
    const bool opens =
        event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    return !opens || static_cast<std::size_t>(depth) < max_json_depth;
  };
  json doc = json::parse(body.begin(), body.end(), prune_deep, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return http::errc::malformed_request;
  const auto events = doc.find("events");
  if (events == doc.end() || !events->is_array()) return http::errc::malformed_request;
  std::vector<json> out;
  out.reserve(events->size());
  for (json& event : *events) out.push_back(std::move(event));
  return out;
}

matrix_event parse_event(const nlohmann::json& event) {
  if (!event.is_object()) return ignored_event{"event is not an object"};
  const json& type_value = member(event, "type");
  if (!type_value.is_string()) return ignored_event{"event without a string type"};
  const auto& type = type_value.get_ref<const std::string&>();
  if (event.contains("state_key")) {
    if (type == "m.room.member") return parse_member(event);
    return ignored_event{"state event " + quote_capped(type)};
  }
  if (type == "m.room.message") return parse_room_message(event);
  if (type == "m.reaction") return parse_reaction(event);
  if (type == "m.room.redaction") return parse_redaction(event);
  if (type == "m.room.member") return ignored_event{"m.room.member without a state_key"};
  if (type == "m.room.encrypted") {
    return ignored_event{"m.room.encrypted: Scribe cannot read end-to-end encrypted rooms"};
  }
  return ignored_event{"event type " + quote_capped(type)};
}

std::string_view strip_reply_fallback(std::string_view body) {
  constexpr std::string_view prefix = "> ";
  std::size_t pos = 0;
  bool quoted = false;
  while (body.substr(pos).starts_with(prefix)) {
    const auto newline = body.find('\n', pos);
    if (newline == std::string_view::npos) return body;  // only quotes: nothing was replied
    pos = newline + 1;
    quoted = true;
  }
  if (!quoted || !body.substr(pos).starts_with('\n')) return body;
  return body.substr(pos + 1);
}

std::string_view strip_html_reply_fallback(std::string_view formatted_body) {
  constexpr std::string_view open = "<mx-reply>";
  constexpr std::string_view close = "</mx-reply>";
  if (!formatted_body.starts_with(open)) return formatted_body;
  const auto end = formatted_body.find(close);
  if (end == std::string_view::npos) return formatted_body;
  return formatted_body.substr(end + close.size());
}

bool flag_key_matches(std::string_view key, std::string_view configured) {
  constexpr std::string_view variation_selector_16 = "\xEF\xB8\x8F";  // U+FE0F in UTF-8
  const auto base = [&](std::string_view emoji) {
    if (emoji.ends_with(variation_selector_16)) emoji.remove_suffix(variation_selector_16.size());
    return emoji;
  };
  const std::string_view key_base = base(key);
  return !key_base.empty() && key_base == base(configured);
}

std::optional<user_id_parts> parse_user_id(std::string_view user_id) {
  if (user_id.size() > max_user_id_bytes || !user_id.starts_with('@')) return std::nullopt;
  const auto colon = user_id.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view localpart = user_id.substr(1, colon - 1);
  const std::string_view server_name = user_id.substr(colon + 1);
  if (localpart.empty() || !std::all_of(localpart.begin(), localpart.end(), is_localpart_char) ||
      !is_server_name(server_name)) {
    return std::nullopt;
  }
  return user_id_parts{std::string{localpart}, std::string{server_name}};
}

}  // namespace scribe::matrix
