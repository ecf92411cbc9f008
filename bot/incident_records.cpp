#include "bot/incident_records.hpp"

#include "bot/postmortem_desk.hpp"

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

timeline_excerpt incident_records::timeline(std::int64_t incident_id,
                                            const std::optional<page_cursor>& after,
                                            std::size_t head, std::size_t tail) {
  return read_excerpt(incidents_, incident_id, after, head, tail);
}

std::optional<timestamp> incident_records::first_entry_at(std::int64_t incident_id) {
  const auto first = incidents_.timeline_page(incident_id, std::nullopt, 1);
  if (first.empty()) return std::nullopt;
  return first.front().occurred_at;
}

timeline_shape incident_records::shape(std::int64_t incident_id, timestamp from, timestamp to,
                                       std::size_t columns, std::chrono::microseconds min_quiet,
                                       std::size_t max_quiet) {
  return incidents_.shape(incident_id, from, to, columns, min_quiet, max_quiet);
}

std::optional<postmortem_view> incident_records::postmortem(std::int64_t incident_id) {
  auto latest = postmortems_.latest_draft(incident_id);
  if (!latest) return std::nullopt;
  const auto inc = incidents_.find_incident(incident_id);
  if (!inc) return std::nullopt;
  // Composed as the next version would be, so that the action items and the review reflect
  // answers given since version N was posted; the composed Markdown itself is not shown.
  auto input =
      read_draft_input(incidents_, postmortems_, *inc, latest->version + 1, clock_.now(), options_);
  auto composed = compose_postmortem(input);
  return postmortem_view{std::move(*latest), std::move(input.questions), std::move(input.answers),
                         std::move(composed.actions), std::move(composed.review)};
}

}  // namespace scribe::bot
