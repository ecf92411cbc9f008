#pragma once
// Scribe's command line: which sub-command to run, and the exit codes scripts can rely on.

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <variant>

namespace scribe::app {

// sysexits(3) values, so that `systemctl` and shell scripts can tell failures apart.
enum exit_code : int {
  exit_ok = 0,
  exit_findings = 1,      // review: the text has findings (for pre-commit hooks and CI)
  exit_usage = 64,        // the command line is wrong
  exit_data = 65,         // the data forbids it (migrate into a database that holds data)
  exit_no_input = 66,     // what was asked for does not exist (an unknown incident or file)
  exit_unavailable = 69,  // the store cannot be opened or the address cannot be bound
  exit_software = 70,     // an unexpected internal error
  exit_config = 78,       // the configuration file or environment is wrong
};

enum class sub_command {
  serve,
  check_config,
  slack_manifest,
  matrix_registration,
  export_postmortem,
  migrate,
  review,
  version,
  help
};

struct invocation {
  sub_command command = sub_command::help;
  std::optional<std::filesystem::path> config_file;
  std::string public_url;  // slack-manifest --public-url; empty: server.public_url
  std::string incident;    // export: "INC-7"
  std::string workspace;   // export --workspace: which workspace's INC-7
  std::string from;        // migrate --from: "sqlite:<path>"
  bool json = false;       // review --json
  std::string people;      // review --people "Dave,@kim"
  std::string file;        // review: the file to read; "-" or empty: standard input
};

struct usage_error {
  std::string message;      // what is wrong, with "; did you mean serve?" for a near miss
  bool show_usage = false;  // nothing to go on (no command at all): print the whole usage text
};

// Reads argv (without argv[0]). Returns a usage_error for anything it does not understand.
std::variant<invocation, usage_error> parse_arguments(std::span<const char* const> args);

std::string usage_text();

}  // namespace scribe::app
