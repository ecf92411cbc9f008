// Inbox jobs an earlier Scribe stored (before it stored typed events, see
// adapters/matrix/matrix_adapter.cpp before ede59a2) are still read and processed after an
// upgrade: "txn:<txnId>" with the transaction's body as the homeserver sent it (Application
// Service API, PUT /transactions/{txnId}), and "event:<id>" with one of its events as that Scribe
// wrote it (nlohmann's dump()). Processed by the shared chat inbox with the workflows' fake
// platform (tests/support/fake_platform.hpp).

#include "adapters/jobs/chat_queues.hpp"
#include "adapters/matrix/matrix_events.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/fake_platform.hpp"
#include "tests/support/job_table.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <variant>

namespace scribe::matrix {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;
using namespace std::chrono_literals;

std::string fixture_bytes(std::string_view name) {
  const std::string path = std::string{SCRIBE_MATRIX_FIXTURES} + "/" + std::string{name};
  std::ifstream in{path, std::ios::binary};
  INFO("fixture " << path);
  REQUIRE(in.good());
  return std::string{std::istreambuf_iterator<char>{in}, {}};
}

bot::job legacy_job(std::string key, std::string payload) {
  bot::job job;
  job.id = 3;
  job.queue = std::string(inbox_queue);
  job.key = std::move(key);
  job.payload = std::move(payload);
  job.attempts = 1;
  return job;
}

config::matrix_options example_org() {
  config::matrix_options options;
  options.server_name = "example.org";
  return options;
}

json command_event(std::string text) {
  return {{"type", "m.room.message"},
          {"event_id", "$cmd"},
          {"room_id", "!r:example.org"},
          {"sender", "@ann:example.org"},
          {"origin_server_ts", 1795255200000},
          {"content", {{"msgtype", "m.text"}, {"body", std::move(text)}}}};
}

}  // namespace

TEST_CASE("legacy matrix inbox jobs are read into the events they hold", "[unit][matrix][legacy]") {
  const auto options = example_org();
  SECTION("a whole transaction, as the homeserver sent it") {
    const auto events = legacy_inbox_events(
        legacy_job("txn:42", fixture_bytes("transaction_incident_room.json")), options);
    REQUIRE(events.size() == 3);
    CHECK(std::holds_alternative<bot::invited_event>(events[0]));
    CHECK(std::holds_alternative<bot::thread_reply_event>(events[1]));
    CHECK(std::get<bot::flag_event>(events[2]).flag_id ==
          "$k9F0sP1vCw8bq3y9Zy0W0HtWn7tMx9G8b7YhJ1dZ8Qo");
  }
  SECTION("one event of a transaction split by that Scribe") {
    const auto events = legacy_inbox_events(
        legacy_job("event:$cmd", command_event("!incident status").dump()), options);
    REQUIRE(events.size() == 1);
    CHECK(std::get<bot::command_event>(events[0]).text == "status");
  }
  SECTION("what holds nothing for Scribe, or cannot be read, holds no event") {
    CHECK(legacy_inbox_events(legacy_job("txn:1", fixture_bytes("transaction_spec_example.json")),
                              options)
              .empty());
    CHECK(legacy_inbox_events(legacy_job("txn:2", "not json"), options).empty());
    CHECK(legacy_inbox_events(legacy_job("event:$x", "{\"type\":"), options).empty());
  }
}

TEST_CASE("legacy matrix inbox jobs are processed by the chat inbox after an upgrade",
          "[integration][matrix][legacy]") {
  test_support::temp_dir dir;
  storage::sqlite_store store{dir / "scribe.db"};
  test_support::manual_clock clock;
  config::postmortem_options postmortem;
  bot::incident_desk desk{store, store, clock, postmortem};
  bot::postmortem_desk postmortems{store, store, clock, postmortem};
  test_support::fake_platform platform;
  platform.platform = "matrix";
  platform.command = "!incident";
  const auto options = example_org();
  asio::io_context ioc;
  runtime::store_thread store_thread{nullptr};
  bot::chat_flows flows{platform, desk, postmortems, store_thread, [] {}};
  config::jobs_options limits;
  jobs::chat_inbox inbox{
      ioc,
      store_thread,
      store,
      clock,
      std::string(inbox_queue),
      flows,
      [&options](const bot::job& job) { return legacy_inbox_events(job, options); },
      limits};

  // Byte for byte as that Scribe stored them: the body, and an event's dump().
  json invite = json::parse(fixture_bytes("event_invite.json"));
  invite["room_id"] = "!r:example.org";
  const std::string transaction = json{{"events", {invite}}}.dump();
  store.enqueue(inbox_queue, "txn:41", transaction, clock.now());
  store.enqueue(inbox_queue, "event:$cmd", command_event("!incident open db-2 down").dump(),
                clock.now());

  asio::executor_work_guard<asio::io_context::executor_type> guard{ioc.get_executor()};
  inbox.start();
  std::thread runner([&ioc] { ioc.run(); });
  const bool drained = scribe::test_support::wait_no_pending(dir / "scribe.db");
  inbox.stop();
  guard.reset();
  ioc.stop();
  runner.join();
  store_thread.join();
  REQUIRE(drained);

  // The invitation was accepted, the command run and answered.
  CHECK(platform.calls["join"] == 1);
  const bot::channel_ref room{"matrix", "example.org", "!r:example.org"};
  const auto opened = store.find_latest_incident(room);
  REQUIRE(opened);
  CHECK(opened->title == "db-2 down");
  CHECK_FALSE(platform.sent(bot::chat_notice::kind::reply).empty());
  SQLite::Database db((dir / "scribe.db").string());
  CHECK(db.execAndGet("SELECT COUNT(*) FROM jobs WHERE queue = 'matrix.inbox' AND state = 'done'")
            .getInt() == 2);
}

}  // namespace scribe::matrix
