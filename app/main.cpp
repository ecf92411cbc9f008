// The scribe executable: parses the command line, loads the configuration, runs the sub-command.
#include "app/cli.hpp"
#include "app/export.hpp"
#include "app/matrix_registration.hpp"
#include "app/migrate.hpp"
#include "app/review.hpp"
#include "app/service.hpp"
#include "app/slack_manifest.hpp"
#include "config/loader.hpp"
#include "config/log.hpp"

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <stdexcept>

namespace {

using namespace scribe;

int check_config(const config::options& options) {
  for (const auto& [key, value] : config::describe(options))
    std::cout << key << " = " << value << '\n';
  return app::exit_ok;
}

// The URL comes from --public-url, else server.public_url; it is checked as that key is.
int print_slack_manifest(const app::invocation& inv, const config::options& options) {
  std::string url = options.server.public_url;
  if (!inv.public_url.empty()) {
    try {
      url = config::parse_public_url(inv.public_url);
    } catch (const std::invalid_argument& e) {
      std::cerr << "scribe: --public-url: " << e.what() << '\n';
      return app::exit_usage;
    }
  }
  if (url.empty()) {
    std::cerr << "scribe: slack-manifest needs --public-url URL or server.public_url\n";
    return app::exit_usage;
  }
  // A warning, not a refusal: the manifest is still worth printing to edit by hand.
  if (const auto warning = app::slack_url_warning(url); !warning.empty()) {
    std::cerr << "scribe: warning: " << warning << '\n';
  }
  std::cout << app::slack_manifest(url, options.slack.command);
  return app::exit_ok;
}

// Missing keys are reported all at once (exit 78, as for any configuration error), so that one run
// lists everything still to set.
int print_matrix_registration(const config::options& options) {
  const auto missing = app::missing_for_matrix_registration(options);
  if (!missing.empty()) {
    std::cerr << "scribe: matrix-registration needs these keys set:";
    for (const auto& key : missing) std::cerr << "\n  " << key;
    std::cerr << "\nSee the README, \"Connecting to Matrix\".\n";
    return app::exit_config;
  }
  std::cout << app::matrix_registration(options);
  return app::exit_ok;
}

int run(const app::invocation& inv) {
  switch (inv.command) {
    case app::sub_command::version:
      std::cout << "scribe " << SCRIBE_VERSION << '\n';
      return app::exit_ok;
    case app::sub_command::help: std::cout << app::usage_text(); return app::exit_ok;
    case app::sub_command::review: return app::review_text(inv, std::cin, std::cout, std::cerr);
    case app::sub_command::serve:
    case app::sub_command::check_config:
    case app::sub_command::slack_manifest:
    case app::sub_command::matrix_registration:
    case app::sub_command::export_postmortem:
    case app::sub_command::migrate: break;
  }
  config::options options;
  try {
    options = config::load(inv.config_file, config::process_environment());
  } catch (const config::config_error& e) {
    std::cerr << "scribe: configuration error: " << e.what() << '\n';
    return app::exit_config;
  }
  if (inv.command == app::sub_command::slack_manifest) return print_slack_manifest(inv, options);
  if (inv.command == app::sub_command::matrix_registration)
    return print_matrix_registration(options);
  if (inv.command == app::sub_command::export_postmortem) {
    log::set_level(log::level::warn);  // stdout is the Markdown; only trouble goes to the log
    return app::export_postmortem(options, inv.incident, inv.workspace, std::cout, std::cerr);
  }
  if (inv.command == app::sub_command::migrate) {
    return app::migrate(options, inv.from.substr(std::string_view("sqlite:").size()), std::cout,
                        std::cerr);
  }
  return inv.command == app::sub_command::serve ? app::serve(options) : check_config(options);
}

}  // namespace

int main(int argc, char** argv) {
  // A file grown past the process's size limit (RLIMIT_FSIZE, a quota-like limit) must fail the
  // write, which the store reports as storage trouble (503), instead of killing Scribe.
  std::signal(SIGXFSZ, SIG_IGN);
  const auto parsed = app::parse_arguments(
      std::span<const char* const>(argv + 1, static_cast<std::size_t>(argc > 0 ? argc - 1 : 0)));
  if (const auto* error = std::get_if<app::usage_error>(&parsed)) {
    // A near miss is answered in one line; the whole usage text would bury the suggestion.
    std::cerr << "scribe: " << error->message << '\n'
              << (error->show_usage ? "\n" + app::usage_text()
                                    : "Run scribe --help for the commands and options.\n");
    return app::exit_usage;
  }
  try {
    return run(std::get<app::invocation>(parsed));
  } catch (const std::exception& e) {
    log::error("fatal error", {{"error", e.what()}});
    return app::exit_software;
  }
}
