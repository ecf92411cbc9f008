#pragma once
// The read-only web view of incidents, for people (HTML pages) and scripts (JSON):
//
//   GET /                      incidents, newest first; ?status=open|closed filters
//   GET /incidents/{id}        one incident: facts, a timeline figure, the entries, the latest
//                              postmortem draft and its wording review
//   GET /api/incidents         the list as JSON (without timelines and postmortems)
//   GET /api/incidents/{id}    one incident as JSON, with its timeline and postmortem
//
// {id} is the label "INC-<n>"; `?workspace=<id>` picks the workspace when several have an
// INC-<n> (409 otherwise, as GET /incidents/{id}/postmortem.md does). Every page and answer is
// behind access_policy: pages send a browser to /signin, the API answers 401/403 in JSON.
// Everything that came from chat is escaped, and the pages carry no inline script or style, so the
// Content-Security-Policy of html.hpp holds.
//
// The render functions below are pure, for tests and for anyone rendering the same data; the
// class reads the data off the network threads and answers the routes.

#include "adapters/http/router.hpp"
#include "adapters/web/access.hpp"
#include "adapters/web/html.hpp"
#include "bot/incident.hpp"
#include "bot/incident_records.hpp"
#include "bot/time.hpp"
#include "bot/timeline.hpp"

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include "runtime/store_thread.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

class incident_pages {
 public:
  // Every reference must outlive the routes. `playground` adds a "Playground" link (to
  // /playground) to the navigation bar.
  incident_pages(runtime::store_thread& store_thread, bot::incident_records& records,
                 const access_policy& access, bool playground);

  // Registers the four routes above, and with them the sign-in routes of `access`
  // (access_policy::add_signin_routes) and the static files (assets.hpp) the pages load.
  void add_routes(http::router& routes);

  boost::asio::awaitable<http::response> handle_list_page(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_incident_page(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_list_api(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_incident_api(http::request_context ctx);

 private:
  // What a label and a workspace find. Blocks on the store.
  struct lookup {
    std::vector<bot::incident> found;
    std::optional<incident_details> details;  // when exactly one was found
  };
  // Which part of the timeline to read: `head` entries after `after`, the last `tail`, and for
  // the page the figure.
  struct timeline_request {
    std::optional<bot::page_cursor> after;
    std::size_t head = page_entries;
    std::size_t tail = page_entries;
    bool figure = true;
  };
  // On the heap, not in the coroutine frame: GCC 12 wrongly reports -Wmismatched-new-delete for
  // Asio's allocation of a frame this large.
  std::unique_ptr<lookup> find(const std::string& label, const std::string& workspace,
                               const timeline_request& part);
  // The answers to what find() found; nullptr: the query string was malformed.
  http::response incident_page_response(const http::request& req, const std::string& label,
                                        const std::string& workspace, const lookup* found) const;
  http::response incident_api_response(const http::request& req, const std::string& label,
                                       const std::string& workspace, const lookup* found) const;
  std::string page(std::string title, std::string body) const;

  runtime::store_thread& store_thread_;
  bot::incident_records& records_;
  const access_policy& access_;
  bool playground_;
};

// A whole page of the site: `body` with the navigation bar (Incidents, Review a text, and the
// Playground when it is on) and, when a token is required, the sign-out button.
std::string site_page(const access_policy& access, bool playground, std::string title,
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

// An incident as the JSON API shows it in a list: no timeline, no postmortem.
nlohmann::json incident_summary_json(const bot::incident& inc);
// An incident with a page of its timeline (its entries in "timeline", the cursor of the next page
// in "next_cursor", null at the end; "timeline_total") and its postmortem (null while there is no
// draft).
nlohmann::json incident_json(const incident_details& details);

// The page of an incident: "/incidents/INC-7?workspace=T1" (the workspace makes it unambiguous).
std::string incident_path(const bot::incident& inc);

// `link` when a browser may follow it from a page: an http(s) URL or a path starting with "/";
// otherwise "" (javascript:, data: and the like are never links).
std::string safe_link(std::string_view link);

// "14:05:09 UTC": the time of day of `t` in UTC.
std::string format_utc_time_of_day(bot::timestamp t);

// How long the incident lasted ("1h 5m"), or has been open so far ("open for 1h 5m").
std::string incident_duration(const bot::incident& inc, bot::timestamp now);

}  // namespace scribe::web
