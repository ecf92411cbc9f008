#pragma once
// The Matrix adapter: Scribe as an Application Service (PROTOCOLS.md 7-8). The homeserver pushes
// transactions of room events; Scribe answers through the Client-Server API as its bot user.
//
// A transaction is authenticated with the hs_token and parsed once into the typed chat events
// Scribe acts on (matrix_events.hpp), which are stored in the inbox queue, keyed by their event
// ids, before the 200: the homeserver resends a transaction until it is acknowledged, and the keys
// make every resend a no-op, also after a restart. A worker then hands the events, one by one, to
// Scribe's workflows (bot/chat_flows.hpp) with Matrix as their platform (matrix_platform.hpp):
// commands (`!incident ...`), flags by reaction, mention or note, taken back by redacting the
// reaction, edits and redactions, answers in the postmortem questions' threads, invitations.
//
// A transaction that finds the inbox full (jobs.max_pending pending jobs) gets 503 M_UNKNOWN with
// Retry-After (see adapters/jobs/inbox_limit.hpp); the homeserver keeps it queued and sends it
// again with backoff (PROTOCOLS.md 7, "Idempotency").
//
// Lifetime: everything passed to the constructor must outlive the adapter; stop() before the
// io_context stops.

#include "adapters/http/client.hpp"
#include "adapters/http/router.hpp"
#include "adapters/jobs/chat_queues.hpp"
#include "adapters/jobs/job_worker.hpp"
#include "adapters/matrix/client_api.hpp"
#include "adapters/matrix/matrix_platform.hpp"
#include "bot/chat_flows.hpp"
#include "bot/incident_desk.hpp"
#include "bot/job_queue.hpp"
#include "bot/postmortem_desk.hpp"
#include "config/options.hpp"
#include "runtime/store_thread.hpp"

#include <boost/asio/io_context.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace scribe::matrix {

class matrix_adapter {
 public:
  matrix_adapter(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                 const config::matrix_options& options, bot::incident_desk& desk,
                 bot::postmortem_desk& postmortems, bot::job_queue& jobs, http::client& client,
                 const bot::clock& clock, const config::jobs_options& limits);

  // The Application Service API under /_matrix/app/v1 (and the legacy unprefixed transactions
  // path); anything else under /_matrix/ gets M_UNRECOGNIZED.
  void add_routes(http::router& routes);
  void start();
  void stop();

  // "@scribe:example.org".
  const std::string& bot_user_id() const { return bot_user_id_; }

  // Route handlers, public for the routes above.
  boost::asio::awaitable<http::response> handle_transaction(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_user_query(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_room_query(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_ping(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_unrecognized(http::request_context ctx);

 private:
  // The homeserver's 401/403 for a request without the right hs_token, logged; nullopt when it
  // has it.
  std::optional<http::response> refuse_unauthenticated(const http::request& req,
                                                       std::string_view request_id) const;

  const config::matrix_options& options_;
  const std::string bot_user_id_;
  client_api api_;
  matrix_platform platform_;
  bot::chat_flows flows_;
  jobs::chat_inbox inbox_;
  jobs::job_worker postmortem_worker_;
};

}  // namespace scribe::matrix
