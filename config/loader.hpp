#pragma once
// Loading the configuration: the YAML file named by `scribe serve --config`, then SCRIBE_*
// environment variables, which win over the file (that is how secrets are passed). Every key is
// optional; options.hpp holds the defaults. Anything unknown or invalid stops start-up with a
// config_error naming the key, so a typo never silently falls back to a default.
//
// The functions are pure apart from reading the file (load) and ::environ (process_environment);
// call them from one thread at start-up.

#include "config/keys.hpp"
#include "config/options.hpp"
#include "config/values.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scribe::config {

// Why the configuration was refused. what() reads
//   server.listen: expected host:port (e.g. 127.0.0.1:8080), got "abc" (scribe.yaml, line 3)
// and never contains the value of a secret key.
class config_error : public std::runtime_error {
 public:
  // `key` is the dotted key ("server.listen"), the section for a section-level problem, the
  // variable for an unknown SCRIBE_* variable, or empty when no key is to blame (an unreadable
  // file, a YAML syntax error). what() is "<key>: <message>", or just the message when `key` is
  // empty.
  config_error(std::string key, std::string message);
  const std::string& key() const noexcept { return key_; }

 private:
  std::string key_;
};

// Environment variables by name. Only names starting with SCRIBE_ are looked at.
using environment = std::map<std::string, std::string, std::less<>>;

// The SCRIBE_* variables of this process (from ::environ).
environment process_environment();

// Reads `file` if given (an error if it is missing or unreadable), applies `env` over it and
// validates everything against `table`. Throws config_error.
//
// Rules: a key with an empty YAML value (`listen:` or `listen: ~`) keeps its default; an empty
// environment variable sets the key to the empty string. SCRIBE_BUILD_DIR and SCRIBE_WERROR belong
// to the build and test tooling and are ignored; any other unknown SCRIBE_* variable is an error.
options load(const std::optional<std::filesystem::path>& file, const environment& env,
             std::span<const key_spec> table = key_table());

// As load, from text; `source_name` stands for the file name in messages.
options load_from_string(std::string_view yaml, const environment& env,
                         std::span<const key_spec> table = key_table(),
                         std::string_view source_name = "<string>");

// The effective configuration for the start-up log and `scribe check-config`: one (key, value) per
// row in table order, secrets shown as "(set)" or "(not set)", and any user:password in a URL
// replaced by "***".
std::vector<std::pair<std::string, std::string>> describe(
    const options& opts, std::span<const key_spec> table = key_table());

}  // namespace scribe::config
