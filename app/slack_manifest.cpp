#include "app/slack_manifest.hpp"

#include "adapters/http/url.hpp"
#include "adapters/site/access.hpp"
#include "adapters/slack/slack_adapter.hpp"

namespace scribe::app {

// The scopes are exactly what Scribe calls or subscribes to (PROTOCOLS.md section 5):
//   commands                        the slash command and the message shortcut
//   app_mentions:read               app_mention events
//   reactions:read                  reaction_added / reaction_removed events
//   reactions:write                 reactions.add / reactions.remove (the memo confirmation)
//   channels:history, groups:history  conversations.history / replies, and message events
//                                   (edits, deletions) in public and private channels
//   users:read                      users.info, for authors' names
//   chat:write                      chat.postMessage, for replies too long for one response
// chat.getPermalink needs no scope.
std::string slack_manifest(std::string_view public_url, std::string_view command) {
  const std::string url(public_url);
  std::string out;
  out += "# Scribe's Slack app. Create it at https://api.slack.com/apps > Create New App >\n";
  out += "# From an app manifest, then install it and set SCRIBE_SLACK_SIGNING_SECRET and\n";
  out += "# SCRIBE_SLACK_BOT_TOKEN (see the README, \"Connecting to Slack\").\n";
  out += "display_information:\n";
  out += "  name: Scribe\n";
  out += "  description: Keeps incident timelines and drafts blameless postmortems.\n";
  out += "features:\n";
  out += "  bot_user:\n";
  out += "    display_name: Scribe\n";
  out += "    always_online: true\n";
  out += "  slash_commands:\n";
  out += "    - command: " + std::string(command) + "\n";
  out += "      url: " + url + "/slack/commands\n";
  out += "      description: Keep an incident's timeline\n";
  out +=
      "      usage_hint: \"open <title> | note <text> | sev <1-5> | status | timeline | close | draft\"\n";
  out += "      should_escape: false\n";
  out += "  shortcuts:\n";
  out += "    - name: Add to incident timeline\n";
  out += "      type: message\n";
  out += "      callback_id: " + std::string(slack::add_to_timeline_callback) + "\n";
  out += "      description: Keep this message in the channel's open incident\n";
  out += "oauth_config:\n";
  out += "  scopes:\n";
  out += "    bot:\n";
  for (const char* scope : {"commands", "app_mentions:read", "reactions:read", "reactions:write",
                            "channels:history", "groups:history", "users:read", "chat:write"}) {
    out += "      - " + std::string(scope) + "\n";
  }
  out += "settings:\n";
  out += "  event_subscriptions:\n";
  out += "    request_url: " + url + "/slack/events\n";
  out += "    bot_events:\n";
  for (const char* event : {"app_mention", "reaction_added", "reaction_removed", "message.channels",
                            "message.groups"}) {
    out += "      - " + std::string(event) + "\n";
  }
  out += "  interactivity:\n";
  out += "    is_enabled: true\n";
  out += "    request_url: " + url + "/slack/interactions\n";
  out += "  org_deploy_enabled: false\n";
  out += "  socket_mode_enabled: false\n";
  out += "  token_rotation_enabled: false\n";
  return out;
}

std::string slack_url_warning(std::string_view public_url) {
  const auto url = http::parse_url(public_url);
  if (!url || url->tls) return "";
  if (url->host == "localhost" || site::is_loopback_host(url->host)) return "";
  return "Slack sends requests only to https:// URLs, so it will refuse this manifest's " +
         url->origin() +
         ": put Scribe behind a TLS-terminating proxy and give its https:// address (see the "
         "README, \"Connecting to Slack\")";
}

}  // namespace scribe::app
