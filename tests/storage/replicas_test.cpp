// What only several replicas on one PostgreSQL database can break: three pg_store instances on
// one database (as three Scribe replicas are), calls released together by a latch so that they
// overlap, each race repeated for many rounds. SQLite's single writer makes these races
// impossible there; on PostgreSQL under READ COMMITTED every invariant below must come from a
// unique key, a row lock or SKIP LOCKED.
#include "storage/pg_migrations.hpp"
#include "storage/pg_store.hpp"
#include "tests/storage/store_fixture.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/test_postgres.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <latch>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace scribe;
using namespace scribe::bot;
using namespace std::chrono_literals;

namespace {

const timestamp t0 = from_unix_micros(1'795'255'200'000'000);
const person alice{"U1", "alice"};

entry_draft note(std::string text, std::optional<std::string> ref = std::nullopt) {
  return {t0, t0, alice, std::move(text), entry_source::reaction, std::move(ref), ""};
}

// What each racing call gave: its value, or the message of what it threw.
template <class R>
struct raced {
  std::vector<std::optional<R>> results;
  std::vector<std::string> errors;
};

// Runs call(0) ... call(n - 1) on threads of their own, released together, and waits for all.
// Catch's assertions are not thread-safe, so the threads only record; the test checks after.
template <class Call>
auto race(std::size_t n, Call call) {
  using result_type = decltype(call(std::size_t{0}));
  raced<result_type> out{std::vector<std::optional<result_type>>(n), std::vector<std::string>(n)};
  std::latch start(static_cast<std::ptrdiff_t>(n));
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        out.results[i].emplace(call(i));
      } catch (const std::exception& e) {
        out.errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  return out;
}

// No call threw: under contention the store must neither fail nor ask for a retry.
template <class R>
void check_no_errors(const raced<R>& r) {
  for (const auto& error : r.errors) CHECK(error == "");
}

// The replicas: stores on one fresh database, each with its own connections.
struct replicas {
  std::unique_ptr<test_support::postgres_test_database> db = test_support::postgres_for_test();
  std::vector<std::unique_ptr<storage::pg_store>> stores;

  explicit replicas(std::size_t count = 3) {
    if (!db) return;
    for (std::size_t i = 0; i < count; ++i) stores.push_back(db->open());
  }
  explicit operator bool() const { return db != nullptr; }
  // Call i goes to replica i mod count: every replica takes part in every race.
  storage::pg_store& operator[](std::size_t i) { return *stores[i % stores.size()]; }
};

}  // namespace

TEST_CASE("concurrent opens on several replicas number a workspace's incidents 1..N, no gaps",
          "[integration][storage][postgres]") {
  replicas r;
  if (!r) return;
  constexpr int rounds = 25;
  constexpr std::size_t callers = 6;
  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    const std::string workspace = "T" + std::to_string(round);
    auto open_in = [&](std::string channel, std::size_t i) {
      return r[i].open_incident({{"slack", workspace, channel}, "outage", std::nullopt, alice, t0},
                                note("opened"));
    };

    // Everyone opens in the same channel: one wins, the others are told it is open.
    auto same = race(callers, [&](std::size_t i) { return open_in("C0", i); });
    check_no_errors(same);
    std::vector<std::int64_t> numbers;
    int refused = 0;
    for (const auto& result : same.results) {
      if (!result) continue;
      if (*result) {
        numbers.push_back((*result)->number);
      } else {
        CHECK((*result).error() == errc::incident_already_open);
        ++refused;
      }
    }
    CHECK(numbers.size() == 1);
    CHECK(refused == static_cast<int>(callers) - 1);

    // Everyone opens in a channel of their own: all win, with the numbers that follow.
    auto apart =
        race(callers, [&](std::size_t i) { return open_in("C" + std::to_string(i + 1), i); });
    check_no_errors(apart);
    for (const auto& result : apart.results) {
      if (result && *result) numbers.push_back((*result)->number);
    }
    // The refused opens again, at once: they must not use up numbers either.
    auto again = race(callers, [&](std::size_t i) { return open_in("C0", i); });
    check_no_errors(again);
    for (const auto& result : again.results) {
      REQUIRE(result);
      CHECK_FALSE(*result);
    }
    const auto last = open_in("C-last", 0);
    REQUIRE(last);
    numbers.push_back(last->number);

    std::sort(numbers.begin(), numbers.end());
    std::vector<std::int64_t> expected(callers + 2);
    std::iota(expected.begin(), expected.end(), 1);
    CHECK(numbers == expected);
  }
  CHECK(r.db->query_int("SELECT COUNT(*) FROM incidents") == rounds * (callers + 2));
  CHECK(r.db->query_int("SELECT COUNT(*) FROM (SELECT workspace, number FROM incidents GROUP BY "
                        "workspace, number HAVING COUNT(*) > 1) clashes") == 0);
}

// The ids of the jobs the racers claimed: `jobs` of them, each claimed by exactly one racer, on
// its `attempts`th claim.
template <class Race>
std::set<std::int64_t> check_each_claimed_once(const Race& race_result, std::size_t jobs,
                                               int attempts) {
  std::multiset<std::int64_t> claimed;
  for (const auto& batch : race_result.results) {
    if (!batch) continue;
    for (const auto& j : *batch) {
      claimed.insert(j.id);
      CHECK(j.attempts == attempts);
    }
  }
  CHECK(claimed.size() == jobs);
  std::set<std::int64_t> distinct(claimed.begin(), claimed.end());
  CHECK(distinct.size() == jobs);
  return distinct;
}

TEST_CASE("replicas claiming at once get each job exactly once while the leases hold",
          "[integration][jobs][postgres]") {
  replicas r;
  if (!r) return;
  constexpr int rounds = 15;
  constexpr std::size_t jobs = 24;
  constexpr std::size_t claimers = 6;
  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    const std::string queue = "q" + std::to_string(round);
    for (std::size_t j = 0; j < jobs; ++j) {
      REQUIRE(r[j].enqueue(queue, "k" + std::to_string(j), "p" + std::to_string(j), t0));
    }

    // Each claimer drains in small batches until nothing is left for it.
    auto drained = race(claimers, [&](std::size_t i) {
      std::vector<job> mine;
      while (true) {
        auto batch = r[i].claim_batch(queue, t0, 1h, 3);
        if (batch.empty()) return mine;
        mine.insert(mine.end(), batch.begin(), batch.end());
      }
    });
    check_no_errors(drained);
    check_each_claimed_once(drained, jobs, 1);

    // Just before the leases run out nobody gets anything; once they have, the jobs are handed
    // out again, each to one replica.
    for (std::size_t i = 0; i < 3; ++i)
      CHECK(r[i].claim_batch(queue, t0 + 1h - 1us, 1h, 100).empty());
    auto retaken =
        race(3, [&](std::size_t i) { return r[i].claim_batch(queue, t0 + 1h, 1h, 100); });
    check_no_errors(retaken);
    const auto again = check_each_claimed_once(retaken, jobs, 2);

    // Done on one replica is done for all.
    for (auto id : again) r[0].complete(id, t0 + 1h);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(r[i].pending(queue) == 0);
      CHECK(r[i].claim_batch(queue, t0 + 100h, 1h, 100).empty());
      CHECK_FALSE(r[i].enqueue(queue, "k0", "again", t0 + 100h));
    }
  }
}

TEST_CASE("an expired lease is taken over by exactly one other replica",
          "[integration][jobs][postgres]") {
  replicas r;
  if (!r) return;
  constexpr int rounds = 30;
  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    const std::string queue = "takeover" + std::to_string(round);
    REQUIRE(r[0].enqueue(queue, "k", "p", t0));
    const auto first = r[0].claim(queue, t0, 30s);
    REQUIRE(first);
    CHECK_FALSE(r[1].claim(queue, t0 + 29s, 30s));  // the lease holds on every replica
    CHECK_FALSE(r[2].claim(queue, t0 + 29s, 30s));

    auto taken = race(3, [&](std::size_t i) { return r[i].claim(queue, t0 + 30s, 30s); });
    check_no_errors(taken);
    int winners = 0;
    for (const auto& result : taken.results) {
      if (result && *result) {
        ++winners;
        CHECK((*result)->id == first->id);
        CHECK((*result)->attempts == 2);
      }
    }
    CHECK(winners == 1);

    // The first replica finishes late; the job is done for everyone, the new lease too.
    r[0].complete(first->id, t0 + 40s);
    CHECK(r[1].pending(queue) == 0);
    CHECK_FALSE(r[2].claim(queue, t0 + 2h, 30s));
  }
}

TEST_CASE("the same event enqueued by several replicas at once is one job",
          "[integration][jobs][postgres]") {
  replicas r;
  if (!r) return;
  constexpr int rounds = 40;
  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    const std::string key = "Ev" + std::to_string(round);
    auto added = race(3, [&](std::size_t i) {
      return r[i].enqueue("slack.events", key, "from replica " + std::to_string(i), t0);
    });
    check_no_errors(added);
    int winners = 0;
    std::size_t winner = 0;
    for (std::size_t i = 0; i < added.results.size(); ++i) {
      if (added.results[i] && *added.results[i]) {
        ++winners;
        winner = i;
      }
    }
    CHECK(winners == 1);
    CHECK(r.db->query_int("SELECT COUNT(*) FROM jobs WHERE key = '" + key + "'") == 1);
    CHECK(r.db->query_int("SELECT COUNT(*) FROM jobs WHERE key = '" + key +
                          "' AND payload = 'from replica " + std::to_string(winner) + "'") == 1);
  }
  CHECK(r[0].pending("slack.events") == rounds);

  // The playground's outbox: a bot's post stored by several replicas' jobs at once is one message.
  for (int round = 0; round < rounds; ++round) {
    INFO("post round " << round);
    auto posted = race(3, [&](std::size_t i) {
      return r[i].post({"general",
                        std::nullopt,
                        {"scribe", "Scribe"},
                        true,
                        "",
                        chat_format::text,
                        "posted by " + std::to_string(i),
                        t0,
                        "post " + std::to_string(round)});
    });
    check_no_errors(posted);
    std::set<std::int64_t> ids;
    for (const auto& p : posted.results) {
      REQUIRE(p);
      REQUIRE(*p);
      ids.insert((*p)->id);
    }
    CHECK(ids.size() == 1);
  }
  CHECK(r[1].recent_messages("general", 1000).size() == rounds);
}

TEST_CASE("concurrent last answers on several replicas complete the postmortem once",
          "[integration][storage][postgres]") {
  replicas r;
  if (!r) return;
  constexpr int rounds = 25;
  const std::vector<asked_question> three = {
      {"impact", "?", {}}, {"detection", "?", {}}, {"next", "?", {}}};
  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    const channel_ref room{"slack", "T1", "C" + std::to_string(round)};
    auto inc = r[0].open_incident({room, "outage", std::nullopt, alice, t0}, note("opened"));
    REQUIRE(inc);
    REQUIRE(r[1].close_incident(inc->id, {alice, t0 + 1h, "fixed", note("closed"), three, {}}));

    // Each replica gives a different question its first answer. Each names its own completion
    // job, so that two replicas both seeing completion would leave two jobs.
    auto answered = race(3, [&](std::size_t i) {
      follow_up done = schedule(*inc, {postmortem_step::draft, inc->id, "complete"}, t0 + 2h);
      done.key += ":" + std::to_string(i);
      return r[i].add_answer(inc->id,
                             {three[i].id, alice, t0 + 2h, "answer", answer_source::thread,
                              "ref-" + std::to_string(i)},
                             done);
    });
    check_no_errors(answered);
    int completed = 0;
    for (const auto& a : answered.results) {
      REQUIRE(a);
      REQUIRE(*a);
      CHECK((*a)->inserted);
      if ((*a)->completed) ++completed;
    }
    CHECK(completed == 1);
    const std::string completion_jobs = "SELECT COUNT(*) FROM jobs WHERE key LIKE 'draft " +
                                        std::to_string(inc->id) + " complete:%'";
    CHECK(r.db->query_int(completion_jobs) == 1);

    // The same reply delivered to every replica at once is stored once and completes nothing.
    auto repeated = race(3, [&](std::size_t i) {
      follow_up done = schedule(*inc, {postmortem_step::draft, inc->id, "complete"}, t0 + 3h);
      done.key += ":again" + std::to_string(i);
      return r[i].add_answer(
          inc->id, {"impact", alice, t0 + 3h, "late", answer_source::thread, "same-ref"}, done);
    });
    check_no_errors(repeated);
    int inserted = 0;
    std::set<std::int64_t> ids;
    for (const auto& a : repeated.results) {
      REQUIRE(a);
      REQUIRE(*a);
      if ((*a)->inserted) ++inserted;
      CHECK_FALSE((*a)->completed);
      ids.insert((*a)->answer.id);
    }
    CHECK(inserted == 1);
    CHECK(ids.size() == 1);
    CHECK(r.db->query_int(completion_jobs) == 1);
    CHECK(r[2].answers(inc->id).size() == 4);
  }
}

TEST_CASE("concurrent drafts of one version on two replicas store one version",
          "[integration][storage][postgres]") {
  replicas r;
  if (!r) return;
  constexpr int rounds = 25;
  const channel_ref room{"slack", "T1", "C1"};
  auto inc = r[0].open_incident({room, "outage", std::nullopt, alice, t0}, note("opened"));
  REQUIRE(inc);
  REQUIRE(r[0].close_incident(inc->id, {alice, t0 + 1h, "fixed", note("closed"), {}, {}}));
  auto draft = [&](int version, std::string key, std::string markdown) {
    return stored_draft{inc->id, version, t0 + 2h, std::move(key), markdown, "digest:" + markdown};
  };

  int version = 0;
  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    // Two requests composed the same next version: one is stored, the other must compose again.
    ++version;
    auto saved = race(2, [&](std::size_t i) {
      return r[i].save_draft(draft(version,
                                   "request " + std::to_string(round) + "/" + std::to_string(i),
                                   "# by " + std::to_string(i)));
    });
    check_no_errors(saved);
    int stored = 0;
    int refused = 0;
    for (std::size_t i = 0; i < saved.results.size(); ++i) {
      REQUIRE(saved.results[i]);
      const auto& s = *saved.results[i];
      if (s) {
        ++stored;
        CHECK(s->version == version);
        CHECK(s->markdown == "# by " + std::to_string(i));  // its own draft back
      } else {
        CHECK(s.error() == errc::not_ready_yet);
        ++refused;
      }
    }
    CHECK(stored == 1);
    CHECK(refused == 1);

    // One request run by two replicas at once (a lease lost): one version, the same for both.
    ++version;
    const std::string key = "job " + std::to_string(round);
    auto rerun = race(2, [&](std::size_t i) {
      return r[i].save_draft(draft(version, key, "# run " + std::to_string(i)));
    });
    check_no_errors(rerun);
    std::set<std::string> markdowns;
    for (const auto& s : rerun.results) {
      REQUIRE(s);
      REQUIRE(*s);
      CHECK((*s)->version == version);
      markdowns.insert((*s)->markdown);
    }
    CHECK(markdowns.size() == 1);
    CHECK(r.db->query_int("SELECT COUNT(*) FROM postmortem_drafts WHERE incident_id = " +
                          std::to_string(inc->id) + " AND version = " + std::to_string(version)) ==
          1);
  }
  CHECK(r[1].latest_draft(inc->id)->version == version);
  CHECK(r.db->query_int("SELECT COUNT(*) FROM postmortem_drafts") == version);
}

TEST_CASE("the same message flagged on several replicas at once is one entry with every flag",
          "[integration][storage][postgres]") {
  replicas r;
  if (!r) return;
  constexpr int rounds = 30;
  const channel_ref room{"slack", "T1", "C1"};
  auto inc = r[0].open_incident({room, "outage", std::nullopt, alice, t0}, note("opened"));
  REQUIRE(inc);
  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    const std::string ref = "C1/" + std::to_string(round);
    auto flagged = race(3, [&](std::size_t i) {
      return r[i].flag_entry(inc->id, note("flagged", ref), "U" + std::to_string(i));
    });
    check_no_errors(flagged);
    int inserted = 0;
    std::set<std::int64_t> ids;
    for (const auto& f : flagged.results) {
      REQUIRE(f);
      REQUIRE(*f);
      if ((*f)->inserted) ++inserted;
      ids.insert((*f)->entry.id);
    }
    CHECK(inserted == 1);
    REQUIRE(ids.size() == 1);
    const auto entry_id = std::to_string(*ids.begin());
    CHECK(r.db->query_int("SELECT COUNT(*) FROM timeline_entries WHERE message_ref = '" + ref +
                          "'") == 1);
    CHECK(r.db->query_int("SELECT COUNT(*) FROM entry_flags WHERE entry_id = " + entry_id) == 3);

    // Every flag taken back at once: exactly one of them removes the entry.
    auto unflagged = race(
        3, [&](std::size_t i) { return r[i].unflag_entry(room, ref, "U" + std::to_string(i)); });
    check_no_errors(unflagged);
    int removed = 0;
    for (const auto& u : unflagged.results) {
      REQUIRE(u);
      REQUIRE(*u);
      if (**u) ++removed;
    }
    CHECK(removed == 1);
    CHECK(r.db->query_int("SELECT COUNT(*) FROM timeline_entries WHERE message_ref = '" + ref +
                          "'") == 0);
  }
  CHECK(r[2].timeline_size(inc->id) == 1);
}

TEST_CASE("a flag and the taking back of the last flag of one message, at once",
          "[integration][storage][postgres]") {
  replicas r;
  if (!r) return;
  constexpr int rounds = 40;
  const channel_ref room{"slack", "T1", "C1"};
  auto inc = r[0].open_incident({room, "outage", std::nullopt, alice, t0}, note("opened"));
  REQUIRE(inc);
  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    const std::string ref = "C1/" + std::to_string(round);
    REQUIRE(r[0].flag_entry(inc->id, note("flagged", ref), "U0"));
    // U0 takes the only flag back while U1 flags the message on another replica. Either order
    // is fine: the entry goes and comes back with U1's flag, or stays with it. Neither call may
    // fail.
    auto both = race(2, [&](std::size_t i) -> bool {
      if (i == 0) {
        auto taken = r[0].unflag_entry(room, ref, "U0");
        return taken && taken->has_value();
      }
      return r[1].flag_entry(inc->id, note("flagged", ref), "U1").has_value();
    });
    check_no_errors(both);
    const std::string entry = "(SELECT id FROM timeline_entries WHERE message_ref = '" + ref + "')";
    CHECK(r.db->query_int("SELECT COUNT(*) FROM timeline_entries WHERE message_ref = '" + ref +
                          "'") == 1);
    CHECK(r.db->query_int("SELECT COUNT(*) FROM entry_flags WHERE entry_id IN " + entry) == 1);
    CHECK(r.db->query_int("SELECT COUNT(*) FROM entry_flags WHERE flagged_by = 'U1' AND "
                          "entry_id IN " +
                          entry) == 1);
  }
}

TEST_CASE("replicas starting together on an empty database migrate it once",
          "[integration][storage][postgres]") {
  const auto server = test_support::postgres_server_url();
  if (!server) {
    WARN("NOT RUN: SCRIBE_TEST_POSTGRES_DIR is unset (ctest starts a PostgreSQL server for it)");
    return;
  }
  constexpr int rounds = 6;
  const auto latest = storage::latest_pg_schema_version();
  for (int round = 0; round < rounds; ++round) {
    INFO("round " << round);
    test_support::postgres_database db(*server);
    auto started =
        race(3, [&](std::size_t) { return std::make_shared<storage::pg_store>(db.url(), 2); });
    check_no_errors(started);
    for (const auto& store : started.results) {
      REQUIRE(store);
      (*store)->ping();  // a store that came up works
    }
    CHECK(db.query_int("SELECT COUNT(*) FROM schema_migrations") == latest);
    CHECK(db.query_int("SELECT COUNT(DISTINCT version) FROM schema_migrations") == latest);
    CHECK(db.query_int("SELECT MIN(version) FROM schema_migrations") == 1);
    CHECK(db.query_int("SELECT MAX(version) FROM schema_migrations") == latest);
    // The advisory lock is released: a later replica starts without waiting.
    storage::pg_store later(db.url(), 1);
    CHECK(db.query_int("SELECT COUNT(*) FROM schema_migrations") == latest);
  }
}
