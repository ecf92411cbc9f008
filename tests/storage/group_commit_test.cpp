// Group commit on the SQLite store (bot/group_commit.hpp), on a real file: a group's calls reach
// the file together at commit, a failing call undoes only itself, and other threads wait.
#include "storage/sqlite_store.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

using namespace scribe;
using namespace scribe::bot;
using namespace std::chrono_literals;

namespace {

const channel_ref room{"slack", "T1", "C1"};
const person alice{"U1", "alice"};
const timestamp t0 = from_unix_micros(1'795'255'200'123'456);

entry_draft note(std::string text) {
  return {t0, t0, alice, std::move(text), entry_source::command, std::nullopt, ""};
}

// What another process reading the file sees.
std::int64_t entries_on_disk(const std::filesystem::path& file) {
  SQLite::Database reader(file.string(), SQLite::OPEN_READONLY);
  return reader.execAndGet("SELECT COUNT(*) FROM timeline_entries").getInt64();
}

// A store on a fresh file with one open incident.
struct group_fixture {
  test_support::temp_dir dir;
  std::filesystem::path file = dir / "g.db";
  storage::sqlite_store store{file};
  incident inc = *store.open_incident({room, "outage", std::nullopt, alice, t0}, note("opened"));
};

}  // namespace

TEST_CASE_METHOD(group_fixture, "a group's calls reach the file together, at commit",
                 "[integration][storage]") {
  REQUIRE(entries_on_disk(file) == 1);

  store.begin_group();
  CHECK(store.group_open());
  REQUIRE(store.add_entry(inc.id, note("first")));
  REQUIRE(store.add_entry(inc.id, note("second")));
  CHECK(store.timeline_size(inc.id) == 3);  // the group sees its own writes
  CHECK(entries_on_disk(file) == 1);        // nobody else does yet
  store.commit_group();
  CHECK_FALSE(store.group_open());
  CHECK(entries_on_disk(file) == 3);
}

TEST_CASE_METHOD(group_fixture, "a call that fails inside a group undoes only its own changes",
                 "[integration][storage]") {
  store.begin_group();
  REQUIRE(store.add_entry(inc.id, note("kept")));
  // Two questions with one id: the primary key refuses the second after the incident row was
  // already changed and its closing entry written; the close must vanish whole.
  incident_closure closure{alice, t0 + 1s, "fixed", note("closed"), {}, {}};
  closure.questions = {{"helped", "What helped?", std::nullopt},
                       {"helped", "What helped?", std::nullopt}};
  CHECK_THROWS(store.close_incident(inc.id, closure));
  CHECK(store.group_open());
  REQUIRE(store.add_entry(inc.id, note("also kept")));
  store.commit_group();

  CHECK(entries_on_disk(file) == 3);
  const auto after = store.find_incident(inc.id);
  REQUIRE(after);
  CHECK(after->status == incident_status::open);
}

TEST_CASE_METHOD(group_fixture, "a rolled-back group leaves nothing behind",
                 "[integration][storage]") {
  store.begin_group();
  REQUIRE(store.add_entry(inc.id, note("gone")));
  REQUIRE(store.enqueue("q", "k", "payload", t0));
  store.rollback_group();
  CHECK(store.timeline_size(inc.id) == 1);
  CHECK(store.pending("q") == 0);
  store.rollback_group();  // no group: nothing to do
}

TEST_CASE_METHOD(group_fixture, "another thread's call waits for the open group to end",
                 "[integration][storage]") {
  store.begin_group();
  REQUIRE(store.add_entry(inc.id, note("in the group")));
  std::atomic<bool> returned{false};
  std::thread other([&] {
    REQUIRE(store.add_entry(inc.id, note("from another thread")));
    returned = true;
  });
  std::this_thread::sleep_for(200ms);
  // Had it joined the group, a rollback now would silently undo a call that had returned.
  CHECK_FALSE(returned);
  store.rollback_group();
  other.join();
  CHECK(returned);
  CHECK(store.timeline_size(inc.id) == 2);  // "opened" and the other thread's note
  CHECK(entries_on_disk(file) == 2);
}
