#include "app/cli.hpp"

#include "config/suggestion.hpp"

#include <iterator>
#include <string_view>
#include <vector>

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
         "  matrix-registration\n"
         "                 print the Matrix Application Service registration (YAML) for the\n"
         "                 homeserver; it needs server.public_url and the matrix.* keys. It\n"
         "                 contains matrix.as_token and matrix.hs_token in clear, the one place\n"
         "                 Scribe prints them: write it to a file only the homeserver can read\n"
         "  export INC-<n> [--workspace ID]\n"
         "                 print the incident's latest postmortem draft (Markdown); --workspace\n"
         "                 picks one when several workspaces have an INC-<n>\n"
         "  migrate --from sqlite:<path>\n"
         "                 copy a SQLite database into the empty PostgreSQL database that\n"
         "                 storage.url names, ids and all, in one transaction; run it once,\n"
         "                 with every Scribe stopped, before starting replicas on PostgreSQL\n"
         "  review [--json] [--people \"Dave,@kim\"] [FILE|-]\n"
         "                 review a text for blameful wording (standard input without FILE or\n"
         "                 with -): each finding with its sentence, why, and a rewrite;\n"
         "                 --json prints {\"findings\": [...]}; --people names the incident's\n"
         "                 people. Exit 0 when nothing is found, 1 with findings. Opens no\n"
         "                 database and reads no configuration\n"
         "  --version      print the version\n"
         "  --help         print this help\n"
         "\n"
         "Every configuration key section.key can also be set as SCRIBE_SECTION_KEY in the\n"
         "environment (for example SCRIBE_SERVER_LISTEN=0.0.0.0:8080); see the README.\n"
         "\n"
         "Exit codes: 0 success, 1 review found wording to look at, 64 usage error,\n"
         "65 migrate refused (no source, or a target that holds data), 66 no such incident\n"
         "(or file to review), 69 storage or network\n"
         "unavailable, "
         "70 internal error, 78 configuration error.\n";
}

namespace {

struct named_command {
  std::string_view name;
  sub_command command;
};

constexpr named_command commands[] = {
    {"serve", sub_command::serve},
    {"check-config", sub_command::check_config},
    {"slack-manifest", sub_command::slack_manifest},
    {"matrix-registration", sub_command::matrix_registration},
    {"export", sub_command::export_postmortem},
    {"migrate", sub_command::migrate},
    {"review", sub_command::review},
    {"--version", sub_command::version},
    {"version", sub_command::version},
    {"--help", sub_command::help},
    {"-h", sub_command::help},
    {"help", sub_command::help},
};

constexpr std::string_view options[] = {"--config", "--public-url", "--workspace", "--from",
                                        "--json",   "--people"};

// "unknown argument: serv; did you mean serve?": options are compared with options, words with
// commands, so that a typo is never answered with something of the other kind.
usage_error unknown_argument(std::string_view arg) {
  std::vector<std::string_view> candidates;
  if (arg.starts_with('-')) {
    candidates.assign(std::begin(options), std::end(options));
    for (const auto& c : commands) {
      if (c.name.starts_with("--")) candidates.push_back(c.name);
    }
  } else {
    for (const auto& c : commands) {
      if (!c.name.starts_with('-')) candidates.push_back(c.name);
    }
  }
  // An option of another command is not a typo: no suggestion to write it as it was written.
  const auto name = arg.substr(0, arg.find('='));
  std::erase(candidates, name);
  return usage_error{"unknown argument: " + std::string(arg) + config::suggestion(name, candidates)};
}

}  // namespace

std::variant<invocation, usage_error> parse_arguments(std::span<const char* const> args) {
  invocation result;
  bool have_command = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    std::optional<sub_command> named;
    for (const auto& c : commands) {
      // After `review`, a word is the file to review, even one named like a command.
      if (arg == c.name && !(have_command && result.command == sub_command::review)) {
        named = c.command;
      }
    }

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
    } else if (arg == "--workspace") {
      if (i + 1 >= args.size()) return usage_error{"--workspace needs a workspace id"};
      result.workspace = args[++i];
    } else if (arg == "--from") {
      if (i + 1 >= args.size())
        return usage_error{"--from needs a database, e.g. sqlite:data/scribe.db"};
      result.from = args[++i];
    } else if (arg == "--json" && result.command == sub_command::review) {
      result.json = true;
    } else if (arg == "--people" && result.command == sub_command::review) {
      if (i + 1 >= args.size())
        return usage_error{"--people needs names, e.g. --people \"Dave,@kim\""};
      result.people = args[++i];
    } else if (result.command == sub_command::review && have_command && result.file.empty() &&
               (arg == "-" || !arg.starts_with("-"))) {
      result.file = std::string(arg);
    } else if (result.command == sub_command::export_postmortem && have_command &&
               result.incident.empty() && !arg.starts_with("-")) {
      result.incident = std::string(arg);
    } else if (arg.starts_with("--config=")) {
      result.config_file = std::string(arg.substr(std::string_view("--config=").size()));
    } else {
      return unknown_argument(arg);
    }
  }
  if (!have_command) return usage_error{"no command given", true};
  if (!result.public_url.empty() && result.command != sub_command::slack_manifest) {
    return usage_error{"--public-url is only for slack-manifest"};
  }
  if (result.command == sub_command::export_postmortem && result.incident.empty()) {
    return usage_error{"export needs an incident, for example: scribe export INC-7"};
  }
  if (!result.workspace.empty() && result.command != sub_command::export_postmortem) {
    return usage_error{"--workspace is only for export"};
  }
  if (result.command == sub_command::migrate && !result.from.starts_with("sqlite:")) {
    return usage_error{
        "migrate needs --from sqlite:<path>, e.g. scribe migrate --from sqlite:data/scribe.db"};
  }
  if (!result.from.empty() && result.command != sub_command::migrate) {
    return usage_error{"--from is only for migrate"};
  }
  if (result.config_file && result.config_file->empty()) {
    return usage_error{"--config needs a file name"};
  }
  return result;
}

}  // namespace scribe::app
