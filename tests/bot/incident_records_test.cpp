// The reading desk behind the web pages and the JSON API, on the real SQLite store in a
// temporary file.
#include "bot/incident_records.hpp"
#include "bot/incident_desk.hpp"
#include "bot/postmortem_desk.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace scribe;
using namespace scribe::bot;
using namespace std::chrono_literals;

namespace {

struct records_fixture {
  test_support::temp_dir dir;
  storage::sqlite_store store{dir / "scribe.db"};
  test_support::manual_clock clock;
  config::postmortem_options options;
  incident_desk desk{store, store, clock, options};
  postmortem_desk postmortems{store, store, clock, options};
  incident_records records{store, store, clock, options};
  person alice{"U-alice", "alice"};

  records_fixture() {
    options.questions = {{"went_wrong", "What went wrong?"}, {"actions", "What will we do?"}};
  }

  void run(const std::string& workspace, const std::string& channel, std::string text) {
    desk.run_command({{"slack", workspace, channel}, alice, std::move(text), "/incident", {}, {}});
  }

  incident latest(const std::string& workspace, const std::string& channel) {
    return *store.find_latest_incident({"slack", workspace, channel});
  }

  void answer(std::int64_t id, const std::string& question, const std::string& ref,
              std::string text) {
    const answer_draft draft{question, alice, clock.now(), std::move(text), answer_source::thread,
                             ref};
    REQUIRE(store.add_answer(id, draft, std::nullopt));
  }
};

}  // namespace

TEST_CASE_METHOD(records_fixture, "incidents list newest first, filtered by status",
                 "[unit][records]") {
  run("T1", "C1", "open Checkout returns 502");
  clock.advance(1min);
  run("T1", "C1", "close");
  clock.advance(1min);
  run("T1", "C2", "open Search is slow");
  clock.advance(1min);
  run("T2", "C1", "open Login fails");

  std::vector<std::string> titles;
  for (const auto& inc : records.list({})) titles.push_back(inc.title);
  CHECK(titles ==
        std::vector<std::string>{"Login fails", "Search is slow", "Checkout returns 502"});
  const auto open = records.list({incident_status::open, 100, {}});
  REQUIRE(open.size() == 2);
  CHECK(open[0].title == "Login fails");
  const auto closed = records.list({incident_status::closed, 100, {}});
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].title == "Checkout returns 502");
  CHECK(records.list({std::nullopt, 1, {}}).size() == 1);
  // Older pages: after the last one listed, in the same order.
  const auto first_page = records.list({std::nullopt, 2, {}});
  REQUIRE(first_page.size() == 2);
  const auto second_page = records.list({std::nullopt, 2, cursor_of(first_page.back())});
  REQUIRE(second_page.size() == 1);
  CHECK(second_page[0].title == "Checkout returns 502");
  CHECK(records.list({incident_status::open, 5, cursor_of(first_page.front())}).front().title ==
        "Search is slow");
}

TEST_CASE_METHOD(records_fixture, "labels find incidents per workspace", "[unit][records]") {
  run("T1", "C1", "open Checkout returns 502");
  run("T2", "C1", "open Login fails");
  CHECK(records.find_by_label("INC-1", "").size() == 2);
  const auto in_t2 = records.find_by_label("inc-1", "T2");
  REQUIRE(in_t2.size() == 1);
  CHECK(in_t2[0].title == "Login fails");
  CHECK(records.find_by_label("INC-1", "T9").empty());
  CHECK(records.find_by_label("INC-2", "").empty());
  CHECK(records.find_by_label("nonsense", "").empty());
  CHECK(find_incidents_by_label(store, "INC-1", "T1").size() == 1);
}

TEST_CASE_METHOD(records_fixture, "the timeline comes in event order", "[unit][records]") {
  run("T1", "C1", "open Checkout returns 502");
  clock.advance(2min);
  run("T1", "C1", "note rolled back deploy 4812");
  const auto entries = records.timeline(latest("T1", "C1").id, std::nullopt, 10, 10);
  REQUIRE(entries.head.size() == 2);
  CHECK(entries.tail.empty());
  CHECK_FALSE(entries.gap_after);
  CHECK(entries.total == 2);
  CHECK(entries.head[0].occurred_at < entries.head[1].occurred_at);
  CHECK(entries.head[1].text == "rolled back deploy 4812");
  CHECK(records.timeline(9999, std::nullopt, 10, 10).head.empty());
  CHECK(records.first_entry_at(9999) == std::nullopt);
  CHECK(records.now() == clock.now());
}

TEST_CASE_METHOD(records_fixture, "a long timeline is read as its first and last entries",
                 "[unit][records][paging]") {
  run("T1", "C1", "open Alert storm");
  for (int i = 1; i <= 29; ++i) {
    clock.advance(1s);
    run("T1", "C1", "note alert " + std::to_string(i));
  }
  const auto id = latest("T1", "C1").id;
  const auto excerpt = records.timeline(id, std::nullopt, 5, 5);
  REQUIRE(excerpt.head.size() == 5);
  REQUIRE(excerpt.tail.size() == 5);
  CHECK(excerpt.total == 30);
  CHECK(omitted(excerpt) == 20);
  REQUIRE(excerpt.gap_after);
  CHECK(*excerpt.gap_after == cursor_of(excerpt.head.back()));
  CHECK(excerpt.head.back().text == "alert 4");
  CHECK(excerpt.tail.front().text == "alert 25");

  // The next page after the cursor, then the tail, with nothing twice.
  const auto next = records.timeline(id, excerpt.gap_after, 18, 5);
  REQUIRE(next.head.size() == 18);
  CHECK(next.head.front().text == "alert 5");
  CHECK(next.head.back().text == "alert 22");
  REQUIRE(next.gap_after);  // alert 23 and 24 are between the page and the tail
  CHECK(next.tail.front().text == "alert 25");
  const auto touching = records.timeline(id, excerpt.gap_after, 20, 5);
  CHECK_FALSE(touching.gap_after);  // the page ends right before the tail
  CHECK(touching.tail.size() == 5);
  const auto overlapping = records.timeline(id, excerpt.gap_after, 23, 5);
  CHECK_FALSE(overlapping.gap_after);
  REQUIRE(overlapping.tail.size() == 2);  // the tail's first three are on the page already
  CHECK(overlapping.tail.front().text == "alert 28");

  // Paging through the whole timeline, as the JSON API does, meets every entry once.
  std::vector<std::string> seen;
  std::optional<page_cursor> after;
  do {
    const auto page = records.timeline(id, after, 7, 0);
    for (const auto& e : page.head) seen.push_back(e.text);
    after = page.gap_after;
  } while (after);
  REQUIRE(seen.size() == 30);
  CHECK(seen[1] == "alert 1");
  CHECK(seen.back() == "alert 29");
  CHECK(store.timeline(id).size() == 30);
}

TEST_CASE("cursors are written and read back, and nothing else is read",
          "[unit][records][paging]") {
  const page_cursor cursor{from_unix_micros(1'795'255'200'000'123), 42};
  CHECK(format_cursor(cursor) == "1795255200000123-42");
  CHECK(parse_cursor(format_cursor(cursor)) == cursor);
  const page_cursor early{from_unix_micros(-5), 7};
  CHECK(parse_cursor(format_cursor(early)) == early);
  for (const auto* bad : {"", "-", "12", "12-", "-3", "a-1", "1-b", "1-2-3", "1--2", "1-+2",
                          "99999999999999999999-1", "1- 2"}) {
    INFO(bad);
    CHECK_FALSE(parse_cursor(bad));
  }
}

TEST_CASE_METHOD(records_fixture,
                 "the postmortem view: the draft as posted, answers and review as they are now",
                 "[unit][records]") {
  run("T1", "C1", "open Checkout returns 502");
  clock.advance(5min);
  run("T1", "C1", "close rolled back");
  const auto id = latest("T1", "C1").id;
  CHECK_FALSE(records.postmortem(id));
  CHECK_FALSE(records.postmortem(9999));

  answer(id, "went_wrong", "C1/r1", "The deploy check missed the 502s");
  REQUIRE(postmortems.draft({postmortem_step::draft, id, "timer"}));
  const auto first = records.postmortem(id);
  REQUIRE(first);
  CHECK(first->latest.version == 1);
  REQUIRE(first->questions.size() == 2);
  CHECK(first->questions[1].id == "actions");
  REQUIRE(first->answers.size() == 1);
  CHECK(first->actions.empty());
  CHECK(first->review.empty());

  clock.advance(1h);
  answer(id, "actions", "C1/r2", "Alert on 5xx rate @bob by 2026-12-01");
  answer(id, "went_wrong", "C1/r3", "@carol forgot to check the dashboard");
  const auto now = records.postmortem(id);
  REQUIRE(now);
  CHECK(now->latest.version == 1);
  CHECK(now->latest.markdown == first->latest.markdown);
  CHECK(now->answers.size() == 3);
  REQUIRE(now->actions.size() == 1);
  CHECK(now->actions[0].owner == "@bob");
  CHECK(now->actions[0].text == "Alert on 5xx rate");
  REQUIRE_FALSE(now->review.empty());
  CHECK(now->review[0].finding.rule == "counterfactual");
  CHECK(now->review[0].finding.kind == bot::finding_kind::blame);
}
