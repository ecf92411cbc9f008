#include "adapters/web/incident_pages.hpp"

#include "adapters/http/form.hpp"
#include "adapters/site/assets.hpp"
#include "adapters/site/html.hpp"
#include "adapters/web/api_json.hpp"
#include "adapters/web/incident_json.hpp"
#include "adapters/web/incident_views.hpp"
#include "runtime/offload.hpp"

#include <charconv>

namespace scribe::web {
namespace {

namespace beast_http = boost::beast::http;
using json = nlohmann::json;
using site::add_asset_routes;
using site::html_response;

// The ?status= filter. nullopt inside: all incidents; an error for another value.
struct status_filter {
  std::optional<bot::incident_status> status;
  std::string error;
};

status_filter parse_status_filter(const bot::result<http::form_fields>& query) {
  if (!query) return {std::nullopt, "the query string is malformed"};
  const auto text = query->get("status").value_or("");
  if (text.empty()) return {std::nullopt, ""};
  if (auto status = bot::parse_incident_status(text)) return {status, ""};
  return {std::nullopt, "status must be open or closed (or left out for all incidents)"};
}

std::string workspaces_of(const std::vector<bot::incident>& found) {
  std::string out;
  for (const auto& inc : found) {
    out += (out.empty() ? "" : ", ") + inc.channel.platform + ":" + inc.channel.workspace;
  }
  return out;
}

// ?name= as a whole number from 1 to `max`, `fallback` when absent; nullopt when malformed.
std::optional<std::size_t> page_size(const http::form_fields& query, std::string_view name,
                                     std::size_t fallback, std::size_t max) {
  const auto text = query.get(name);
  if (!text) return fallback;
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size() || value < 1 || value > max) {
    return std::nullopt;
  }
  return value;
}

// ?name= as a cursor: nullopt inside when absent; an error when malformed.
bot::result<std::optional<bot::page_cursor>> cursor_param(const http::form_fields& query,
                                                          std::string_view name) {
  const auto text = query.get(name);
  if (!text) return std::optional<bot::page_cursor>{};
  if (auto cursor = bot::parse_cursor(*text)) return std::optional<bot::page_cursor>{*cursor};
  return bot::errc::invalid_argument;
}

}  // namespace

incident_pages::incident_pages(runtime::store_thread& store_thread, bot::incident_records& records,
                               const site::access_policy& access, bool playground)
    : store_thread_(store_thread), records_(records), access_(access), playground_(playground) {}

void incident_pages::add_routes(http::router& routes) {
  routes.add(beast_http::verb::get, "/",
             [this](http::request_context ctx) { return handle_list_page(std::move(ctx)); });
  routes.add(beast_http::verb::get, "/incidents/{id}",
             [this](http::request_context ctx) { return handle_incident_page(std::move(ctx)); });
  routes.add(beast_http::verb::get, "/api/incidents",
             [this](http::request_context ctx) { return handle_list_api(std::move(ctx)); });
  routes.add(beast_http::verb::get, "/api/incidents/{id}",
             [this](http::request_context ctx) { return handle_incident_api(std::move(ctx)); });
  access_.add_signin_routes(routes);
  add_asset_routes(routes);
}

std::string incident_pages::page(std::string title, std::string body) const {
  return site_page(access_, playground_, std::move(title), std::move(body));
}

std::unique_ptr<incident_pages::lookup> incident_pages::find(const std::string& label,
                                                             const std::string& workspace,
                                                             const timeline_request& part) {
  auto out = std::make_unique<lookup>();
  out->found = records_.find_by_label(label, workspace);
  if (out->found.size() != 1) return out;
  const auto& inc = out->found.front();
  incident_details details{inc,
                           records_.timeline(inc.id, part.after, part.head, part.tail),
                           inc.opened_at,
                           inc.opened_at,
                           {},
                           records_.postmortem(inc.id),
                           records_.now()};
  if (part.figure) {
    // The axis runs from the first of the opening and the first entry (a flagged message may be
    // older than the incident) to the last of the close (or now) and the last entry.
    const auto& shown = details.timeline;
    const auto* last = !shown.tail.empty()   ? &shown.tail.back()
                       : !shown.head.empty() ? &shown.head.back()
                                             : nullptr;
    details.from = std::min(inc.opened_at, records_.first_entry_at(inc.id).value_or(inc.opened_at));
    details.to = inc.closed_at.value_or(details.now);
    if (last != nullptr) details.to = std::max(details.to, last->occurred_at);
    const auto gap_marker =
        std::chrono::duration_cast<std::chrono::microseconds>(records_.options().gap_marker);
    details.shape =
        records_.shape(inc.id, details.from, details.to, figure_columns, gap_marker,
                       gap_marker > std::chrono::microseconds::zero() ? figure_columns : 0);
  }
  out->details = std::move(details);
  return out;
}

boost::asio::awaitable<http::response> incident_pages::handle_list_page(http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = access_.refuse_page(req)) co_return std::move(*refused);
  const auto query = http::parse_query(req.target());
  const auto filter = parse_status_filter(query);
  if (!filter.error.empty()) {
    co_return html_response(req, beast_http::status::bad_request,
                            page("Bad request", error_body("Bad request", filter.error)));
  }
  const auto before = cursor_param(*query, "cursor");  // parse_status_filter saw a good query
  if (!before) {
    co_return html_response(
        req, beast_http::status::bad_request,
        page("Bad request", error_body("Bad request", "the cursor is malformed")));
  }
  // One more than shown: whether there is an older page.
  const bot::incident_filter wanted{filter.status, list_page_default + 1, *before};
  auto list = [this, &wanted] { return std::pair{records_.list(wanted), records_.now()}; };
  auto [incidents, now] = co_await runtime::offload(store_thread_, std::move(list));
  std::optional<bot::page_cursor> older;
  if (incidents.size() > list_page_default) {
    incidents.pop_back();
    older = bot::cursor_of(incidents.back());
  }
  co_return html_response(
      req, beast_http::status::ok,
      page("Incidents", incident_list_body(incidents, filter.status, older, now)));
}

boost::asio::awaitable<http::response> incident_pages::handle_incident_page(
    http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = access_.refuse_page(req)) co_return std::move(*refused);
  const auto query = http::parse_query(req.target());
  if (!query) co_return incident_page_response(req, "", "", nullptr);
  const auto after = cursor_param(*query, "after");
  if (!after) co_return incident_page_response(req, "", "", nullptr);
  const std::string label(ctx.param("id"));
  const std::string workspace(query->get("workspace").value_or(""));
  // From the start: the first and the last entries; after a cursor: the next ones, then the last.
  const timeline_request part{*after, *after ? more_entries : page_entries, page_entries, true};
  auto load = [this, &label, &workspace, &part] { return find(label, workspace, part); };
  const auto found = co_await runtime::offload(store_thread_, std::move(load));
  co_return incident_page_response(req, label, workspace, found.get());
}

boost::asio::awaitable<http::response> incident_pages::handle_list_api(http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = access_.refuse(req)) co_return json_refusal(req, std::move(*refused));
  const auto query = http::parse_query(req.target());
  const auto filter = parse_status_filter(query);
  if (!filter.error.empty()) {
    co_return json_error(req, beast_http::status::bad_request, filter.error);
  }
  const auto limit = page_size(*query, "limit", list_page_default, list_page_max);
  if (!limit) {
    co_return json_error(req, beast_http::status::bad_request,
                         "limit must be a whole number from 1 to " + std::to_string(list_page_max));
  }
  const auto before = cursor_param(*query, "cursor");
  if (!before) co_return json_error(req, beast_http::status::bad_request, "malformed cursor");
  const bot::incident_filter wanted{filter.status, *limit + 1, *before};
  auto list = [this, &wanted] { return records_.list(wanted); };
  auto incidents = co_await runtime::offload(store_thread_, std::move(list));
  json next = nullptr;
  if (incidents.size() > *limit) {
    incidents.pop_back();
    next = bot::format_cursor(bot::cursor_of(incidents.back()));
  }
  json items = json::array();
  for (const auto& inc : incidents) items.push_back(incident_summary_json(inc));
  co_return json_response(req, beast_http::status::ok,
                          json{{"incidents", std::move(items)}, {"next_cursor", std::move(next)}});
}

boost::asio::awaitable<http::response> incident_pages::handle_incident_api(
    http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = access_.refuse(req)) co_return json_refusal(req, std::move(*refused));
  const auto query = http::parse_query(req.target());
  if (!query) co_return incident_api_response(req, "", "", nullptr);
  const auto limit = page_size(*query, "limit", timeline_page_default, timeline_page_max);
  if (!limit) {
    co_return json_error(
        req, beast_http::status::bad_request,
        "limit must be a whole number from 1 to " + std::to_string(timeline_page_max));
  }
  const auto after = cursor_param(*query, "cursor");
  if (!after) co_return json_error(req, beast_http::status::bad_request, "malformed cursor");
  const std::string label(ctx.param("id"));
  const std::string workspace(query->get("workspace").value_or(""));
  const timeline_request part{*after, *limit, 0, false};
  auto load = [this, &label, &workspace, &part] { return find(label, workspace, part); };
  const auto found = co_await runtime::offload(store_thread_, std::move(load));
  co_return incident_api_response(req, label, workspace, found.get());
}

// The coroutines above only read; the answers are built here, outside them.
http::response incident_pages::incident_page_response(const http::request& req,
                                                      const std::string& label,
                                                      const std::string& workspace,
                                                      const lookup* found) const {
  if (!found) {
    return html_response(
        req, beast_http::status::bad_request,
        page("Bad request", error_body("Bad request", "the query string is malformed")));
  }
  if (found->found.empty()) {
    const std::string reason = "There is no incident " + http::replace_invalid_utf8(label) +
                               (workspace.empty() ? "" : " in that workspace") + ".";
    return html_response(req, beast_http::status::not_found,
                         page("Not found", error_body("Not found", reason)));
  }
  if (!found->details) {
    return html_response(req, beast_http::status::conflict,
                         page(label, ambiguous_body(label, found->found)));
  }
  const auto& details = *found->details;
  const auto gap_marker =
      std::chrono::duration_cast<std::chrono::microseconds>(records_.options().gap_marker);
  return html_response(req, beast_http::status::ok,
                       page(bot::incident_label(details.inc) + " " + details.inc.title,
                            incident_page_body(details, gap_marker)));
}

http::response incident_pages::incident_api_response(const http::request& req,
                                                     const std::string& label,
                                                     const std::string& workspace,
                                                     const lookup* found) const {
  if (!found) {
    return json_error(req, beast_http::status::bad_request, "the query string is malformed");
  }
  if (found->found.empty()) {
    return json_error(req, beast_http::status::not_found,
                      "no incident " + http::replace_invalid_utf8(label) +
                          (workspace.empty() ? "" : " in that workspace"));
  }
  if (!found->details) {
    json workspaces = json::array();
    for (const auto& inc : found->found) workspaces.push_back(inc.channel.workspace);
    return json_response(req, beast_http::status::conflict,
                         json{{"error", label + " exists in several workspaces (" +
                                            workspaces_of(found->found) + "): add ?workspace=<id>"},
                              {"workspaces", std::move(workspaces)}});
  }
  return json_response(req, beast_http::status::ok, incident_json(*found->details));
}

}  // namespace scribe::web
