#include "config/keys.hpp"

#include "config/values.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
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
  return {std::move(name), false,
          [where](std::string_view text, options& opts) {
            auto duration = parse_duration(text);
            if (duration <= 0ms) throw std::invalid_argument("must be longer than 0 (e.g. 10s)");
            where(opts) = duration;
          },
          [where](const options& opts) { return format_duration(where(opts)); }};
}

template <class Section, class T>
key_spec size_key(std::string name, field<Section, T> where, std::uint64_t min, std::uint64_t max) {
  return {std::move(name), false,
          [where, min, max](std::string_view text, options& opts) {
            auto bytes = parse_size(text);
            if (bytes < min || bytes > max) {
              throw std::invalid_argument("must be from " + format_size(min) + " to " +
                                          format_size(max));
            }
            where(opts) = static_cast<T>(bytes);
          },
          [where](const options& opts) { return format_size(where(opts)); }};
}

template <class Section, class T>
key_spec number_key(std::string name, field<Section, T> where, T min, T max) {
  return {std::move(name), false,
          [where, min, max](std::string_view text, options& opts) {
            where(opts) = static_cast<T>(parse_whole_number(text, min, max));
          },
          [where](const options& opts) { return std::to_string(where(opts)); }};
}

// A string checked (and possibly normalised) by `check`, which throws std::invalid_argument.
template <class Section>
key_spec text_key(std::string name, field<Section, std::string> where,
                  std::string (*check)(std::string_view)) {
  return {std::move(name), false,
          [where, check](std::string_view text, options& opts) { where(opts) = check(text); },
          [where](const options& opts) { return where(opts); }};
}

key_spec listen_key() {
  return {"server.listen", false,
          [](std::string_view text, options& opts) {
            host_port parsed = parse_host_port(text);
            opts.server.listen_host = std::move(parsed.host);
            opts.server.listen_port = parsed.port;
          },
          [](const options& opts) {
            return format_host_port(opts.server.listen_host, opts.server.listen_port);
          }};
}

key_spec log_level_key() {
  return {"log.level", false,
          [](std::string_view text, options& opts) {
            if (!log::parse_level(text, opts.log.level)) {
              throw std::invalid_argument("expected one of debug, info, warn, error");
            }
          },
          [](const options& opts) { return std::string(log::to_string(opts.log.level)); }};
}

// Only "sqlite:<path>". "sqlite://..." is refused rather than guessed at: tools disagree whether
// sqlite:///x means "x" or "/x", and a database silently opened in the wrong place looks like data
// loss. The messages never repeat the URL: a PostgreSQL URL usually carries a password.
std::string check_storage_url(std::string_view text) {
  auto lower_scheme = [&] {
    std::string scheme(text.substr(0, text.find(':')));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return scheme;
  };
  if (text.find(':') == std::string_view::npos) {
    throw std::invalid_argument("expected sqlite:<path> (e.g. sqlite:data/scribe.db)");
  }
  std::string scheme = lower_scheme();
  if (scheme == "postgresql" || scheme == "postgres") {
    throw std::invalid_argument(
        "PostgreSQL is not supported yet: only sqlite is available in this build "
        "(e.g. sqlite:data/scribe.db)");
  }
  if (scheme != "sqlite") {
    throw std::invalid_argument(
        "unsupported scheme \"" + scheme +
        "\": only sqlite is available in this build (e.g. sqlite:data/scribe.db)");
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
