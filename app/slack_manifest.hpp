#pragma once
// The Slack app manifest for this Scribe: paste it into "Create New App > From an app manifest"
// and the slash command, event subscriptions, interactivity, shortcut and scopes are all set.

#include <string>
#include <string_view>

namespace scribe::app {

// `public_url` is where Slack reaches Scribe (https://scribe.example.com, no trailing slash);
// `command` the slash command (slack.command).
std::string slack_manifest(std::string_view public_url, std::string_view command);

}  // namespace scribe::app
