#pragma once
// The Matrix adapter: Scribe as an Application Service (PROTOCOLS.md 7-8). The homeserver pushes
// transactions of room events; Scribe answers through the Client-Server API as its bot user.
//
// A transaction is authenticated with the hs_token, stored in the inbox queue and only then
// acknowledged: the homeserver resends it until it gets the 200, and the inbox key (the txnId)
// makes every resend a no-op, also after a restart. A worker then handles its events one by one:
// commands (`!incident ...`), flags by reaction, mention or note, taken back by redacting the
// reaction, edits and redactions of flagged messages, answers in the postmortem questions'
// threads, and invitations. What Scribe sends goes through the outbox and the postmortem queue;
// each send has a transaction id derived from its job, so a resend after a failure or a crash is
// recognised by the homeserver and creates nothing new.
//
// A transaction that finds the inbox full (jobs.max_pending pending jobs) gets 503 M_UNKNOWN with
// Retry-After (see adapters/jobs/inbox_limit.hpp); the homeserver keeps it queued and sends it
// again with backoff (PROTOCOLS.md 7, "Idempotency").
//
// Lifetime: everything passed to the constructor must outlive the adapter; stop() before the
// io_context stops.

#include "adapters/http/client.hpp"
#include "adapters/http/router.hpp"
#include "adapters/jobs/inbox_limit.hpp"
#include "adapters/jobs/job_worker.hpp"
#include "adapters/matrix/client_api.hpp"
#include "adapters/matrix/payloads.hpp"
#include "bot/incident_desk.hpp"
#include "bot/job_queue.hpp"
#include "bot/postmortem_desk.hpp"
#include "config/options.hpp"

#include <boost/asio/io_context.hpp>
#include "runtime/store_thread.hpp"

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::matrix {

inline constexpr std::string_view inbox_queue = "matrix.inbox";
inline constexpr std::string_view outbox_queue = "matrix.outbox";
// The reaction Scribe adds to a message it recorded (U+1F4DD MEMO), as :memo: on Slack.
inline constexpr std::string_view recorded_key = "\U0001F4DD";

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

  // Route handlers and job processors, public for the routes and workers above.
  boost::asio::awaitable<http::response> handle_transaction(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_user_query(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_room_query(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_ping(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_unrecognized(http::request_context ctx);
  boost::asio::awaitable<bot::job_outcome> process_inbox(bot::job job);
  boost::asio::awaitable<bot::job_outcome> process_outbox(bot::job job);
  boost::asio::awaitable<bot::job_outcome> process_postmortem(bot::job job);

 private:
  // The homeserver's 401/403 for a request without the right hs_token, logged; nullopt when it
  // has it.
  std::optional<http::response> refuse_unauthenticated(const http::request& req,
                                                       std::string_view request_id) const;
  boost::asio::awaitable<bot::job_outcome> process_event(nlohmann::json event);
  boost::asio::awaitable<bot::job_outcome> run_command(room_message message, std::string text);
  // `flagged_by`'s id is the flag's own event (a reaction, or the mentioning message), its name
  // the sender; `flagged_at` that event's time.
  boost::asio::awaitable<bot::job_outcome> flag(bot::channel_ref channel, std::string event_id,
                                                 bot::person flagged_by, bot::timestamp flagged_at,
                                                 bot::entry_source source);
  // Tells the flagger why the flag was not recorded, in a notice replying to `event_id`.
  boost::asio::awaitable<void> answer_flagger(const bot::flag_request& flag, std::string event_id,
                                              std::string text);
  boost::asio::awaitable<bot::job_outcome> take_back(redaction_event redaction);
  boost::asio::awaitable<bot::job_outcome> answer(room_message message);
  boost::asio::awaitable<bot::job_outcome> accept_invite(invite_event invite);
  // The person's display name in the room (joined_members, cached per room); the user id when
  // the room does not say.
  boost::asio::awaitable<http::call_result> display_name(std::string room_id, std::string user_id,
                                                         std::string& name);
  boost::asio::awaitable<void> enqueue_outbox(std::string key, nlohmann::json payload);
  // Asks for the 📝 on a recorded message, once per timeline entry however often it is asked.
  boost::asio::awaitable<void> confirm_recorded(std::string room_id, std::string event_id,
                                                std::int64_t entry_id);
  // Sends `contents` as m.room.message events in order, each with the transaction id of its
  // place in `job`; `event_ids` receives the event id of each sent.
  boost::asio::awaitable<http::call_result> send_all(const bot::job& job, std::string room_id,
                                                     std::vector<nlohmann::json> contents,
                                                     std::vector<std::string>& event_ids);
  bot::channel_ref channel_of(const std::string& room_id) const;

  runtime::store_thread& store_thread_;
  const config::matrix_options& options_;
  bot::incident_desk& desk_;
  bot::postmortem_desk& postmortems_;
  bot::job_queue& jobs_;
  const bot::clock& clock_;
  const std::string bot_user_id_;
  client_api api_;
  jobs::inbox_limit inbox_limit_;
  jobs::job_worker inbox_worker_;
  jobs::job_worker outbox_worker_;
  jobs::job_worker postmortem_worker_;
  std::mutex names_mutex_;
  std::map<std::string, std::map<std::string, std::string>> names_;  // room -> user -> name
};

// The platform's reference to a message: "<room id>/<event id>".
std::string message_ref(std::string_view room_id, std::string_view event_id);

}  // namespace scribe::matrix
