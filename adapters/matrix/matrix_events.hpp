#pragma once
// What a homeserver's transactions mean for Scribe, as typed chat events (bot/chat_event.hpp): the
// translation between a parsed room event (payloads.hpp) and the workflows. Pure functions, safe
// from any thread.

#include "bot/chat_event.hpp"
#include "bot/job_queue.hpp"
#include "config/options.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::matrix {

inline constexpr std::string_view inbox_queue = "matrix.inbox";

// The platform's reference to a message: "<room id>/<event id>".
std::string message_ref(std::string_view room_id, std::string_view event_id);
// The event id of a message reference; the whole reference when it has no '/'.
std::string_view event_id_of_ref(std::string_view message_ref);
// The channel a room is, for the workflows: one application service serves one homeserver, whose
// name is the workspace.
bot::channel_ref channel_of(const config::matrix_options& options, const std::string& room_id);
// "@scribe:example.org".
std::string bot_user_id(const config::matrix_options& options);
// A Matrix timestamp (milliseconds since the Unix epoch) as an instant.
bot::timestamp from_matrix_ms(std::int64_t ms);

// The event a room event of a transaction delivers to Scribe, or nullopt when it asks nothing of
// Scribe (Scribe's own events, notices, other reactions, plain messages, an invitation from a
// server that is not allowed, an event Scribe does not follow).
std::optional<bot::chat_event> chat_event_of(const nlohmann::json& event,
                                             const config::matrix_options& options);

// An inbox job as Scribe stored it before it stored typed events: a whole transaction
// ("txn:<id>", the body as the homeserver sent it) or one of its raw events ("event:<id>"). Its
// events, in order.
std::vector<bot::chat_event> legacy_inbox_events(const bot::job& job,
                                                 const config::matrix_options& options);

}  // namespace scribe::matrix
