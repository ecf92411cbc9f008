#pragma once
// The domain model: incidents and their timelines. Plain values, no behaviour that needs I/O.

#include "bot/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::bot {

// Where an incident lives: one channel of one workspace of one chat platform. Platform names are
// lower-case words ("slack", "matrix"); workspace and channel are the platform's own ids.
struct channel_ref {
  std::string platform;
  std::string workspace;
  std::string channel;
  friend bool operator==(const channel_ref&, const channel_ref&) = default;
};

// A chat user: the platform's id (stable) and a display name (for people reading the timeline).
struct person {
  std::string id;
  std::string name;
  friend bool operator==(const person&, const person&) = default;
};

enum class incident_status { open, closed };
std::string_view to_string(incident_status status);
std::optional<incident_status> parse_incident_status(std::string_view text);

inline constexpr int min_severity = 1;  // the most severe
inline constexpr int max_severity = 5;

struct incident {
  std::int64_t id = 0;      // the store's key, unique across workspaces
  std::int64_t number = 0;  // shown as INC-<number>; unique and gap-free per workspace
  channel_ref channel;
  std::string title;
  std::optional<int> severity;
  incident_status status = incident_status::open;
  std::string summary;  // what `close [summary]` said; empty until then
  person opened_by;
  timestamp opened_at;
  std::optional<person> closed_by;
  std::optional<timestamp> closed_at;
};

// "INC-42".
std::string incident_label(const incident& inc);
// "INC-42" or "inc-42" -> 42; nullopt for anything else.
std::optional<std::int64_t> parse_incident_label(std::string_view label);
// "SEV2", or "no severity".
std::string severity_label(std::optional<int> severity);

// How an entry reached the timeline.
enum class entry_source { command, reaction, mention, system };
std::string_view to_string(entry_source source);
std::optional<entry_source> parse_entry_source(std::string_view text);

// What a caller asks the store to record. `occurred_at` is when the event happened: for a flagged
// message, when it was written, not when someone flagged it.
struct entry_draft {
  timestamp occurred_at;
  timestamp recorded_at;
  person author;
  std::string text;
  entry_source source = entry_source::command;
  // The platform's reference to the message (Slack channel + ts, Matrix event id). At most one
  // entry per incident has a given reference; entries without one (commands, system) never clash.
  std::optional<std::string> message_ref;
  std::string link;  // a link back to the message in the chat client; may be empty
};

struct timeline_entry : entry_draft {
  std::int64_t id = 0;
  std::int64_t incident_id = 0;
};

// A place in a list ordered by a time and then an id (a timeline in event order, incidents newest
// first): the next page starts after it.
struct page_cursor {
  timestamp at;
  std::int64_t id = 0;
  friend bool operator==(const page_cursor&, const page_cursor&) = default;
};
page_cursor cursor_of(const timeline_entry& entry);
page_cursor cursor_of(const incident& inc);
// Opaque in the JSON API and in links ("1795255200000000-42"); parse_cursor reads only what
// format_cursor writes.
std::string format_cursor(const page_cursor& cursor);
std::optional<page_cursor> parse_cursor(std::string_view text);

// A stretch of time without entries, between two consecutive ones.
struct quiet_stretch {
  timestamp from;
  timestamp to;
};

// Where a timeline's entries fall, for a figure, without reading them (incident_store::shape).
struct timeline_shape {
  // Entries in each of counts.size() equal slices of the span asked for.
  std::vector<std::int64_t> counts;
  // The longest quiet stretches asked for, in time order.
  std::vector<quiet_stretch> quiet;
};

}  // namespace scribe::bot
