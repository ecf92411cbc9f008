// The durable job queue (inbox and outbox) on both stores (tests/storage/store_fixture.hpp).
#include "tests/storage/store_fixture.hpp"

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

STORE_TEST_CASE("a job is queued once per key and handed out once", "[integration][jobs]") {
  auto& store = db.store();
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

STORE_TEST_CASE("jobs come out oldest first, and only when due", "[integration][jobs]") {
  auto& store = db.store();
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

STORE_TEST_CASE("a crashed worker's lease expires and the job is claimed again",
                "[integration][jobs]") {
  {
    auto store = db.open();
    store->enqueue("q", "k", "p", t0);
    REQUIRE(store->claim("q", t0, 30s));
  }  // the process "dies" with the job leased
  auto restarted = db.open();
  CHECK_FALSE(restarted->claim("q", t0 + 29s, 30s));
  auto job = restarted->claim("q", t0 + 30s, 30s);
  REQUIRE(job);
  CHECK(job->attempts == 2);
}

STORE_TEST_CASE("a job given up on is kept but never claimed", "[integration][jobs]") {
  auto& store = db.store();
  store.enqueue("q", "k", "p", t0);
  auto job = store.claim("q", t0, 30s);
  REQUIRE(job);
  store.give_up(job->id, t0, "channel_not_found");
  CHECK(store.pending("q") == 0);
  CHECK_FALSE(store.claim("q", t0 + 1h, 30s));
  CHECK_FALSE(store.enqueue("q", "k", "p", t0));
}

STORE_TEST_CASE("two claimers on separate connections never share a job", "[integration][jobs]") {
  auto a_store = db.open();
  auto b_store = db.open();
  auto& a = *a_store;
  auto& b = *b_store;
  constexpr int jobs = 60;
  for (int i = 0; i < jobs; ++i) a.enqueue("q", "k" + std::to_string(i), "p", t0);
  std::mutex seen_mutex;
  std::multiset<std::int64_t> seen;
  auto drain = [&](bot::job_queue& store) {
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
