#pragma once
// A Scribe web front on the real SQLite store in a temporary file: the incident pages, the JSON
// API, sign-in and the postmortem download, driven through the router without a socket.
#include "adapters/http/router.hpp"
#include "adapters/site/access.hpp"
#include "adapters/web/incident_export.hpp"
#include "adapters/web/incident_pages.hpp"
#include "bot/incident_desk.hpp"
#include "bot/incident_records.hpp"
#include "bot/postmortem_desk.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/desk_fixture.hpp"
#include "tests/support/dispatch.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

namespace scribe::test_support {

struct web_fixture : desk_fixture {
  bot::incident_records records{store, store, clock, postmortem};
  scribe::runtime::store_thread pool{nullptr};
  config::web_options web;
  config::server_options server;
  bool playground = false;

  ~web_fixture() { pool.join(); }

  void run(const std::string& workspace, const std::string& text,
           const bot::person& who = {"U1", "alice"}, const std::string& channel = "C1") {
    desk.run_command({{"slack", workspace, channel}, who, text, "/incident", {}, {}});
  }

  bot::incident latest(const std::string& workspace, const std::string& channel = "C1") {
    return *store.find_latest_incident({"slack", workspace, channel});
  }

  using headers = std::vector<std::pair<boost::beast::http::field, std::string>>;

  http::response send(boost::beast::http::verb method, std::string target, headers fields = {},
                      std::string body = "") {
    site::access_policy access(web, server);
    web::incident_export exports(pool, postmortems, access);
    web::incident_pages pages(pool, records, access, playground);
    http::router routes;
    exports.add_routes(routes);
    pages.add_routes(routes);
    http::request req{method, target, 11};
    for (const auto& [name, value] : fields) req.set(name, value);
    req.body() = std::move(body);
    req.prepare_payload();
    return dispatch_request(routes, std::move(req));
  }

  http::response get(std::string target, headers fields = {}) {
    return send(boost::beast::http::verb::get, std::move(target), std::move(fields));
  }
};

}  // namespace scribe::test_support
