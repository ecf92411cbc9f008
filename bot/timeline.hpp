#pragma once
// Reading timelines of any length. An alert storm or a chatty bot can give one incident hundreds
// of thousands of entries; what Scribe shows people (the draft, the page, the chat's `timeline`)
// reads the first and the last entries and counts what lies between, so its memory does not grow
// with the incident.
//
// Every function blocks on the store (see incident_store.hpp): call it off network threads.

#include "bot/incident.hpp"
#include "bot/incident_store.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace scribe::bot {

struct timeline_excerpt {
  std::vector<timeline_entry> head;  // the first entries (after a cursor, if one was given)
  std::vector<timeline_entry> tail;  // the last entries, all later than head's
  // Set when entries between head and tail were left out: where they start (after head's last).
  std::optional<page_cursor> gap_after;
  std::int64_t total = 0;  // entries in the whole timeline
};

// The first `head` entries after `after` (from the very first when nullopt) and the last `tail`
// entries of the timeline, with nothing twice. With tail 0, only head; head is at least 1.
timeline_excerpt read_excerpt(incident_store& store, std::int64_t incident_id,
                              const std::optional<page_cursor>& after, std::size_t head,
                              std::size_t tail);

// A timeline read whole, as an excerpt that leaves nothing out.
timeline_excerpt whole_timeline(std::vector<timeline_entry> entries);

// How many entries a from-the-start excerpt left out between its head and its tail.
std::int64_t omitted(const timeline_excerpt& excerpt);

}  // namespace scribe::bot
