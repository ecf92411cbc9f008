#include "config/loader.hpp"

#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace config = scribe::config;

namespace {

const config::environment no_env;

template <class Load>
config::config_error error_from(Load load) {
  try {
    load();
  } catch (const config::config_error& e) {
    return e;
  }
  FAIL("expected a config_error");
  throw std::logic_error("unreachable");
}

config::config_error yaml_error(const std::string& yaml, const config::environment& env = no_env) {
  return error_from([&] { config::load_from_string(yaml, env); });
}

config::config_error env_error(const config::environment& env) {
  return yaml_error("", env);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// The real table with storage.url marked secret: proves the secret mechanism on a row whose
// parser rejects values, before any real secret key exists.
std::vector<config::key_spec> table_with_secret_storage_url() {
  std::vector<config::key_spec> table = config::key_table();
  for (auto& key : table) {
    if (key.name == "storage.url") key = config::secret(key);
  }
  return table;
}

}  // namespace

TEST_CASE("no file and no environment give the defaults", "[unit]") {
  auto expected = config::describe(config::options{});
  CHECK(config::describe(config::load_from_string("", no_env)) == expected);
  CHECK(config::describe(config::load_from_string("# only a comment\n", no_env)) == expected);
  CHECK(config::describe(config::load_from_string("server:\nstorage:\n", no_env)) == expected);
  CHECK(config::describe(config::load(std::nullopt, no_env)) == expected);
}

TEST_CASE("every key can be set from the file", "[unit]") {
  auto opts = config::load_from_string(R"(
server:
  listen: "[::1]:9000"
  public_url: https://scribe.example.com/
  body_limit: 1MiB
  read_timeout: 1500ms
  idle_timeout: 5m
  shutdown_timeout: 4h
  threads: 8
storage:
  url: sqlite:/var/lib/scribe/scribe.db
jobs:
  lease: 30s
  max_pending: 500
postmortem:
  questions:
    - id: impact
      text: Who was hurt?
  remind_after: 2h
  draft_after: 3h
  gap_marker: 1m
  timezone: America/New_York
  review_replies: off
web:
  token: t0ken
  playground: false
log:
  level: debug
)",
                                       no_env);
  CHECK(opts.server.listen_host == "::1");
  CHECK(opts.server.listen_port == 9000);
  CHECK(opts.server.public_url == "https://scribe.example.com");
  CHECK(opts.server.body_limit == 1024 * 1024);
  CHECK(opts.server.read_timeout == 1500ms);
  CHECK(opts.server.idle_timeout == 5min);
  CHECK(opts.server.shutdown_timeout == 4h);
  CHECK(opts.server.threads == 8);
  CHECK(opts.storage.url == "sqlite:/var/lib/scribe/scribe.db");
  CHECK(opts.jobs.max_pending == 500);
  CHECK(opts.jobs.lease == 30s);
  CHECK(opts.postmortem.questions ==
        std::vector<config::postmortem_question>{{"impact", "Who was hurt?"}});
  CHECK(opts.postmortem.remind_after == 2h);
  CHECK(opts.postmortem.draft_after == 3h);
  CHECK(opts.postmortem.gap_marker == 1min);
  CHECK(opts.postmortem.timezone == "America/New_York");
  CHECK_FALSE(opts.postmortem.review_replies);
  CHECK(opts.web.token == "t0ken");
  CHECK(opts.web.playground == false);
  CHECK(opts.log.level == scribe::log::level::debug);
}

TEST_CASE("a key with no value keeps its default", "[unit]") {
  auto opts =
      config::load_from_string("server:\n  listen:\n  threads: ~\n  public_url: \"\"\n", no_env);
  CHECK(opts.server.listen_host == "127.0.0.1");
  CHECK(opts.server.threads == 1);
  CHECK(opts.server.public_url.empty());
}

TEST_CASE("every key can be set from the environment", "[unit]") {
  config::environment env{
      {"SCRIBE_SERVER_LISTEN", "0.0.0.0:80"},
      {"SCRIBE_SERVER_PUBLIC_URL", "http://10.0.0.1:8080"},
      {"SCRIBE_SERVER_BODY_LIMIT", "2048"},
      {"SCRIBE_SERVER_READ_TIMEOUT", "1s"},
      {"SCRIBE_SERVER_IDLE_TIMEOUT", "1d"},
      {"SCRIBE_SERVER_SHUTDOWN_TIMEOUT", "500ms"},
      {"SCRIBE_SERVER_THREADS", "3"},
      {"SCRIBE_STORAGE_URL", "sqlite::memory:"},
      {"SCRIBE_STORAGE_CONNECTIONS", "12"},
      {"SCRIBE_JOBS_MAX_PENDING", "1"},
      {"SCRIBE_JOBS_LEASE", "5m"},
      {"SCRIBE_SLACK_SIGNING_SECRET", "s3cret"},
      {"SCRIBE_SLACK_BOT_TOKEN", "xoxb-t"},
      {"SCRIBE_SLACK_API_BASE_URL", "http://127.0.0.1:9/api/"},
      {"SCRIBE_SLACK_COMMAND", "/sev"},
      {"SCRIBE_SLACK_FLAG_REACTION", ":eyes:"},
      {"SCRIBE_SLACK_API_TIMEOUT", "2s"},
      {"SCRIBE_MATRIX_HOMESERVER_URL", "https://matrix.example.org/"},
      {"SCRIBE_MATRIX_SERVER_NAME", "example.org"},
      {"SCRIBE_MATRIX_AS_TOKEN", "as-t"},
      {"SCRIBE_MATRIX_HS_TOKEN", "hs-t"},
      {"SCRIBE_MATRIX_SENDER_LOCALPART", "incident-bot"},
      {"SCRIBE_MATRIX_COMMAND_PREFIX", "!inc"},
      {"SCRIBE_MATRIX_FLAG_REACTION", "\U0001F440"},
      {"SCRIBE_MATRIX_ALLOWED_SERVERS", "example.org, corp.example:8448"},
      {"SCRIBE_MATRIX_API_TIMEOUT", "3s"},
      {"SCRIBE_POSTMORTEM_QUESTIONS", R"([{id: impact, text: "What was the impact?"}])"},
      {"SCRIBE_POSTMORTEM_REMIND_AFTER", "10m"},
      {"SCRIBE_POSTMORTEM_DRAFT_AFTER", "2d"},
      {"SCRIBE_POSTMORTEM_GAP_MARKER", "5m"},
      {"SCRIBE_POSTMORTEM_TIMEZONE", "Europe/Berlin"},
      {"SCRIBE_POSTMORTEM_REVIEW_REPLIES", "off"},
      {"SCRIBE_WEB_TOKEN", "w3b"},
      {"SCRIBE_WEB_PLAYGROUND", "true"},
      {"SCRIBE_TLS_CA_FILE", "/etc/passwd"},
      {"SCRIBE_LOG_LEVEL", "error"},
  };
  REQUIRE(env.size() == config::key_table().size());
  auto opts = config::load_from_string("", env);
  CHECK(opts.server.listen_host == "0.0.0.0");
  CHECK(opts.server.listen_port == 80);
  CHECK(opts.server.public_url == "http://10.0.0.1:8080");
  CHECK(opts.server.body_limit == 2048);
  CHECK(opts.server.read_timeout == 1s);
  CHECK(opts.server.idle_timeout == 24h);
  CHECK(opts.server.shutdown_timeout == 500ms);
  CHECK(opts.server.threads == 3);
  CHECK(opts.storage.url == "sqlite::memory:");
  CHECK(opts.storage.connections == 12);
  CHECK(opts.jobs.max_pending == 1);
  CHECK(opts.jobs.lease == 5min);
  CHECK(opts.slack.signing_secret == "s3cret");
  CHECK(opts.slack.bot_token == "xoxb-t");
  CHECK(opts.slack.api_base_url == "http://127.0.0.1:9/api");
  CHECK(opts.slack.command == "/sev");
  CHECK(opts.slack.flag_reaction == "eyes");
  CHECK(opts.slack.api_timeout == std::chrono::seconds(2));
  CHECK(opts.matrix.homeserver_url == "https://matrix.example.org");
  CHECK(opts.matrix.server_name == "example.org");
  CHECK(opts.matrix.as_token == "as-t");
  CHECK(opts.matrix.hs_token == "hs-t");
  CHECK(opts.matrix.sender_localpart == "incident-bot");
  CHECK(opts.matrix.command_prefix == "!inc");
  CHECK(opts.matrix.flag_reaction == "\U0001F440");
  CHECK(opts.matrix.allowed_servers ==
        std::vector<std::string>{"example.org", "corp.example:8448"});
  CHECK(opts.matrix.api_timeout == 3s);
  CHECK(opts.postmortem.questions ==
        std::vector<config::postmortem_question>{{"impact", "What was the impact?"}});
  CHECK(opts.postmortem.remind_after == 10min);
  CHECK(opts.postmortem.draft_after == 48h);
  CHECK(opts.postmortem.gap_marker == 5min);
  CHECK(opts.postmortem.timezone == "Europe/Berlin");
  CHECK_FALSE(opts.postmortem.review_replies);
  CHECK(opts.web.token == "w3b");
  CHECK(opts.web.playground == true);
  CHECK(opts.tls.ca_file == "/etc/passwd");
  CHECK(opts.log.level == scribe::log::level::error);
}

TEST_CASE("slack keys are checked, alone and together", "[unit]") {
  const config::environment secret_only{{"SCRIBE_SLACK_SIGNING_SECRET", "s3cret"}};
  CHECK_THROWS_WITH(
      config::load_from_string("", secret_only),
      Catch::StartsWith("slack.bot_token: required when slack.signing_secret is set"));
  const config::environment token_only{{"SCRIBE_SLACK_BOT_TOKEN", "xoxb-1"}};
  CHECK_THROWS_WITH(config::load_from_string("", token_only),
                    Catch::StartsWith("slack.signing_secret: required when slack.bot_token"));
  const config::environment pasted{{"SCRIBE_SLACK_SIGNING_SECRET", "abc def"},
                                   {"SCRIBE_SLACK_BOT_TOKEN", "xoxb-1"}};
  try {
    config::load_from_string("", pasted);
    FAIL("a secret with a space was accepted");
  } catch (const config::config_error& e) {
    CHECK(e.key() == "slack.signing_secret");
    CHECK_THAT(e.what(), !Catch::Contains("abc def"));  // a secret is never repeated
  }
  CHECK_THROWS_WITH(config::load_from_string("slack:\n  command: incident\n", no_env),
                    Catch::StartsWith("slack.command:"));
  CHECK_THROWS_WITH(config::load_from_string("slack:\n  flag_reaction: \"push pin\"\n", no_env),
                    Catch::StartsWith("slack.flag_reaction:"));
  CHECK_THROWS_WITH(config::load_from_string("slack:\n  api_base_url: \"\"\n", no_env),
                    Catch::StartsWith("slack.api_base_url:"));
  CHECK_THROWS_WITH(config::load_from_string("tls:\n  ca_file: /nonexistent/ca.pem\n", no_env),
                    Catch::StartsWith("tls.ca_file: is not a readable file"));
}

TEST_CASE("the environment wins over the file", "[unit]") {
  std::string yaml = "server:\n  listen: 127.0.0.1:1000\n  threads: 4\nlog:\n  level: warn\n";
  auto opts = config::load_from_string(
      yaml, {{"SCRIBE_SERVER_LISTEN", "[::]:2000"}, {"SCRIBE_LOG_LEVEL", "debug"}});
  CHECK(opts.server.listen_host == "::");
  CHECK(opts.server.listen_port == 2000);
  CHECK(opts.log.level == scribe::log::level::debug);
  CHECK(opts.server.threads == 4);  // untouched by the environment
}

TEST_CASE("an empty environment variable sets an empty value", "[unit]") {
  auto opts = config::load_from_string("server:\n  public_url: https://a.example\n",
                                       {{"SCRIBE_SERVER_PUBLIC_URL", ""}});
  CHECK(opts.server.public_url.empty());
  auto e = env_error({{"SCRIBE_SERVER_LISTEN", ""}});
  CHECK(e.key() == "server.listen");
}

TEST_CASE("variables that are not Scribe's, or belong to its build, are ignored", "[unit]") {
  config::environment env{{"HOME", "/root"},
                          {"scribe_server_listen", "x"},
                          {"SCRIBE_BUILD_DIR", "/tmp/build"},
                          {"SCRIBE_WERROR", "ON"}};
  CHECK(config::describe(config::load_from_string("", env)) == config::describe(config::options{}));
}

TEST_CASE("an unknown SCRIBE_ variable stops start-up, suggesting the nearest", "[unit]") {
  auto typo = env_error({{"SCRIBE_SERVER_LISTN", "127.0.0.1:8080"}});
  CHECK(typo.key() == "SCRIBE_SERVER_LISTN");
  CHECK(std::string(typo.what()) ==
        "SCRIBE_SERVER_LISTN: unknown environment variable; did you mean SCRIBE_SERVER_LISTEN?");
  CHECK_THAT(env_error({{"SCRIBE_LOG_LEVLE", "info"}}).what(),
             Contains("did you mean SCRIBE_LOG_LEVEL?"));
  auto far = env_error({{"SCRIBE_FROBNICATE", "1"}});
  CHECK(std::string(far.what()) == "SCRIBE_FROBNICATE: unknown environment variable");
}

TEST_CASE("a bad environment value names the key and the variable", "[unit]") {
  auto e = env_error({{"SCRIBE_SERVER_THREADS", "0"}});
  CHECK(e.key() == "server.threads");
  CHECK(std::string(e.what()) ==
        "server.threads: must be from 1 to 64, got \"0\" (from SCRIBE_SERVER_THREADS)");
}

TEST_CASE("SCRIBE_WEB_PLAYGROUND takes exactly the documented true, false and auto", "[unit]") {
  CHECK(config::load_from_string("", {{"SCRIBE_WEB_PLAYGROUND", "true"}}).web.playground == true);
  CHECK(config::load_from_string("", {{"SCRIBE_WEB_PLAYGROUND", "false"}}).web.playground == false);
  CHECK_FALSE(config::load_from_string("", {{"SCRIBE_WEB_PLAYGROUND", "auto"}}).web.playground);
  for (const char* other : {"yes", "no", "on", "off", "1", "TRUE"}) {
    INFO(other);
    auto e = env_error({{"SCRIBE_WEB_PLAYGROUND", other}});
    CHECK(e.key() == "web.playground");
    CHECK_THAT(e.what(), Contains("expected true, false or auto"));
  }
}

TEST_CASE("unknown keys and sections in the file name the key", "[unit]") {
  auto key = yaml_error("server:\n  listn: 127.0.0.1:8080\n");
  CHECK(key.key() == "server.listn");
  CHECK(std::string(key.what()) ==
        "server.listn: unknown key; did you mean server.listen? (<string>, line 2)");

  auto section = yaml_error("log:\n  level: info\nsever:\n  listen: x\n");
  CHECK(section.key() == "sever");
  CHECK(std::string(section.what()) ==
        "sever: unknown section; did you mean server? (<string>, line 3)");

  auto far = yaml_error("pagerduty:\n  api_key: x\n");
  CHECK(far.key() == "pagerduty");
  CHECK(std::string(far.what()) == "pagerduty: unknown section (<string>, line 1)");

  // A key of another section is unknown here, not silently moved.
  CHECK(yaml_error("log:\n  listen: 127.0.0.1:8080\n").key() == "log.listen");
}

TEST_CASE("wrong shapes in the file name the key", "[unit]") {
  auto scalar_section = yaml_error("server: 8080\n");
  CHECK(scalar_section.key() == "server");
  CHECK_THAT(scalar_section.what(), Contains("expected a map of keys, got a single value"));
  CHECK_THAT(yaml_error("server:\n  - listen\n").what(),
             Contains("expected a map of keys, got a list"));

  auto list_value = yaml_error("server:\n  listen: [\"::1\"]\n");
  CHECK(list_value.key() == "server.listen");
  CHECK_THAT(list_value.what(), Contains("expected a single value, got a list"));
  CHECK_THAT(list_value.what(), Contains("quote values"));

  auto map_value = yaml_error("server:\n  threads:\n    count: 2\n");
  CHECK(map_value.key() == "server.threads");
  CHECK_THAT(map_value.what(), Contains("got a map"));
  CHECK_THAT(map_value.what(), Contains("line 3"));

  auto top_list = yaml_error("- server\n");
  CHECK(top_list.key().empty());
  CHECK_THAT(top_list.what(), Contains("expected a map of sections"));
  CHECK_THAT(yaml_error("just text\n").what(), Contains("expected a map of sections"));

  CHECK_THAT(yaml_error("? [a, b]\n: 1\n").what(), Contains("a key must be a plain name"));
}

TEST_CASE("a key or section given twice is an error, not last-one-wins", "[unit]") {
  auto key = yaml_error("server:\n  threads: 2\n  threads: 4\n");
  CHECK(key.key() == "server.threads");
  CHECK_THAT(key.what(), Contains("appears twice"));
  CHECK_THAT(key.what(), Contains("line 3"));
  CHECK(yaml_error("log:\n  level: info\nlog:\n  level: warn\n").key() == "log");
}

TEST_CASE("the file holds one YAML document", "[unit]") {
  auto e = yaml_error("log:\n  level: info\n---\nlog:\n  level: warn\n");
  CHECK_THAT(e.what(), Contains("expected one YAML document, found 2"));
}

TEST_CASE("YAML that sends yaml-cpp 0.7 into a loop is an error, not a hang", "[unit]") {
  // Found by the config fuzz target (tests/fuzz/regressions/config); jbeder/yaml-cpp#1040.
  for (const char* text : {",", ",ervera:: ", "log:\n  level: info\n,\n", ",a:"}) {
    INFO(text);
    CHECK_THAT(yaml_error(text).what(), Contains("invalid YAML"));
  }
  CHECK_THAT(yaml_error("a: 1\n---\nb: 2\n").what(), Contains("expected one YAML document"));
}

TEST_CASE("a YAML syntax error names the source and line", "[unit]") {
  auto e = yaml_error("server:\n  listen: \"127.0.0.1:8080\"\n  threads: [1,\nlog:\n");
  CHECK(e.key().empty());
  CHECK_THAT(e.what(), Contains("<string>:"));
  CHECK_THAT(e.what(), Contains("invalid YAML"));
  // An unquoted IPv6 listen value is the syntax error operators will meet most.
  auto unquoted = yaml_error("log:\n  level: info\nserver:\n  listen: [::1]:8080\n");
  CHECK_THAT(unquoted.what(), StartsWith("<string>:4:"));
}

struct bad_value {
  std::string yaml_key;
  std::string value;
  std::string reason;
};

TEST_CASE("bad values in the file name the key, the reason and the value", "[unit]") {
  auto bad = GENERATE(values<bad_value>({
      {"server.listen", "abc", "expected host:port (e.g. 127.0.0.1:8080)"},
      {"server.listen", "\"::1:8080\"", "brackets"},
      {"server.listen", "127.0.0.1:99999", "the port must be a number from 0 to 65535"},
      {"server.listen", "999.0.0.1:80", "IP address or a hostname"},
      {"server.public_url", "scribe.example.com", "http:// or https://"},
      {"server.public_url", "https://", "no host"},
      {"server.body_limit", "1023", "must be from 1KiB to 64MiB"},
      {"server.body_limit", "65MiB", "must be from 1KiB to 64MiB"},
      {"server.body_limit", "64KB", "unknown unit"},
      {"server.body_limit", "-1", "negative"},
      {"web.playground", "maybe", "expected true, false or auto"},
      {"web.playground", "yes", "expected true, false or auto"},
      {"web.playground", "off", "expected true, false or auto"},
      {"server.read_timeout", "0s", "longer than 0"},
      {"server.read_timeout", "10", "unit is missing"},
      {"server.idle_timeout", "1.5s", "whole number"},
      {"server.idle_timeout", "-5s", "negative"},
      {"server.shutdown_timeout", "99999999999999999999d", "too long"},
      {"server.threads", "0", "must be from 1 to 64"},
      {"server.threads", "65", "must be from 1 to 64"},
      {"server.threads", "two", "expected a whole number"},
      {"jobs.max_pending", "0", "must be from 1 to 10000000"},
      {"jobs.lease", "0s", "longer than 0"},
      {"jobs.max_pending", "-5", "expected a whole number"},
      {"storage.url", "data/scribe.db", "expected sqlite:<path>"},
      {"storage.url", "\"sqlite:\"", "path after sqlite: is empty"},
      {"storage.url", "sqlite://data/scribe.db", "without \"//\""},
      {"storage.url", "mysql://db/scribe", "unsupported scheme \"mysql\""},
      {"postmortem.remind_after", "0s", "longer than 0"},
      {"postmortem.draft_after", "1.5d", "whole number"},
      {"postmortem.gap_marker", "30", "unit is missing"},
      {"postmortem.timezone", "Mars/Olympus", "unknown time zone; expected an IANA name"},
      {"postmortem.review_replies", "on", "expected private or off"},
      {"postmortem.review_replies", "public", "expected private or off"},
      {"log.level", "verbose", "expected one of debug, info, warn, error"},
      {"log.level", "INFO", "expected one of debug, info, warn, error"},
  }));
  auto dot = bad.yaml_key.find('.');
  std::string yaml = "# line 1\n" + bad.yaml_key.substr(0, dot) + ":\n  " +
                     bad.yaml_key.substr(dot + 1) + ": " + bad.value + "\n";
  INFO(yaml);
  auto e = yaml_error(yaml);
  CHECK(e.key() == bad.yaml_key);
  std::string what = e.what();
  CHECK_THAT(what, StartsWith(bad.yaml_key + ": "));
  CHECK_THAT(what, Contains(bad.reason));
  CHECK_THAT(what, Contains("(<string>, line 3)"));
  std::string shown =
      bad.value.front() == '"' ? bad.value.substr(1, bad.value.size() - 2) : bad.value;
  CHECK_THAT(what, Contains("got \"" + shown + "\""));
}

TEST_CASE("the message for a bad listen value reads as documented", "[unit]") {
  CHECK(std::string(yaml_error("server:\n  listen: abc\n").what()) ==
        "server.listen: expected host:port (e.g. 127.0.0.1:8080), got \"abc\" (<string>, line 2)");
}

TEST_CASE("a PostgreSQL URL is taken, and refused when malformed without repeating its password",
          "[unit]") {
  auto opts = config::load_from_string(
      "", {{"SCRIBE_STORAGE_URL", "postgresql://scribe:hunter2@db.example/scribe"},
           {"SCRIBE_STORAGE_CONNECTIONS", "8"}});
  CHECK(opts.storage.url == "postgresql://scribe:hunter2@db.example/scribe");
  CHECK(opts.storage.connections == 8);
  // libpq's other spelling, normalised.
  CHECK(
      config::load_from_string("", {{"SCRIBE_STORAGE_URL", "postgres://db/scribe"}}).storage.url ==
      "postgresql://db/scribe");
  auto e = env_error({{"SCRIBE_STORAGE_URL", "postgresql://scribe:hunter2@db example/scribe"}});
  CHECK(e.key() == "storage.url");
  CHECK_THAT(e.what(), Contains("space or a control character"));
  CHECK_THAT(e.what(), !Contains("hunter2"));
  CHECK_THAT(e.what(), Contains("postgresql://***@db example/scribe"));
  CHECK_THAT(env_error({{"SCRIBE_STORAGE_URL", "postgresql:db/scribe"}}).what(),
             Contains("expected postgresql://user:password@host:port/database"));
  CHECK_THAT(env_error({{"SCRIBE_STORAGE_CONNECTIONS", "0"}}).what(),
             Contains("storage.connections"));
}

TEST_CASE("a value repeated in a message stays on one line and short", "[unit]") {
  std::string what = env_error({{"SCRIBE_SERVER_LISTEN", "a\nb\"c"}}).what();
  CHECK(what.find('\n') == std::string::npos);
  CHECK_THAT(what, Contains(R"(got "a\x0ab\"c")"));
  std::string long_value(500, 'x');
  std::string long_what = env_error({{"SCRIBE_SERVER_LISTEN", long_value}}).what();
  CHECK(long_what.size() < 250);
  CHECK_THAT(long_what, Contains("\"..."));
}

TEST_CASE("a secret's value never appears in an error or in describe()", "[unit]") {
  auto table = table_with_secret_storage_url();
  const std::string secret_value = "mysql:hunter2";

  auto from_env = error_from([&] {
    config::load_from_string("", {{"SCRIBE_STORAGE_URL", secret_value}}, table);
  });
  CHECK(from_env.key() == "storage.url");
  CHECK_THAT(from_env.what(), Contains("unsupported scheme"));
  CHECK_THAT(from_env.what(), Contains("(from SCRIBE_STORAGE_URL)"));
  CHECK_THAT(from_env.what(), !Contains("hunter2"));

  auto from_file = error_from(
      [&] { config::load_from_string("storage:\n  url: " + secret_value + "\n", no_env, table); });
  CHECK_THAT(from_file.what(), Contains("line 2"));
  CHECK_THAT(from_file.what(), !Contains("hunter2"));

  auto opts = config::load_from_string("", {{"SCRIBE_STORAGE_URL", "sqlite:hunter2.db"}}, table);
  CHECK(opts.storage.url == "sqlite:hunter2.db");
  auto described = config::describe(opts, table);
  for (const auto& [key, value] : described) CHECK_THAT(value, !Contains("hunter2"));
  CHECK(described.at(7) == std::pair<std::string, std::string>{"storage.url", "(set)"});
  opts.storage.url.clear();
  CHECK(config::describe(opts, table).at(7).second == "(not set)");

  // The same value through the real, non-secret row is shown: the row's flag is what hides it.
  CHECK(config::describe(opts).at(7).second.empty());
  CHECK_THAT(env_error({{"SCRIBE_STORAGE_URL", secret_value}}).what(), Contains("hunter2"));
}

TEST_CASE("describe() hides a URL's password in plain values too", "[unit]") {
  config::options opts;
  opts.storage.url = "postgresql://scribe:hunter2@db.example:5432/scribe";
  CHECK(config::describe(opts).at(7).second == "postgresql://***@db.example:5432/scribe");
  // libpq's other place for it.
  opts.storage.url = "postgresql://db.example/scribe?sslmode=require&password=hunter2&x=1";
  CHECK(config::describe(opts).at(7).second ==
        "postgresql://db.example/scribe?sslmode=require&password=***&x=1");
  opts.storage.url = "postgresql://db.example/scribe?password=hunter2";
  CHECK(config::describe(opts).at(7).second == "postgresql://db.example/scribe?password=***");
}

TEST_CASE("load reads the file named and names it in errors", "[unit]") {
  scribe::test_support::temp_dir dir;
  auto path = dir / "scribe.yaml";
  write_file(path, "server:\n  threads: 3\n");
  CHECK(config::load(path, no_env).server.threads == 3);
  CHECK(config::load(path, {{"SCRIBE_SERVER_THREADS", "5"}}).server.threads == 5);

  write_file(path, "server:\n  threads: 300\n");
  auto bad_value = error_from([&] { config::load(path, no_env); });
  CHECK(bad_value.key() == "server.threads");
  CHECK_THAT(bad_value.what(), Contains("(" + path.string() + ", line 2)"));

  write_file(path, "server:\n  threads: [\n");
  CHECK_THAT(error_from([&] { config::load(path, no_env); }).what(),
             StartsWith(path.string() + ":"));

  auto missing = error_from([&] { config::load(dir / "nope.yaml", no_env); });
  CHECK(missing.key().empty());
  CHECK(std::string(missing.what()) == "cannot read configuration file \"" +
                                           (dir / "nope.yaml").string() +
                                           "\": No such file or directory");

  CHECK_THAT(error_from([&] { config::load(dir.path(), no_env); }).what(),
             Contains("it is a directory"));

  write_file(path, "");
  CHECK(config::describe(config::load(path, no_env)) == config::describe(config::options{}));
}

TEST_CASE("process_environment keeps only SCRIBE_ variables", "[unit]") {
  ::setenv("SCRIBE_CONFIG_TEST_PROBE", "a=b", 1);
  ::setenv("NOT_SCRIBE_CONFIG_TEST_PROBE", "x", 1);
  auto env = config::process_environment();
  ::unsetenv("SCRIBE_CONFIG_TEST_PROBE");
  ::unsetenv("NOT_SCRIBE_CONFIG_TEST_PROBE");
  CHECK(env.at("SCRIBE_CONFIG_TEST_PROBE") == "a=b");
  for (const auto& [name, value] : env) CHECK(name.starts_with("SCRIBE_"));
  // The test runner sets SCRIBE_BUILD_DIR; it must not stop Scribe from starting.
  auto without_probe = env;
  without_probe.erase("SCRIBE_CONFIG_TEST_PROBE");
  CHECK_NOTHROW(config::load(std::nullopt, without_probe));
}

TEST_CASE("postmortem.questions is read from a block list in the file", "[unit]") {
  auto opts = config::load_from_string(R"(
postmortem:
  questions:
    - id: impact
      text: What was the impact, on whom, and for how long?
    - id: timeline_gaps
      text: |
        Where is the timeline thin?
        What happened there?
    - {id: actions, text: "Who does what, by when?"}
)",
                                       no_env);
  CHECK(opts.postmortem.questions ==
        std::vector<config::postmortem_question>{
            {"impact", "What was the impact, on whom, and for how long?"},
            {"timeline_gaps", "Where is the timeline thin?\nWhat happened there?"},
            {"actions", "Who does what, by when?"},
        });
  // A flow list written as one quoted value in the file is read alike.
  auto quoted =
      config::load_from_string("postmortem:\n  questions: '[{id: a, text: \"B?\"}]'\n", no_env);
  CHECK(quoted.postmortem.questions == std::vector<config::postmortem_question>{{"a", "B?"}});
}

TEST_CASE("SCRIBE_POSTMORTEM_QUESTIONS holds flow YAML or JSON and wins over the file", "[unit]") {
  std::string yaml = "postmortem:\n  questions:\n    - id: from_file\n      text: File?\n";
  auto flow = config::load_from_string(
      yaml, {{"SCRIBE_POSTMORTEM_QUESTIONS",
              R"([{id: impact, text: "What was the impact?"}, {id: lucky, text: 'Luck?'}])"}});
  CHECK(flow.postmortem.questions == std::vector<config::postmortem_question>{
                                         {"impact", "What was the impact?"}, {"lucky", "Luck?"}});
  auto json = config::load_from_string(
      yaml, {{"SCRIBE_POSTMORTEM_QUESTIONS", R"([{"id":"impact","text":"Impact?\nWho?"}])"}});
  CHECK(json.postmortem.questions ==
        std::vector<config::postmortem_question>{{"impact", "Impact?\nWho?"}});
  // Empty, like any variable, sets the empty value, which is not a list of questions.
  auto empty = env_error({{"SCRIBE_POSTMORTEM_QUESTIONS", ""}});
  CHECK(std::string(empty.what()) ==
        "postmortem.questions: expected a list of {id, text} maps, got nothing "
        "(from SCRIBE_POSTMORTEM_QUESTIONS)");
}

TEST_CASE("a bad question names the key, the item and where it came from", "[unit]") {
  auto from_file = yaml_error(R"(postmortem:
  remind_after: 1h
  questions:
    - id: impact
      text: What was the impact?
    - id: detection
      text: How did we notice?
    - id: Bad Id
      text: Why?
)");
  CHECK(from_file.key() == "postmortem.questions");
  CHECK(std::string(from_file.what()) ==
        "postmortem.questions: item 3: id \"Bad Id\" must be 1-32 lower-case letters, digits or _ "
        "(<string>, line 4)");

  auto twice = env_error(
      {{"SCRIBE_POSTMORTEM_QUESTIONS", "[{id: impact, text: a}, {id: impact, text: b}]"}});
  CHECK(twice.key() == "postmortem.questions");
  CHECK(std::string(twice.what()) ==
        "postmortem.questions: item 2: id \"impact\" appears twice (first in item 1) "
        "(from SCRIBE_POSTMORTEM_QUESTIONS)");

  auto shape = yaml_error("postmortem:\n  questions:\n    id: impact\n    text: x\n");
  CHECK(std::string(shape.what()) ==
        "postmortem.questions: expected a list of {id, text} maps, got a map (<string>, line 3)");

  auto syntax = env_error({{"SCRIBE_POSTMORTEM_QUESTIONS", "[{id: a, text: b}"}});
  CHECK(syntax.key() == "postmortem.questions");
  CHECK_THAT(syntax.what(), Contains("not valid YAML"));

  // The whole value is not repeated: it can be pages long, and the reason names the part at fault.
  std::string long_text(1990, 'x');
  auto long_value = env_error(
      {{"SCRIBE_POSTMORTEM_QUESTIONS", "[{id: a, text: " + long_text + "}, {id: b, text: ~}]"}});
  CHECK(std::string(long_value.what()) ==
        "postmortem.questions: item 2: text is empty (from SCRIBE_POSTMORTEM_QUESTIONS)");
}

TEST_CASE("keys other than postmortem.questions still refuse a list or a map", "[unit]") {
  auto e = yaml_error("postmortem:\n  timezone:\n    - Europe/Berlin\n");
  CHECK(e.key() == "postmortem.timezone");
  CHECK_THAT(e.what(), Contains("expected a single value, got a list"));
  CHECK(yaml_error("web:\n  token: {a: b}\n").key() == "web.token");
}

TEST_CASE("postmortem.timezone takes IANA names from the file and the environment", "[unit]") {
  for (std::string zone : {"Europe/Berlin", "America/New_York", "UTC"}) {
    CHECK(config::load_from_string("postmortem:\n  timezone: " + zone + "\n", no_env)
              .postmortem.timezone == zone);
    CHECK(
        config::load_from_string("", {{"SCRIBE_POSTMORTEM_TIMEZONE", zone}}).postmortem.timezone ==
        zone);
  }
  auto mars = env_error({{"SCRIBE_POSTMORTEM_TIMEZONE", "Mars/Olympus"}});
  CHECK(mars.key() == "postmortem.timezone");
  CHECK(std::string(mars.what()) ==
        "postmortem.timezone: unknown time zone; expected an IANA name such as Europe/Berlin or "
        "America/New_York, got \"Mars/Olympus\" (from SCRIBE_POSTMORTEM_TIMEZONE)");
}

TEST_CASE("the reminder must come before the draft", "[unit]") {
  auto equal = env_error(
      {{"SCRIBE_POSTMORTEM_REMIND_AFTER", "1d"}, {"SCRIBE_POSTMORTEM_DRAFT_AFTER", "24h"}});
  CHECK(equal.key() == "postmortem.remind_after");
  CHECK(std::string(equal.what()) ==
        "postmortem.remind_after: must be shorter than postmortem.draft_after (1d): the reminder "
        "would come after the draft, got \"1d\"");
  // Each alone against the other's default.
  CHECK(yaml_error("postmortem:\n  remind_after: 2d\n").key() == "postmortem.remind_after");
  CHECK_THAT(yaml_error("postmortem:\n  draft_after: 1h\n").what(),
             Contains("shorter than postmortem.draft_after (1h)"));
  auto shorter =
      config::load_from_string("postmortem:\n  remind_after: 59m\n  draft_after: 1h\n", no_env);
  CHECK(shorter.postmortem.remind_after == 59min);
}

TEST_CASE("web.token is a secret: never in describe() or a message", "[unit]") {
  const std::string token = "hunter2token";
  auto opts = config::load_from_string("", {{"SCRIBE_WEB_TOKEN", token}});
  CHECK(opts.web.token == token);
  for (const auto& [key, value] : config::describe(opts)) {
    INFO(key);
    CHECK_THAT(value, !Contains(token));
  }
  auto described = config::describe(opts);
  auto row = std::find_if(described.begin(), described.end(),
                          [](const auto& entry) { return entry.first == "web.token"; });
  REQUIRE(row != described.end());
  CHECK(row->second == "(set)");
  opts.web.token.clear();
  auto unset = config::describe(opts);
  CHECK(std::find(unset.begin(), unset.end(),
                  std::pair<std::string, std::string>{"web.token", "(not set)"}) != unset.end());

  auto pasted = env_error({{"SCRIBE_WEB_TOKEN", token + " \n"}});
  CHECK(pasted.key() == "web.token");
  CHECK_THAT(pasted.what(), Contains("a space or a control character"));
  CHECK_THAT(pasted.what(), !Contains(token));
  auto from_file = yaml_error("web:\n  token: \"" + token + "\\t\"\n");
  CHECK(from_file.key() == "web.token");
  CHECK_THAT(from_file.what(), Contains("line 2"));
  CHECK_THAT(from_file.what(), !Contains(token));
}

TEST_CASE("the playground is on by default only while no chat platform is configured", "[unit]") {
  config::options opts;
  CHECK(opts.playground_enabled());
  opts.slack.signing_secret = "s3cret";
  CHECK_FALSE(opts.playground_enabled());
  opts.web.playground = true;
  CHECK(opts.playground_enabled());
  config::options matrix_only;
  matrix_only.matrix.homeserver_url = "https://matrix.example.org";
  CHECK_FALSE(matrix_only.playground_enabled());
  matrix_only.web.playground = false;
  CHECK_FALSE(matrix_only.playground_enabled());
  CHECK(config::load_from_string("web:\n  playground: false\n", no_env).web.playground == false);
}
