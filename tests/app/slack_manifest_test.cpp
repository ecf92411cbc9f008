#include "app/slack_manifest.hpp"

#include "adapters/slack/slack_adapter.hpp"

#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

using namespace scribe;

namespace {
std::set<std::string> as_set(const YAML::Node& list) {
  std::set<std::string> out;
  for (const auto& item : list) out.insert(item.as<std::string>());
  return out;
}
}  // namespace

TEST_CASE("the manifest points Slack at Scribe's routes", "[unit][slack]") {
  const auto yaml = YAML::Load(app::slack_manifest("https://scribe.example.com", "/inc"));
  const auto command = yaml["features"]["slash_commands"][0];
  CHECK(command["command"].as<std::string>() == "/inc");
  CHECK(command["url"].as<std::string>() == "https://scribe.example.com/slack/commands");
  CHECK(yaml["settings"]["event_subscriptions"]["request_url"].as<std::string>() ==
        "https://scribe.example.com/slack/events");
  CHECK(yaml["settings"]["interactivity"]["request_url"].as<std::string>() ==
        "https://scribe.example.com/slack/interactions");
  CHECK(yaml["settings"]["interactivity"]["is_enabled"].as<bool>());
  const auto shortcut = yaml["features"]["shortcuts"][0];
  CHECK(shortcut["type"].as<std::string>() == "message");
  CHECK(shortcut["callback_id"].as<std::string>() == slack::add_to_timeline_callback);
}

TEST_CASE("the manifest asks for exactly the scopes and events Scribe uses", "[unit][slack]") {
  const auto yaml = YAML::Load(app::slack_manifest("https://s.example", "/incident"));
  CHECK(as_set(yaml["oauth_config"]["scopes"]["bot"]) ==
        std::set<std::string>{"commands", "app_mentions:read", "reactions:read", "reactions:write",
                              "channels:history", "groups:history", "users:read", "chat:write"});
  CHECK(as_set(yaml["settings"]["event_subscriptions"]["bot_events"]) ==
        std::set<std::string>{"app_mention", "reaction_added", "reaction_removed",
                              "message.channels", "message.groups"});
}

TEST_CASE("deploy/slack-app-manifest.yaml is the manifest for the example URL", "[unit][slack]") {
  std::ifstream file(std::string(SCRIBE_SOURCE_DIR) + "/deploy/slack-app-manifest.yaml");
  REQUIRE(file);
  std::stringstream committed;
  committed << file.rdbuf();
  CHECK(committed.str() == app::slack_manifest("https://scribe.example.com", "/incident"));
}

TEST_CASE("an http:// public URL is warned about, unless it is this machine", "[unit][slack]") {
  CHECK_THAT(
      app::slack_url_warning("http://scribe.example.com"),
      Catch::Contains("only to https:// URLs") && Catch::Contains("http://scribe.example.com"));
  CHECK_THAT(app::slack_url_warning("http://10.0.0.5:8080/scribe"),
             Catch::Contains("http://10.0.0.5:8080"));
  CHECK(app::slack_url_warning("https://scribe.example.com").empty());
  CHECK(app::slack_url_warning("http://127.0.0.1:8080").empty());
  CHECK(app::slack_url_warning("http://localhost:8080").empty());
  CHECK(app::slack_url_warning("http://[::1]:8080").empty());
}
