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
//
// The class reads the data off the network threads and answers the routes; the HTML is
// incident_views.hpp's, the JSON incident_json.hpp's.

#include "adapters/http/router.hpp"
#include "adapters/site/access.hpp"
#include "adapters/web/incident_details.hpp"
#include "bot/incident.hpp"
#include "bot/incident_records.hpp"
#include "runtime/store_thread.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scribe::web {

class incident_pages {
 public:
  // Every reference must outlive the routes. `playground` adds a "Playground" link (to
  // /playground) to the navigation bar.
  incident_pages(runtime::store_thread& store_thread, bot::incident_records& records,
                 const site::access_policy& access, bool playground);

  // Registers the four routes above, and with them the sign-in routes of `access`
  // (access_policy::add_signin_routes) and the static files (adapters/site/assets.hpp) the pages
  // load.
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
  const site::access_policy& access_;
  bool playground_;
};

}  // namespace scribe::web
