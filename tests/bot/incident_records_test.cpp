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
  const auto open = records.list({incident_status::open, 100});
  REQUIRE(open.size() == 2);
  CHECK(open[0].title == "Login fails");
  const auto closed = records.list({incident_status::closed, 100});
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].title == "Checkout returns 502");
  CHECK(records.list({std::nullopt, 1}).size() == 1);
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
  const auto entries = records.timeline(latest("T1", "C1").id);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].occurred_at < entries[1].occurred_at);
  CHECK(entries[1].text == "rolled back deploy 4812");
  CHECK(records.timeline(9999).empty());
  CHECK(records.now() == clock.now());
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
