#pragma once
// The Slack adapter: Slack's requests in (slash commands, Events API, interactivity), Scribe's
// replies out (Web API), with nothing acknowledged lost in between.
//
// Every request is verified (PROTOCOLS.md section 1) before anything is acted on. A slash command
// runs at once: its change is committed before the 200 that carries the reply. Events and
// shortcuts need Slack's API to finish (fetching the message, its author, a permalink), which
// cannot be done within Slack's 3 seconds; they are stored in the inbox queue and acknowledged,
// and a worker processes them afterwards, also after a restart. What Scribe sends (confirmation
// reactions, long replies) goes through the outbox queue, so a restart neither loses nor repeats
// it.
//
// When an incident closes, its postmortem runs as jobs of the postmortem queue
// (bot/postmortem.hpp): the questions are posted one message each, replies in their threads and
// submissions of the "Answer in a form" modal become answers, and drafts and the reminder are
// posted; every post is made once, also across a crash (post_sequence).
//
// Events and shortcuts find the inbox full when it holds jobs.max_pending pending jobs: they get
// 503 with Retry-After (see adapters/jobs/inbox_limit.hpp). Slack delivers an event again up to
// three times, the last about six minutes later (PROTOCOLS.md section 3, "Retries"); a shortcut
// is not delivered again, and the person sees that it failed.
//
// Lifetime: everything passed to the constructor must outlive the adapter; stop() before the
// io_context stops.

#include "adapters/http/client.hpp"
#include "adapters/http/error.hpp"
#include "adapters/http/router.hpp"
#include "adapters/jobs/inbox_limit.hpp"
#include "adapters/jobs/job_worker.hpp"
#include "adapters/slack/payloads.hpp"
#include "adapters/slack/web_api.hpp"
#include "bot/incident_desk.hpp"
#include "bot/job_queue.hpp"
#include "bot/postmortem_desk.hpp"
#include "config/options.hpp"

#include <boost/asio/io_context.hpp>
#include "runtime/store_thread.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace scribe::slack {

inline constexpr std::string_view inbox_queue = "slack.inbox";
inline constexpr std::string_view outbox_queue = "slack.outbox";
// The reaction Scribe adds to a message it recorded, so the channel sees it was kept.
inline constexpr std::string_view recorded_reaction = "memo";
// The message shortcut's callback id, as in the app manifest.
inline constexpr std::string_view add_to_timeline_callback = "add_to_timeline";

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

  // The request handlers and job processors, public for the routes and workers above.
  boost::asio::awaitable<http::response> handle_command(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_event(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_interaction(http::request_context ctx);
  boost::asio::awaitable<bot::job_outcome> process_inbox(bot::job job);
  boost::asio::awaitable<bot::job_outcome> process_outbox(bot::job job);
  boost::asio::awaitable<bot::job_outcome> process_postmortem(bot::job job);

 private:
  struct message_to_flag;
  bot::result<void> verify(const http::request& req) const;
  // A 401 for a request whose signature does not hold, logged; nullopt when it holds.
  std::optional<http::response> refuse_unverified(const http::request& req,
                                                  std::string_view request_id) const;
  // The 503 for a delivery that found the inbox full, counted and (rate-limited) logged.
  http::response refuse_full(const http::request& req, std::int64_t pending,
                             std::string_view request_id);
  // `received_at`: when Slack's request arrived (the inbox job's creation).
  boost::asio::awaitable<bot::job_outcome> process_event(std::string body,
                                                          bot::timestamp received_at);
  boost::asio::awaitable<bot::job_outcome> process_shortcut(std::string body,
                                                             bot::timestamp received_at);
  boost::asio::awaitable<bot::job_outcome> flag(message_to_flag message);
  // Tells the flagger privately why the flag was not recorded: through the shortcut's
  // response_url, or an ephemeral message in the channel.
  boost::asio::awaitable<void> answer_flagger(const message_to_flag& message, std::string text);
  boost::asio::awaitable<bot::job_outcome> unflag(bot::channel_ref channel, std::string ts,
                                                   std::string user);
  boost::asio::awaitable<call_result> fetch_message(std::string channel, std::string ts);
  // The person's names from users.info, cached; the id for both when Slack does not know it.
  boost::asio::awaitable<call_result> names_of(std::string user_id, user_names& names);
  // Slack text as Scribe stores it: plain text, mentions named ("@alice", not "@U123") through
  // users.info (cached). Only a call Slack asks to retry fails it.
  boost::asio::awaitable<call_result> readable_text(std::string slack_text, std::string& text);
  boost::asio::awaitable<void> enqueue_outbox(std::string key, std::string payload);
  // Asks for the :memo: on a recorded message, once per timeline entry however often it is asked.
  boost::asio::awaitable<void> confirm_recorded(std::string channel, std::string ts,
                                                std::int64_t entry_id);
  boost::asio::awaitable<bot::job_outcome> answer(bot::channel_ref channel,
                                                   thread_reply_event reply);
  boost::asio::awaitable<void> open_answer_form(block_action action);
  boost::asio::awaitable<http::response> save_form_answers(http::request_context ctx,
                                                           view_submission submission);
  boost::asio::awaitable<bot::job_outcome> ask_questions(bot::job job, bot::incident inc);
  boost::asio::awaitable<bot::job_outcome> post_reminder(bot::job job, bot::incident inc);
  boost::asio::awaitable<bot::job_outcome> post_draft(bot::job job, bot::postmortem_job step);
  // Posts `messages` (chat.postMessage bodies) in order, each once across runs of `job`: each
  // carries metadata naming the job and its place, and a run after a failure or crash first
  // looks in the channel's history for what an earlier run posted. `posted_ts` receives the ts
  // of each message posted or found, in order, also when the call fails part way.
  boost::asio::awaitable<call_result> post_sequence(const bot::job& job, std::string channel,
                                                    std::vector<nlohmann::json> messages,
                                                    std::vector<std::string>& posted_ts);
  boost::asio::awaitable<call_result> find_posted(const bot::job& job, std::string channel,
                                                  std::map<std::string, std::string>& ts_by_key);

  boost::asio::io_context& ioc_;
  runtime::store_thread& store_thread_;
  const config::slack_options& options_;
  const std::string public_url_;
  bot::incident_desk& desk_;
  bot::postmortem_desk& postmortems_;
  bot::job_queue& jobs_;
  const bot::clock& clock_;
  web_api api_;
  jobs::inbox_limit inbox_limit_;
  jobs::job_worker inbox_worker_;
  jobs::job_worker outbox_worker_;
  jobs::job_worker postmortem_worker_;
  // users.info answers: display names change rarely, and each flag would otherwise ask again.
  std::mutex names_mutex_;
  std::unordered_map<std::string, user_names> names_;
};

// Slack's message timestamps ("1795255300.000200": seconds and microseconds) as an instant.
// http::errc::malformed_request for anything else.
bot::result<bot::timestamp> parse_message_ts(std::string_view ts);

}  // namespace scribe::slack
