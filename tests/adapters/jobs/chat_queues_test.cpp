// The chat inbox every platform shares (adapters/jobs/chat_queues.hpp), on the real SQLite queue:
// what admit() stores and refuses (the inbox limit, tested here once for Slack and Matrix, whose
// webhooks only check their own answer to a full inbox), and what its worker hands the workflows:
// typed events as they were admitted, and jobs in a form it does not know to the legacy reader.
// The platform is the workflows' fake (tests/support/fake_platform.hpp).

#include "adapters/jobs/chat_queues.hpp"
#include "metrics/catalog.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/fake_platform.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace scribe;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

constexpr std::string_view queue = "test.inbox";

// An inbox whose worker runs on a thread of its own once run() is called.
struct inbox_fixture {
  explicit inbox_fixture(unsigned max_pending = 100) : limits{max_pending} {}
  ~inbox_fixture() {
    inbox.stop();
    guard.reset();
    ioc.stop();
    if (runner.joinable()) runner.join();
    store_thread.join();
  }

  const bot::channel_ref channel{"slack", "T1", "C1"};

  test_support::temp_dir dir;
  storage::sqlite_store store{dir / "scribe.db"};
  test_support::manual_clock clock;
  config::postmortem_options postmortem;
  bot::incident_desk desk{store, store, clock, postmortem};
  bot::postmortem_desk postmortems{store, store, clock, postmortem};
  test_support::fake_platform platform;
  asio::io_context ioc;
  runtime::store_thread store_thread{nullptr};
  bot::chat_flows flows{platform, desk, postmortems, store_thread, [] {}};
  config::jobs_options limits;

  // The legacy reader's calls, by job key; guarded by legacy_mutex (it runs on the worker).
  std::mutex legacy_mutex;
  std::vector<std::string> legacy_reads;
  // Reads "unpin <ref> <ref>...": one unflag per reference, as a legacy transaction holds several.
  std::vector<bot::chat_event> read_legacy(const bot::job& job) {
    {
      std::lock_guard lock(legacy_mutex);
      legacy_reads.push_back(job.key);
    }
    std::vector<bot::chat_event> events;
    if (!job.payload.starts_with("unpin ")) return events;
    std::string rest = job.payload.substr(6);
    for (std::size_t at = 0; at < rest.size();) {
      const auto end = std::min(rest.find(' ', at), rest.size());
      events.push_back(bot::unflag_event{channel, rest.substr(at, end - at), "U-bob"});
      at = end + 1;
    }
    return events;
  }

  jobs::chat_inbox inbox{ioc,
                         store_thread,
                         store,
                         clock,
                         std::string(queue),
                         flows,
                         [this](const bot::job& job) { return read_legacy(job); },
                         limits};
  asio::executor_work_guard<asio::io_context::executor_type> guard{ioc.get_executor()};
  std::thread runner;

  // admit() from outside the io_context, before run() or while it runs.
  jobs::inbox_limit::admission admit(std::vector<jobs::chat_inbox::delivery> events) {
    auto admitted = asio::co_spawn(ioc, inbox.admit(std::move(events)), asio::use_future);
    // Before run(), this thread runs the io_context until the store call has come back.
    while (!runner.joinable() && admitted.wait_for(0ms) != std::future_status::ready) {
      ioc.poll();
      std::this_thread::sleep_for(1ms);
    }
    return admitted.get();
  }
  void run() {
    inbox.start();
    runner = std::thread([this] { ioc.run(); });
  }
  // Counts the queue's jobs in `state` through a connection of its own (the store's belongs to
  // the store thread).
  std::int64_t count(std::string_view state) {
    SQLite::Database db((dir / "scribe.db").string());
    SQLite::Statement q(db, "SELECT COUNT(*) FROM jobs WHERE queue = ? AND state = ?");
    q.bind(1, std::string(queue));
    q.bind(2, std::string(state));
    q.executeStep();
    return q.getColumn(0).getInt64();
  }
  // Waits until no job of the queue is pending and unleased-or-running; false after 20 s (a
  // sanitizer build on a busy machine).
  bool wait_drained() {
    for (int i = 0; i < 2000; ++i) {
      if (count("pending") == 0) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  // Stops the worker's thread, so the platform's records may be read.
  void halt() {
    guard.reset();
    ioc.stop();
    if (runner.joinable()) runner.join();
  }
  bot::flag_event pin(const std::string& ref) {
    return {
        channel,      ref, "U-bob", "U-bob", clock.now(), std::nullopt, bot::entry_source::reaction,
        std::nullopt, "",  ""};
  }
};

std::uint64_t rejected_count() {
  return metrics::queue_rejected().with({queue}).value();
}

}  // namespace

TEST_CASE("typed events round-trip through the inbox to the workflows, in order",
          "[integration][jobs][inbox]") {
  inbox_fixture fx;
  fx.desk.run_command({fx.channel, {"U-ann", "ann"}, "open checkout down", "/incident", {}, {}});
  fx.platform.messages["C1/1"] = {"U-carol", false, fx.clock.now() - 1min, "db pool exhausted"};
  std::vector<jobs::chat_inbox::delivery> delivered;
  delivered.push_back({"Ev-pin", fx.pin("C1/1")});
  const auto admitted = fx.admit(std::move(delivered));
  CHECK_FALSE(admitted.full);
  CHECK(admitted.added);

  // Stored as the versioned encoding, not as whatever the platform sent.
  const auto stored = fx.store.claim(queue, fx.clock.now(), 1min);
  REQUIRE(stored);
  const auto decoded = bot::decode_chat_event(stored->payload);
  REQUIRE(decoded);
  const auto& flag = std::get<bot::flag_event>(*decoded);
  CHECK(flag.channel == fx.channel);
  CHECK(flag.message_ref == "C1/1");
  CHECK(flag.person_id == "U-bob");
  CHECK(flag.flagged_at == fx.clock.now());
  fx.store.release(stored->id);

  std::vector<jobs::chat_inbox::delivery> later;
  later.push_back({"Ev-unpin", bot::unflag_event{fx.channel, "C1/1", "U-bob"}});
  CHECK(fx.admit(std::move(later)).added);

  fx.run();
  REQUIRE(fx.wait_drained());
  fx.halt();
  CHECK(fx.count("done") == 2);
  // The flag was recorded and confirmed, then taken back: in that order, or there is no entry
  // to take back.
  REQUIRE(fx.platform.notices.size() == 2);
  CHECK(fx.platform.notices[0].notice.what == bot::chat_notice::kind::confirm);
  CHECK(fx.platform.notices[1].notice.what == bot::chat_notice::kind::withdraw);
  CHECK(fx.platform.notices[1].notice.message_ref == "C1/1");
  std::lock_guard lock(fx.legacy_mutex);
  CHECK(fx.legacy_reads.empty());  // typed events never reach the legacy reader
}

TEST_CASE("a job the inbox cannot decode goes to the legacy reader, all its events handled",
          "[integration][jobs][inbox]") {
  inbox_fixture fx;
  fx.desk.run_command({fx.channel, {"U-ann", "ann"}, "open checkout down", "/incident", {}, {}});
  for (const auto* ref : {"C1/1", "C1/2"}) {
    fx.platform.messages[ref] = {"U-carol", false, fx.clock.now() - 1min, "p99 4s"};
  }
  // Two flags recorded first, typed; then a legacy job taking both back.
  std::vector<jobs::chat_inbox::delivery> pins;
  pins.push_back({"Ev-1", fx.pin("C1/1")});
  pins.push_back({"Ev-2", fx.pin("C1/2")});
  REQUIRE(fx.admit(std::move(pins)).added);
  fx.store.enqueue(queue, "txn:legacy", "unpin C1/1 C1/2", fx.clock.now());
  fx.store.enqueue(queue, "txn:nothing", "something an old version wrote", fx.clock.now());

  fx.run();
  REQUIRE(fx.wait_drained());
  fx.halt();
  CHECK(fx.count("done") == 4);
  const auto withdrawn = fx.platform.sent(bot::chat_notice::kind::withdraw);
  REQUIRE(withdrawn.size() == 2);
  CHECK(withdrawn[0].notice.message_ref == "C1/1");
  CHECK(withdrawn[1].notice.message_ref == "C1/2");
  std::lock_guard lock(fx.legacy_mutex);
  CHECK(fx.legacy_reads == std::vector<std::string>{"txn:legacy", "txn:nothing"});
}

TEST_CASE("an event the platform asks to retry stays in the inbox, with the platform's delay",
          "[integration][jobs][inbox]") {
  inbox_fixture fx;
  fx.desk.run_command({fx.channel, {"U-ann", "ann"}, "open checkout down", "/incident", {}, {}});
  fx.platform.messages["C1/1"] = {"U-carol", false, fx.clock.now() - 1min, "p99 4s"};
  fx.platform.scripted["read"].push_back(bot::platform_answer<bot::done>::retry("HTTP 429", 30s));
  std::vector<jobs::chat_inbox::delivery> delivered;
  delivered.push_back({"Ev-pin", fx.pin("C1/1")});
  REQUIRE(fx.admit(std::move(delivered)).added);
  fx.run();
  // Tried once, then due again only after the platform's 30 s (the clock does not move).
  SQLite::Database db((fx.dir / "scribe.db").string());
  bool retried = false;
  for (int i = 0; i < 2000 && !retried; ++i) {
    retried = db.execAndGet(
                    "SELECT COUNT(*) FROM jobs WHERE attempts = 1 AND lease_until IS NULL "
                    "AND state = 'pending'")
                  .getInt() == 1;
    if (!retried) std::this_thread::sleep_for(10ms);
  }
  REQUIRE(retried);
  CHECK(db.execAndGet("SELECT run_after FROM jobs").getInt64() ==
        bot::to_unix_micros(fx.clock.now() + 30s));
  fx.halt();
  CHECK(fx.platform.calls["read"] == 1);
  CHECK(fx.platform.notices.empty());
}

TEST_CASE("a delivery is admitted or refused whole; a redelivery stores nothing new",
          "[unit][jobs][inbox]") {
  test_support::captured_log log_lines;
  inbox_fixture fx(3);
  const auto rejected_before = rejected_count();
  auto deliveries = [&fx](std::initializer_list<std::string_view> ids) {
    std::vector<jobs::chat_inbox::delivery> out;
    for (auto id : ids) {
      out.push_back({"event:" + std::string(id),
                     bot::unflag_event{fx.channel, "C1/" + std::string(id), "U-bob"}});
    }
    return out;
  };

  // A transaction's events, stored in one call, each under its key.
  const auto first = fx.admit(deliveries({"$a", "$b"}));
  CHECK(first.added);
  CHECK_FALSE(first.full);
  CHECK(first.pending == 0);
  CHECK(fx.store.pending(queue) == 2);

  // Sent again, whole or in part: the keys are known, nothing is added.
  const auto resent = fx.admit(deliveries({"$a"}));
  CHECK_FALSE(resent.full);
  CHECK_FALSE(resent.added);
  CHECK(fx.store.pending(queue) == 2);

  // Room for one more delivery: all of it is stored, though that overshoots the limit. The
  // platform was told 200 for the whole of it and will not send any of it again.
  const auto overshoot = fx.admit(deliveries({"$c", "$d"}));
  CHECK_FALSE(overshoot.full);
  CHECK(overshoot.added);
  CHECK(overshoot.pending == 2);
  CHECK(fx.store.pending(queue) == 4);

  SECTION("once full, a new delivery is refused and none of its events is stored") {
    const auto refused = fx.admit(deliveries({"$e", "$f"}));
    CHECK(refused.full);
    CHECK_FALSE(refused.added);
    CHECK(refused.pending == 4);
    CHECK(fx.store.pending(queue) == 4);
    // A redelivery is refused too: the platform sends it again later, and it is known then.
    CHECK(fx.admit(deliveries({"$a"})).full);
    CHECK(fx.inbox.limit().reason() ==
          "inbox full: 3 deliveries wait to be handled; try again later");
    CHECK(jobs::inbox_limit::retry_after == 30s);

    // The webhook records its refusals: counted every time, logged once per 10 s.
    fx.inbox.limit().note_refused(refused.pending, "req-1");
    fx.inbox.limit().note_refused(refused.pending, "req-2");
    CHECK(rejected_count() == rejected_before + 2);
    const auto warned = log_lines.containing("msg=\"inbox full\"");
    REQUIRE(warned.size() == 1);
    CHECK(warned[0].find("level=warn") != std::string::npos);
    CHECK(warned[0].find("queue=test.inbox pending=4 limit=3 refused=1 request_id=req-1") !=
          std::string::npos);
  }
  SECTION("once jobs are done there is room again") {
    for (int i = 0; i < 2; ++i) {
      const auto job = fx.store.claim(queue, fx.clock.now(), 1min);
      REQUIRE(job);
      fx.store.complete(job->id, fx.clock.now());
    }
    // The limit's estimate is taken again after recount_interval at most.
    std::this_thread::sleep_for(jobs::inbox_limit::recount_interval + 20ms);
    const auto admitted = fx.admit(deliveries({"$e"}));
    CHECK_FALSE(admitted.full);
    CHECK(admitted.added);
    CHECK(fx.store.pending(queue) == 3);
  }
}
