#include "config/keys.hpp"

#include "config/values.hpp"

#include <date/tz.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

namespace scribe::config {
namespace {

using namespace std::chrono_literals;

// Where a row's value lives: a member of one section of `options`. Pointers to members keep the
// row helpers below generic over sections without a lambda per key.
template <class Section, class T>
struct field {
  Section options::*section;
  T Section::*member;

  T& operator()(options& opts) const { return opts.*section.*member; }
  const T& operator()(const options& opts) const { return opts.*section.*member; }
};

template <class Section, class T>
field<Section, T> at(Section options::*section, T Section::*member) {
  return {section, member};
}

// A duration that must be longer than zero (timeouts: zero would close every connection at once).
template <class Section>
key_spec positive_duration_key(std::string name, field<Section, std::chrono::milliseconds> where) {
  return {.name = std::move(name),
          .parse =
              [where](std::string_view text, options& opts) {
                auto duration = parse_duration(text);
                if (duration <= 0ms)
                  throw std::invalid_argument("must be longer than 0 (e.g. 10s)");
                where(opts) = duration;
              },
          .show = [where](const options& opts) { return format_duration(where(opts)); }};
}

template <class Section, class T>
key_spec size_key(std::string name, field<Section, T> where, std::uint64_t min, std::uint64_t max) {
  return {.name = std::move(name),
          .parse =
              [where, min, max](std::string_view text, options& opts) {
                auto bytes = parse_size(text);
                if (bytes < min || bytes > max) {
                  throw std::invalid_argument("must be from " + format_size(min) + " to " +
                                              format_size(max));
                }
                where(opts) = static_cast<T>(bytes);
              },
          .show = [where](const options& opts) { return format_size(where(opts)); }};
}

template <class Section, class T>
key_spec number_key(std::string name, field<Section, T> where, T min, T max) {
  return {.name = std::move(name),
          .parse =
              [where, min, max](std::string_view text, options& opts) {
                where(opts) = static_cast<T>(parse_whole_number(text, min, max));
              },
          .show = [where](const options& opts) { return std::to_string(where(opts)); }};
}

// A string checked (and possibly normalised) by `check`, which throws std::invalid_argument.
template <class Section>
key_spec text_key(std::string name, field<Section, std::string> where,
                  std::string (*check)(std::string_view)) {
  return {
      .name = std::move(name),
      .parse = [where, check](std::string_view text, options& opts) { where(opts) = check(text); },
      .show = [where](const options& opts) { return where(opts); }};
}

key_spec listen_key() {
  return {.name = "server.listen",
          .parse =
              [](std::string_view text, options& opts) {
                host_port parsed = parse_host_port(text);
                opts.server.listen_host = std::move(parsed.host);
                opts.server.listen_port = parsed.port;
              },
          .show =
              [](const options& opts) {
                return format_host_port(opts.server.listen_host, opts.server.listen_port);
              }};
}

key_spec playground_key() {
  return {.name = "web.playground",
          .parse =
              [](std::string_view text, options& opts) {
                // Exactly the three documented words: YAML 1.1's yes/no/on/off are refused
                // rather than read, because the example, the README and check-config only ever
                // say true, false and auto, and a value that works but appears nowhere in them
                // is one a reader cannot look up.
                if (text == "auto") {
                  opts.web.playground.reset();
                } else if (text == "true") {
                  opts.web.playground = true;
                } else if (text == "false") {
                  opts.web.playground = false;
                } else {
                  throw std::invalid_argument("expected true, false or auto");
                }
              },
          .show = [](const options& opts) -> std::string {
            if (!opts.web.playground) return "auto";
            return *opts.web.playground ? "true" : "false";
          }};
}

key_spec review_replies_key() {
  return {.name = "postmortem.review_replies",
          .parse =
              [](std::string_view text, options& opts) {
                if (text == "private") {
                  opts.postmortem.review_replies = true;
                } else if (text == "off") {
                  opts.postmortem.review_replies = false;
                } else {
                  throw std::invalid_argument("expected private or off");
                }
              },
          .show = [](const options& opts) -> std::string {
            return opts.postmortem.review_replies ? "private" : "off";
          }};
}

key_spec log_level_key() {
  return {.name = "log.level",
          .parse =
              [](std::string_view text, options& opts) {
                if (!log::parse_level(text, opts.log.level)) {
                  throw std::invalid_argument("expected one of debug, info, warn, error");
                }
              },
          .show = [](const options& opts) { return std::string(log::to_string(opts.log.level)); }};
}

// "sqlite:<path>" or "postgresql://..." ("postgres://" is libpq's other spelling). "sqlite://..."
// is refused rather than guessed at: tools disagree whether sqlite:///x means "x" or "/x", and a
// database silently opened in the wrong place looks like data loss. A PostgreSQL URL's parts are
// libpq's to judge when Scribe connects. The messages never repeat the URL: a PostgreSQL URL
// usually carries a password.
std::string check_storage_url(std::string_view text) {
  auto lower_scheme = [&] {
    std::string scheme(text.substr(0, text.find(':')));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return scheme;
  };
  if (text.find(':') == std::string_view::npos) {
    throw std::invalid_argument(
        "expected sqlite:<path> or postgresql://user:password@host:port/database (e.g. "
        "sqlite:data/scribe.db)");
  }
  std::string scheme = lower_scheme();
  if (scheme == "postgresql" || scheme == "postgres") {
    std::string_view rest = text.substr(scheme.size() + 1);
    if (rest.substr(0, 2) != "//" || rest.size() == 2) {
      throw std::invalid_argument("expected postgresql://user:password@host:port/database");
    }
    if (std::any_of(rest.begin(), rest.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= ' '; })) {
      throw std::invalid_argument(
          "the PostgreSQL URL contains a space or a control character (percent-encode it)");
    }
    return "postgresql:" + std::string(rest);
  }
  if (scheme != "sqlite") {
    throw std::invalid_argument(
        "unsupported scheme \"" + scheme +
        "\": expected sqlite:<path> or postgresql://... (e.g. sqlite:data/scribe.db)");
  }
  std::string_view path = text.substr(text.find(':') + 1);
  if (path.substr(0, 2) == "//") {
    throw std::invalid_argument(
        "write sqlite:<path> without \"//\" (e.g. sqlite:data/scribe.db or "
        "sqlite:/var/lib/scribe/scribe.db)");
  }
  if (path.empty())
    throw std::invalid_argument("the path after sqlite: is empty (e.g. sqlite:data/scribe.db)");
  if (std::any_of(path.begin(), path.end(),
                  [](char c) { return static_cast<unsigned char>(c) < ' '; })) {
    throw std::invalid_argument("the path contains a control character");
  }
  return "sqlite:" + std::string(path);
}

// Tokens and secrets are pasted from web pages: a stray space or newline is the usual mistake.
std::string check_secret(std::string_view text) {
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' '; })) {
    throw std::invalid_argument("contains a space or a control character (a paste mistake?)");
  }
  return std::string(text);
}

std::string check_slash_command(std::string_view text) {
  const bool valid =
      text.size() >= 2 && text.size() <= 32 && text.front() == '/' &&
      std::all_of(text.begin() + 1, text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      });
  if (!valid) {
    throw std::invalid_argument(
        "expected a slash and up to 31 lower-case letters, digits, - or _ (e.g. /incident)");
  }
  return std::string(text);
}

// Slack names emoji without colons; ":pushpin:" is accepted and stored as "pushpin".
std::string check_emoji_name(std::string_view text) {
  if (text.size() >= 2 && text.front() == ':' && text.back() == ':') {
    text = text.substr(1, text.size() - 2);
  }
  const bool valid =
      !text.empty() && text.size() <= 100 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '+' || c == '\'';
      });
  if (!valid) {
    throw std::invalid_argument("expected an emoji name such as pushpin, without spaces");
  }
  return std::string(text);
}

std::string check_api_url(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("must not be empty (e.g. https://slack.com/api)");
  return parse_public_url(text);
}

std::string check_readable_file(std::string_view text) {
  if (text.empty()) return {};
  std::error_code ec;
  if (!std::filesystem::is_regular_file(std::filesystem::path(text), ec)) {
    throw std::invalid_argument("is not a readable file");
  }
  return std::string(text);
}

// Only names the time zone database knows. The database is the system's tzdata
// (/usr/share/zoneinfo), read on first use, so a zone added by a newer tzdata works once the
// package is upgraded.
std::string check_timezone(std::string_view text) {
  if (text.empty()) return {};
  try {
    if (date::get_tzdb().zones.empty()) throw std::runtime_error("it lists no zones");
  } catch (const std::exception& e) {
    // Not the value's fault, but it cannot be checked either: refusing beats guessing.
    throw std::invalid_argument(
        std::string("cannot be checked: the system's time zone database (/usr/share/zoneinfo, "
                    "Debian's tzdata) could not be read: ") +
        e.what());
  }
  try {
    date::locate_zone(std::string(text));
  } catch (const std::runtime_error&) {
    throw std::invalid_argument(
        "unknown time zone; expected an IANA name such as Europe/Berlin or America/New_York");
  }
  return std::string(text);
}

// Limits of postmortem.questions. Each question becomes a label in a Slack form (modal), whose
// label text Slack caps at 2000 characters; 20 questions is already more than anyone answers.
constexpr std::size_t max_questions = 20;
constexpr std::size_t max_question_id = 32;
constexpr std::size_t max_question_text = 2000;
constexpr std::string_view questions_shape = "expected a list of {id, text} maps";

std::string_view yaml_kind(const YAML::Node& node) {
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  if (node.IsScalar()) return "a single value";
  return "nothing";
}

// Part of a value repeated in a message.
std::string quote_fragment(std::string_view text) {
  return quote_for_message(text, 40);
}

// The number of characters (code points) in `text`, or nothing if it is not well-formed UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). yaml-cpp passes stray
// bytes through, and Slack would refuse such a label only when the question is asked.
std::optional<std::size_t> utf8_length(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    char32_t code = 0;
    char32_t min = 0;
    if (lead < 0x80) {
      code = lead;
    } else if ((lead & 0xe0U) == 0xc0U) {
      extra = 1;
      code = lead & 0x1fU;
      min = 0x80;
    } else if ((lead & 0xf0U) == 0xe0U) {
      extra = 2;
      code = lead & 0x0fU;
      min = 0x800;
    } else if ((lead & 0xf8U) == 0xf0U) {
      extra = 3;
      code = lead & 0x07U;
      min = 0x10000;
    } else {
      return std::nullopt;
    }
    if (text.size() - i <= extra) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0U) != 0x80U) return std::nullopt;
      code = (code << 6U) | (next & 0x3fU);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return std::nullopt;
    i += extra + 1;
    ++count;
  }
  return count;
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view blank = " \t\r\n";
  auto first = text.find_first_not_of(blank);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(blank) - first + 1);
}

bool is_question_id(std::string_view id) {
  return !id.empty() && id.size() <= max_question_id &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

[[noreturn]] void bad_question(std::size_t item, const std::string& reason) {
  throw std::invalid_argument("item " + std::to_string(item) + ": " + reason);
}

// The scalar under `field` of one question; a missing or empty (`id: ~`) field reads as "".
std::string question_field(std::size_t item, std::string_view field, const YAML::Node& value) {
  if (value.IsNull()) return {};
  if (!value.IsScalar()) {
    bad_question(
        item, std::string(field) + " must be a single value, got " + std::string(yaml_kind(value)));
  }
  return value.Scalar();
}

postmortem_question parse_question(std::size_t item, const YAML::Node& node) {
  if (!node.IsMap()) {
    bad_question(item, "expected a map with id and text, got " + std::string(yaml_kind(node)));
  }
  std::optional<std::string> id;
  std::optional<std::string> text;
  for (const auto& entry : node) {
    std::string field = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
    std::optional<std::string>* slot = field == "id" ? &id : field == "text" ? &text : nullptr;
    if (slot == nullptr) {
      bad_question(item, (field.empty() ? std::string("a key that is not a plain name")
                                        : "unknown key " + quote_fragment(field)) +
                             "; expected exactly id and text");
    }
    // yaml-cpp keeps both of two equal keys; last-one-wins would hide a copy-and-paste slip.
    if (slot->has_value()) bad_question(item, field + " is given twice");
    *slot = question_field(item, field, entry.second);
  }
  if (!id) bad_question(item, "id is missing");
  if (!text) bad_question(item, "text is missing");
  if (!is_question_id(*id)) {
    bad_question(item, "id " + quote_fragment(*id) + " must be 1-" +
                           std::to_string(max_question_id) + " lower-case letters, digits or _");
  }
  std::optional<std::size_t> length = utf8_length(*text);
  if (!length) bad_question(item, "text is not valid UTF-8");
  // Line breaks and tabs lay out a long question; other control characters are paste accidents
  // (and a NUL would cut the text short further on).
  if (std::any_of(text->begin(), text->end(), [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && c != '\n' && c != '\r' && c != '\t') || byte == 0x7f;
      })) {
    bad_question(item, "text contains a control character (only line breaks and tabs may be used)");
  }
  // Trimmed because a YAML block scalar (`text: |`) ends in a line break nobody meant.
  std::string_view trimmed = trim(*text);
  if (trimmed.empty()) bad_question(item, "text is empty");
  length = utf8_length(trimmed);
  if (*length > max_question_text) {
    bad_question(item, "text is " + std::to_string(*length) + " characters long; at most " +
                           std::to_string(max_question_text) + " fit in a Slack form label");
  }
  return {std::move(*id), std::string(trimmed)};
}

std::vector<postmortem_question> parse_questions(std::string_view text) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    std::string where;
    if (!e.mark.is_null()) {
      where = " at line " + std::to_string(e.mark.line + 1) + ", column " +
              std::to_string(e.mark.column + 1);
    }
    // yaml-cpp 0.7 ends an unquoted scalar at '?' inside [...] and {...}, so the usual slip is an
    // unquoted question in SCRIBE_POSTMORTEM_QUESTIONS: the hint shows the quotes.
    throw std::invalid_argument("not valid YAML (" + e.msg + where + "); " +
                                std::string(questions_shape) +
                                " with each text in double quotes, such as "
                                "[{id: impact, text: \"What was the impact?\"}]");
  }
  if (documents.size() > 1) {
    throw std::invalid_argument(std::string(questions_shape) + ", got " +
                                std::to_string(documents.size()) + " YAML documents");
  }
  YAML::Node list = documents.empty() ? YAML::Node() : documents.front();
  if (!list.IsSequence()) {
    throw std::invalid_argument(std::string(questions_shape) + ", got " +
                                std::string(yaml_kind(list)));
  }
  if (list.size() == 0) {
    throw std::invalid_argument(std::string(questions_shape) +
                                ", got an empty list: at least one question is needed");
  }
  if (list.size() > max_questions) {
    throw std::invalid_argument("at most " + std::to_string(max_questions) + " questions, got " +
                                std::to_string(list.size()));
  }
  std::vector<postmortem_question> questions;
  std::map<std::string, std::size_t, std::less<>> items_by_id;
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::size_t item = i + 1;
    postmortem_question question = parse_question(item, list[i]);
    // The id names a question's answers in the store and the JSON API: two alike would merge them.
    auto [first, inserted] = items_by_id.emplace(question.id, item);
    if (!inserted) {
      bad_question(item, "id " + quote_fragment(question.id) + " appears twice (first in item " +
                             std::to_string(first->second) + ")");
    }
    questions.push_back(std::move(question));
  }
  return questions;
}

// Flow YAML with every string double-quoted: one line (describe() and the start-up log print
// it), JSON-like, and with line breaks and quotes escaped so that parse_questions reads it back.
std::string show_questions(const std::vector<postmortem_question>& questions) {
  YAML::Emitter out;
  out.SetStringFormat(YAML::DoubleQuoted);
  out << YAML::Flow << YAML::BeginSeq;
  for (const auto& question : questions) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "id" << YAML::Value << question.id;
    out << YAML::Key << "text" << YAML::Value << question.text;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  return out.c_str();
}

// Matrix keys. The grammars are the Matrix specification's appendices ("Server name",
// "User Identifiers"); the reaction key is the emoji itself (m.annotation, PROTOCOLS.md section 8).

bool has_blank_or_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte <= ' ' || byte == 0x7f;
  });
}

// hostname [":" port], where hostname is a DNS name, an IPv4 literal or "[" IPv6 literal "]".
// Empty means not set. The reason never repeats the value: matrix.allowed_servers prefixes it
// with the entry's number.
std::string check_server_name(std::string_view text) {
  if (text.empty()) return {};
  constexpr std::string_view expected =
      "expected a server name: a hostname or IP address with an optional port (e.g. example.org "
      "or matrix.example.org:8448)";
  if (text.find("://") != std::string_view::npos) {
    throw std::invalid_argument(
        "write the server name without a scheme or path (e.g. example.org, not "
        "https://example.org)");
  }
  if (has_blank_or_control(text) || text.find('/') != std::string_view::npos) {
    throw std::invalid_argument(std::string(expected));
  }
  std::string_view host = text;
  std::optional<std::string_view> port;
  if (text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos)
      throw std::invalid_argument("missing ']' after the IPv6 address");
    host = text.substr(1, close - 1);
    // An IPv6 literal is the only valid host with a ':' in it.
    if (host.find(':') == std::string_view::npos || !is_valid_host(host)) {
      throw std::invalid_argument("the address in brackets is not an IPv6 address");
    }
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw std::invalid_argument("expected ':' and a port after ']'");
      port = rest.substr(1);
    }
  } else {
    std::size_t colon = text.find(':');
    if (colon != std::string_view::npos && colon != text.rfind(':')) {
      throw std::invalid_argument("an IPv6 address must be written in brackets, e.g. [::1]:8448");
    }
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
    if (host.empty() || !is_valid_host(host)) throw std::invalid_argument(std::string(expected));
  }
  if (port) {
    try {
      parse_whole_number(*port, 1, 65535);
    } catch (const std::invalid_argument&) {
      throw std::invalid_argument("the port must be a number from 1 to 65535");
    }
  }
  return std::string(text);
}

// A user ID's localpart: 1-255 of a-z 0-9 . _ = - / + (lower case only).
std::string check_localpart(std::string_view text) {
  if (!text.empty() && text.front() == '@') {
    throw std::invalid_argument(
        "write only the localpart, without '@' and ':server' (e.g. scribe for "
        "@scribe:example.org)");
  }
  const bool valid =
      !text.empty() && text.size() <= 255 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '=' || c == '-' || c == '/' || c == '+';
      });
  if (!valid) {
    throw std::invalid_argument(
        "expected 1 to 255 lower-case letters, digits or . _ = - / + (a Matrix localpart, e.g. "
        "scribe)");
  }
  return std::string(text);
}

std::string check_command_prefix(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("must not be empty (e.g. !incident)");
  if (has_blank_or_control(text)) {
    throw std::invalid_argument("must be one word, without spaces or control characters");
  }
  if (!utf8_length(text)) throw std::invalid_argument("is not valid UTF-8");
  return std::string(text);
}

constexpr std::size_t max_reaction_bytes = 32;

// Matrix reactions carry the character itself, so a Slack-style name (pushpin, :pushpin:) would
// never match: at least one character must be outside ASCII, as every emoji is.
std::string check_reaction_key(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("must not be empty (e.g. \U0001F4CC)");
  if (has_blank_or_control(text)) {
    throw std::invalid_argument("expected one emoji, without spaces (e.g. \U0001F4CC)");
  }
  if (!utf8_length(text)) throw std::invalid_argument("is not valid UTF-8");
  if (text.size() > max_reaction_bytes) {
    throw std::invalid_argument("expected one emoji, at most " +
                                std::to_string(max_reaction_bytes) + " bytes (e.g. \U0001F4CC)");
  }
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    throw std::invalid_argument(
        "expected the emoji itself (e.g. \U0001F4CC), not its name: Matrix reactions carry the "
        "character");
  }
  return std::string(text);
}

// "example.org, corp.example:8448": commas between server names, blanks around them ignored.
// Empty: any server.
std::vector<std::string> parse_server_list(std::string_view text) {
  std::vector<std::string> servers;
  if (trim(text).empty()) return servers;
  std::size_t start = 0;
  for (std::size_t entry = 1;; ++entry) {
    std::size_t comma = text.find(',', start);
    std::string_view part = trim(text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (part.empty()) {
      throw std::invalid_argument("entry " + std::to_string(entry) +
                                  " is empty (a doubled or trailing comma?)");
    }
    std::string server;
    try {
      server = check_server_name(part);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("entry " + std::to_string(entry) + ": " + e.what());
    }
    if (std::find(servers.begin(), servers.end(), server) != servers.end()) {
      throw std::invalid_argument("entry " + std::to_string(entry) + ": " + quote_fragment(server) +
                                  " is listed twice");
    }
    servers.push_back(std::move(server));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return servers;
}

key_spec allowed_servers_key() {
  return {.name = "matrix.allowed_servers",
          .parse = [](std::string_view text,
                      options& opts) { opts.matrix.allowed_servers = parse_server_list(text); },
          .show =
              [](const options& opts) {
                std::string out;
                for (const auto& server : opts.matrix.allowed_servers)
                  out += (out.empty() ? "" : ", ") + server;
                return out;
              }};
}

key_spec questions_key() {
  return {.name = "postmortem.questions",
          .structured = true,
          .parse = [](std::string_view text,
                      options& opts) { opts.postmortem.questions = parse_questions(text); },
          .show = [](const options& opts) { return show_questions(opts.postmortem.questions); }};
}

std::vector<key_spec> build_table() {
  return {
      listen_key(),
      text_key("server.public_url", at(&options::server, &server_options::public_url),
               parse_public_url),
      size_key("server.body_limit", at(&options::server, &server_options::body_limit), 1024,
               64 * 1024 * 1024),
      positive_duration_key("server.read_timeout",
                            at(&options::server, &server_options::read_timeout)),
      positive_duration_key("server.idle_timeout",
                            at(&options::server, &server_options::idle_timeout)),
      positive_duration_key("server.shutdown_timeout",
                            at(&options::server, &server_options::shutdown_timeout)),
      number_key("server.threads", at(&options::server, &server_options::threads), 1U, 64U),
      text_key("storage.url", at(&options::storage, &storage_options::url), check_storage_url),
      number_key("storage.connections", at(&options::storage, &storage_options::connections), 1U,
                 64U),
      positive_duration_key("jobs.lease", at(&options::jobs, &jobs_options::lease)),
      number_key("jobs.max_pending", at(&options::jobs, &jobs_options::max_pending), 1U,
                 10'000'000U),
      secret(text_key("slack.signing_secret", at(&options::slack, &slack_options::signing_secret),
                      check_secret)),
      secret(text_key("slack.bot_token", at(&options::slack, &slack_options::bot_token),
                      check_secret)),
      text_key("slack.api_base_url", at(&options::slack, &slack_options::api_base_url),
               check_api_url),
      text_key("slack.command", at(&options::slack, &slack_options::command), check_slash_command),
      text_key("slack.flag_reaction", at(&options::slack, &slack_options::flag_reaction),
               check_emoji_name),
      positive_duration_key("slack.api_timeout", at(&options::slack, &slack_options::api_timeout)),
      // Empty (Matrix disabled) or an http(s) URL.
      text_key("matrix.homeserver_url", at(&options::matrix, &matrix_options::homeserver_url),
               parse_public_url),
      text_key("matrix.server_name", at(&options::matrix, &matrix_options::server_name),
               check_server_name),
      secret(text_key("matrix.as_token", at(&options::matrix, &matrix_options::as_token),
                      check_secret)),
      secret(text_key("matrix.hs_token", at(&options::matrix, &matrix_options::hs_token),
                      check_secret)),
      text_key("matrix.sender_localpart", at(&options::matrix, &matrix_options::sender_localpart),
               check_localpart),
      text_key("matrix.command_prefix", at(&options::matrix, &matrix_options::command_prefix),
               check_command_prefix),
      text_key("matrix.flag_reaction", at(&options::matrix, &matrix_options::flag_reaction),
               check_reaction_key),
      allowed_servers_key(),
      positive_duration_key("matrix.api_timeout",
                            at(&options::matrix, &matrix_options::api_timeout)),
      questions_key(),
      positive_duration_key("postmortem.remind_after",
                            at(&options::postmortem, &postmortem_options::remind_after)),
      positive_duration_key("postmortem.draft_after",
                            at(&options::postmortem, &postmortem_options::draft_after)),
      positive_duration_key("postmortem.gap_marker",
                            at(&options::postmortem, &postmortem_options::gap_marker)),
      text_key("postmortem.timezone", at(&options::postmortem, &postmortem_options::timezone),
               check_timezone),
      review_replies_key(),
      secret(text_key("web.token", at(&options::web, &web_options::token), check_secret)),
      playground_key(),
      text_key("tls.ca_file", at(&options::tls, &tls_options::ca_file), check_readable_file),
      log_level_key(),
  };
}

}  // namespace

std::string_view key_spec::section() const {
  return std::string_view(name).substr(0, name.find('.'));
}

std::string_view key_spec::leaf() const {
  auto dot = name.find('.');
  return dot == std::string::npos ? std::string_view{} : std::string_view(name).substr(dot + 1);
}

std::string key_spec::env_name() const {
  return env_name_for(name);
}

key_spec secret(key_spec key) {
  key.secret = true;
  return key;
}

const std::vector<key_spec>& key_table() {
  static const std::vector<key_spec> table = build_table();
  return table;
}

std::string env_name_for(std::string_view key_name) {
  std::string out = "SCRIBE_";
  for (char c : key_name) {
    if (c == '.')
      out += '_';
    else if (c >= 'a' && c <= 'z')
      out += static_cast<char>(c - 'a' + 'A');
    else
      out += c;
  }
  return out;
}

}  // namespace scribe::config
