#pragma once
// The Slack app manifest for this Scribe: paste it into "Create New App > From an app manifest"
// and the slash command, event subscriptions, interactivity, shortcut and scopes are all set.

#include <string>
#include <string_view>

namespace scribe::app {

// `public_url` is where Slack reaches Scribe (https://scribe.example.com, no trailing slash);
// `command` the slash command (slack.command).
std::string slack_manifest(std::string_view public_url, std::string_view command);

// Why Slack will refuse the manifest's request URLs for `public_url`, or "" when it will not:
// Slack sends slash commands, events and interactions only to https:// URLs. An http:// URL on
// this machine (localhost, 127.0.0.0/8, ::1) gets no warning: it is what a local try-out or a
// test against a fake Slack uses, where no real Slack is involved.
std::string slack_url_warning(std::string_view public_url);

}  // namespace scribe::app
