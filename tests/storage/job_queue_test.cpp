// The durable job queue (inbox and outbox) on a real SQLite file.
#include "storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

using namespace scribe;
using namespace std::chrono_literals;

namespace {
const bot::timestamp t0 = bot::from_unix_micros(1'795'255'200'000'000);
}

TEST_CASE("a job is queued once per key and handed out once", "[integration][jobs]") {
  test_support::temp_dir dir;
  storage::sqlite_store store(dir / "q.db");
  CHECK(store.enqueue("slack.events", "Ev1", "{\"a\":1}", t0));
  CHECK_FALSE(store.enqueue("slack.events", "Ev1", "{\"changed\":true}", t0 + 1s));  // a retry
  CHECK(store.enqueue("slack.outbox", "Ev1", "other queue", t0));  // keys are per queue
  CHECK(store.pending("slack.events") == 1);

  auto job = store.claim("slack.events", t0, 30s);
  REQUIRE(job);
  CHECK(job->key == "Ev1");
  CHECK(job->payload == "{\"a\":1}");
  CHECK(job->attempts == 1);
  CHECK(job->created_at == t0);
  CHECK_FALSE(store.claim("slack.events", t0 + 1s, 30s));  // leased

  store.complete(job->id, t0);
  CHECK(store.pending("slack.events") == 0);
  CHECK_FALSE(store.claim("slack.events", t0 + 1h, 30s));
  CHECK_FALSE(store.enqueue("slack.events", "Ev1", "{}", t0 + 1h));  // done jobs still de-duplicate
}

TEST_CASE("jobs come out oldest first, and only when due", "[integration][jobs]") {
  test_support::temp_dir dir;
  storage::sqlite_store store(dir / "q.db");
  store.enqueue("q", "a", "1", t0);
  store.enqueue("q", "b", "2", t0 + 1s);
  auto a = store.claim("q", t0 + 2s, 30s);
  REQUIRE(a);
  CHECK(a->key == "a");
  store.retry_later(a->id, t0 + 1min, "429 from the API");
  auto b = store.claim("q", t0 + 3s, 30s);
  REQUIRE(b);
  CHECK(b->key == "b");
  store.complete(b->id, t0);
  CHECK_FALSE(store.claim("q", t0 + 59s, 30s));  // a is not due yet
  auto again = store.claim("q", t0 + 1min, 30s);
  REQUIRE(again);
  CHECK(again->key == "a");
  CHECK(again->attempts == 2);
}

TEST_CASE("a crashed worker's lease expires and the job is claimed again", "[integration][jobs]") {
  test_support::temp_dir dir;
  const auto file = dir / "q.db";
  {
    storage::sqlite_store store(file);
    store.enqueue("q", "k", "p", t0);
    REQUIRE(store.claim("q", t0, 30s));
  }  // the process "dies" with the job leased
  storage::sqlite_store restarted(file);
  CHECK_FALSE(restarted.claim("q", t0 + 29s, 30s));
  auto job = restarted.claim("q", t0 + 30s, 30s);
  REQUIRE(job);
  CHECK(job->attempts == 2);
}

TEST_CASE("a job given up on is kept but never claimed", "[integration][jobs]") {
  test_support::temp_dir dir;
  storage::sqlite_store store(dir / "q.db");
  store.enqueue("q", "k", "p", t0);
  auto job = store.claim("q", t0, 30s);
  REQUIRE(job);
  store.give_up(job->id, t0, "channel_not_found");
  CHECK(store.pending("q") == 0);
  CHECK_FALSE(store.claim("q", t0 + 1h, 30s));
  CHECK_FALSE(store.enqueue("q", "k", "p", t0));
}

TEST_CASE("two claimers on separate connections never share a job", "[integration][jobs]") {
  test_support::temp_dir dir;
  const auto file = dir / "q.db";
  storage::sqlite_store a(file);
  storage::sqlite_store b(file);
  constexpr int jobs = 60;
  for (int i = 0; i < jobs; ++i) a.enqueue("q", "k" + std::to_string(i), "p", t0);
  std::mutex seen_mutex;
  std::multiset<std::int64_t> seen;
  auto drain = [&](storage::sqlite_store& store) {
    while (auto job = store.claim("q", t0, 1h)) {
      {
        std::lock_guard lock(seen_mutex);
        seen.insert(job->id);
      }
      store.complete(job->id, t0);
    }
  };
  std::thread ta(drain, std::ref(a));
  std::thread tb(drain, std::ref(b));
  ta.join();
  tb.join();
  CHECK(seen.size() == jobs);
  CHECK(std::set<std::int64_t>(seen.begin(), seen.end()).size() == jobs);
}
