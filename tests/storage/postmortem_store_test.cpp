// The postmortem half of the store (questions, answers, drafts), the follow-up jobs stored with
// the change that calls for them, and the incident lookups the postmortem needs: on both stores
// (tests/storage/store_fixture.hpp), and SQLite's own schema upgrade.
#include "storage/sqlite_migrations.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/storage/store_fixture.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace scribe;
using namespace scribe::bot;
using namespace std::chrono_literals;

namespace {

const channel_ref room{"slack", "T1", "C1"};
const channel_ref next_door{"slack", "T1", "C2"};  // same workspace, another channel
const channel_ref elsewhere{"slack", "T2", "C1"};  // the same channel id in another workspace
const person alice{"U1", "alice"};
const person bob{"U2", "bob"};
const timestamp t0 = from_unix_micros(1'795'255'200'123'456);
const std::string queue = postmortem_queue("slack");

const std::vector<asked_question> review_questions = {
    {"impact", "What was the impact?", {}},
    {"detection", "How was it detected?", {}},
    {"next", "What would help next time?", {}},
};

entry_draft system_entry(timestamp at, std::string text) {
  return {at, at, alice, std::move(text), entry_source::system, std::nullopt, ""};
}

incident open_in(incident_store& store, const channel_ref& where) {
  auto inc =
      store.open_incident({where, "outage", std::nullopt, alice, t0}, system_entry(t0, "opened"));
  REQUIRE(inc);
  return *inc;
}

// What incident_desk asks for: the questions, asking now, a reminder after an hour, a draft after
// a day.
incident_closure closing(const incident& inc, timestamp at,
                         std::vector<asked_question> questions = review_questions) {
  return {alice,
          at,
          "fixed",
          system_entry(at, "Incident closed"),
          std::move(questions),
          {schedule(inc, {postmortem_step::ask, inc.id, {}}, at),
           schedule(inc, {postmortem_step::remind, inc.id, {}}, at + 1h),
           schedule(inc, {postmortem_step::draft, inc.id, "timer"}, at + 24h)}};
}

incident closed_in(incident_store& store, const channel_ref& where, timestamp at = t0 + 1h) {
  const auto inc = open_in(store, where);
  auto closed = store.close_incident(inc.id, closing(inc, at));
  REQUIRE(closed);
  return *closed;
}

answer_draft answer(std::string question, std::string ref, timestamp at = t0 + 2h,
                    std::string text = "an answer") {
  return {std::move(question), bob, at, std::move(text), answer_source::thread, std::move(ref)};
}

follow_up completion_of(const incident& inc, timestamp at = t0 + 2h) {
  return schedule(inc, {postmortem_step::draft, inc.id, "complete"}, at);
}

template <class Database>
std::int64_t jobs_with_key(Database& db, const std::string& key) {
  return db.query_int("SELECT COUNT(*) FROM jobs WHERE key = " + test_support::sql_literal(key));
}

stored_draft draft_of(std::int64_t incident_id, std::string request_key, std::string markdown,
                      timestamp at = t0 + 3h) {
  return {incident_id, 0, at, std::move(request_key), markdown, "digest:" + markdown};
}

// Saves `draft` as the next version, composing again (here: taking the next number) when another
// writer took it first, as the postmortem desk does.
stored_draft save_next(postmortem_store& store, stored_draft draft) {
  while (true) {
    const auto latest = store.latest_draft(draft.incident_id);
    draft.version = latest ? latest->version + 1 : 1;
    if (auto saved = store.save_draft(draft)) return *saved;
  }
}

}  // namespace

STORE_TEST_CASE("closing stores the questions and follow-ups with the close",
                "[integration][storage]") {
  auto& store = db.store();
  const auto inc = open_in(store, room);
  CHECK(store.questions(inc.id).empty());  // nothing is asked while the incident is open

  REQUIRE(store.close_incident(inc.id, closing(inc, t0 + 1h)));
  CHECK(store.questions(inc.id) == review_questions);  // in order
  CHECK(store.pending(queue) == 3);
  CHECK(jobs_with_key(db, "ask " + std::to_string(inc.id)) == 1);
  CHECK(jobs_with_key(db, "draft " + std::to_string(inc.id) + " timer") == 1);

  SECTION("a second close stores nothing more") {
    auto again = closing(inc, t0 + 2h, {{"extra", "Anything else?", {}}});
    again.follow_ups.push_back({queue, "another job", "payload", t0 + 2h});
    CHECK(store.close_incident(inc.id, again).error() == errc::no_open_incident);
    CHECK(store.questions(inc.id) == review_questions);
    CHECK(store.pending(queue) == 3);
    CHECK(jobs_with_key(db, "another job") == 0);
    CHECK(store.find_incident(inc.id)->closed_at == t0 + 1h);
  }

  SECTION("closing an unknown incident stores nothing") {
    auto stray = closing(inc, t0 + 2h);
    stray.follow_ups = {{queue, "stray", "payload", t0}};
    CHECK(store.close_incident(404, stray).error() == errc::incident_not_found);
    CHECK(store.questions(404).empty());
    CHECK(jobs_with_key(db, "stray") == 0);
  }
}

STORE_TEST_CASE("a close that fails part way leaves the incident open and schedules nothing",
                "[integration][storage]") {
  auto& store = db.store();
  const auto inc = open_in(store, room);
  // The same question id twice breaks the questions' primary key after the UPDATE has run.
  const std::vector<asked_question> twice = {{"impact", "a", {}}, {"impact", "b", {}}};
  CHECK_THROWS(store.close_incident(inc.id, closing(inc, t0 + 1h, twice)));
  CHECK(store.find_incident(inc.id)->status == incident_status::open);
  CHECK(store.timeline_size(inc.id) == 1);
  CHECK(store.questions(inc.id).empty());
  CHECK(store.pending(queue) == 0);
  // ... and the incident can still be closed properly.
  REQUIRE(store.close_incident(inc.id, closing(inc, t0 + 2h)));
  CHECK(store.pending(queue) == 3);
}

STORE_TEST_CASE("follow-ups become claimable at their run_after", "[integration][storage]") {
  auto& store = db.store();
  const auto closed_at = t0 + 1h;
  const auto inc = closed_in(store, room, closed_at);
  const auto id = std::to_string(inc.id);

  auto ask = store.claim(queue, closed_at, 30s);
  REQUIRE(ask);
  CHECK(ask->payload == "ask " + id);
  CHECK(ask->created_at == closed_at);
  store.complete(ask->id, closed_at);

  CHECK_FALSE(store.claim(queue, closed_at + 1h - 1us, 30s));  // the reminder is not due yet
  auto remind = store.claim(queue, closed_at + 1h, 30s);
  REQUIRE(remind);
  CHECK(remind->payload == "remind " + id);
  store.complete(remind->id, closed_at + 1h);

  CHECK_FALSE(store.claim(queue, closed_at + 24h - 1s, 30s));
  auto draft = store.claim(queue, closed_at + 24h, 30s);
  REQUIRE(draft);
  CHECK(draft->payload == "draft " + id + " timer");
  store.complete(draft->id, closed_at + 24h);
  CHECK(store.pending(queue) == 0);
}

STORE_TEST_CASE("the latest incident of a channel", "[integration][storage]") {
  auto& store = db.store();
  CHECK_FALSE(store.find_latest_incident(room));

  // Closing times come from the callers' clocks, so they need not follow the ids.
  const auto first = closed_in(store, room, t0 + 5h);
  const auto second = closed_in(store, room, t0 + 2h);
  REQUIRE(second.id > first.id);  // a later id, an earlier closing time
  const auto neighbour = open_in(store, next_door);
  const auto far_away = open_in(store, elsewhere);
  CHECK(store.find_latest_incident(room)->id == first.id);  // the latest closed_at

  SECTION("ties go to the highest id") {
    const auto third = closed_in(store, room, t0 + 5h);
    CHECK(store.find_latest_incident(room)->id == third.id);
  }

  SECTION("the open incident beats every closed one") {
    const auto current = open_in(store, room);
    CHECK(store.find_latest_incident(room)->id == current.id);
  }

  SECTION("other channels and workspaces keep theirs") {
    CHECK(store.find_latest_incident(next_door)->id == neighbour.id);
    CHECK(store.find_latest_incident(elsewhere)->id == far_away.id);
    CHECK_FALSE(store.find_latest_incident({"slack", "T1", "C9"}));
    CHECK_FALSE(store.find_latest_incident({"matrix", "T1", "C1"}));
  }
}

STORE_TEST_CASE("incidents by number across workspaces and platforms", "[integration][storage]") {
  auto& store = db.store();
  const auto t1_first = closed_in(store, room);      // INC-1 in T1
  const auto t1_second = open_in(store, next_door);  // INC-2 in T1
  const auto t2_first = open_in(store, elsewhere);   // INC-1 in T2
  const auto matrix_first = open_in(store, {"matrix", "!server", "!room"});

  const auto ones = store.find_incidents_by_number(1);
  REQUIRE(ones.size() == 3);
  CHECK(ones[0].id == t1_first.id);
  CHECK(ones[1].id == t2_first.id);
  CHECK(ones[2].id == matrix_first.id);
  CHECK(ones[1].channel == elsewhere);
  CHECK(ones[0].status == incident_status::closed);

  const auto twos = store.find_incidents_by_number(2);
  REQUIRE(twos.size() == 1);
  CHECK(twos[0].id == t1_second.id);
  CHECK(store.find_incidents_by_number(3).empty());
}

STORE_TEST_CASE("questions are found by the message that asked them, in its channel only",
                "[integration][storage]") {
  auto& store = db.store();
  const auto here = closed_in(store, room);
  const auto there = closed_in(store, elsewhere);
  REQUIRE(store.set_question_message(here.id, "impact", "C1/100.000001"));

  auto found = store.find_question_by_message(room, "C1/100.000001");
  REQUIRE(found);
  CHECK(found->incident_id == here.id);
  CHECK(found->question_id == "impact");
  CHECK(store.questions(here.id)[0].message_ref == "C1/100.000001");
  CHECK_FALSE(store.questions(here.id)[1].message_ref);

  // The same reference in another workspace, channel or platform is another message.
  CHECK_FALSE(store.find_question_by_message(elsewhere, "C1/100.000001"));
  CHECK_FALSE(store.find_question_by_message(next_door, "C1/100.000001"));
  CHECK_FALSE(store.find_question_by_message({"matrix", "T1", "C1"}, "C1/100.000001"));
  CHECK_FALSE(store.find_question_by_message(room, "C1/100.000002"));

  REQUIRE(store.set_question_message(there.id, "next", "C1/100.000001"));
  CHECK(store.find_question_by_message(elsewhere, "C1/100.000001")->question_id == "next");
  CHECK(store.find_question_by_message(room, "C1/100.000001")->question_id == "impact");

  CHECK(store.set_question_message(here.id, "unknown", "m").error() == errc::entry_not_found);
  CHECK(store.set_question_message(404, "impact", "m").error() == errc::entry_not_found);
}

STORE_TEST_CASE("answers are stored once and complete the set once", "[integration][storage]") {
  auto& store = db.store();
  const auto inc = closed_in(store, room);
  const auto done = completion_of(inc);

  auto first = store.add_answer(inc.id, answer("impact", "C1/1", t0 + 2h, "checkout down"), done);
  REQUIRE(first);
  CHECK(first->inserted);
  CHECK_FALSE(first->completed);
  CHECK(first->answer.id > 0);
  CHECK(first->answer.incident_id == inc.id);
  CHECK(first->answer.text == "checkout down");
  CHECK(first->answer.author == bob);

  SECTION("the same answer_ref again is the stored answer, unchanged") {
    auto again = store.add_answer(inc.id, answer("impact", "C1/1", t0 + 3h, "changed"), done);
    REQUIRE(again);
    CHECK_FALSE(again->inserted);
    CHECK_FALSE(again->completed);
    CHECK(again->answer.id == first->answer.id);
    CHECK(again->answer.text == "checkout down");
    CHECK(again->answer.answered_at == t0 + 2h);
    CHECK(store.answers(inc.id).size() == 1);
  }

  SECTION("unknown questions and incidents") {
    CHECK(store.add_answer(inc.id, answer("weather", "C1/2"), done).error() ==
          errc::entry_not_found);
    CHECK(store.add_answer(404, answer("impact", "C1/3"), done).error() ==
          errc::incident_not_found);
    const auto still_open = open_in(store, next_door);
    CHECK(store.add_answer(still_open.id, answer("impact", "C2/1"), done).error() ==
          errc::entry_not_found);
    CHECK(store.answers(inc.id).size() == 1);
  }

  SECTION("only the answer that gives the last question its first answer completes") {
    // More answers to one question do not make the set complete.
    auto more = store.add_answer(inc.id, answer("impact", "C1/4"), done);
    REQUIRE(more);
    CHECK(more->inserted);
    CHECK_FALSE(more->completed);
    auto detection = store.add_answer(inc.id, answer("detection", "C1/5"), done);
    REQUIRE(detection);
    CHECK_FALSE(detection->completed);
    CHECK(jobs_with_key(db, done.key) == 0);

    answer_draft form = answer("next", "form:V1:next");
    form.source = answer_source::form;
    auto last = store.add_answer(inc.id, form, done);
    REQUIRE(last);
    CHECK(last->inserted);
    CHECK(last->completed);
    CHECK(last->answer.source == answer_source::form);
    CHECK(jobs_with_key(db, done.key) == 1);

    auto later = store.add_answer(inc.id, answer("next", "C1/6"), done);
    REQUIRE(later);
    CHECK(later->inserted);
    CHECK_FALSE(later->completed);
    auto repeat = store.add_answer(inc.id, form, done);
    REQUIRE(repeat);
    CHECK_FALSE(repeat->inserted);
    CHECK_FALSE(repeat->completed);
    CHECK(jobs_with_key(db, done.key) == 1);
    CHECK(store.answers(inc.id).size() == 5);
  }

  SECTION("without when_complete, completion is reported and nothing is queued") {
    REQUIRE(store.add_answer(inc.id, answer("detection", "C1/7"), std::nullopt));
    const auto pending_before = store.pending(queue);
    auto last = store.add_answer(inc.id, answer("next", "C1/8"), std::nullopt);
    REQUIRE(last);
    CHECK(last->completed);
    CHECK(store.pending(queue) == pending_before);
  }
}

STORE_TEST_CASE("the completion job is queued once when the form is submitted",
                "[integration][storage]") {
  auto& store = db.store();
  const auto inc = closed_in(store, room, t0 + 1h);
  const auto done = completion_of(inc, t0 + 90min);  // before the reminder is due
  int completed = 0;
  for (const auto& q : review_questions) {
    answer_draft field = answer(q.id, "form:V1:" + q.id);
    field.source = answer_source::form;
    auto r = store.add_answer(inc.id, field, done);
    REQUIRE(r);
    if (r->completed) ++completed;
  }
  CHECK(completed == 1);
  CHECK(jobs_with_key(db, done.key) == 1);

  // The draft is due at once; it comes after the "ask" job, which was due earlier.
  auto ask = store.claim(queue, t0 + 90min, 30s);
  REQUIRE(ask);
  CHECK(ask->payload == "ask " + std::to_string(inc.id));
  auto draft = store.claim(queue, t0 + 90min, 30s);
  REQUIRE(draft);
  CHECK(draft->payload == "draft " + std::to_string(inc.id) + " complete");
  CHECK_FALSE(store.claim(queue, t0 + 90min, 30s));
}

// Two stores on one database stand in for two processes: exactly-once must come from the
// database, not from a mutex of ours.
STORE_TEST_CASE("concurrent last answers through two connections complete once",
                "[integration][storage]") {
  auto a_store = db.open();
  auto b_store = db.open();
  auto& a = *a_store;
  auto& b = *b_store;
  const std::vector<asked_question> two = {{"impact", "?", {}}, {"detection", "?", {}}};

  constexpr int incidents = 25;
  std::vector<incident> closed;
  for (int i = 0; i < incidents; ++i) {
    const auto inc = open_in(a, {"slack", "T1", "C" + std::to_string(i)});
    REQUIRE(a.close_incident(inc.id, closing(inc, t0 + 1h, two)));
    closed.push_back(inc);
  }

  std::atomic<int> completed{0};
  std::atomic<int> failures{0};
  // Each writer names its own completion job: were both to see completion, both jobs would stay.
  auto answer_all = [&](postmortem_store& store, std::string question, std::string writer) {
    for (const auto& inc : closed) {
      follow_up done = completion_of(inc);
      done.key += ":" + writer;
      auto r =
          store.add_answer(inc.id, answer(question, writer + "/" + std::to_string(inc.id)), done);
      if (!r || !r->inserted) ++failures;
      if (r && r->completed) ++completed;
    }
  };
  std::thread ta(answer_all, std::ref(a), "impact", "a");
  std::thread tb(answer_all, std::ref(b), "detection", "b");
  ta.join();
  tb.join();
  CHECK(failures == 0);
  CHECK(completed == incidents);
  CHECK(db.query_int("SELECT COUNT(*) FROM jobs WHERE key LIKE 'draft % complete:%'") == incidents);
  CHECK(db.query_int("SELECT COUNT(DISTINCT payload) FROM jobs WHERE key LIKE "
                     "'draft % complete:%'") == incidents);
}

STORE_TEST_CASE("edited and deleted replies change the answers of their channel only",
                "[integration][storage]") {
  auto& store = db.store();
  const auto here = closed_in(store, room);
  const auto there = closed_in(store, elsewhere);
  const std::string ref = "C1/200.000001";  // the same reference in two workspaces
  REQUIRE(store.add_answer(here.id, answer("impact", ref, t0 + 2h, "here"), std::nullopt));
  REQUIRE(store.add_answer(there.id, answer("impact", ref, t0 + 2h, "there"), std::nullopt));
  REQUIRE(store.add_answer(here.id, answer("detection", "C1/other"), std::nullopt));

  CHECK(store.update_answer_text(room, ref, "here, edited") == 1);
  CHECK(store.update_answer_text(next_door, ref, "wrong channel") == 0);
  CHECK(store.update_answer_text(room, "C1/unknown", "x") == 0);
  CHECK(store.answers(here.id)[0].text == "here, edited");
  CHECK(store.answers(there.id)[0].text == "there");

  CHECK(store.remove_answers(next_door, ref) == 0);
  CHECK(store.remove_answers(room, ref) == 1);
  CHECK(store.remove_answers(room, ref) == 0);
  REQUIRE(store.answers(here.id).size() == 1);
  CHECK(store.answers(here.id)[0].answer_ref == "C1/other");
  CHECK(store.answers(there.id).size() == 1);
}

STORE_TEST_CASE("answers come by answered_at, ties in the order stored", "[integration][storage]") {
  auto& store = db.store();
  const auto inc = closed_in(store, room);
  REQUIRE(store.add_answer(inc.id, answer("impact", "r1", t0 + 30s, "c"), std::nullopt));
  REQUIRE(store.add_answer(inc.id, answer("next", "r2", t0 + 10s, "a"), std::nullopt));
  REQUIRE(store.add_answer(inc.id, answer("detection", "r3", t0 + 30s, "d"), std::nullopt));
  REQUIRE(store.add_answer(inc.id, answer("impact", "r4", t0 + 20s, "b"), std::nullopt));
  std::vector<std::string> texts;
  for (const auto& a : store.answers(inc.id)) texts.push_back(a.text);
  CHECK(texts == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(store.answers(404).empty());
}

STORE_TEST_CASE("drafts are numbered per incident and stored once per request",
                "[integration][storage]") {
  auto& store = db.store();
  const auto inc = closed_in(store, room);
  const auto other = closed_in(store, next_door);
  CHECK_FALSE(store.latest_draft(inc.id));

  CHECK(save_next(store, draft_of(inc.id, "draft 1 timer", "# v1")).version == 1);
  CHECK(save_next(store, draft_of(inc.id, "command:1:U1", "# v2")).version == 2);
  const auto third = save_next(store, draft_of(inc.id, "command:2:U1", "# v3", t0 + 4h));
  CHECK(third.version == 3);
  CHECK(third.drafted_at == t0 + 4h);
  CHECK(save_next(store, draft_of(other.id, "draft 2 timer", "# other")).version == 1);

  // A job that runs again gets the version it stored the first time, unchanged.
  const auto rerun = save_next(store, draft_of(inc.id, "command:1:U1", "# rewritten", t0 + 9h));
  CHECK(rerun.version == 2);
  CHECK(rerun.markdown == "# v2");
  CHECK(rerun.content_digest == "digest:# v2");
  CHECK(rerun.drafted_at == t0 + 3h);
  auto second_process = db.open();
  CHECK(save_next(*second_process, draft_of(inc.id, "draft 1 timer", "# again")).version == 1);

  const auto latest = store.latest_draft(inc.id);
  REQUIRE(latest);
  CHECK(latest->version == 3);
  CHECK(latest->markdown == "# v3");
  CHECK(latest->request_key == "command:2:U1");
  CHECK(store.find_draft(inc.id, "command:1:U1")->markdown == "# v2");
  CHECK_FALSE(store.find_draft(inc.id, "draft 2 timer"));  // the other incident's
  CHECK(store.find_draft(other.id, "draft 2 timer")->version == 1);
  CHECK(store.latest_draft(other.id)->version == 1);
  CHECK_THROWS(save_next(store, draft_of(404, "k", "# none")));  // no such incident

  // A version that is not the next one was composed before another draft got in: refused.
  auto stale = draft_of(inc.id, "command:3:U1", "# stale");
  stale.version = 3;
  CHECK(store.save_draft(stale).error() == errc::not_ready_yet);
  stale.version = 5;
  CHECK(store.save_draft(stale).error() == errc::not_ready_yet);
  stale.version = 4;
  CHECK(store.save_draft(stale)->version == 4);
}

STORE_TEST_CASE("concurrent drafts through two connections get distinct versions",
                "[integration][storage]") {
  auto a_store = db.open();
  auto b_store = db.open();
  auto& a = *a_store;
  auto& b = *b_store;
  const auto inc = closed_in(a, room);

  constexpr int requests = 30;
  std::mutex seen_mutex;
  std::multiset<int> versions;
  // Both writers run the same requests, as two workers would after a lost lease.
  auto save_all = [&](postmortem_store& store) {
    for (int i = 0; i < requests; ++i) {
      const auto saved = save_next(store, draft_of(inc.id, "request " + std::to_string(i), "#"));
      std::lock_guard lock(seen_mutex);
      versions.insert(saved.version);
    }
  };
  std::thread ta(save_all, std::ref(a));
  std::thread tb(save_all, std::ref(b));
  ta.join();
  tb.join();
  CHECK(versions.size() == 2 * requests);
  for (int v = 1; v <= requests; ++v) CHECK(versions.count(v) == 2);  // each request one version
  CHECK(a.latest_draft(inc.id)->version == requests);
}

STORE_TEST_CASE("the postmortem survives reopening the store", "[integration][storage]") {
  std::int64_t id = 0;
  {
    auto opened = db.open();
    auto& store = *opened;
    const auto inc = closed_in(store, room);
    id = inc.id;
    REQUIRE(store.set_question_message(id, "detection", "C1/300.000001"));
    REQUIRE(store.add_answer(id, answer("impact", "C1/1", t0 + 2h, "checkout down"), std::nullopt));
    save_next(store, draft_of(id, "draft timer", "# draft"));
  }
  auto reopened_store = db.open();
  auto& reopened = *reopened_store;
  const auto asked = reopened.questions(id);
  REQUIRE(asked.size() == 3);
  CHECK(asked[1].message_ref == "C1/300.000001");
  CHECK(reopened.find_question_by_message(room, "C1/300.000001")->question_id == "detection");
  const auto answers = reopened.answers(id);
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].text == "checkout down");
  CHECK(answers[0].answered_at == t0 + 2h);  // microseconds kept exactly
  CHECK(answers[0].source == answer_source::thread);
  CHECK(reopened.latest_draft(id)->markdown == "# draft");
  CHECK(reopened.pending(queue) == 3);
  CHECK_FALSE(reopened.add_answer(id, answer("impact", "C1/1"), std::nullopt)->inserted);
}

TEST_CASE("a version-2 database is migrated and keeps its incidents", "[integration][storage]") {
  CHECK(storage::latest_sqlite_schema_version() == 5);
  test_support::temp_dir dir;
  const auto file = dir / "s.db";
  std::int64_t was_open = 0;
  std::int64_t was_closed = 0;
  {
    storage::sqlite_store store(file);
    const auto closed = open_in(store, room);
    REQUIRE(
        store.close_incident(closed.id, {alice, t0 + 1h, "old", system_entry(t0, "x"), {}, {}}));
    was_closed = closed.id;
    was_open = open_in(store, room).id;
  }
  {
    // Take migrations 3 to 5 back out, leaving the database as version 2 wrote it.
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE);
    raw.exec(
        "DROP TABLE postmortem_answers; DROP TABLE postmortem_drafts; "
        "DROP TABLE postmortem_questions; DROP INDEX incidents_by_channel; "
        "DROP INDEX incidents_by_number; DROP TABLE chat_reactions; DROP TABLE chat_messages; "
        "DROP TABLE health_checks; "
        "DELETE FROM schema_migrations WHERE version >= 3");
    REQUIRE(raw.execAndGet("SELECT MAX(version) FROM schema_migrations").getInt() == 2);
  }

  storage::sqlite_store migrated(file);
  SQLite::Database raw(file.string());
  CHECK(raw.execAndGet("SELECT MAX(version) FROM schema_migrations").getInt() == 5);
  CHECK(raw.tableExists("chat_messages"));
  CHECK(raw.tableExists("postmortem_questions"));
  CHECK(raw.tableExists("postmortem_answers"));
  CHECK(raw.tableExists("postmortem_drafts"));

  CHECK(migrated.find_latest_incident(room)->id == was_open);
  CHECK(migrated.find_incidents_by_number(1)[0].id == was_closed);
  // Closed before postmortems existed: nothing was asked, so there is nothing to answer.
  CHECK(migrated.questions(was_closed).empty());
  CHECK(migrated.add_answer(was_closed, answer("impact", "r"), std::nullopt).error() ==
        errc::entry_not_found);
  CHECK(save_next(migrated, draft_of(was_closed, "k", "# late")).version == 1);

  const auto open = *migrated.find_incident(was_open);
  REQUIRE(migrated.close_incident(was_open, closing(open, t0 + 2h)));
  CHECK(migrated.questions(was_open).size() == 3);
  CHECK(migrated.timeline_size(was_open) == 2);
}
