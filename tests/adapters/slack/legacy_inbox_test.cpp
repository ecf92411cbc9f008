// Inbox jobs an earlier Scribe stored (before it stored typed events, see
// adapters/slack/slack_adapter.cpp before ede59a2) are still processed after an upgrade:
// "event\n" and the Events API body, "shortcut\n" and the interaction's form body, byte for byte as
// Slack sent them (PROTOCOLS.md 3 and 4; tests/fixtures/slack). Processed by the shared chat inbox
// with the workflows' fake platform (tests/support/fake_platform.hpp).

#include "adapters/jobs/chat_queues.hpp"
#include "adapters/slack/slack_events.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/adapters/slack/fixture.hpp"
#include "tests/support/fake_platform.hpp"
#include "tests/support/job_table.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

namespace scribe::slack {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test_support::form_encode;
using test_support::read_fixture;

}  // namespace

TEST_CASE("legacy slack inbox jobs are processed by the chat inbox after an upgrade",
          "[integration][slack][legacy]") {
  scribe::test_support::temp_dir dir;
  storage::sqlite_store store{dir / "scribe.db"};
  scribe::test_support::manual_clock clock;
  config::postmortem_options postmortem;
  bot::incident_desk desk{store, store, clock, postmortem};
  bot::postmortem_desk postmortems{store, store, clock, postmortem};
  scribe::test_support::fake_platform platform;
  const config::slack_options options;
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

  // The fixtures' flags were made in 2013 (the reaction's event_ts) and when the job was stored
  // (the shortcut): the incidents are opened before both.
  clock.set(bot::from_unix_micros(1'360'782'000'000'000));
  // An open incident in each channel the jobs flag a message in.
  const bot::channel_ref reacted{"slack", "TXXXXXXXX", "C0G9QF9GZ"};
  const bot::channel_ref shortcut{"slack", "T111", "C111"};
  for (const auto& channel : {reacted, shortcut}) {
    desk.run_command({channel, {"U-ann", "ann"}, "open checkout down", "/incident", {}, {}});
  }
  platform.messages["C0G9QF9GZ/1360782400.498405"] = {"U-carol", false, clock.now() - 1min,
                                                      "p99 at 4s"};

  clock.advance(1min);
  // Byte for byte as that Scribe stored them: the kind, a newline, Slack's body.
  std::string event_body = read_fixture("event_reaction_added.json");
  event_body.replace(event_body.find("thumbsup"), 8, "pushpin");
  store.enqueue(inbox_queue, "Ev-legacy", "event\n" + event_body, clock.now());
  store.enqueue(
      inbox_queue, "shortcut:111.222.xxx",
      "shortcut\npayload=" + form_encode(read_fixture("interaction_message_shortcut.json")),
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

  // The reaction's message was read and recorded; the shortcut's carried its own.
  auto texts_in = [&store](const bot::channel_ref& channel) {
    std::vector<std::string> texts;
    for (const auto& entry : store.timeline(store.find_latest_incident(channel)->id)) {
      texts.push_back(entry.text);
    }
    return texts;
  };
  CHECK_THAT(texts_in(reacted), Catch::VectorContains(std::string("p99 at 4s")));
  CHECK(texts_in(reacted).size() == 2);
  CHECK_THAT(texts_in(shortcut),
             Catch::VectorContains(std::string("rolled back deploy &lt;v2.3&gt; at 14:02")));
  CHECK(texts_in(shortcut).size() == 2);
  const auto confirmed = platform.sent(bot::chat_notice::kind::confirm);
  REQUIRE(confirmed.size() == 2);
  CHECK(confirmed[0].notice.message_ref == "C0G9QF9GZ/1360782400.498405");
  CHECK(confirmed[1].notice.message_ref == "C111/1610241741.000200");
  SQLite::Database db((dir / "scribe.db").string());
  CHECK(db.execAndGet("SELECT COUNT(*) FROM jobs WHERE queue = 'slack.inbox' AND state = 'done'")
            .getInt() == 2);
}

}  // namespace scribe::slack
