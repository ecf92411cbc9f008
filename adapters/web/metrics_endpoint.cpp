#include "adapters/web/metrics_endpoint.hpp"

#include "adapters/http/responses.hpp"
#include "config/log.hpp"
#include "metrics/catalog.hpp"
#include "runtime/offload.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <vector>

namespace scribe::web {
namespace {

namespace beast_http = boost::beast::http;

// What the store says at one scrape.
struct store_figures {
  bot::incident_counts incidents;
  std::vector<bot::queue_stats> queues;
};

void add_store_metrics(metrics::registry& snapshot, const store_figures& figures,
                       bot::timestamp now) {
  snapshot.gauge_family("scribe_incidents_open", "Incidents open now.")
      .with({})
      .set(static_cast<double>(figures.incidents.open));
  // A counter kept by the store (see bot::incident_counts): it survives restarts and counts every
  // replica's recordings, which an in-process counter would not.
  snapshot
      .counter_family("scribe_timeline_entries_recorded_total",
                      "Timeline entries ever recorded, including ones removed since.")
      .with({})
      .inc(static_cast<std::uint64_t>(
          std::max<std::int64_t>(figures.incidents.entries_recorded, 0)));
  auto& depth = snapshot.gauge_family(
      "scribe_queue_depth", "Jobs waiting in a queue (not yet done or given up).", {"queue"});
  auto& oldest = snapshot.gauge_family(
      "scribe_queue_oldest_age_seconds",
      "Age of the oldest job waiting in a queue, in seconds; 0 when the queue is empty.",
      {"queue"});
  for (const auto& queue : figures.queues) {
    depth.with({queue.queue}).set(static_cast<double>(queue.pending));
    double age = 0;
    if (queue.oldest_pending) {
      age = std::max(0.0, std::chrono::duration<double>(now - *queue.oldest_pending).count());
    }
    oldest.with({queue.queue}).set(age);
  }
}

}  // namespace

metrics_endpoint::metrics_endpoint(runtime::store_thread& store_thread,
                                   bot::incident_store& incidents, bot::job_queue& jobs,
                                   const bot::clock& clock, const site::access_policy& access)
    : store_thread_(store_thread),
      incidents_(incidents),
      jobs_(jobs),
      clock_(clock),
      access_(access) {}

void metrics_endpoint::add_routes(http::router& routes) {
  routes.add(beast_http::verb::get, "/metrics",
             [this](http::request_context ctx) { return handle_metrics(std::move(ctx)); });
}

boost::asio::awaitable<http::response> metrics_endpoint::handle_metrics(http::request_context ctx) {
  if (auto refused = access_.refuse(ctx.req)) co_return std::move(*refused);

  // Store-derived and process figures go into a registry made for this scrape, so that a queue or
  // a figure the store no longer reports is not served stale.
  metrics::registry snapshot;
  metrics::add_process_metrics(snapshot);
  auto read = [this] { return store_figures{incidents_.counts(), jobs_.stats()}; };
  bool store_up = true;
  try {
    const auto figures = co_await runtime::offload(store_thread_, std::move(read));
    add_store_metrics(snapshot, figures, clock_.now());
  } catch (const std::exception& e) {
    store_up = false;
    log::warn("metrics: the store did not answer",
              {{"error", e.what()}, {"request_id", ctx.request_id}});
  }
  snapshot.gauge_family("scribe_store_up", "1 when the store answered this scrape, else 0.")
      .with({})
      .set(store_up ? 1 : 0);

  const std::array<const metrics::registry*, 2> sources{&metrics::default_registry(), &snapshot};
  co_return http::make_response(ctx.req, beast_http::status::ok, metrics::render(sources),
                                metrics::content_type);
}

}  // namespace scribe::web
