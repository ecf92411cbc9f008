// The job worker on a real SQLite queue, with the clock under the test's control.
#include "adapters/jobs/job_worker.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/asio/executor_work_guard.hpp>
#include <catch2/catch.hpp>

#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace scribe;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

struct worker_fixture {
  test_support::temp_dir dir;
  storage::sqlite_store store{dir / "jobs.db"};
  test_support::manual_clock clock;
  asio::io_context ioc;
  scribe::runtime::store_thread pool{nullptr};
  asio::executor_work_guard<asio::io_context::executor_type> guard{ioc.get_executor()};
  std::thread runner;
  std::mutex mutex;
  std::vector<std::string> seen;        // "key#attempt", in the order handled
  jobs::job_worker* running = nullptr;  // for handlers that stop it

  jobs::worker_options fast() {
    jobs::worker_options o;
    o.poll_interval = 20ms;
    o.min_backoff = 1s;
    o.max_attempts = 3;
    return o;
  }
  void record(const bot::job& job) {
    std::lock_guard lock(mutex);
    seen.push_back(job.key + "#" + std::to_string(job.attempts));
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return seen;
  }
  bool wait_for(std::size_t count) {
    for (int i = 0; i < 300; ++i) {
      if (snapshot().size() >= count) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  // True once no job is leased: the worker has stored what came of the last one, so the test may
  // move the clock (the retry's due time is computed from the clock after the handler returns).
  bool wait_settled() {
    SQLite::Database db((dir / "jobs.db").string());
    for (int i = 0; i < 300; ++i) {
      if (db.execAndGet("SELECT COUNT(*) FROM jobs WHERE state = 'pending' AND lease_until IS NOT "
                        "NULL")
              .getInt() == 0) {
        return true;
      }
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  void run() {
    runner = std::thread([this] { ioc.run(); });
  }
  ~worker_fixture() {
    guard.reset();
    ioc.stop();
    if (runner.joinable()) runner.join();
    pool.join();
  }
};

// Named coroutines rather than capturing lambdas: GCC 12 miscompiles the latter (bug 107288).
asio::awaitable<bot::job_outcome> always_done(worker_fixture* f, bot::job job) {
  f->record(job);
  co_return bot::job_outcome::done();
}

asio::awaitable<bot::job_outcome> flaky(worker_fixture* f, bot::job job) {
  f->record(job);
  if (job.attempts == 1) throw std::runtime_error("connection reset");
  if (job.attempts == 2) co_return bot::job_outcome::retry("429", 30s);
  co_return bot::job_outcome::done();
}

asio::awaitable<bot::job_outcome> hopeless_or_failing(worker_fixture* f, bot::job job) {
  f->record(job);
  if (job.key == "hopeless") co_return bot::job_outcome::give_up("channel_not_found");
  co_return bot::job_outcome::retry("500");
}

// Stops the worker (f->running) while handling "b".
asio::awaitable<bot::job_outcome> stop_at_b(worker_fixture* f, bot::job job) {
  f->record(job);
  if (job.key == "b") f->running->stop();
  co_return bot::job_outcome::done();
}

template <auto Handler>
jobs::job_handler bind(worker_fixture* f) {
  return [f](bot::job job) { return Handler(f, std::move(job)); };
}

}  // namespace

TEST_CASE("backoff doubles from the minimum up to the cap", "[unit][jobs]") {
  jobs::worker_options o;
  o.min_backoff = 1s;
  o.max_backoff = 10s;
  CHECK(jobs::backoff_delay(o, 1) == 1s);
  CHECK(jobs::backoff_delay(o, 2) == 2s);
  CHECK(jobs::backoff_delay(o, 4) == 8s);
  CHECK(jobs::backoff_delay(o, 5) == 10s);
  CHECK(jobs::backoff_delay(o, 1000) == 10s);
}

TEST_CASE_METHOD(worker_fixture, "queued jobs are handled once each, in order",
                 "[integration][jobs]") {
  for (auto key : {"a", "b", "c"}) store.enqueue("q", key, "p", clock.now());
  jobs::job_worker worker(ioc, pool, store, clock, "q", bind<always_done>(this), fast());
  worker.start();
  run();
  REQUIRE(wait_for(3));
  std::this_thread::sleep_for(100ms);  // several more polls: nothing runs twice
  CHECK(snapshot() == std::vector<std::string>{"a#1", "b#1", "c#1"});
  CHECK(store.pending("q") == 0);

  SECTION("notify picks up new work without waiting for a poll") {
    store.enqueue("q", "d", "p", clock.now());
    worker.notify();
    REQUIRE(wait_for(4));
    CHECK(snapshot().back() == "d#1");
  }
}

TEST_CASE_METHOD(worker_fixture,
                 "a stopped worker records its batch and hands back what it did not run",
                 "[integration][jobs]") {
  for (auto key : {"a", "b", "c", "d"}) store.enqueue("q", key, "p", clock.now());
  auto options = fast();
  options.lease = 1h;  // a job kept leased would not come back within the test
  jobs::job_worker stopping(ioc, pool, store, clock, "q", bind<stop_at_b>(this), options);
  running = &stopping;
  stopping.start();
  run();
  REQUIRE(wait_for(2));
  REQUIRE(wait_settled());
  CHECK(snapshot() == std::vector<std::string>{"a#1", "b#1"});
  CHECK(store.pending("q") == 2);
  // c and d were claimed with a and b (one batch), never run, and are due again at once; that
  // claim was no attempt, so a job handed back again and again is never given up for it.
  const auto next = store.claim("q", clock.now(), 1min);
  REQUIRE(next);
  CHECK(next->key == "c");
  CHECK(next->attempts == 1);
}

TEST_CASE_METHOD(worker_fixture, "a failing job comes back after its backoff",
                 "[integration][jobs]") {
  store.enqueue("q", "flaky", "p", clock.now());
  jobs::job_worker worker(ioc, pool, store, clock, "q", bind<flaky>(this), fast());
  worker.start();
  run();
  REQUIRE(wait_for(1));
  REQUIRE(wait_settled());
  std::this_thread::sleep_for(100ms);
  CHECK(snapshot().size() == 1);  // not due for a second yet
  clock.advance(1s);
  REQUIRE(wait_for(2));
  REQUIRE(wait_settled());
  clock.advance(29s);
  std::this_thread::sleep_for(100ms);
  CHECK(snapshot().size() == 2);  // the handler asked for 30 s
  clock.advance(1s);
  REQUIRE(wait_for(3));
  CHECK(snapshot() == std::vector<std::string>{"flaky#1", "flaky#2", "flaky#3"});
  CHECK(store.pending("q") == 0);
}

TEST_CASE_METHOD(worker_fixture, "jobs that cannot succeed are given up", "[integration][jobs]") {
  store.enqueue("q", "hopeless", "p", clock.now());
  store.enqueue("q", "always-failing", "p", clock.now());
  jobs::job_worker worker(ioc, pool, store, clock, "q", bind<hopeless_or_failing>(this), fast());
  worker.start();
  run();
  REQUIRE(wait_for(2));
  for (int i = 0; i < 3; ++i) {
    REQUIRE(wait_settled());
    clock.advance(1h);
    std::this_thread::sleep_for(60ms);
  }
  CHECK(snapshot() == std::vector<std::string>{"hopeless#1", "always-failing#1", "always-failing#2",
                                               "always-failing#3"});  // max_attempts is 3
  CHECK(store.pending("q") == 0);
}
