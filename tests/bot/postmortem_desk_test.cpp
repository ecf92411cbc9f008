// The postmortem after close: questions, answers from threads and forms, reminders and drafts,
// through the desks on the real SQLite store in a temporary file.
#include "bot/postmortem_desk.hpp"
#include "bot/incident_desk.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace scribe;
using namespace scribe::bot;
using namespace std::chrono_literals;

namespace {

struct postmortem_fixture {
  test_support::temp_dir dir;
  storage::sqlite_store store{dir / "scribe.db"};
  test_support::manual_clock clock;
  config::postmortem_options options;
  incident_desk desk{store, store, clock, options};
  postmortem_desk postmortems{store, store, clock, options};
  channel_ref channel{"slack", "T1", "C-checkout"};
  person alice{"U-alice", "alice"};
  person bob{"U-bob", "bob"};
  std::int64_t incident_id = 0;

  postmortem_fixture() {
    options.questions = {{"impact", "What was the impact?"},
                         {"went_wrong", "What went wrong?"},
                         {"actions", "What will we do?"}};
  }

  bot_reply run(std::string text, const person& who = {"U-alice", "alice"}) {
    return desk.run_command({channel, who, std::move(text), "/incident", {}, {}});
  }

  // Opens, notes and closes an incident and posts its questions as messages "q1", "q2", ...
  void close_and_post_questions() {
    run("open Checkout returns 502");
    clock.advance(10min);
    run("note rolled back deploy 4812", bob);
    clock.advance(5min);
    run("close rolled back");
    incident_id = store.find_latest_incident(channel)->id;
    int n = 0;
    for (const auto& q : postmortems.questions(incident_id)) {
      REQUIRE(postmortems.question_posted(incident_id, q.id, "C-checkout/q" + std::to_string(++n)));
    }
  }

  result<recorded_answer> reply(const std::string& thread, const std::string& ref,
                                const person& who, std::string text) {
    return postmortems.answer_in_thread(
        {channel, "C-checkout/" + thread, "C-checkout/" + ref, who, clock.now(), std::move(text)});
  }

  std::optional<job> claim_postmortem_job() {
    return store.claim("slack.postmortem", clock.now(), 1min);
  }
};

}  // namespace

TEST_CASE_METHOD(postmortem_fixture,
                 "closing asks the configured questions and plans the follow-ups",
                 "[unit][postmortem]") {
  run("open Checkout returns 502");
  auto closed = run("close");
  CHECK_THAT(closed.text, Catch::StartsWith("INC-1 closed by"));
  CHECK_THAT(closed.text, !Catch::Contains("questions"));
  const auto inc = store.find_latest_incident(channel);
  REQUIRE(inc);
  const auto asked = postmortems.questions(inc->id);
  REQUIRE(asked.size() == 3);
  CHECK(asked[0] == asked_question{"impact", "What was the impact?", std::nullopt});
  CHECK(asked[2].id == "actions");

  // Asking is due at once; the reminder after remind_after; the automatic draft after draft_after.
  auto ask = claim_postmortem_job();
  REQUIRE(ask);
  CHECK(ask->payload == "ask " + std::to_string(inc->id));
  store.complete(ask->id, clock.now());
  CHECK_FALSE(claim_postmortem_job());
  clock.advance(4h);
  auto remind = claim_postmortem_job();
  REQUIRE(remind);
  CHECK(remind->payload == "remind " + std::to_string(inc->id));
  store.complete(remind->id, clock.now());
  clock.advance(19h);
  CHECK_FALSE(claim_postmortem_job());
  clock.advance(1h);
  auto timer = claim_postmortem_job();
  REQUIRE(timer);
  CHECK(timer->payload == "draft " + std::to_string(inc->id) + " timer");
}

TEST_CASE_METHOD(postmortem_fixture, "thread replies are answers, attributed, stored once",
                 "[unit][postmortem]") {
  close_and_post_questions();
  clock.advance(1h);
  auto first = reply("q1", "r1", bob, "EU checkout failed for 12 minutes");
  REQUIRE(first);
  CHECK(first->inserted);
  CHECK_FALSE(first->completed);
  CHECK(first->answer.question_id == "impact");
  CHECK(first->answer.author == bob);
  CHECK(first->answer.answered_at == clock.now());
  CHECK(first->answer.source == answer_source::thread);

  // Slack's retry of the same reply changes nothing; a second person's answer is kept too.
  CHECK_FALSE(reply("q1", "r1", bob, "EU checkout failed for 12 minutes")->inserted);
  clock.advance(1min);
  REQUIRE(reply("q1", "r2", alice, "about 3,000 orders")->inserted);
  const auto answers = store.answers(incident_id);
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].author == bob);
  CHECK(answers[1].author == alice);
  CHECK(answers[1].text == "about 3,000 orders");

  // A reply in any other thread is not an answer.
  CHECK(reply("some-other-thread", "r3", bob, "lunch?").error() == errc::not_a_question);

  // Edits and deletions in chat follow.
  CHECK(postmortems.edit_answer(channel, "C-checkout/r2", "about 3,100 orders") == 1);
  CHECK(store.answers(incident_id)[1].text == "about 3,100 orders");
  CHECK(postmortems.delete_answer(channel, "C-checkout/r2") == 1);
  CHECK(store.answers(incident_id).size() == 1);
}

TEST_CASE_METHOD(postmortem_fixture, "a reply while the questions are being posted is retried",
                 "[unit][postmortem]") {
  run("open Checkout returns 502");
  run("close");
  const auto id = store.find_latest_incident(channel)->id;
  REQUIRE(postmortems.question_posted(id, "impact", "C-checkout/q1"));
  // q2 is posted but not yet recorded: its replies must wait, not be dropped.
  CHECK(reply("q2", "r1", bob, "slow rollbacks").error() == errc::not_ready_yet);
  REQUIRE(postmortems.question_posted(id, "went_wrong", "C-checkout/q2"));
  REQUIRE(postmortems.question_posted(id, "actions", "C-checkout/q3"));
  CHECK(reply("q2", "r1", bob, "slow rollbacks")->answer.question_id == "went_wrong");
  CHECK(reply("q9", "r2", bob, "hm").error() == errc::not_a_question);
}

TEST_CASE_METHOD(postmortem_fixture, "the last unanswered question brings the draft, once",
                 "[unit][postmortem]") {
  close_and_post_questions();
  store.complete(claim_postmortem_job()->id, clock.now());  // the ask job
  REQUIRE_FALSE(reply("q1", "r1", bob, "EU checkout down 12 minutes")->completed);
  REQUIRE_FALSE(reply("q1", "r2", alice, "3,000 orders")->completed);
  REQUIRE_FALSE(reply("q2", "r3", bob, "the rollback took 9 minutes")->completed);
  CHECK_FALSE(claim_postmortem_job());
  const auto last = reply("q3", "r4", alice, "- automate rollback @bob by 2026-12-01");
  REQUIRE(last);
  CHECK(last->completed);
  CHECK_FALSE(reply("q3", "r5", bob, "- alert on 502 rate @alice")->completed);

  auto job = claim_postmortem_job();
  REQUIRE(job);
  CHECK(job->payload == "draft " + std::to_string(incident_id) + " complete");
  CHECK_FALSE(claim_postmortem_job());

  const auto step = decode_postmortem_job(job->payload);
  REQUIRE(step);
  const auto drafted = postmortems.draft(*step);
  REQUIRE(drafted);
  CHECK(drafted->draft.version == 1);
  CHECK(drafted->inc.id == incident_id);
  CHECK_THAT(drafted->draft.markdown, Catch::Contains("EU checkout down 12 minutes"));
  CHECK_THAT(drafted->draft.markdown, Catch::Contains("automate rollback"));
  CHECK_THAT(drafted->draft.markdown, Catch::Contains("@bob"));
  // The job run again (after a crash) gets the same version, not a new one.
  CHECK(postmortems.draft(*step)->draft.version == 1);
}

TEST_CASE_METHOD(postmortem_fixture,
                 "re-drafting posts new versions; automatic drafts skip repeats",
                 "[unit][postmortem]") {
  close_and_post_questions();
  const postmortem_job timer{postmortem_step::draft, incident_id, "timer"};
  const auto first = postmortems.draft(timer);
  REQUIRE(first);
  CHECK(first->draft.version == 1);
  CHECK_THAT(first->draft.markdown, Catch::Contains("No answers yet."));

  // Nothing changed: an automatic draft says nothing new and is skipped...
  clock.advance(1h);
  CHECK_FALSE(postmortems.draft({postmortem_step::draft, incident_id, "complete"}));
  // ...but a person asking gets a new version anyway.
  const auto asked = postmortems.draft({postmortem_step::draft, incident_id, "command:1:U-bob"});
  REQUIRE(asked);
  CHECK(asked->draft.version == 2);

  // After a new answer an automatic draft is new again, and the latest is what export shows.
  REQUIRE(reply("q2", "r1", bob, "the alert fired late"));
  const auto third = postmortems.draft({postmortem_step::draft, incident_id, "complete"});
  REQUIRE(third);
  CHECK(third->draft.version == 3);
  CHECK(postmortems.latest_or_preview(incident_id)->draft.markdown == third->draft.markdown);
  CHECK_THAT(third->draft.markdown, Catch::Contains("*Version 3 ·"));
}

TEST_CASE_METHOD(postmortem_fixture, "form submissions are answers by the person who sent them",
                 "[unit][postmortem]") {
  close_and_post_questions();
  std::map<std::string, std::string> texts{
      {"impact", "checkout down in EU"}, {"went_wrong", "  \n "}, {"actions", "- fix @bob"}};
  const auto saved = postmortems.answer_in_form(incident_id, "slack", "T1", bob, "V1", texts);
  REQUIRE(saved);
  REQUIRE(saved->size() == 2);  // the blank field is no answer
  CHECK((*saved)[0].answer.question_id == "impact");
  CHECK((*saved)[0].answer.source == answer_source::form);
  CHECK((*saved)[0].answer.author == bob);
  CHECK((*saved)[1].answer.question_id == "actions");
  // The same submission again stores nothing new.
  const auto again = postmortems.answer_in_form(incident_id, "slack", "T1", bob, "V1", texts);
  REQUIRE(again);
  CHECK_FALSE((*again)[0].inserted);
  CHECK(store.answers(incident_id).size() == 2);

  // Another workspace's form cannot reach this incident; blank or unknown fields are refused.
  CHECK(postmortems.answer_in_form(incident_id, "slack", "T2", bob, "V2", texts).error() ==
        errc::incident_not_found);
  CHECK(postmortems.answer_in_form(incident_id, "matrix", "T1", bob, "V2", texts).error() ==
        errc::incident_not_found);
  CHECK(postmortems.answer_in_form(incident_id, "slack", "T1", bob, "V3", {{"impact", " "}})
            .error() == errc::invalid_argument);
  CHECK(
      postmortems.answer_in_form(incident_id, "slack", "T1", bob, "V4", {{"nope", "x"}}).error() ==
      errc::invalid_argument);
  // Completing the set by form plans the draft too.
  const auto last = postmortems.answer_in_form(incident_id, "slack", "T1", alice, "V5",
                                               {{"went_wrong", "slow rollback"}});
  REQUIRE(last);
  CHECK(last->at(0).completed);
}

TEST_CASE_METHOD(postmortem_fixture, "the reminder names the open questions, and only while needed",
                 "[unit][postmortem]") {
  close_and_post_questions();
  REQUIRE(reply("q1", "r1", bob, "EU down"));
  clock.advance(4h);
  const auto text = postmortems.reminder(incident_id, "/incident", "");
  REQUIRE(text);
  CHECK_THAT(*text, Catch::StartsWith("Reminder: the postmortem of INC-1 (Checkout returns 502) "
                                      "has 2 of 3 questions without an answer:"));
  CHECK_THAT(*text, Catch::Contains("• What went wrong?"));
  CHECK_THAT(*text, Catch::Contains("• What will we do?"));
  CHECK_THAT(*text, !Catch::Contains("What was the impact?"));
  CHECK_THAT(*text, Catch::Contains("follows in 20h"));
  CHECK_THAT(*text, Catch::Contains("`/incident draft`"));

  // Once a draft is out, no reminder; nor when everything is answered.
  REQUIRE(postmortems.draft({postmortem_step::draft, incident_id, "command:1:U-bob"}));
  CHECK_FALSE(postmortems.reminder(incident_id, "/incident", ""));
  CHECK_FALSE(postmortems.reminder(incident_id + 100, "/incident", ""));
}

TEST_CASE_METHOD(postmortem_fixture, "the draft command plans a draft of the channel's incident",
                 "[unit][postmortem]") {
  CHECK_THAT(run("draft").text, Catch::StartsWith("There is no incident in this channel"));
  run("open Checkout returns 502");
  const auto open_draft = run("draft", bob);
  CHECK(open_draft.visibility == reply_visibility::channel);
  CHECK_THAT(open_draft.text, Catch::Contains("still open"));
  auto job = claim_postmortem_job();
  REQUIRE(job);
  const auto step = decode_postmortem_job(job->payload);
  REQUIRE(step);
  CHECK(step->step == postmortem_step::draft);
  CHECK_FALSE(step->automatic());
  CHECK_THAT(step->reason, Catch::EndsWith(":U-bob"));
  // A draft of an open incident is a draft of what is known so far.
  const auto drafted = postmortems.draft(*step);
  REQUIRE(drafted);
  CHECK_THAT(drafted->draft.markdown, Catch::Contains("still open"));

  // After closing, the draft is of the closed incident.
  run("close");
  store.complete(job->id, clock.now());
  CHECK_THAT(run("draft").text, !Catch::Contains("still open"));
}

TEST_CASE_METHOD(postmortem_fixture, "export before any draft composes a preview",
                 "[unit][postmortem]") {
  close_and_post_questions();
  const auto preview = postmortems.latest_or_preview(incident_id);
  REQUIRE(preview);
  CHECK(preview->draft.version == 0);
  CHECK_FALSE(store.latest_draft(incident_id));
  CHECK_FALSE(postmortems.latest_or_preview(incident_id + 1));
}

TEST_CASE_METHOD(
    postmortem_fixture,
    "the draft of a huge incident shows its first and last entries and counts the rest",
    "[integration][postmortem][paging]") {
  run("open Alert storm");
  incident_id = store.find_latest_incident(channel)->id;
  const auto opened = clock.now();
  const std::size_t alerts = draft_timeline_entries + 250;
  for (std::size_t i = 0; i < alerts; ++i) {
    const auto at = opened + std::chrono::seconds(i + 1);
    // A few authors only, as in an alert storm; "bot-7" writes only in the stretch left out.
    const std::string author = i == 600 ? "bot-7" : "bot-" + std::to_string(i % 3);
    REQUIRE(store.add_entry(incident_id, {at,
                                          at,
                                          {author, author},
                                          "alert " + std::to_string(i),
                                          entry_source::command,
                                          std::nullopt,
                                          ""}));
  }
  clock.advance(2h);
  run("close");
  const auto drafted = postmortems.draft({postmortem_step::draft, incident_id, "command:1"});
  REQUIRE(drafted);
  const auto& md = drafted->draft.markdown;
  const auto count = [&md](const std::string& needle) {
    std::size_t n = 0;
    for (auto at = md.find(needle); at != std::string::npos; at = md.find(needle, at + 1)) ++n;
    return n;
  };
  // Opened, the alerts, closed: 1,252 entries; 1,000 shown, 252 counted.
  CHECK(count(" UTC** · ") == draft_timeline_entries);
  CHECK_THAT(md, Catch::Contains("- **Timeline entries:** " + std::to_string(alerts + 2) + "\n"));
  CHECK_THAT(md, Catch::Contains("- *… 252 more entries between "));
  CHECK_THAT(md, Catch::Contains(" — alert 498\n"));  // the last of the first half (after "opened")
  CHECK_THAT(md, !Catch::Contains(" — alert 499\n"));
  CHECK_THAT(md, !Catch::Contains(" — alert 750\n"));
  CHECK_THAT(md, Catch::Contains(" — alert 751\n"));  // the first of the last half
  // Contributors count the whole timeline: alice (opened, closed), bot-0..2 and bot-7.
  CHECK_THAT(md, Catch::Contains("- **Contributors:** 5 people"));
  CHECK(md.size() < 200'000);
}
