#include "config/keys.hpp"
#include "config/loader.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace config = scribe::config;

TEST_CASE("every key is section.key in lower case, named once", "[unit]") {
  std::set<std::string> names;
  std::set<std::string> env_names;
  for (const auto& key : config::key_table()) {
    INFO(key.name);
    CHECK(names.insert(key.name).second);
    // Two names mapping to one variable would make the environment ambiguous.
    CHECK(env_names.insert(key.env_name()).second);
    CHECK(!key.section().empty());
    CHECK(!key.leaf().empty());
    CHECK(key.leaf().find('.') == std::string_view::npos);
    for (char c : key.name)
      CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'));
    CHECK(key.parse);
    CHECK(key.show);
  }
}

TEST_CASE("environment names derive from key names", "[unit]") {
  CHECK(config::env_name_for("server.listen") == "SCRIBE_SERVER_LISTEN");
  CHECK(config::env_name_for("server.body_limit") == "SCRIBE_SERVER_BODY_LIMIT");
  CHECK(config::env_name_for("slack.signing_secret") == "SCRIBE_SLACK_SIGNING_SECRET");
}

TEST_CASE("the table lists the keys and defaults of options.hpp, in order", "[unit]") {
  // Pins down what an operator sees in the start-up log; a changed default must be deliberate.
  std::vector<std::pair<std::string, std::string>> expected{
      {"server.listen", "127.0.0.1:8080"},
      {"server.public_url", ""},
      {"server.body_limit", "64KiB"},
      {"server.read_timeout", "10s"},
      {"server.idle_timeout", "1m"},
      {"server.shutdown_timeout", "10s"},
      {"server.threads", "2"},
      {"storage.url", "sqlite:data/scribe.db"},
      {"slack.signing_secret", "(not set)"},
      {"slack.bot_token", "(not set)"},
      {"slack.api_base_url", "https://slack.com/api"},
      {"slack.command", "/incident"},
      {"slack.flag_reaction", "pushpin"},
      {"slack.api_timeout", "10s"},
      {"tls.ca_file", ""},
      {"log.level", "info"},
  };
  CHECK(config::describe(config::options{}) == expected);
}

TEST_CASE("every row reads back what it shows", "[unit]") {
  config::options changed;
  changed.server.listen_host = "::1";
  changed.server.listen_port = 9;
  changed.server.public_url = "https://scribe.example.com/base";
  changed.server.body_limit = 1500;
  changed.server.read_timeout = std::chrono::milliseconds(1500);
  changed.server.idle_timeout = std::chrono::hours(48);
  changed.server.shutdown_timeout = std::chrono::minutes(5);
  changed.server.threads = 64;
  changed.storage.url = "sqlite:/var/lib/scribe/scribe.db";
  changed.slack.signing_secret = "8f742231b10e8888abcd99yyyzzz85a5";
  changed.slack.bot_token = "xoxb-1-2-abc";
  changed.slack.api_base_url = "https://127.0.0.1:8443/api";
  changed.slack.command = "/inc";
  changed.slack.flag_reaction = "round_pushpin";
  changed.slack.api_timeout = std::chrono::seconds(3);
  changed.tls.ca_file = "/etc/passwd";  // any readable file: the row checks only that
  changed.log.level = scribe::log::level::debug;
  for (const config::options& opts : {config::options{}, changed}) {
    for (const auto& key : config::key_table()) {
      INFO(key.name);
      config::options round_trip;
      key.parse(key.show(opts), round_trip);
      CHECK(key.show(round_trip) == key.show(opts));
    }
  }
  // The changed values really differ from the defaults, so the loop above tested something.
  auto defaults = config::describe(config::options{});
  auto shown = config::describe(changed);
  for (std::size_t i = 0; i < defaults.size(); ++i) {
    INFO(defaults[i].first);
    CHECK(shown[i].second != defaults[i].second);
  }
}

TEST_CASE("secret() marks a row secret and keeps its behaviour", "[unit]") {
  const auto& plain = config::key_table().front();
  auto hidden = config::secret(plain);
  CHECK_FALSE(plain.secret);
  CHECK(hidden.secret);
  CHECK(hidden.name == plain.name);
  CHECK(hidden.show(config::options{}) == plain.show(config::options{}));
}
