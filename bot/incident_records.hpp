#pragma once
// The reading desk: what the web pages and the JSON API show of incidents. It only reads, never
// records anything, so one instance serves every thread.
//
// Every call blocks on the store (see incident_store.hpp): call it off network threads.

#include "bot/action_items.hpp"
#include "bot/incident.hpp"
#include "bot/incident_store.hpp"
#include "bot/postmortem.hpp"
#include "bot/postmortem_draft.hpp"
#include "bot/time.hpp"
#include "bot/timeline.hpp"
#include "config/options.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace scribe::bot {

// The incidents labelled `label` ("INC-7", "inc-7"), in `workspace` unless it is empty, oldest
// first. Incidents are numbered per workspace, so several may match when it is empty; none for a
// malformed label. Blocks on the store.
std::vector<incident> find_incidents_by_label(incident_store& incidents, std::string_view label,
                                              std::string_view workspace);

// An incident's postmortem as the web shows it. Two moments meet here: `latest` is version N of
// the draft exactly as it was posted (its Markdown does not change when answers do), while
// `questions`, `answers`, `actions` and `review` are as they are now: actions and review come
// from composing the draft over the current answers, so they already show what the next version
// will say.
struct postmortem_view {
  stored_draft latest;
  std::vector<asked_question> questions;   // in the order asked
  std::vector<postmortem_answer> answers;  // by answered_at, then in the order stored
  std::vector<action_item> actions;        // from the answers to the "actions" question
  std::vector<located_finding> review;     // wording review of the summary and every answer
};

class incident_records {
 public:
  // Every reference must outlive the object.
  incident_records(incident_store& incidents, postmortem_store& postmortems, const clock& clock,
                   const config::postmortem_options& options);

  // Incidents of every channel, newest opened first, at most filter.limit of them.
  std::vector<incident> list(const incident_filter& filter);

  // As find_incidents_by_label.
  std::vector<incident> find_by_label(std::string_view label, std::string_view workspace);

  // Part of the incident's timeline: see read_excerpt (bot/timeline.hpp).
  timeline_excerpt timeline(std::int64_t incident_id, const std::optional<page_cursor>& after,
                            std::size_t head, std::size_t tail);
  // The time of the incident's first entry; nullopt when it has none.
  std::optional<timestamp> first_entry_at(std::int64_t incident_id);
  // As incident_store::shape.
  timeline_shape shape(std::int64_t incident_id, timestamp from, timestamp to, std::size_t columns,
                       std::chrono::microseconds min_quiet, std::size_t max_quiet);

  // nullopt while no draft is stored (or for an unknown incident); see postmortem_view for what
  // the fields mean. Throws std::runtime_error when postmortem.timezone is not a known zone
  // (config validation prevents that).
  std::optional<postmortem_view> postmortem(std::int64_t incident_id);

  // The clock's time: how long an open incident has been open. Does not block.
  timestamp now() const { return clock_.now(); }
  // The drafting options (gap_marker marks quiet stretches on the pages too).
  const config::postmortem_options& options() const { return options_; }

 private:
  incident_store& incidents_;
  postmortem_store& postmortems_;
  const clock& clock_;
  const config::postmortem_options& options_;
};

}  // namespace scribe::bot
