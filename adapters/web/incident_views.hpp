#pragma once
// The incident pages' HTML: the list (GET /), one incident (GET /incidents/{id}) and the page
// around them. Pure functions of the data read (incident_details.hpp), for the routes
// (incident_pages.hpp), for tests, and for anyone rendering the same data. Everything that came
// from chat is escaped, and the pages carry no inline script or style, so the
// Content-Security-Policy of adapters/site/html.hpp holds.

#include "adapters/site/access.hpp"
#include "adapters/web/incident_details.hpp"
#include "bot/incident.hpp"
#include "bot/time.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::web {

// A whole page of the site: `body` with the navigation bar (Incidents, Review a text, and the
// Playground when it is on) and, when a token is required, the sign-out button.
std::string site_page(const site::access_policy& access, bool playground, std::string title,
                      std::string body);

// The <main> content of GET /: a link to the review page, the filter links, then a table#incidents
// of rows tr.incident[data-status], or p#no-incidents. `shown` is the filter in effect; `older`,
// when set, is where the next (older) page starts: a link to it follows the table.
std::string incident_list_body(const std::vector<bot::incident>& incidents,
                               std::optional<bot::incident_status> shown,
                               const std::optional<bot::page_cursor>& older, bot::timestamp now);

// The <main> content of GET /incidents/{id}. Quiet stretches between consecutive entries longer
// than `gap_marker` are shaded in the figure (none when it is zero or less).
std::string incident_page_body(const incident_details& details,
                               std::chrono::microseconds gap_marker);

// The <main> content of a page that says what went wrong (`reason`), with a link back to the list.
std::string error_body(std::string_view heading, std::string_view reason);

// The <main> content of the 409 for a label that several workspaces have: a link to each.
std::string ambiguous_body(std::string_view label, const std::vector<bot::incident>& found);

// The page of an incident: "/incidents/INC-7?workspace=T1" (the workspace makes it unambiguous).
std::string incident_path(const bot::incident& inc);

// `link` when a browser may follow it from a page: an http(s) URL or a path starting with "/";
// otherwise "" (javascript:, data: and the like are never links).
std::string safe_link(std::string_view link);

// "2024-05-01": a calendar date as the pages and the JSON API write it.
std::string iso_date(std::chrono::year_month_day date);

// "14:05:09 UTC": the time of day of `t` in UTC.
std::string format_utc_time_of_day(bot::timestamp t);

// How long the incident lasted ("1h 5m"), or has been open so far ("open for 1h 5m").
std::string incident_duration(const bot::incident& inc, bot::timestamp now);

}  // namespace scribe::web
