#include "config/loader.hpp"

#include "config/suggestion.hpp"
#include "config/values.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>

namespace scribe::config {
namespace {

// yaml-cpp 0.7 (Debian 12) never returns from LoadAll on some inputs, a "," at the top level among
// them (jbeder/yaml-cpp#1040, fixed after 0.8): its parser starts an empty document at the same
// place again and again, allocating as it goes. This walks the documents without building them
// and says where the parser stopped moving; nullopt when it reached the end.
class document_walker final : public YAML::EventHandler {
 public:
  bool stuck = false;
  YAML::Mark at;

  void OnDocumentStart(const YAML::Mark& mark) override {
    stuck = started_ && mark.pos == at.pos;
    started_ = true;
    at = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  bool started_ = false;
};

std::optional<YAML::Mark> stuck_parser_at(std::string_view yaml) {
  std::istringstream in{std::string(yaml)};
  YAML::Parser parser(in);
  document_walker walker;
  while (parser.HandleNextDocument(walker)) {
    if (walker.stuck) return walker.at;
  }
  return std::nullopt;
}

constexpr std::string_view env_prefix = "SCRIBE_";

// Variables that share the prefix but configure the build (CMakeLists.txt) or tell tests where the
// build is (tests/CMakeLists.txt). ctest passes them to every test, including ones that start
// Scribe, so they must not stop start-up.
constexpr std::array<std::string_view, 2> non_config_variables{"SCRIBE_BUILD_DIR", "SCRIBE_WERROR"};

std::string with_key(const std::string& key, const std::string& message) {
  return key.empty() ? message : key + ": " + message;
}

// How a bad value is repeated in a message: redacted, escaped so that it stays on one line, and cut
// short so that a pasted blob does not flood the log.
std::string quote_value(std::string_view raw) {
  return quote_for_message(redact_credentials(raw), 80);
}

std::string line_of(const YAML::Node& node) {
  return std::to_string(node.Mark().line + 1);
}

std::string_view kind_of(const YAML::Node& node) {
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  return "a single value";
}

class loader {
 public:
  loader(std::span<const key_spec> table, std::string_view source_name)
      : table_(table), source_(source_name) {
    for (const auto& key : table_) sections_.insert(std::string(key.section()));
  }

  options run(std::string_view yaml, const environment& env) {
    apply_document(parse(yaml));
    apply_environment(env);
    check_combinations();
    return opts_;
  }

 private:
  // Rules that span keys, checked once every value is in place.
  void check_combinations() const {
    if (opts_.slack.enabled() && opts_.slack.bot_token.empty()) {
      throw config_error("slack.bot_token",
                         "required when slack.signing_secret is set (set SCRIBE_SLACK_BOT_TOKEN)");
    }
    if (!opts_.slack.enabled() && !opts_.slack.bot_token.empty()) {
      throw config_error("slack.signing_secret",
                         "required when slack.bot_token is set: Scribe verifies every request "
                         "from Slack with it (set SCRIBE_SLACK_SIGNING_SECRET)");
    }
    // Matrix as an Application Service needs both tokens of its registration and an address the
    // homeserver can push transactions to (PROTOCOLS.md section 7).
    const matrix_options& matrix = opts_.matrix;
    if (matrix.enabled()) {
      auto require = [](const std::string& value, const std::string& key, const std::string& why) {
        if (value.empty()) {
          throw config_error(key, "required when matrix.homeserver_url is set: " + why + " (set " +
                                      env_name_for(key) + ")");
        }
      };
      require(matrix.server_name, "matrix.server_name",
              "the homeserver's name, the part after ':' in its user IDs (e.g. example.org)");
      require(matrix.as_token, "matrix.as_token",
              "the token Scribe presents to the homeserver, as in its registration (generate one "
              "with openssl rand -hex 32)");
      require(matrix.hs_token, "matrix.hs_token",
              "the token the homeserver presents to Scribe, as in its registration (generate one "
              "with openssl rand -hex 32)");
      if (matrix.as_token == matrix.hs_token) {
        throw config_error(
            "matrix.hs_token",
            "must differ from matrix.as_token: the Application Service specification "
            "requires two different tokens, one for each direction (generate another "
            "with openssl rand -hex 32)");
      }
      require(opts_.server.public_url, "server.public_url",
              "the homeserver sends Matrix events to this address, the registration's url");
      // The spec caps a whole user ID at 255 bytes; each part alone may pass its own check.
      const std::size_t user_id_length =
          1 + matrix.sender_localpart.size() + 1 + matrix.server_name.size();
      if (user_id_length > 255) {
        throw config_error("matrix.sender_localpart",
                           "the bot's user ID @<sender_localpart>:<server_name> would be " +
                               std::to_string(user_id_length) +
                               " bytes long; Matrix allows at most 255");
      }
    } else if (!matrix.as_token.empty() || !matrix.hs_token.empty()) {
      // Tokens without the homeserver would leave Matrix off without a word.
      throw config_error("matrix.homeserver_url",
                         std::string("required when ") +
                             (matrix.as_token.empty() ? "matrix.hs_token" : "matrix.as_token") +
                             " is set: Scribe calls the homeserver's Client-Server API there (e.g. "
                             "https://matrix.example.org; set SCRIBE_MATRIX_HOMESERVER_URL)");
    }
    const postmortem_options& postmortem = opts_.postmortem;
    if (postmortem.remind_after >= postmortem.draft_after) {
      throw config_error("postmortem.remind_after",
                         "must be shorter than postmortem.draft_after (" +
                             format_duration(postmortem.draft_after) +
                             "): the reminder would come after the draft, got \"" +
                             format_duration(postmortem.remind_after) + "\"");
    }
  }

  YAML::Node parse(std::string_view yaml) const {
    std::vector<YAML::Node> documents;
    try {
      if (const auto stuck = stuck_parser_at(yaml)) {
        throw config_error("", source_ + ":" + std::to_string(stuck->line + 1) + ":" +
                                   std::to_string(stuck->column + 1) +
                                   ": invalid YAML: no document can start here");
      }
      documents = YAML::LoadAll(std::string(yaml));
    } catch (const YAML::Exception& e) {
      std::string where = source_;
      if (!e.mark.is_null()) {
        where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
      }
      throw config_error("", where + ": invalid YAML: " + e.msg);
    }
    if (documents.size() > 1) {
      throw config_error(
          "", source_ + ": expected one YAML document, found " + std::to_string(documents.size()));
    }
    return documents.empty() ? YAML::Node() : documents.front();
  }

  std::string at_line(const YAML::Node& node) const {
    return " (" + source_ + ", line " + line_of(node) + ")";
  }

  void apply_document(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) return;
    if (!root.IsMap()) {
      std::string names;
      for (const auto& section : sections_) names += (names.empty() ? "" : ", ") + section + ":";
      throw config_error("", source_ + ": expected a map of sections (" + names +
                                 ") at the top level, got " + std::string(kind_of(root)));
    }
    std::set<std::string, std::less<>> seen_sections;
    for (const auto& entry : root) {
      std::string section = scalar_key(entry.first);
      if (!sections_.contains(section)) {
        throw config_error(
            section, "unknown section" + suggestion(section, sections_) + at_line(entry.first));
      }
      if (!seen_sections.insert(section).second) {
        throw config_error(section, "section appears twice" + at_line(entry.first));
      }
      const YAML::Node& body = entry.second;
      if (body.IsNull()) continue;
      if (!body.IsMap()) {
        throw config_error(
            section, "expected a map of keys, got " + std::string(kind_of(body)) + at_line(body));
      }
      apply_section(section, body);
    }
  }

  void apply_section(const std::string& section, const YAML::Node& body) {
    std::set<std::string, std::less<>> seen_keys;
    for (const auto& entry : body) {
      std::string name = section + "." + scalar_key(entry.first);
      const key_spec* key = find_key(name);
      if (key == nullptr) {
        std::vector<std::string> siblings;
        for (const auto& candidate : table_) {
          if (candidate.section() == section) siblings.push_back(candidate.name);
        }
        throw config_error(name, "unknown key" + suggestion(name, siblings) + at_line(entry.first));
      }
      if (!seen_keys.insert(name).second)
        throw config_error(name, "key appears twice" + at_line(entry.first));
      const YAML::Node& value = entry.second;
      if (value.IsNull()) continue;  // `key:` with nothing after it keeps the default
      if (value.IsScalar()) {
        apply(*key, value.Scalar(), at_line(value));
      } else if (key->structured) {
        // The row parses YAML text, so that the file and a SCRIBE_* variable share one parser.
        apply(*key, YAML::Dump(value), at_line(value));
      } else {
        // An unquoted "[::1]:8080" would be a syntax error, but "[::1]" alone parses as a list.
        throw config_error(name, "expected a single value, got " + std::string(kind_of(value)) +
                                     " (quote values that start with '[' or '{')" + at_line(value));
      }
    }
  }

  void apply_environment(const environment& env) {
    for (const auto& entry : env) {
      const std::string& variable = entry.first;
      if (!variable.starts_with(env_prefix)) continue;
      if (std::find(non_config_variables.begin(), non_config_variables.end(), variable) !=
          non_config_variables.end()) {
        continue;
      }
      auto key = std::find_if(table_.begin(), table_.end(),
                              [&](const key_spec& k) { return k.env_name() == variable; });
      if (key == table_.end()) {
        std::vector<std::string> known;
        for (const auto& k : table_) known.push_back(k.env_name());
        throw config_error(variable, "unknown environment variable" + suggestion(variable, known));
      }
      apply(*key, entry.second, " (from " + variable + ")");
    }
  }

  // One place turns a row's reason into a message, so a secret's value cannot slip into one.
  void apply(const key_spec& key, std::string_view text, const std::string& where) {
    try {
      key.parse(text, opts_);
    } catch (const std::invalid_argument& e) {
      std::string message = e.what();
      if (!key.secret && !key.structured) message += ", got " + quote_value(text);
      throw config_error(key.name, message + where);
    }
  }

  std::string scalar_key(const YAML::Node& node) const {
    if (!node.IsScalar())
      throw config_error("", source_ + ", line " + line_of(node) + ": a key must be a plain name");
    return node.Scalar();
  }

  const key_spec* find_key(std::string_view name) const {
    auto found = std::find_if(table_.begin(), table_.end(),
                              [&](const key_spec& k) { return k.name == name; });
    return found == table_.end() ? nullptr : &*found;
  }

  std::span<const key_spec> table_;
  std::string source_;
  std::set<std::string, std::less<>> sections_;
  options opts_;
};

}  // namespace

config_error::config_error(std::string key, std::string message)
    : std::runtime_error(with_key(key, message)), key_(std::move(key)) {}

environment process_environment() {
  environment env;
  for (char** entry = ::environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    if (!text.starts_with(env_prefix)) continue;
    auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return env;
}

options load(const std::optional<std::filesystem::path>& file, const environment& env,
             std::span<const key_spec> table) {
  if (!file) return load_from_string("", env, table);
  std::string name = file->string();
  std::error_code ec;
  if (std::filesystem::is_directory(*file, ec)) {
    throw config_error("", "cannot read configuration file \"" + name + "\": it is a directory");
  }
  std::ifstream in(*file, std::ios::binary);
  if (!in) {
    // ifstream reports nothing itself; on POSIX, open(2) has just set errno.
    int error = errno;
    throw config_error("", "cannot read configuration file \"" + name +
                               "\": " + std::generic_category().message(error));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw config_error("", "cannot read configuration file \"" + name + "\": read error");
  return load_from_string(text.str(), env, table, name);
}

options load_from_string(std::string_view yaml, const environment& env,
                         std::span<const key_spec> table, std::string_view source_name) {
  return loader(table, source_name).run(yaml, env);
}

std::vector<std::pair<std::string, std::string>> describe(const options& opts,
                                                          std::span<const key_spec> table) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(table.size());
  for (const auto& key : table) {
    std::string value = key.show(opts);
    out.emplace_back(
        key.name, key.secret ? (value.empty() ? "(not set)" : "(set)") : redact_credentials(value));
  }
  return out;
}

}  // namespace scribe::config
