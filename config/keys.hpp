#pragma once
// The table of configuration keys: one row per key, in the order they are documented and described.
//
// Adding a key means a member in config/options.hpp, one row in key_table() (config/keys.cpp) and
// its comment in config/scribe.example.yaml. The file loader, the SCRIBE_* environment overrides,
// describe() and the table-wide tests all work from the rows, so nothing else changes.

#include "config/options.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::config {

struct key_spec {
  // "section.key" in lower case with one dot, e.g. "server.listen".
  std::string name;
  // A secret (a signing secret, a token) is never logged and never repeated in an error message;
  // describe() shows "(set)" or "(not set)" instead. Secrets are meant to come from the
  // environment.
  bool secret = false;
  // A structured value (postmortem.questions) may be a YAML list or map in the file: the loader
  // writes that node out as YAML text and gives it to `parse`, which therefore reads its text as
  // YAML whatever the source (the SCRIBE_* variable holds flow YAML such as `[{id: a, text: b}]`).
  // Other keys refuse a list or a map. Error messages do not repeat a structured value, which can
  // be long: `parse`'s reason names the part at fault instead.
  bool structured = false;
  // Parses and validates the text of a value (from the file or the environment) and stores it in
  // `opts`. Throws std::invalid_argument with a reason that does not repeat the value.
  std::function<void(std::string_view text, options& opts)> parse;
  // The value held in `opts`, written so that `parse` accepts it again, on one line (a structured
  // value as flow YAML). show(options{}) is the default that the documentation gives, so it cannot
  // drift from options.hpp.
  std::function<std::string(const options& opts)> show;

  std::string_view section() const;  // "server"
  std::string_view leaf() const;     // "listen"
  std::string env_name() const;      // "SCRIBE_SERVER_LISTEN"
};

// Marks a row as secret: secret(text_key("slack.signing_secret", ...)).
key_spec secret(key_spec key);

// Every key Scribe knows, in documentation order. Built once; safe to call from any thread.
const std::vector<key_spec>& key_table();

// "server.body_limit" -> "SCRIBE_SERVER_BODY_LIMIT": "SCRIBE_", then the name in upper case with
// '.' replaced by '_'.
std::string env_name_for(std::string_view key_name);

}  // namespace scribe::config
