#pragma once
// GET /incidents/{id}/postmortem.md: the latest postmortem draft of INC-<n> as a Markdown file.
// `?workspace=<id>` picks the workspace when several have an INC-<n> (incidents are numbered per
// workspace); without it such a request gets 409 listing them.
//
// Lifetime: everything passed to the constructor must outlive the routes.

#include "adapters/http/router.hpp"
#include "adapters/site/access.hpp"
#include "bot/postmortem_desk.hpp"

#include "runtime/store_thread.hpp"

namespace scribe::web {

class incident_export {
 public:
  incident_export(runtime::store_thread& store_thread, bot::postmortem_desk& postmortems,
                  const site::access_policy& access);

  void add_routes(http::router& routes);

  boost::asio::awaitable<http::response> handle_postmortem(http::request_context ctx);

 private:
  runtime::store_thread& store_thread_;
  bot::postmortem_desk& postmortems_;
  const site::access_policy& access_;
};

// The file name a draft downloads as: "INC-7-postmortem-v2.md".
std::string postmortem_file_name(const bot::drafted& draft);

}  // namespace scribe::web
