#pragma once
// GET /metrics: Scribe's metrics in Prometheus's text format (metrics/registry.hpp) for a
// Prometheus server to scrape.
//
// Behind the same rule as the incident API (access_policy::refuse: web.token as a Bearer token,
// or loopback only without one), because queue names and counts describe the operation. What it
// serves never includes a secret or message text: labels are route patterns, API method names,
// error codes and queue names.
//
// Besides the registry's counters it reports, read from the store at each scrape (one short
// blocking call on the pool): scribe_incidents_open, scribe_timeline_entries_recorded_total,
// scribe_queue_depth{queue} and scribe_queue_oldest_age_seconds{queue}; and the process's start
// time and resident memory. When the store cannot answer, the rest is still served, with
// scribe_store_up 0.
//
// Lifetime: everything passed to the constructor must outlive the routes.

#include "adapters/http/router.hpp"
#include "adapters/site/access.hpp"
#include "bot/incident_store.hpp"
#include "bot/job_queue.hpp"
#include "bot/time.hpp"

#include "runtime/store_thread.hpp"

namespace scribe::web {

class metrics_endpoint {
 public:
  metrics_endpoint(runtime::store_thread& store_thread, bot::incident_store& incidents,
                   bot::job_queue& jobs, const bot::clock& clock,
                   const site::access_policy& access);

  // GET /metrics (HEAD too, as for every GET route).
  void add_routes(http::router& routes);

  boost::asio::awaitable<http::response> handle_metrics(http::request_context ctx);

 private:
  runtime::store_thread& store_thread_;
  bot::incident_store& incidents_;
  bot::job_queue& jobs_;
  const bot::clock& clock_;
  const site::access_policy& access_;
};

}  // namespace scribe::web
