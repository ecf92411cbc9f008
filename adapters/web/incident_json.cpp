#include "adapters/web/incident_json.hpp"

#include "adapters/web/incident_views.hpp"
#include "bot/time.hpp"

namespace scribe::web {
namespace {

using json = nlohmann::json;

json person_json(const bot::person& who) {
  return json{{"id", who.id}, {"name", who.name}};
}

json optional_time(const std::optional<bot::timestamp>& t) {
  return t ? json(bot::format_rfc3339(*t)) : json(nullptr);
}

json postmortem_json(const bot::postmortem_view& view) {
  json questions = json::array();
  for (const auto& q : view.questions) {
    json answers = json::array();
    for (const auto& a : view.answers) {
      if (a.question_id != q.id) continue;
      answers.push_back({{"author", person_json(a.author)},
                         {"at", bot::format_rfc3339(a.answered_at)},
                         {"text", a.text}});
    }
    questions.push_back({{"id", q.id}, {"text", q.text}, {"answers", std::move(answers)}});
  }
  json actions = json::array();
  for (const auto& a : view.actions) {
    actions.push_back({{"text", a.text},
                       {"owner", a.owner.empty() ? json(nullptr) : json(a.owner)},
                       {"due", a.due ? json(iso_date(*a.due)) : json(nullptr)}});
  }
  json review = json::array();
  for (const auto& r : view.review) {
    review.push_back({{"quote", r.finding.quote},
                      {"rule", r.finding.rule},
                      {"kind", bot::to_string(r.finding.kind)},
                      {"suggestion", r.finding.suggestion},
                      {"rewrite", r.finding.rewrite ? json(*r.finding.rewrite) : json(nullptr)},
                      {"where", r.where}});
  }
  return json{{"version", view.latest.version},
              {"drafted_at", bot::format_rfc3339(view.latest.drafted_at)},
              {"questions", std::move(questions)},
              {"actions", std::move(actions)},
              {"review", std::move(review)},
              {"markdown", view.latest.markdown}};
}

}  // namespace

json incident_summary_json(const bot::incident& inc) {
  return json{{"id", bot::incident_label(inc)},
              {"number", inc.number},
              {"workspace", inc.channel.workspace},
              {"title", inc.title},
              {"severity", inc.severity ? json(*inc.severity) : json(nullptr)},
              {"status", bot::to_string(inc.status)},
              {"platform", inc.channel.platform},
              {"channel", inc.channel.channel},
              {"summary", inc.summary},
              {"opened_at", bot::format_rfc3339(inc.opened_at)},
              {"closed_at", optional_time(inc.closed_at)},
              {"opened_by", person_json(inc.opened_by)},
              {"closed_by", inc.closed_by ? person_json(*inc.closed_by) : json(nullptr)},
              {"url", incident_path(inc)}};
}

json incident_json(const incident_details& details) {
  json out = incident_summary_json(details.inc);
  json timeline = json::array();
  for (const auto& e : details.timeline.head) {
    timeline.push_back({{"at", bot::format_rfc3339(e.occurred_at)},
                        {"recorded_at", bot::format_rfc3339(e.recorded_at)},
                        {"author", person_json(e.author)},
                        {"text", e.text},
                        {"source", bot::to_string(e.source)},
                        {"link", e.link.empty() ? json(nullptr) : json(e.link)}});
  }
  out["timeline"] = std::move(timeline);
  out["timeline_total"] = details.timeline.total;
  out["next_cursor"] = details.timeline.gap_after
                           ? json(bot::format_cursor(*details.timeline.gap_after))
                           : json(nullptr);
  out["postmortem"] = details.postmortem ? postmortem_json(*details.postmortem) : json(nullptr);
  return out;
}

}  // namespace scribe::web
