#pragma once
// The incidents as the JSON API (GET /api/incidents, GET /api/incidents/{id}) shows them: pure
// functions of the data read (incident_details.hpp).

#include "adapters/web/incident_details.hpp"
#include "bot/incident.hpp"

#include <nlohmann/json.hpp>

namespace scribe::web {

// An incident as the JSON API shows it in a list: no timeline, no postmortem.
nlohmann::json incident_summary_json(const bot::incident& inc);
// An incident with a page of its timeline (its entries in "timeline", the cursor of the next page
// in "next_cursor", null at the end; "timeline_total") and its postmortem (null while there is no
// draft).
nlohmann::json incident_json(const incident_details& details);

}  // namespace scribe::web
