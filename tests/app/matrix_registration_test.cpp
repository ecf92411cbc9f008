#include "app/matrix_registration.hpp"

#include <regex.h>
#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using namespace scribe;

namespace {

config::options example_options() {
  config::options opts;
  opts.server.public_url = "https://scribe.example.com";
  opts.matrix.homeserver_url = "https://matrix.example.org";
  opts.matrix.server_name = "example.org";
  opts.matrix.as_token = "0a1b2c3d";
  opts.matrix.hs_token = "4e5f6a7b";
  return opts;
}

std::set<std::string> keys_of(const YAML::Node& map) {
  std::set<std::string> out;
  for (const auto& entry : map) out.insert(entry.first.as<std::string>());
  return out;
}

// Whether the POSIX extended regex `pattern` matches all of `text` (Synapse anchors at the start,
// other homeservers search; anchoring both ends here is the strict reading).
bool whole_match(const std::string& pattern, const std::string& text) {
  regex_t compiled;
  REQUIRE(regcomp(&compiled, ("^" + pattern + "$").c_str(), REG_EXTENDED | REG_NOSUB) == 0);
  const bool matched = regexec(&compiled, text.c_str(), 0, nullptr, 0) == 0;
  regfree(&compiled);
  return matched;
}

}  // namespace

TEST_CASE("the registration has every field of the spec's registration.yaml", "[unit][matrix]") {
  const std::string text = app::matrix_registration(example_options());
  const YAML::Node yaml = YAML::Load(text);
  REQUIRE(yaml.IsMap());
  CHECK(keys_of(yaml) == std::set<std::string>{"id", "url", "as_token", "hs_token",
                                               "sender_localpart", "rate_limited", "namespaces",
                                               "receive_ephemeral"});
  CHECK(yaml["id"].as<std::string>() == "scribe");
  CHECK(yaml["url"].as<std::string>() == "https://scribe.example.com");
  CHECK(yaml["as_token"].as<std::string>() == "0a1b2c3d");
  CHECK(yaml["hs_token"].as<std::string>() == "4e5f6a7b");
  CHECK(yaml["sender_localpart"].as<std::string>() == "scribe");
  CHECK(yaml["rate_limited"].as<bool>() == false);
  CHECK(yaml["receive_ephemeral"].as<bool>() == false);

  const YAML::Node namespaces = yaml["namespaces"];
  REQUIRE(namespaces.IsMap());
  CHECK(keys_of(namespaces) == std::set<std::string>{"users", "aliases", "rooms"});
  REQUIRE(namespaces["users"].IsSequence());
  REQUIRE(namespaces["users"].size() == 1);
  const YAML::Node user = namespaces["users"][0];
  CHECK(keys_of(user) == std::set<std::string>{"exclusive", "regex"});
  CHECK(user["exclusive"].as<bool>() == true);
  CHECK(user["regex"].as<std::string>() == "@scribe:example\\.org");
  CHECK(namespaces["aliases"].IsSequence());
  CHECK(namespaces["aliases"].size() == 0);
  CHECK(namespaces["rooms"].IsSequence());
  CHECK(namespaces["rooms"].size() == 0);

  // A comment says what the file holds; it is one YAML document.
  CHECK_THAT(text, StartsWith("# Scribe's Matrix Application Service registration"));
  CHECK(YAML::LoadAll(text).size() == 1);
}

TEST_CASE("the registration for the README's example", "[unit][matrix]") {
  // Pins the layout an admin sees; the README shows this output.
  CHECK(app::matrix_registration(example_options()) ==
        "# Scribe's Matrix Application Service registration (see the README, \"Connecting to\n"
        "# Matrix\"). It holds Scribe's as_token and hs_token: let only the homeserver read it.\n"
        "id: \"scribe\"\n"
        "url: \"https://scribe.example.com\"\n"
        "as_token: \"0a1b2c3d\"\n"
        "hs_token: \"4e5f6a7b\"\n"
        "sender_localpart: \"scribe\"\n"
        "rate_limited: false\n"
        "namespaces:\n"
        "  users:\n"
        "    - exclusive: true\n"
        "      regex: \"@scribe:example\\\\.org\"\n"
        "  aliases: []\n"
        "  rooms: []\n"
        "receive_ephemeral: false\n");
}

TEST_CASE("values YAML would misread stay the strings they are", "[unit][matrix]") {
  auto opts = example_options();
  // check_secret allows any printable character but a space: YAML syntax included.
  const std::vector<std::string> tokens{
      "#comment", "true",       "null",   "~",     "0x1F",    "1e3",    "'single", "\"double\\",
      "a: b",     "-dash",      "[flow]", "{map}", "&anchor", "*alias", "!tag",    "|block",
      ">folded",  "%directive", "@at",    "`tick", "on",      "yes",    "é\u00a0",
  };
  for (const auto& token : tokens) {
    INFO(token);
    opts.matrix.as_token = token;
    opts.matrix.hs_token = token + "-hs";
    const YAML::Node yaml = YAML::Load(app::matrix_registration(opts));
    CHECK(yaml["as_token"].as<std::string>() == token);
    CHECK(yaml["hs_token"].as<std::string>() == token + "-hs");
    // Quoted, so that YAML 1.1 readers (Synapse's PyYAML) do not take "yes" or "null" for a
    // boolean or nothing: yaml-cpp tags a quoted scalar "!".
    CHECK(yaml["as_token"].Tag() == "!");
  }
  opts.matrix.sender_localpart = "true";
  const std::string text = app::matrix_registration(opts);
  CHECK_THAT(text, Contains("sender_localpart: \"true\"\n"));
  CHECK(YAML::Load(text)["sender_localpart"].Tag() == "!");
}

TEST_CASE("the user regex escapes the server name and the localpart", "[unit][matrix]") {
  CHECK(app::escape_regex("example.org") == "example\\.org");
  CHECK(app::escape_regex("[::1]:8448") == "\\[::1\\]:8448");
  CHECK(app::escape_regex("a.b+c=d/e_f-g") == "a\\.b\\+c=d/e_f-g");
  CHECK(app::escape_regex("\\^$|?*+()[]{}") == "\\\\\\^\\$\\|\\?\\*\\+\\(\\)\\[\\]\\{\\}");
  CHECK(app::escape_regex("") == "");

  struct case_ {
    std::string localpart;
    std::string server_name;
    std::string regex;
    std::string user_id;
    std::string near_miss;
  };
  auto c = GENERATE(values<case_>({
      {"scribe", "example.org", "@scribe:example\\.org", "@scribe:example.org",
       "@scribe:exampleXorg"},
      {"scribe", "matrix.example.org:8448", "@scribe:matrix\\.example\\.org:8448",
       "@scribe:matrix.example.org:8448", "@scribe:matrix-example.org:8448"},
      {"scribe", "[::1]:8448", "@scribe:\\[::1\\]:8448", "@scribe:[::1]:8448", "@scribe:1:8448"},
      {"incident.bot+1", "1.2.3.4", "@incident\\.bot\\+1:1\\.2\\.3\\.4", "@incident.bot+1:1.2.3.4",
       "@incidentXbott1:1.2.3.4"},
  }));
  auto opts = example_options();
  opts.matrix.sender_localpart = c.localpart;
  opts.matrix.server_name = c.server_name;
  const YAML::Node yaml = YAML::Load(app::matrix_registration(opts));
  const auto regex = yaml["namespaces"]["users"][0]["regex"].as<std::string>();
  CHECK(regex == c.regex);
  CHECK(yaml["sender_localpart"].as<std::string>() == c.localpart);
  CHECK(whole_match(regex, c.user_id));
  CHECK_FALSE(whole_match(regex, c.near_miss));
}

TEST_CASE("the registration names every key it still needs", "[unit][matrix]") {
  CHECK(app::missing_for_matrix_registration(config::options{}) ==
        std::vector<std::string>{"server.public_url (SCRIBE_SERVER_PUBLIC_URL)",
                                 "matrix.homeserver_url (SCRIBE_MATRIX_HOMESERVER_URL)",
                                 "matrix.server_name (SCRIBE_MATRIX_SERVER_NAME)",
                                 "matrix.as_token (SCRIBE_MATRIX_AS_TOKEN)",
                                 "matrix.hs_token (SCRIBE_MATRIX_HS_TOKEN)"});
  CHECK(app::missing_for_matrix_registration(example_options()).empty());

  auto opts = example_options();
  opts.matrix.hs_token.clear();
  opts.server.public_url.clear();
  CHECK(app::missing_for_matrix_registration(opts) ==
        std::vector<std::string>{"server.public_url (SCRIBE_SERVER_PUBLIC_URL)",
                                 "matrix.hs_token (SCRIBE_MATRIX_HS_TOKEN)"});
  CHECK_THROWS_AS(app::matrix_registration(opts), std::logic_error);
}
