#include "app/cli.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace scribe::app;

namespace {

std::variant<invocation, usage_error> parse(std::vector<const char*> args) {
  return parse_arguments(std::span<const char* const>(args.data(), args.size()));
}

invocation ok(std::vector<const char*> args) {
  auto r = parse(std::move(args));
  REQUIRE(std::holds_alternative<invocation>(r));
  return std::get<invocation>(r);
}

std::string refused(std::vector<const char*> args) {
  auto r = parse(std::move(args));
  REQUIRE(std::holds_alternative<usage_error>(r));
  return std::get<usage_error>(r).message;
}

}  // namespace

TEST_CASE("sub-commands and --config", "[unit][cli]") {
  CHECK(ok({"serve"}).command == sub_command::serve);
  CHECK_FALSE(ok({"serve"}).config_file);
  CHECK(ok({"serve", "--config", "s.yaml"}).config_file == "s.yaml");
  CHECK(ok({"--config=/etc/scribe.yaml", "check-config"}).config_file == "/etc/scribe.yaml");
  CHECK(ok({"check-config", "-c", "x.yaml"}).command == sub_command::check_config);
  CHECK(ok({"--version"}).command == sub_command::version);
  CHECK(ok({"--help"}).command == sub_command::help);
  CHECK(ok({"slack-manifest"}).command == sub_command::slack_manifest);
  CHECK(ok({"slack-manifest", "--public-url", "https://s.example"}).public_url ==
        "https://s.example");
  CHECK(ok({"--public-url=https://t.example", "slack-manifest"}).public_url == "https://t.example");
}

TEST_CASE("mistakes are usage errors that name the problem", "[unit][cli]") {
  CHECK(refused({}) == "no command given");
  CHECK_THAT(refused({"serve", "--config"}), Catch::Contains("--config needs a file name"));
  CHECK_THAT(refused({"serve", "--config="}), Catch::Contains("--config needs a file name"));
  CHECK_THAT(refused({"serve", "--verbose"}), Catch::Contains("--verbose"));
  CHECK_THAT(refused({"serve", "check-config"}), Catch::Contains("more than one command"));
  CHECK_THAT(refused({"serve", "--public-url", "https://x"}),
             Catch::Contains("--public-url is only for slack-manifest"));
  CHECK_THAT(refused({"slack-manifest", "--public-url"}), Catch::Contains("needs a URL"));
}

TEST_CASE("a near miss suggests the command or option meant", "[unit][cli]") {
  CHECK(refused({"serv"}) == "unknown argument: serv; did you mean serve?");
  CHECK(refused({"check-confg"}) == "unknown argument: check-confg; did you mean check-config?");
  CHECK(refused({"serve", "--confg", "x.yaml"}) ==
        "unknown argument: --confg; did you mean --config?");
  CHECK(refused({"slack-manifest", "--public-ur=https://x"}) ==
        "unknown argument: --public-ur=https://x; did you mean --public-url?");
  CHECK(refused({"--verison"}) == "unknown argument: --verison; did you mean --version?");
  // Options are not offered for words, nor commands for options; far misses get no guess.
  CHECK(refused({"serve", "--serve"}) == "unknown argument: --serve");
  CHECK(refused({"deploy"}) == "unknown argument: deploy");
}

TEST_CASE("only a missing command asks for the whole usage text", "[unit][cli]") {
  auto full = [](std::vector<const char*> args) {
    auto r = parse(std::move(args));
    REQUIRE(std::holds_alternative<usage_error>(r));
    return std::get<usage_error>(r).show_usage;
  };
  CHECK(full({}));
  CHECK(full({"--config", "x.yaml"}));
  CHECK_FALSE(full({"serv"}));
  CHECK_FALSE(full({"serve", "--config"}));
}

TEST_CASE("the usage text lists the exit codes", "[unit][cli]") {
  const auto text = usage_text();
  for (auto code : {"64", "69", "70", "78"}) CHECK_THAT(text, Catch::Contains(code));
}

TEST_CASE("export takes an incident and an optional workspace", "[unit][cli]") {
  const auto plain = ok({"export", "INC-7"});
  CHECK(plain.command == sub_command::export_postmortem);
  CHECK(plain.incident == "INC-7");
  CHECK(plain.workspace.empty());
  const auto picked = ok({"--config", "s.yaml", "export", "INC-7", "--workspace", "T1"});
  CHECK(picked.incident == "INC-7");
  CHECK(picked.workspace == "T1");
  CHECK(picked.config_file == "s.yaml");
  CHECK(refused({"export"}) == "export needs an incident, for example: scribe export INC-7");
  CHECK(refused({"export", "INC-7", "INC-8"}) == "unknown argument: INC-8");
  CHECK(refused({"serve", "--workspace", "T1"}) == "--workspace is only for export");
  CHECK(refused({"export", "INC-7", "--workspace"}) == "--workspace needs a workspace id");
  CHECK_THAT(usage_text(), Catch::Contains("export INC-<n>"));
  CHECK_THAT(usage_text(), Catch::Contains("66 no such incident"));
}

TEST_CASE("matrix-registration takes only --config", "[unit][cli]") {
  CHECK(ok({"matrix-registration"}).command == sub_command::matrix_registration);
  CHECK(ok({"matrix-registration", "--config", "s.yaml"}).config_file == "s.yaml");
  CHECK_THAT(refused({"matrix-registration", "--public-url", "https://x"}),
             Catch::Contains("--public-url is only for slack-manifest"));
  CHECK_THAT(refused({"matrix-registration", "serve"}), Catch::Contains("more than one command"));
  // The help says that the output holds the tokens.
  CHECK_THAT(usage_text(), Catch::Contains("matrix-registration"));
  CHECK_THAT(usage_text(), Catch::Contains("contains matrix.as_token and matrix.hs_token"));
}

TEST_CASE("migrate takes the SQLite database to copy", "[unit][cli]") {
  const auto run = ok({"migrate", "--from", "sqlite:data/scribe.db"});
  CHECK(run.command == sub_command::migrate);
  CHECK(run.from == "sqlite:data/scribe.db");
  CHECK_THAT(refused({"migrate"}), Catch::Contains("migrate needs --from sqlite:<path>"));
  CHECK_THAT(refused({"migrate", "--from", "postgresql://db/x"}),
             Catch::Contains("migrate needs --from sqlite:<path>"));
  CHECK_THAT(refused({"migrate", "--from"}), Catch::Contains("--from needs a database"));
  CHECK(refused({"serve", "--from", "sqlite:x.db"}) == "--from is only for migrate");
  CHECK_THAT(usage_text(), Catch::Contains("65 migrate refused"));
}

TEST_CASE("review takes --json, --people and a file or -", "[unit][cli]") {
  const auto plain = ok({"review"});
  CHECK(plain.command == sub_command::review);
  CHECK(plain.file.empty());
  CHECK_FALSE(plain.json);
  const auto full = ok({"review", "--json", "--people", "Dave,@kim", "postmortem.md"});
  CHECK(full.json);
  CHECK(full.people == "Dave,@kim");
  CHECK(full.file == "postmortem.md");
  CHECK(ok({"review", "-"}).file == "-");
  CHECK(refused({"review", "a.md", "b.md"}) == "unknown argument: b.md");
  CHECK_THAT(refused({"review", "--people"}), Catch::Contains("--people needs names"));
  CHECK(refused({"serve", "--json"}) == "unknown argument: --json");
  CHECK_THAT(usage_text(), Catch::Contains("review [--json]"));
  CHECK_THAT(usage_text(), Catch::Contains("1 review found"));
}
