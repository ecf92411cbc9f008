#pragma once
// What the incident pages read of one incident, and how much of it: the data that the HTML
// (incident_views.hpp), the JSON (incident_json.hpp) and the routes (incident_pages.hpp) share.

#include "bot/incident.hpp"
#include "bot/incident_records.hpp"
#include "bot/time.hpp"
#include "bot/timeline.hpp"

#include <cstddef>
#include <optional>

namespace scribe::web {

// Everything the page (or the JSON) of one incident shows, read in one go. However long the
// timeline, what is read is bounded: a page of entries, the last few, and the figure's counts.
struct incident_details {
  bot::incident inc;
  // The entries shown: the first ones (or a page after a cursor), and on the page the last ones.
  bot::timeline_excerpt timeline;
  // The figure's span: from the incident's opening or its first entry, whichever came first, to
  // its close (or now) or its last entry, whichever came last.
  bot::timestamp from;
  bot::timestamp to;
  // Every entry counted per column of the figure, and the longest quiet stretches (on the page
  // only; empty for the JSON).
  bot::timeline_shape shape;
  std::optional<bot::postmortem_view> postmortem;
  bot::timestamp now;  // when it was read: how long an open incident has been open
};

// Pages of entries: the JSON API gives `timeline_page_default` unless ?limit= asks for up to
// `timeline_page_max`; the page shows the first and the last `page_entries` and loads
// `more_entries` at a time after them; the incident list gives 100, at most 1,000.
inline constexpr std::size_t timeline_page_default = 500;
inline constexpr std::size_t timeline_page_max = 5000;
inline constexpr std::size_t page_entries = 100;
inline constexpr std::size_t more_entries = 500;
inline constexpr std::size_t list_page_default = 100;
inline constexpr std::size_t list_page_max = 1000;
// The figure's columns: one mark at most per column, whatever the number of entries.
inline constexpr std::size_t figure_columns = 1000;

}  // namespace scribe::web
