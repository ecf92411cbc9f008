#pragma once
// The Slack adapter: Slack's requests in (slash commands, Events API, interactivity), and the
// wiring of Slack as a chat platform (slack_platform.hpp) under Scribe's workflows
// (bot/chat_flows.hpp), with nothing acknowledged lost in between.
//
// Every request is verified (PROTOCOLS.md section 1) before anything is acted on. A slash command
// runs at once: its change is committed before the 200 that carries the reply. An event or a
// shortcut is parsed once, into a typed chat event (slack_events.hpp); what asks nothing of Scribe
// is acknowledged and dropped, the rest is stored in the inbox before the 200, because the
// workflows need Slack's API (reading the message, its author, a permalink), which cannot be done
// within Slack's 3 seconds. The inbox's worker hands each event to the workflows afterwards, also
// after a restart.
//
// When an incident closes, its postmortem runs as jobs of the postmortem queue
// (bot/postmortem.hpp) through the same workflows; submissions of the "Answer in a form" modal,
// which Slack expects an answer to within its request, are stored here.
//
// Events and shortcuts find the inbox full when it holds jobs.max_pending pending jobs: they get
// 503 with Retry-After (see adapters/jobs/inbox_limit.hpp). Slack delivers an event again up to
// three times, the last about six minutes later (PROTOCOLS.md section 3, "Retries"); a shortcut
// is not delivered again, and the person sees that it failed.
//
// Lifetime: everything passed to the constructor must outlive the adapter; stop() before the
// io_context stops.

#include "adapters/http/client.hpp"
#include "adapters/http/router.hpp"
#include "adapters/jobs/chat_queues.hpp"
#include "adapters/jobs/job_worker.hpp"
#include "adapters/slack/payloads.hpp"
#include "adapters/slack/slack_events.hpp"
#include "adapters/slack/slack_platform.hpp"
#include "adapters/slack/web_api.hpp"
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

namespace scribe::slack {

class slack_adapter {
 public:
  // `public_url` (server.public_url, may be empty) is where drafts too long for chat link to;
  // `limits` bounds the inbox.
  slack_adapter(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                const config::slack_options& options, std::string public_url,
                bot::incident_desk& desk, bot::postmortem_desk& postmortems, bot::job_queue& jobs,
                http::client& client, const bot::clock& clock, const config::jobs_options& limits);

  // POST /slack/commands, /slack/events, /slack/interactions.
  void add_routes(http::router& routes);
  // Starts the inbox, outbox and postmortem workers.
  void start();
  void stop();

  // The request handlers, public for the routes.
  boost::asio::awaitable<http::response> handle_command(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_event(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_interaction(http::request_context ctx);

 private:
  bot::result<void> verify(const http::request& req) const;
  // A 401 for a request whose signature does not hold, logged; nullopt when it holds.
  std::optional<http::response> refuse_unverified(const http::request& req,
                                                  std::string_view request_id) const;
  // The 503 for a delivery that found the inbox full, counted and (rate-limited) logged.
  http::response refuse_full(const http::request& req, std::int64_t pending,
                             std::string_view request_id);
  boost::asio::awaitable<void> open_answer_form(block_action action);
  boost::asio::awaitable<http::response> save_form_answers(http::request_context ctx,
                                                           view_submission submission);

  boost::asio::io_context& ioc_;
  runtime::store_thread& store_thread_;
  const config::slack_options& options_;
  bot::incident_desk& desk_;
  bot::postmortem_desk& postmortems_;
  const bot::clock& clock_;
  web_api api_;
  slack_platform platform_;
  bot::chat_flows flows_;
  jobs::chat_inbox inbox_;
  jobs::job_worker postmortem_worker_;
};

}  // namespace scribe::slack
