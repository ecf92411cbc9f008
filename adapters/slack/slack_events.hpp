#pragma once
// What Slack's deliveries mean for Scribe, as typed chat events (bot/chat_event.hpp): the
// translation between a parsed payload (payloads.hpp) and the workflows. Pure functions, safe
// from any thread.

#include "adapters/slack/payloads.hpp"
#include "bot/chat_event.hpp"
#include "bot/job_queue.hpp"
#include "config/options.hpp"

#include <optional>
#include <vector>

namespace scribe::slack {

inline constexpr std::string_view inbox_queue = "slack.inbox";
// The message shortcut's callback id, as in the app manifest.
inline constexpr std::string_view add_to_timeline_callback = "add_to_timeline";

// The event an event_callback delivers to Scribe, or nullopt when it asks nothing of Scribe (a
// reaction other than the flag, a bot's message or mention, a plain message, an event Scribe does
// not follow): acknowledged, never stored. `received_at` is when Slack's request arrived: the
// time of a flag whose event carries none.
std::optional<bot::chat_event> chat_event_of(const event_envelope& envelope,
                                             const config::slack_options& options,
                                             bot::timestamp received_at);

// The flag a use of the "Add to incident timeline" message shortcut makes.
bot::chat_event chat_event_of(const message_shortcut& shortcut, bot::timestamp received_at);

// An inbox job as Scribe stored it before it stored typed events: "event\n" and the Events API
// body, or "shortcut\n" and the interaction's form body, as Slack sent them. Its event, if any.
std::vector<bot::chat_event> legacy_inbox_events(const bot::job& job,
                                                 const config::slack_options& options);

}  // namespace scribe::slack
