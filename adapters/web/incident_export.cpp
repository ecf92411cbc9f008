#include "adapters/web/incident_export.hpp"

#include "adapters/http/form.hpp"
#include "adapters/http/responses.hpp"
#include "runtime/offload.hpp"

namespace scribe::web {
namespace {

namespace beast_http = boost::beast::http;

}  // namespace

std::string postmortem_file_name(const bot::drafted& draft) {
  return bot::incident_label(draft.inc) + "-postmortem-v" + std::to_string(draft.draft.version) +
         ".md";
}

incident_export::incident_export(runtime::store_thread& store_thread,
                                 bot::postmortem_desk& postmortems,
                                 const site::access_policy& access)
    : store_thread_(store_thread), postmortems_(postmortems), access_(access) {}

void incident_export::add_routes(http::router& routes) {
  routes.add(beast_http::verb::get, "/incidents/{id}/postmortem.md",
             [this](http::request_context ctx) { return handle_postmortem(std::move(ctx)); });
}

boost::asio::awaitable<http::response> incident_export::handle_postmortem(
    http::request_context ctx) {
  const auto& req = ctx.req;
  if (auto refused = access_.refuse(req)) co_return std::move(*refused);
  const std::string label(ctx.param("id"));
  const std::string workspace = http::query_value(req.target(), "workspace");
  auto find = [this, &label, &workspace] {
    std::optional<bot::drafted> latest;
    auto found = postmortems_.find_by_label(label, workspace);
    if (found.size() == 1) latest = postmortems_.latest_or_preview(found.front().id);
    return std::pair{std::move(found), std::move(latest)};
  };
  const auto [found, latest] = co_await runtime::offload(store_thread_, std::move(find));
  if (found.empty()) {
    co_return http::make_error(req, beast_http::status::not_found,
                               "no incident " + http::replace_invalid_utf8(label) +
                                   (workspace.empty() ? "" : " in that workspace"));
  }
  if (found.size() > 1) {
    std::string workspaces;
    for (const auto& inc : found) {
      workspaces +=
          (workspaces.empty() ? "" : ", ") + inc.channel.platform + ":" + inc.channel.workspace;
    }
    co_return http::make_error(
        req, beast_http::status::conflict,
        label + " exists in several workspaces (" + workspaces + "): add ?workspace=<id>");
  }
  if (!latest || latest->draft.version == 0) {
    co_return http::make_error(
        req, beast_http::status::not_found,
        bot::incident_label(found.front()) + " has no postmortem draft yet (`draft` makes one)");
  }
  auto response = http::make_response(req, beast_http::status::ok, latest->draft.markdown,
                                      "text/markdown; charset=utf-8");
  response.set(beast_http::field::content_disposition,
               "attachment; filename=\"" + postmortem_file_name(*latest) + "\"");
  co_return response;
}

}  // namespace scribe::web
