// The incident store on both stores (STORE_TEST_CASE: a SQLite file in a temporary directory,
// and a fresh PostgreSQL database), and what only SQLite's file has: its journal, its path, its
// locks.
#include "storage/sqlite_store.hpp"
#include "storage/open_store.hpp"
#include "storage/sqlite_migrations.hpp"
#include "tests/storage/store_fixture.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <type_traits>
#include <vector>

using namespace scribe;
using namespace scribe::bot;
using namespace std::chrono_literals;

namespace {

const channel_ref room{"slack", "T1", "C1"};
const person alice{"U1", "alice"};
const timestamp t0 = from_unix_micros(1'795'255'200'123'456);

entry_draft entry_at(timestamp at, std::string text,
                     std::optional<std::string> ref = std::nullopt) {
  std::string link = ref ? "https://chat.example/" + text : "";
  const auto source = ref ? entry_source::reaction : entry_source::command;
  return {at, t0, alice, std::move(text), source, std::move(ref), std::move(link)};
}

incident_closure closing(timestamp at, std::string summary, entry_draft entry) {
  return {alice, at, std::move(summary), std::move(entry), {}, {}};
}

incident open_in(incident_store& store, const channel_ref& where, std::string title = "outage") {
  auto inc = store.open_incident({where, std::move(title), std::nullopt, alice, t0},
                                 entry_at(t0, "opened"));
  REQUIRE(inc);
  return *inc;
}

}  // namespace

TEST_CASE("a new store creates its folder and file and applies the schema",
          "[integration][storage]") {
  test_support::temp_dir dir;
  const auto file = dir / "nested/data/scribe.db";
  { storage::sqlite_store store(file); }
  REQUIRE(std::filesystem::exists(file));

  SQLite::Database raw(file.string());
  CHECK(raw.execAndGet("PRAGMA journal_mode").getString() == "wal");
  CHECK(raw.execAndGet("SELECT MAX(version) FROM schema_migrations").getInt() ==
        storage::latest_sqlite_schema_version());
  CHECK(raw.tableExists("incidents"));
  CHECK(raw.tableExists("timeline_entries"));
}

STORE_TEST_CASE("everything survives closing and reopening the store", "[integration][storage]") {
  std::int64_t id = 0;
  {
    auto store = db.open();
    id = open_in(*store, room, "payments down").id;
    REQUIRE(store->set_severity(id, 2, entry_at(t0 + 1s, "sev")));
    REQUIRE(store->add_entry(id, entry_at(t0 + 2s, "flagged", "C1/1.000001")));
  }
  auto reopened_store = db.open();  // migrations run again and must be a no-op
  auto& reopened = *reopened_store;
  auto inc = reopened.find_incident(id);
  REQUIRE(inc);
  CHECK(inc->title == "payments down");
  CHECK(inc->severity == 2);
  CHECK(inc->opened_at == t0);  // microseconds kept exactly
  CHECK(inc->channel == room);
  const auto entries = reopened.timeline(id);
  REQUIRE(entries.size() == 3);
  CHECK(entries[2].message_ref == "C1/1.000001");
  CHECK(entries[2].link == "https://chat.example/flagged");
  CHECK(entries[2].source == entry_source::reaction);
  CHECK(reopened.find_open_incident(room)->id == id);

  SECTION("the same message is still recorded once after the reopen") {
    auto again = reopened.add_entry(id, entry_at(t0 + 9s, "flagged", "C1/1.000001"));
    REQUIRE(again);
    CHECK_FALSE(again->inserted);
    CHECK(reopened.timeline_size(id) == 3);
  }
}

TEST_CASE("timestamps are stored as integer microseconds", "[integration][storage]") {
  test_support::temp_dir dir;
  storage::sqlite_store store(dir / "s.db");
  open_in(store, room);
  SQLite::Database raw((dir / "s.db").string());
  SQLite::Statement q(raw, "SELECT typeof(opened_at), opened_at FROM incidents");
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getString() == "integer");
  CHECK(q.getColumn(1).getInt64() == to_unix_micros(t0));
}

STORE_TEST_CASE("a database from a newer Scribe is refused", "[integration][storage]") {
  db.open();
  db.execute("INSERT INTO schema_migrations VALUES (999, 0)");
  CHECK_THROWS_WITH(db.open(), Catch::Contains("upgrade Scribe"));
}

STORE_TEST_CASE("the timeline is ordered by event time, ties by recording order",
                "[integration][storage]") {
  auto& store = db.store();
  const auto id = open_in(store, room).id;  // "opened" at t0
  REQUIRE(store.add_entry(id, entry_at(t0 + 30s, "c")));
  REQUIRE(store.add_entry(id, entry_at(t0 + 10s, "a", "ref-a")));  // written earlier, flagged later
  REQUIRE(store.add_entry(id, entry_at(t0 + 30s, "d")));
  REQUIRE(store.add_entry(id, entry_at(t0 - 5min, "before the incident was opened", "ref-b")));
  std::vector<std::string> texts;
  for (const auto& e : store.timeline(id)) texts.push_back(e.text);
  CHECK(texts ==
        std::vector<std::string>{"before the incident was opened", "opened", "a", "c", "d"});
}

STORE_TEST_CASE("entries without a message reference never clash", "[integration][storage]") {
  auto& store = db.store();
  const auto id = open_in(store, room).id;
  for (int i = 0; i < 3; ++i) REQUIRE(store.add_entry(id, entry_at(t0, "same text"))->inserted);
  CHECK(store.timeline_size(id) == 4);
}

STORE_TEST_CASE("the same message in two incidents is two entries", "[integration][storage]") {
  auto& store = db.store();
  const auto first = open_in(store, room).id;
  REQUIRE(store.close_incident(first, closing(t0 + 1h, "", entry_at(t0 + 1h, "closed"))));
  const auto second = open_in(store, room).id;
  CHECK(store.add_entry(first, entry_at(t0, "m", "ref"))->inserted);
  CHECK(store.add_entry(second, entry_at(t0, "m", "ref"))->inserted);
}

STORE_TEST_CASE("the incident open at an instant: opened at or before it, closed after it",
                "[integration][storage]") {
  auto& store = db.store();
  const auto other = channel_ref{"slack", "T1", "C2"};
  CHECK_FALSE(store.find_incident_open_at(room, t0));
  const auto first = open_in(store, room).id;  // opened at t0
  CHECK(store.find_incident_open_at(room, t0)->id == first);
  CHECK(store.find_incident_open_at(room, t0 + 24h)->id == first);  // still open
  CHECK_FALSE(store.find_incident_open_at(room, t0 - 1us));
  CHECK_FALSE(store.find_incident_open_at(other, t0 + 1s));
  REQUIRE(store.close_incident(first, closing(t0 + 1h, "", entry_at(t0 + 1h, "closed"))));
  CHECK(store.find_incident_open_at(room, t0 + 1h - 1us)->id == first);
  CHECK_FALSE(store.find_incident_open_at(room, t0 + 1h));
  auto second = store.open_incident({room, "again", std::nullopt, alice, t0 + 2h},
                                    entry_at(t0 + 2h, "opened"));
  REQUIRE(second);
  CHECK(store.find_incident_open_at(room, t0 + 30min)->id == first);
  CHECK_FALSE(store.find_incident_open_at(room, t0 + 90min));
  CHECK(store.find_incident_open_at(room, t0 + 3h)->id == second->id);
  // A closed incident still takes entries: a flag made while it was open, processed late.
  CHECK(store.flag_entry(first, entry_at(t0 + 5min, "late", "C1/5.000001"), "U2")->inserted);
}

STORE_TEST_CASE("errors for unknown and closed incidents", "[integration][storage]") {
  auto& store = db.store();
  CHECK(store.add_entry(404, entry_at(t0, "x")).error() == errc::incident_not_found);
  CHECK(store.set_severity(404, 2, entry_at(t0, "x")).error() == errc::incident_not_found);
  CHECK(store.close_incident(404, closing(t0, "", entry_at(t0, "x"))).error() ==
        errc::incident_not_found);
  CHECK_FALSE(store.find_incident(404));

  const auto id = open_in(store, room).id;
  CHECK(store.set_severity(id, 0, entry_at(t0, "x")).error() == errc::invalid_argument);
  CHECK(store.set_severity(id, 6, entry_at(t0, "x")).error() == errc::invalid_argument);
  REQUIRE(store.close_incident(id, closing(t0 + 1min, "done", entry_at(t0, "closed"))));
  CHECK(store.close_incident(id, closing(t0 + 2min, "again", entry_at(t0, "x"))).error() ==
        errc::no_open_incident);
  CHECK(store.set_severity(id, 2, entry_at(t0, "x")).error() == errc::no_open_incident);
  CHECK(store.find_incident(id)->summary == "done");  // the failed close changed nothing
  CHECK(store.timeline_size(id) == 2);
}

// Two stores on one database stand in for two processes: the invariants must hold in the
// database, not in a lock of ours.
STORE_TEST_CASE("concurrent writers through separate connections", "[integration][storage]") {
  auto a_store = db.open();
  auto b_store = db.open();
  auto& a = *a_store;
  auto& b = *b_store;

  SECTION("the same message flagged at once is stored once") {
    const auto id = open_in(a, room).id;
    constexpr int messages = 50;
    std::atomic<int> inserted{0};
    auto flag_all = [&](incident_store& store) {
      for (int i = 0; i < messages; ++i) {
        auto r = store.add_entry(id, entry_at(t0 + std::chrono::seconds(i), "m" + std::to_string(i),
                                              "ref-" + std::to_string(i)));
        REQUIRE(r);
        if (r->inserted) ++inserted;
      }
    };
    std::thread ta(flag_all, std::ref(a));
    std::thread tb(flag_all, std::ref(b));
    ta.join();
    tb.join();
    CHECK(inserted == messages);
    CHECK(a.timeline_size(id) == messages + 1);
  }

  SECTION("two opens in one channel: exactly one wins; numbers stay gap-free") {
    std::atomic<int> opened{0}, refused{0};
    auto open_many = [&](incident_store& store, std::string prefix) {
      for (int i = 0; i < 20; ++i) {
        const channel_ref ch{"slack", "T1", "C" + std::to_string(i)};
        auto r = store.open_incident({ch, prefix, std::nullopt, alice, t0}, entry_at(t0, "opened"));
        if (r)
          ++opened;
        else if (r.error() == errc::incident_already_open)
          ++refused;
      }
    };
    std::thread ta(open_many, std::ref(a), "a");
    std::thread tb(open_many, std::ref(b), "b");
    ta.join();
    tb.join();
    CHECK(opened == 20);
    CHECK(refused == 20);
    CHECK(db.query_int("SELECT COUNT(DISTINCT number) FROM incidents") == 20);
    CHECK(db.query_int("SELECT MAX(number) FROM incidents") == 20);
  }

  SECTION("two closes at once: one wins") {
    const auto id = open_in(a, room).id;
    std::atomic<int> closed{0};
    auto close_it = [&](incident_store& store) {
      if (store.close_incident(id, closing(t0 + 1h, "", entry_at(t0 + 1h, "closed")))) ++closed;
    };
    std::thread ta(close_it, std::ref(a));
    std::thread tb(close_it, std::ref(b));
    ta.join();
    tb.join();
    CHECK(closed == 1);
    CHECK(a.timeline_size(id) == 2);
  }
}

STORE_TEST_CASE("open_store reads storage.url", "[integration][storage]") {
  config::storage_options opts;
  opts.url = db.url();
  opts.connections = 3;
  auto store = storage::open_store(opts);
  store.incidents->ping();
  CHECK(store.jobs->pending("q") == 0);
  // One database behind every port: a job enqueued through one is seen through the others.
  const auto inc = open_in(*store.incidents, room);
  REQUIRE(store.incidents->close_incident(
      inc.id, {alice, t0 + 1h, "", entry_at(t0 + 1h, "closed"), {}, {{"q", "k", "p", t0 + 1h}}}));
  CHECK(store.jobs->pending("q") == 1);
  CHECK(db.query_int("SELECT COUNT(*) FROM health_checks") == 1);
  if constexpr (std::is_same_v<Database, test_support::sqlite_test_database>) {
    CHECK(std::filesystem::exists(db.file()));
    CHECK(store.group != nullptr);
    CHECK(store.concurrency == 1);
  } else {
    CHECK(store.group == nullptr);  // PostgreSQL commits each call alone
    CHECK(store.concurrency == 3);
  }
}

TEST_CASE("an unopenable file is reported with its path", "[integration][storage]") {
  test_support::temp_dir dir;
  std::filesystem::create_directory(dir / "a-directory.db");
  CHECK_THROWS_WITH(storage::sqlite_store(dir / "a-directory.db"),
                    Catch::Contains("a-directory.db"));
}

STORE_TEST_CASE("entry ids are never reused after a deletion", "[integration][storage]") {
  auto& store = db.store();
  const auto id = open_in(store, room).id;
  auto first = store.add_entry(id, entry_at(t0, "m", "ref-1"));
  REQUIRE(first);
  REQUIRE(store.remove_entries(room, "ref-1").size() == 1);
  auto second = store.add_entry(id, entry_at(t0, "m", "ref-2"));
  REQUIRE(second);
  CHECK(second->entry.id > first->entry.id);
}

STORE_TEST_CASE("incidents are listed newest first across channels, filtered by status",
                "[integration][storage]") {
  auto& store = db.store();
  const channel_ref other{"matrix", "example.org", "!room:example.org"};
  auto first = store.open_incident({room, "first", std::nullopt, alice, t0}, entry_at(t0, "o"));
  auto second = store.open_incident({other, "second", 2, alice, t0 + 1min}, entry_at(t0, "o"));
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(store.close_incident(first->id, closing(t0 + 2min, "done", entry_at(t0 + 2min, "c"))));
  auto third = store.open_incident({room, "third", std::nullopt, alice, t0 + 3min},
                                   entry_at(t0 + 3min, "o"));
  REQUIRE(third);

  auto titles = [&](const incident_filter& filter) {
    std::vector<std::string> out;
    for (const auto& inc : store.list_incidents(filter)) out.push_back(inc.title);
    return out;
  };
  CHECK(titles({}) == std::vector<std::string>{"third", "second", "first"});
  CHECK(titles({incident_status::open, 100, {}}) == std::vector<std::string>{"third", "second"});
  CHECK(titles({incident_status::closed, 100, {}}) == std::vector<std::string>{"first"});
  CHECK(titles({std::nullopt, 2, {}}) == std::vector<std::string>{"third", "second"});
  CHECK(titles({std::nullopt, 2, cursor_of(*second)}) == std::vector<std::string>{"first"});
  CHECK(titles({incident_status::open, 2, cursor_of(*third)}) ==
        std::vector<std::string>{"second"});
}

STORE_TEST_CASE("a timeline is read in pages, from the start, after a cursor or from the end",
                "[integration][storage][paging]") {
  auto& store = db.store();
  const auto id = open_in(store, room).id;  // "opened" at t0
  // Two entries at one instant: the id orders them, across a page boundary too.
  REQUIRE(store.add_entry(id, entry_at(t0 + 2s, "b")));
  REQUIRE(store.add_entry(id, entry_at(t0 + 2s, "c")));
  REQUIRE(store.add_entry(id, entry_at(t0 + 1s, "a")));  // recorded later, happened earlier
  REQUIRE(store.add_entry(id, entry_at(t0 + 3s, "d")));
  const auto texts = [](const std::vector<timeline_entry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.text);
    return out;
  };
  const auto first = store.timeline_page(id, std::nullopt, 3);
  CHECK(texts(first) == std::vector<std::string>{"opened", "a", "b"});
  CHECK(texts(store.timeline_page(id, cursor_of(first.back()), 3)) ==
        std::vector<std::string>{"c", "d"});
  CHECK(store.timeline_page(id, cursor_of(store.timeline_tail(id, 1).back()), 3).empty());
  CHECK(texts(store.timeline_tail(id, 2)) == std::vector<std::string>{"c", "d"});
  CHECK(texts(store.timeline_tail(id, 9)).size() == 5);
  CHECK(store.timeline_page(404, std::nullopt, 3).empty());

  CHECK(store.timeline_authors(id) == std::vector<std::string>{alice.id});
  auto other = entry_at(t0 + 4s, "e");
  other.author = {"U2", "bob"};
  REQUIRE(store.add_entry(id, other));
  auto authors = store.timeline_authors(id);
  std::sort(authors.begin(), authors.end());
  CHECK(authors == std::vector<std::string>{"U1", "U2"});
}

STORE_TEST_CASE("the shape of a timeline: entries per column and the longest quiet stretches",
                "[integration][storage][paging]") {
  auto& store = db.store();
  const auto id = open_in(store, room).id;  // t0
  for (const auto at : {t0 + 1s, t0 + 2s, t0 + 2s, t0 + 50s, t0 + 99s, t0 + 5min}) {
    REQUIRE(store.add_entry(id, entry_at(at, "x")));
  }
  // Ten columns of 10 s over [t0, t0 + 100 s); the entry 5 minutes in counts in the last.
  const auto shape = store.shape(id, t0, t0 + 100s, 10, 20s, 2);
  CHECK(shape.counts == std::vector<std::int64_t>{4, 0, 0, 0, 0, 1, 0, 0, 0, 2});
  // Quiet stretches longer than 20 s: 2 -> 50 s (48 s), 50 -> 99 s (49 s), 99 s -> 5 min; the
  // two longest, in time order.
  REQUIRE(shape.quiet.size() == 2);
  CHECK(shape.quiet[0].from == t0 + 50s);
  CHECK(shape.quiet[0].to == t0 + 99s);
  CHECK(shape.quiet[1].from == t0 + 99s);
  CHECK(shape.quiet[1].to == t0 + 5min);
  CHECK(store.shape(id, t0, t0 + 100s, 10, 20s, 0).quiet.empty());
  CHECK(store.shape(404, t0, t0 + 1s, 3, 1s, 3).counts == std::vector<std::int64_t>{0, 0, 0});
}

TEST_CASE("a database locked elsewhere is storage trouble, not an error in the input",
          "[integration][storage]") {
  test_support::temp_dir dir;
  const auto file = dir / "scribe.db";
  storage::sqlite_store store(file);
  store.ping();  // the health check writes
  const auto inc = open_in(store, room);
  {
    // Another process (a backup gone wrong) holds the write lock longer than the busy timeout.
    SQLite::Database other(file.string(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    CHECK_THROWS_AS(store.add_entry(inc.id, entry_at(t0 + 1s, "while locked")),
                    bot::storage_unavailable);
    CHECK_THROWS_AS(store.ping(), bot::storage_unavailable);
    CHECK(store.timeline_size(inc.id) == 1);  // reads still work in WAL mode
    other.exec("ROLLBACK");
  }
  REQUIRE(store.add_entry(inc.id, entry_at(t0 + 2s, "after the lock")));
  store.ping();
  CHECK(store.timeline_size(inc.id) == 2);
}
