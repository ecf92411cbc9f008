#include "app/cli.hpp"

#include <string_view>

namespace scribe::app {

std::string usage_text() {
  return "Usage: scribe <command> [--config FILE]\n"
         "\n"
         "Commands:\n"
         "  serve          run the bot and its HTTP server until SIGTERM or SIGINT\n"
         "  check-config   validate the configuration and print the effective values\n"
         "  slack-manifest [--public-url URL]\n"
         "                 print the Slack app manifest for this Scribe (URL defaults to\n"
         "                 server.public_url)\n"
         "  --version      print the version\n"
         "  --help         print this help\n"
         "\n"
         "Every configuration key section.key can also be set as SCRIBE_SECTION_KEY in the\n"
         "environment (for example SCRIBE_SERVER_LISTEN=0.0.0.0:8080); see the README.\n"
         "\n"
         "Exit codes: 0 success, 64 usage error, 69 storage or network unavailable,\n"
         "70 internal error, 78 configuration error.\n";
}

std::variant<invocation, usage_error> parse_arguments(std::span<const char* const> args) {
  invocation result;
  bool have_command = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    std::optional<sub_command> named;
    if (arg == "serve")
      named = sub_command::serve;
    else if (arg == "check-config")
      named = sub_command::check_config;
    else if (arg == "slack-manifest")
      named = sub_command::slack_manifest;
    else if (arg == "--version" || arg == "version")
      named = sub_command::version;
    else if (arg == "--help" || arg == "-h" || arg == "help")
      named = sub_command::help;

    if (named) {
      if (have_command) return usage_error{"more than one command given: " + std::string(arg)};
      result.command = *named;
      have_command = true;
    } else if (arg == "--config" || arg == "-c") {
      if (i + 1 >= args.size()) return usage_error{std::string(arg) + " needs a file name"};
      result.config_file = args[++i];
    } else if (arg == "--public-url") {
      if (i + 1 >= args.size()) return usage_error{"--public-url needs a URL"};
      result.public_url = args[++i];
    } else if (arg.starts_with("--public-url=")) {
      result.public_url = std::string(arg.substr(std::string_view("--public-url=").size()));
    } else if (arg.starts_with("--config=")) {
      result.config_file = std::string(arg.substr(std::string_view("--config=").size()));
    } else {
      return usage_error{"unknown argument: " + std::string(arg)};
    }
  }
  if (!have_command) return usage_error{"no command given"};
  if (!result.public_url.empty() && result.command != sub_command::slack_manifest) {
    return usage_error{"--public-url is only for slack-manifest"};
  }
  if (result.config_file && result.config_file->empty()) {
    return usage_error{"--config needs a file name"};
  }
  return result;
}

}  // namespace scribe::app
