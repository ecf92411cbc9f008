#include "bot/incident_records.hpp"

#include <chrono>

namespace scribe::bot {

std::vector<incident> find_incidents_by_label(incident_store& incidents, std::string_view label,
                                              std::string_view workspace) {
  const auto number = parse_incident_label(label);
  if (!number) return {};
  auto found = incidents.find_incidents_by_number(*number);
  if (!workspace.empty()) {
    std::erase_if(found, [&](const incident& inc) { return inc.channel.workspace != workspace; });
  }
  return found;
}

incident_records::incident_records(incident_store& incidents, postmortem_store& postmortems,
                                   const clock& clock, const config::postmortem_options& options)
    : incidents_(incidents), postmortems_(postmortems), clock_(clock), options_(options) {}

std::vector<incident> incident_records::list(const incident_filter& filter) {
  return incidents_.list_incidents(filter);
}

std::vector<incident> incident_records::find_by_label(std::string_view label,
                                                      std::string_view workspace) {
  return find_incidents_by_label(incidents_, label, workspace);
}

std::vector<timeline_entry> incident_records::timeline(std::int64_t incident_id) {
  return incidents_.timeline(incident_id);
}

std::optional<postmortem_view> incident_records::postmortem(std::int64_t incident_id) {
  auto latest = postmortems_.latest_draft(incident_id);
  if (!latest) return std::nullopt;
  const auto inc = incidents_.find_incident(incident_id);
  if (!inc) return std::nullopt;
  // Composed as the next version would be, so that the action items and the review reflect
  // answers given since version N was posted; the composed Markdown itself is not shown.
  draft_input input;
  input.inc = *inc;
  input.timeline = incidents_.timeline(incident_id);
  input.questions = postmortems_.questions(incident_id);
  input.answers = postmortems_.answers(incident_id);
  input.version = latest->version + 1;
  input.drafted_at = clock_.now();
  input.timezone = options_.timezone;
  input.gap_marker = std::chrono::duration_cast<std::chrono::microseconds>(options_.gap_marker);
  auto composed = compose_postmortem(input);
  return postmortem_view{std::move(*latest), std::move(input.questions), std::move(input.answers),
                         std::move(composed.actions), std::move(composed.review)};
}

}  // namespace scribe::bot
