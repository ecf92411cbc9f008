#include "app/service.hpp"

#include "adapters/http/responses.hpp"
#include "adapters/http/server.hpp"
#include "adapters/matrix/matrix_adapter.hpp"
#include "adapters/playground/playground_adapter.hpp"
#include "adapters/site/access.hpp"
#include "adapters/slack/slack_adapter.hpp"
#include "adapters/web/incident_export.hpp"
#include "adapters/web/incident_pages.hpp"
#include "adapters/web/metrics_endpoint.hpp"
#include "adapters/web/review_page.hpp"
#include "app/cli.hpp"
#include "bot/incident_desk.hpp"
#include "bot/incident_records.hpp"
#include "bot/incident_store.hpp"
#include "bot/postmortem_desk.hpp"
#include "config/loader.hpp"
#include "config/log.hpp"
#include "config/values.hpp"
#include "runtime/offload.hpp"
#include "storage/open_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/system/system_error.hpp>
#include "runtime/store_thread.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace scribe::app {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

asio::awaitable<http::response> health_check(http::request_context ctx, bot::incident_store& store,
                                             runtime::store_thread& store_thread) {
  try {
    co_await runtime::offload(store_thread, [&store] { store.ping(); });
  } catch (const std::exception& e) {
    log::error("health check failed", {{"error", e.what()}});
    co_return http::make_error(ctx.req, beast_http::status::service_unavailable,
                               "storage unavailable");
  }
  co_return http::make_response(ctx.req, beast_http::status::ok, "{\"status\":\"ok\"}\n",
                                "application/json");
}

// Readiness, for a load balancer in front of several replicas: not while this replica is draining
// after SIGTERM (so that new requests go to the others at once), nor while its store cannot take a
// write. Liveness is /healthz.
asio::awaitable<http::response> readiness_check(http::request_context ctx,
                                                bot::incident_store& store,
                                                runtime::store_thread& store_thread,
                                                const std::atomic<bool>& draining) {
  if (draining) {
    co_return http::make_error(ctx.req, beast_http::status::service_unavailable, "shutting down");
  }
  co_return co_await health_check(std::move(ctx), store, store_thread);
}

// The HTTPS client for a chat platform's API; false (logged) when TLS cannot be set up, which is
// a configuration problem (tls.ca_file).
bool open_api_client(std::optional<http::client>& client, asio::io_context& ioc,
                     std::chrono::milliseconds timeout, const config::tls_options& tls,
                     std::string_view platform) {
  http::client_options client_options;
  client_options.connect_timeout = timeout;
  client_options.request_timeout = timeout;
  client_options.ca_file = tls.ca_file;
  try {
    client.emplace(ioc, client_options);
    return true;
  } catch (const std::exception& e) {
    log::error("cannot set up TLS for a chat platform's API",
               {{"platform", std::string(platform)}, {"error", e.what()}});
    return false;
  }
}

// Where a browser on this machine finds the playground.
std::string playground_url(const config::server_options& server, std::uint16_t port) {
  std::string host = server.listen_host;
  if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";  // every address: this one works too
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port) + "/playground";
}

void announce_playground(const config::server_options& server, const site::access_policy& access,
                         const asio::ip::tcp::endpoint& bound) {
  if (access.refuses_everyone()) {
    log::warn("playground not served", {{"reason", access.describe()}});
  } else {
    log::info("playground ready", {{"url", playground_url(server, bound.port())}});
  }
  std::printf("%s\n", playground_banner(server, access, bound.port()).c_str());
  std::fflush(stdout);
}

void log_configuration(const config::options& options) {
  const auto described = config::describe(options);
  std::vector<log::field> fields;
  fields.reserve(described.size());
  for (const auto& [key, value] : described) fields.push_back({key, value});
  log::write(log::level::info, "configuration", fields);
}

}  // namespace

// When listening on every interface without a token, requests from this machine are refused
// too, rather than told apart by their peer address: a reverse proxy or an SSH tunnel on this
// machine connects from loopback on behalf of anyone, so the address does not say who asks. One
// rule (no token: listen on loopback) is easy to check; start-up says so at warn level instead.
std::string playground_banner(const config::server_options& server,
                              const site::access_policy& access, std::uint16_t port) {
  if (access.refuses_everyone()) {
    return "Scribe is running on " + config::format_host_port(server.listen_host, port) +
           ", but its pages and the playground answer 403: without web.token they are served only "
           "while Scribe listens on loopback. Set SCRIBE_WEB_TOKEN, or listen on 127.0.0.1.";
  }
  return "Scribe is running. Try it in the playground: " + playground_url(server, port) +
         (access.token_required() ? " (sign in with web.token)" : "");
}

int serve(const config::options& options) {
  log::set_level(options.log.level);
  log::info("starting", {{"version", SCRIBE_VERSION}});
  log_configuration(options);

  // The address is bound first: a port in use must not cost a created and migrated database.
  const unsigned threads = options.server.threads;
  asio::io_context ioc(static_cast<int>(threads));
  http::router routes;
  http::server server(ioc, options.server, routes);
  asio::ip::tcp::endpoint bound;
  try {
    bound = server.listen();  // logs the bound address
  } catch (const boost::system::system_error& e) {
    log::error("cannot listen", {{"address", options.server.listen_host + ":" +
                                                 std::to_string(options.server.listen_port)},
                                 {"error", e.code().message()}});
    return exit_unavailable;
  }

  storage::opened_store store;
  try {
    store = storage::open_store(options.storage);
  } catch (const std::exception& e) {
    log::error("cannot open the store", {{"error", e.what()}});
    return exit_unavailable;
  }
  bot::system_clock clock;
  bot::incident_desk desk(*store.incidents, *store.jobs, clock, options.postmortem);
  bot::postmortem_desk postmortems(*store.incidents, *store.postmortems, clock, options.postmortem);
  bot::incident_records records(*store.incidents, *store.postmortems, clock, options.postmortem);

  // Store calls block (SQLite writes wait for fsync, PostgreSQL for the server); they run there,
  // never on network threads.
  runtime::store_thread store_thread(store.group.get(), 64, store.concurrency);
  routes.add(beast_http::verb::get, "/healthz",
             [&incidents = *store.incidents, &store_thread](http::request_context ctx) {
               return health_check(std::move(ctx), incidents, store_thread);
             });
  std::atomic<bool> draining = false;
  routes.add(beast_http::verb::get, "/readyz",
             [&incidents = *store.incidents, &store_thread, &draining](http::request_context ctx) {
               return readiness_check(std::move(ctx), incidents, store_thread, draining);
             });

  const site::access_policy access(options.web, options.server);
  web::incident_export exports(store_thread, postmortems, access);
  exports.add_routes(routes);
  web::incident_pages pages(store_thread, records, access, options.playground_enabled());
  pages.add_routes(routes);  // also /signin, /signout and /static/scribe.{css,js}
  web::review_page review(access, options.playground_enabled());
  review.add_routes(routes);  // POST /api/review, GET and POST /review
  web::metrics_endpoint metrics_page(store_thread, *store.incidents, *store.jobs, clock, access);
  metrics_page.add_routes(routes);
  log::write(access.refuses_everyone() ? log::level::warn : log::level::info, "web access",
             {{"policy", access.describe()}});

  std::optional<http::client> slack_client;
  std::optional<slack::slack_adapter> slack;
  if (options.slack.enabled()) {
    if (!open_api_client(slack_client, ioc, options.slack.api_timeout, options.tls, "Slack")) {
      return exit_config;
    }
    slack.emplace(ioc, store_thread, options.slack, options.server.public_url, desk, postmortems,
                  *store.jobs, *slack_client, clock, options.jobs);
    slack->add_routes(routes);
    slack->start();
    log::info("slack enabled",
              {{"command", options.slack.command}, {"api", options.slack.api_base_url}});
  }
  std::optional<http::client> matrix_client;
  std::optional<matrix::matrix_adapter> matrix;
  if (options.matrix.enabled()) {
    if (!open_api_client(matrix_client, ioc, options.matrix.api_timeout, options.tls, "Matrix")) {
      return exit_config;
    }
    matrix.emplace(ioc, store_thread, options.matrix, desk, postmortems, *store.jobs,
                   *matrix_client, clock, options.jobs);
    matrix->add_routes(routes);
    matrix->start();
    log::info("matrix enabled",
              {{"homeserver", options.matrix.homeserver_url}, {"user", matrix->bot_user_id()}});
  }
  std::optional<playground::playground_adapter> playground;
  if (options.playground_enabled()) {
    playground.emplace(ioc, store_thread, desk, postmortems, *store.chats, *store.jobs, clock,
                       access, options.jobs);
    playground->add_routes(routes);
    playground->start();
  }
  server.start();
  if (playground) announce_playground(options.server, access, bound);

  // The first signal drains in-flight requests; a second one stops at once.
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  bool stopping = false;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (stopping) {
          log::warn("second stop signal, exiting without draining",
                    {{"signal", std::to_string(signal)}});
          ioc.stop();
          return;
        }
        stopping = true;
        draining = true;
        log::info("stopping", {{"signal", std::to_string(signal)},
                               {"in_flight", std::to_string(server.active_sessions())}});
        if (slack) slack->stop();
        if (matrix) matrix->stop();
        if (playground) playground->stop();
        server.shutdown([&ioc] { ioc.stop(); });
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);

  std::vector<std::thread> workers;
  for (unsigned i = 1; i < threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& w : workers) w.join();
  store_thread.join();
  log::info("stopped");
  return exit_ok;
}

}  // namespace scribe::app
