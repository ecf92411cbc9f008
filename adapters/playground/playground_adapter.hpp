#pragma once
// The playground adapter: the HTTP side of the playground channel (playground_channel.hpp). A
// page where a person writes messages and commands, flags with 📌 and answers in threads; a
// worker that runs the playground's postmortem jobs (asking, reminding, drafting) as the Slack
// and Matrix adapters run theirs.
//
// Routes, all behind site::access_policy (the page shows incident data):
//   GET  /playground                    the page (?thread=<id> to reply in a thread, ?rename=1 to
//                                       change the name it writes under)
//   GET  /playground/messages           the message list alone, which the page's script polls
//   POST /playground/messages           author, text[, thread]: 303 back to the page
//   POST /playground/messages/{id}/pin  📌 on or off, as the name the browser last wrote with
//   POST /playground/name               author[, thread]: remember the name, 303 back to the page
//   GET  /static/playground.{css,js}
//
// Lifetime: everything passed to the constructor must outlive the adapter; stop() before the
// io_context stops.

#include "adapters/http/router.hpp"
#include "adapters/jobs/job_worker.hpp"
#include "adapters/playground/playground_channel.hpp"
#include "adapters/playground/playground_page.hpp"
#include "adapters/site/access.hpp"
#include "bot/job_queue.hpp"
#include "config/options.hpp"

#include <boost/asio/io_context.hpp>
#include "runtime/store_thread.hpp"

#include <string>

namespace scribe::playground {

// The cookie that remembers the name a browser writes with (not a secret: anyone may write as
// anyone in the playground).
inline constexpr std::string_view name_cookie = "scribe_playground_name";
// How many messages the page shows: the latest ones.
inline constexpr std::size_t page_messages = 300;

class playground_adapter {
 public:
  playground_adapter(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                     bot::incident_desk& desk, bot::postmortem_desk& postmortems,
                     bot::chat_log& chat, bot::job_queue& jobs, const bot::clock& clock,
                     const site::access_policy& access, const config::jobs_options& limits);

  void add_routes(http::router& routes);
  void start();
  void stop();

  // Route handlers, public for the routes.
  boost::asio::awaitable<http::response> handle_page(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_messages(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_post(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_pin(http::request_context ctx);
  boost::asio::awaitable<http::response> handle_name(http::request_context ctx);

 private:
  // The page with `state`, answered with `status` (200, or 400 for a refused post).
  boost::asio::awaitable<http::response> page(http::request_context ctx, page_state state,
                                              boost::beast::http::status status);

  runtime::store_thread& store_thread_;
  playground_channel channel_;
  const site::access_policy& access_;
  jobs::job_worker postmortem_worker_;
};

}  // namespace scribe::playground
