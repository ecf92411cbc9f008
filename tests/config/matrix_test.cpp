// The matrix.* keys: each value's grammar (the Matrix specification's appendices for server names
// and localparts) and the rules that tie them together when Matrix is enabled.
#include "config/keys.hpp"
#include "config/loader.hpp"
#include "tests/config/key_row.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace config = scribe::config;

namespace {

const config::key_spec& row(std::string_view name) {
  return scribe::test_support::key_row(name);
}

// What `name`'s row stores for `text`, as shown; or the reason it refuses it.
std::string parsed(std::string_view name, std::string_view text) {
  config::options opts;
  try {
    row(name).parse(text, opts);
  } catch (const std::invalid_argument& e) {
    return std::string("refused: ") + e.what();
  }
  return row(name).show(opts);
}

bool accepted(std::string_view name, std::string_view text) {
  return !parsed(name, text).starts_with("refused: ");
}

// A complete, valid Matrix setup; tests take keys away or change them.
config::environment matrix_env() {
  return {
      {"SCRIBE_SERVER_PUBLIC_URL", "https://scribe.example.com"},
      {"SCRIBE_MATRIX_HOMESERVER_URL", "https://matrix.example.org"},
      {"SCRIBE_MATRIX_SERVER_NAME", "example.org"},
      {"SCRIBE_MATRIX_AS_TOKEN", "as-secret-1"},
      {"SCRIBE_MATRIX_HS_TOKEN", "hs-secret-2"},
  };
}

config::config_error load_error(const config::environment& env, std::string_view yaml = "") {
  try {
    config::load_from_string(yaml, env);
  } catch (const config::config_error& e) {
    return e;
  }
  FAIL("expected a config_error");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("Matrix is off by default and on with a homeserver URL", "[unit][matrix]") {
  CHECK_FALSE(config::options{}.matrix.enabled());
  auto opts = config::load_from_string("", matrix_env());
  CHECK(opts.matrix.enabled());
  CHECK(opts.matrix.homeserver_url == "https://matrix.example.org");
  CHECK(opts.matrix.sender_localpart == "scribe");
  CHECK(opts.matrix.command_prefix == "!incident");
  CHECK(opts.matrix.flag_reaction == "\xF0\x9F\x93\x8C");  // U+1F4CC, the pushpin
  CHECK(opts.matrix.allowed_servers.empty());
  CHECK(opts.matrix.api_timeout == 10s);
}

TEST_CASE("every matrix key can be set from the file", "[unit][matrix]") {
  auto opts =
      config::load_from_string(R"(
server:
  public_url: https://scribe.example.com
matrix:
  homeserver_url: https://matrix.example.org/
  server_name: example.org
  sender_localpart: incident.bot
  command_prefix: "!inc"
  flag_reaction: "👀"
  allowed_servers: example.org, corp.example:8448 ,[2001:db8::1]
  api_timeout: 1500ms
)",
                               {{"SCRIBE_MATRIX_AS_TOKEN", "a"}, {"SCRIBE_MATRIX_HS_TOKEN", "b"}});
  CHECK(opts.matrix.homeserver_url == "https://matrix.example.org");
  CHECK(opts.matrix.server_name == "example.org");
  CHECK(opts.matrix.sender_localpart == "incident.bot");
  CHECK(opts.matrix.command_prefix == "!inc");
  CHECK(opts.matrix.flag_reaction == "👀");
  CHECK(opts.matrix.allowed_servers ==
        std::vector<std::string>{"example.org", "corp.example:8448", "[2001:db8::1]"});
  CHECK(opts.matrix.api_timeout == 1500ms);
  CHECK(row("matrix.allowed_servers").show(opts) ==
        "example.org, corp.example:8448, [2001:db8::1]");
}

TEST_CASE("an enabled Matrix needs its server name, both tokens and a public URL",
          "[unit][matrix]") {
  struct missing_case {
    std::string variable;
    std::string key;
  };
  auto missing = GENERATE(values<missing_case>({
      {"SCRIBE_MATRIX_SERVER_NAME", "matrix.server_name"},
      {"SCRIBE_MATRIX_AS_TOKEN", "matrix.as_token"},
      {"SCRIBE_MATRIX_HS_TOKEN", "matrix.hs_token"},
      {"SCRIBE_SERVER_PUBLIC_URL", "server.public_url"},
  }));
  INFO(missing.variable);
  auto env = matrix_env();
  env.erase(missing.variable);
  auto error = load_error(env);
  CHECK(error.key() == missing.key);
  CHECK_THAT(error.what(),
             StartsWith(missing.key + ": required when matrix.homeserver_url is set"));
  CHECK_THAT(error.what(), Contains("(set " + missing.variable + ")"));
  // An empty variable is the same as none.
  env[missing.variable] = "";
  CHECK(load_error(env).key() == missing.key);
}

TEST_CASE("the two tokens must differ, and the message does not show them", "[unit][matrix]") {
  auto env = matrix_env();
  env["SCRIBE_MATRIX_HS_TOKEN"] = env["SCRIBE_MATRIX_AS_TOKEN"];
  auto error = load_error(env);
  CHECK(error.key() == "matrix.hs_token");
  CHECK_THAT(error.what(), Contains("must differ from matrix.as_token"));
  CHECK_THAT(error.what(), Contains("specification requires two different tokens"));
  CHECK_THAT(error.what(), !Contains("as-secret-1"));
}

TEST_CASE("tokens without a homeserver URL are an error, not a silent no", "[unit][matrix]") {
  auto error = load_error({{"SCRIBE_MATRIX_AS_TOKEN", "as-secret-1"}});
  CHECK(error.key() == "matrix.homeserver_url");
  CHECK_THAT(error.what(), Contains("required when matrix.as_token is set"));
  CHECK_THAT(error.what(), Contains("SCRIBE_MATRIX_HOMESERVER_URL"));
  CHECK_THAT(load_error({{"SCRIBE_MATRIX_HS_TOKEN", "x"}}).what(),
             Contains("required when matrix.hs_token is set"));
  // The other matrix keys alone change nothing and are fine.
  CHECK_NOTHROW(config::load_from_string("matrix:\n  server_name: example.org\n", {}));
}

TEST_CASE("the bot's whole user ID fits Matrix's 255 bytes", "[unit][matrix]") {
  auto env = matrix_env();
  env["SCRIBE_MATRIX_SENDER_LOCALPART"] = std::string(243, 'a');  // @ + 243 + : + 11 = 256
  auto error = load_error(env);
  CHECK(error.key() == "matrix.sender_localpart");
  CHECK_THAT(error.what(), Contains("would be 256 bytes long; Matrix allows at most 255"));
  env["SCRIBE_MATRIX_SENDER_LOCALPART"] = std::string(242, 'a');
  CHECK_NOTHROW(config::load_from_string("", env));
}

TEST_CASE("matrix tokens are secrets: never in describe() or a message", "[unit][matrix]") {
  auto opts = config::load_from_string("", matrix_env());
  auto described = config::describe(opts);
  for (const auto& [key, value] : described) {
    INFO(key);
    CHECK_THAT(value, !Contains("secret-"));
  }
  CHECK(std::find(described.begin(), described.end(),
                  std::pair<std::string, std::string>{"matrix.as_token", "(set)"}) !=
        described.end());
  CHECK(row("matrix.as_token").secret);
  CHECK(row("matrix.hs_token").secret);
  auto env = matrix_env();
  env["SCRIBE_MATRIX_AS_TOKEN"] = "pasted-token\n";
  auto error = load_error(env);
  CHECK(error.key() == "matrix.as_token");
  CHECK_THAT(error.what(), Contains("a space or a control character"));
  CHECK_THAT(error.what(), !Contains("pasted-token"));
}

TEST_CASE("matrix.homeserver_url is an http(s) URL or empty", "[unit][matrix]") {
  CHECK(parsed("matrix.homeserver_url", "") == "");
  CHECK(parsed("matrix.homeserver_url", "https://matrix.example.org/") ==
        "https://matrix.example.org");
  CHECK(parsed("matrix.homeserver_url", "http://127.0.0.1:8008") == "http://127.0.0.1:8008");
  CHECK_FALSE(accepted("matrix.homeserver_url", "matrix.example.org"));
  CHECK_FALSE(accepted("matrix.homeserver_url", "https://user:pw@matrix.example.org"));
  auto error = load_error({{"SCRIBE_MATRIX_HOMESERVER_URL", "matrix.example.org"}});
  CHECK_THAT(error.what(),
             StartsWith("matrix.homeserver_url: expected an http:// or https:// URL"));
}

TEST_CASE("matrix.server_name is a hostname or IP literal with an optional port",
          "[unit][matrix]") {
  for (std::string_view good :
       {"example.org", "matrix.example.org:8448", "localhost", "localhost:8008", "1.2.3.4",
        "1.2.3.4:1", "[1234:5678::abcd]", "[::1]:8448", "Example.ORG", "xn--bcher-kva.example"}) {
    INFO(good);
    CHECK(parsed("matrix.server_name", good) == good);
  }
  CHECK(parsed("matrix.server_name", "") == "");
  struct bad_case {
    std::string text;
    std::string reason;
  };
  auto bad = GENERATE(values<bad_case>({
      {"https://example.org", "without a scheme"},
      {"example.org/", "expected a server name"},
      {"example .org", "expected a server name"},
      {"exa_mple.org", "expected a server name"},
      {"-example.org", "expected a server name"},
      {"example.org:", "the port must be a number from 1 to 65535"},
      {"example.org:0", "the port must be a number from 1 to 65535"},
      {"example.org:65536", "the port must be a number from 1 to 65535"},
      {"example.org:+80", "the port must be a number from 1 to 65535"},
      {"::1", "must be written in brackets"},
      {"[::1", "missing ']'"},
      {"[1.2.3.4]", "not an IPv6 address"},
      {"[::1]8448", "expected ':' and a port after ']'"},
      {":8448", "expected a server name"},
      {"@scribe:example.org", "expected a server name"},
  }));
  INFO(bad.text);
  CHECK_THAT(parsed("matrix.server_name", bad.text),
             StartsWith("refused: ") && Contains(bad.reason));
}

TEST_CASE("matrix.sender_localpart follows Matrix's localpart grammar", "[unit][matrix]") {
  for (std::string_view good : {"scribe", "incident.bot", "a", "x=y/z+1_-", "123"}) {
    INFO(good);
    CHECK(parsed("matrix.sender_localpart", good) == good);
  }
  CHECK(accepted("matrix.sender_localpart", std::string(255, 'a')));
  for (std::string_view bad :
       {"", "Scribe", "scri be", "scribé", "scribe!", "scribe:example.org"}) {
    INFO(bad);
    CHECK_THAT(parsed("matrix.sender_localpart", bad),
               Contains("lower-case letters, digits or . _ = - / +"));
  }
  CHECK_THAT(parsed("matrix.sender_localpart", std::string(256, 'a')), StartsWith("refused: "));
  CHECK_THAT(parsed("matrix.sender_localpart", "@scribe:example.org"),
             Contains("without '@' and ':server'"));
}

TEST_CASE("matrix.command_prefix is one word", "[unit][matrix]") {
  CHECK(parsed("matrix.command_prefix", "!incident") == "!incident");
  CHECK(parsed("matrix.command_prefix", "!inc") == "!inc");
  CHECK(parsed("matrix.command_prefix", "ß!") == "ß!");
  CHECK_THAT(parsed("matrix.command_prefix", ""), Contains("must not be empty"));
  CHECK_THAT(parsed("matrix.command_prefix", "! incident"), Contains("one word"));
  CHECK_THAT(parsed("matrix.command_prefix", "!incident\t"), Contains("one word"));
  CHECK_THAT(parsed("matrix.command_prefix", "!inc\xff"), Contains("not valid UTF-8"));
}

TEST_CASE("matrix.flag_reaction is the emoji itself", "[unit][matrix]") {
  for (std::string_view good : {"📌", "👀", "❤️", "👍🏽", "👨‍👩‍👧", "✅"}) {
    INFO(good);
    CHECK(parsed("matrix.flag_reaction", good) == good);
  }
  CHECK_THAT(parsed("matrix.flag_reaction", ""), Contains("must not be empty"));
  CHECK_THAT(parsed("matrix.flag_reaction", "pushpin"), Contains("not its name"));
  CHECK_THAT(parsed("matrix.flag_reaction", ":pushpin:"), Contains("not its name"));
  CHECK_THAT(parsed("matrix.flag_reaction", "📌 👀"), Contains("without spaces"));
  CHECK_THAT(parsed("matrix.flag_reaction", "\xF0\x9F\x93"), Contains("not valid UTF-8"));
  CHECK_THAT(parsed("matrix.flag_reaction", "📌📌📌📌📌📌📌📌📌"), Contains("at most 32 bytes"));
  CHECK(accepted("matrix.flag_reaction", "📌📌📌📌📌📌📌📌"));  // 32 bytes exactly
}

TEST_CASE("matrix.allowed_servers is a comma-separated list of server names", "[unit][matrix]") {
  CHECK(parsed("matrix.allowed_servers", "") == "");
  CHECK(parsed("matrix.allowed_servers", "  ") == "");
  CHECK(parsed("matrix.allowed_servers", "example.org") == "example.org");
  CHECK(parsed("matrix.allowed_servers", "example.org,corp.example:8448") ==
        "example.org, corp.example:8448");
  CHECK_THAT(parsed("matrix.allowed_servers", "example.org,"),
             Contains("entry 2 is empty (a doubled or trailing comma?)"));
  CHECK_THAT(parsed("matrix.allowed_servers", "a.org,,b.org"), Contains("entry 2 is empty"));
  CHECK_THAT(parsed("matrix.allowed_servers", "a.org, https://b.org"),
             Contains("entry 2: write the server name without a scheme"));
  CHECK_THAT(parsed("matrix.allowed_servers", "a.org b.org"),
             Contains("entry 1: expected a server name"));
  CHECK_THAT(parsed("matrix.allowed_servers", "a.org, b.org, a.org"),
             Contains("entry 3: \"a.org\" is listed twice"));
  // From the file, a bad entry names the key and the line.
  try {
    config::load_from_string("matrix:\n  allowed_servers: \"a.org, b_c\"\n", {});
    FAIL("a bad server name was accepted");
  } catch (const config::config_error& e) {
    CHECK(e.key() == "matrix.allowed_servers");
    CHECK_THAT(e.what(), Contains("entry 2: expected a server name"));
    CHECK_THAT(e.what(), Contains("line 2"));
  }
  // A YAML list is refused with the usual hint rather than read some other way.
  CHECK_THROWS_WITH(config::load_from_string("matrix:\n  allowed_servers: [a.org]\n", {}),
                    StartsWith("matrix.allowed_servers: expected a single value, got a list"));
}
