// The figures GET /metrics reads from both stores: queue depths and ages, open incidents and
// timeline entries ever recorded.
#include "tests/storage/store_fixture.hpp"
#include "tests/support/catch_result.hpp"

#include <catch2/catch.hpp>

using namespace scribe;
using namespace scribe::bot;
using namespace std::chrono_literals;

namespace {

const timestamp t0 = from_unix_micros(1'795'255'200'000'000);
const person alice{"U1", "alice"};

entry_draft entry_at(timestamp at, std::string text, std::optional<std::string> ref = {}) {
  return {at, t0, alice, std::move(text), entry_source::reaction, std::move(ref), ""};
}

}  // namespace

STORE_TEST_CASE("queue stats list every queue ever used with its pending jobs",
                "[integration][jobs]") {
  auto& store = db.store();
  CHECK(store.stats().empty());

  store.enqueue("slack.outbox", "a", "{}", t0 + 5s);
  store.enqueue("slack.outbox", "b", "{}", t0 + 1s);
  store.enqueue("matrix.inbox", "c", "{}", t0 + 2s);
  store.enqueue("slack.inbox", "d", "{}", t0 + 3s);
  auto job = store.claim("slack.inbox", t0 + 3s, 30s);
  REQUIRE(job);
  store.complete(job->id, t0 + 4s);  // done: the queue stays listed, empty

  const auto stats = store.stats();
  REQUIRE(stats.size() == 3);
  CHECK(stats[0].queue == "matrix.inbox");
  CHECK(stats[0].pending == 1);
  CHECK(stats[0].oldest_pending == t0 + 2s);
  CHECK(stats[1].queue == "slack.inbox");
  CHECK(stats[1].pending == 0);
  CHECK_FALSE(stats[1].oldest_pending);
  CHECK(stats[2].queue == "slack.outbox");
  CHECK(stats[2].pending == 2);
  CHECK(stats[2].oldest_pending == t0 + 1s);

  // Given up and retried: one leaves the pending count, the other stays in it.
  auto first = store.claim("slack.outbox", t0 + 10s, 30s);
  auto second = store.claim("slack.outbox", t0 + 10s, 30s);
  REQUIRE((first && second));
  store.give_up(first->id, t0 + 11s, "channel_not_found");
  store.retry_later(second->id, t0 + 1min, "ratelimited");
  CHECK(store.stats()[2].pending == 1);
}

STORE_TEST_CASE("incident counts: open incidents and entries ever recorded", "[integration]") {
  auto& store = db.store();
  CHECK(store.counts().open == 0);
  CHECK(store.counts().entries_recorded == 0);

  const channel_ref c1{"slack", "T1", "C1"};
  const channel_ref c2{"slack", "T1", "C2"};
  auto first =
      store.open_incident({c1, "db down", std::nullopt, alice, t0}, entry_at(t0, "opened"));
  auto second =
      store.open_incident({c2, "api slow", std::nullopt, alice, t0}, entry_at(t0, "opened"));
  REQUIRE((first && second));
  REQUIRE(store.add_entry(first->id, entry_at(t0 + 1s, "flagged", "C1/1.000001")));
  CHECK(store.counts().open == 2);
  CHECK(store.counts().entries_recorded == 3);
  // One message flagged by two people, or delivered twice, is one entry: counted once.
  REQUIRE(store.flag_entry(first->id, entry_at(t0 + 2s, "flagged", "C1/2.000001"), "U-ann"));
  REQUIRE(store.flag_entry(first->id, entry_at(t0 + 2s, "flagged", "C1/2.000001"), "U-bob"));
  REQUIRE_FALSE(store.add_entry(first->id, entry_at(t0 + 2s, "flagged", "C1/2.000001"))->inserted);
  CHECK(store.counts().entries_recorded == 4);
  REQUIRE(store.add_entry(first->id, entry_at(t0 + 3s, "a note")));
  CHECK(store.counts().entries_recorded == 5);
  CHECK(store.remove_entries(c1, "C1/2.000001").size() == 1);

  REQUIRE(
      store.close_incident(second->id, {alice, t0 + 1h, "", entry_at(t0 + 1h, "closed"), {}, {}}));
  // A removed entry stays counted: the figure says how much was recorded, not what is kept.
  CHECK(store.remove_entries(c1, "C1/1.000001").size() == 1);
  const auto counts = store.counts();
  CHECK(counts.open == 1);
  CHECK(counts.entries_recorded == 6);
}
