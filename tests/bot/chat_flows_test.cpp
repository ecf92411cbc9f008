// The chat workflows, written once for every platform, against a fake platform
// (tests/support/fake_platform.hpp) and the real SQLite store in a temporary file: what each
// records, what it sends, how it answers a platform that asks to retry or refuses, and that running
// an event or a job again (a retry, a crash before it was marked done) changes nothing more.
#include "bot/chat_flows.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/fake_platform.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace scribe;
using namespace scribe::bot;
using namespace std::chrono_literals;
using test_support::run;
using notice_kind = chat_notice::kind;

namespace {

struct flows_fixture {
  test_support::temp_dir dir;
  storage::sqlite_store store{dir / "scribe.db"};
  test_support::manual_clock clock;
  config::postmortem_options options = [] {
    config::postmortem_options o;
    o.questions = {{"impact", "What was the impact?"}, {"actions", "What will we do?"}};
    return o;
  }();
  incident_desk desk{store, store, clock, options};
  postmortem_desk postmortems{store, store, clock, options};
  test_support::inline_store executor;
  test_support::fake_platform platform;
  int postmortem_wakes = 0;
  chat_flows flows{platform, desk, postmortems, executor, [this] { ++postmortem_wakes; }};
  const channel_ref channel{"slack", "T1", "C1"};

  bot_reply command(const std::string& text) {
    return desk.run_command({channel, {"U-ann", "ann"}, text, "/incident", {}, {}});
  }
  // A message in the channel, written `ago` before now by `author`.
  std::string message(const std::string& ref, const std::string& author, std::string text,
                      std::chrono::microseconds ago = 1min) {
    platform.messages[ref] = {author, false, clock.now() - ago, std::move(text)};
    return ref;
  }
  flag_event pin(const std::string& ref, const std::string& who = "U-bob") {
    return {channel, ref, who, who, clock.now(), std::nullopt, entry_source::reaction,
            std::nullopt, "", ""};
  }
  job_outcome handle(chat_event event) { return run(flows.handle(std::move(event))); }
  std::vector<timeline_entry> timeline() {
    const auto inc = store.find_latest_incident(channel);
    return inc ? store.timeline(inc->id) : std::vector<timeline_entry>{};
  }
};

bool is_done(const job_outcome& o) {
  return o.what == job_outcome::kind::done;
}

}  // namespace

TEST_CASE_METHOD(flows_fixture, "a pinned message is read, named, linked, recorded and confirmed",
                 "[unit][flows]") {
  command("open checkout down");
  platform.names["U-carol"] = "Carol";
  platform.names["U-dan"] = "Dan";
  message("C1/1", "U-carol", "db pool exhausted, cc <@U-dan>", 5min);
  REQUIRE(is_done(handle(pin("C1/1"))));
  const auto entries = timeline();
  REQUIRE(entries.size() == 2);
  const auto& e = entries[0];  // written before the incident was opened
  CHECK(e.text == "db pool exhausted, cc @Dan");
  CHECK(e.author == person{"U-carol", "Carol"});
  CHECK(e.occurred_at == clock.now() - 5min);
  CHECK(e.link == "https://chat.example/C1/1");
  CHECK(e.source == entry_source::reaction);
  REQUIRE(platform.notices.size() == 1);
  CHECK(platform.notices[0].key == "react:" + std::to_string(e.id));
  CHECK(platform.notices[0].notice.what == notice_kind::confirm);
  CHECK(platform.notices[0].notice.message_ref == "C1/1");

  SECTION("flagged again by someone else: nothing read, the same entry, one confirmation") {
    const int reads = platform.calls["read"];
    REQUIRE(is_done(handle(pin("C1/1", "U-eve"))));
    CHECK(platform.calls["read"] == reads);
    CHECK(timeline().size() == 2);
    CHECK(platform.notices.size() == 1);
  }
  SECTION("the same event processed again changes nothing") {
    REQUIRE(is_done(handle(pin("C1/1"))));
    CHECK(timeline().size() == 2);
    CHECK(platform.notices.size() == 1);
  }
  SECTION("taking the last flag back removes the entry and its mark") {
    REQUIRE(is_done(handle(unflag_event{channel, "C1/1", "U-bob"})));
    CHECK(timeline().size() == 1);
    const auto withdrawn = platform.sent(notice_kind::withdraw);
    REQUIRE(withdrawn.size() == 1);
    CHECK(withdrawn[0].key == "unreact:" + std::to_string(e.id));
    CHECK(withdrawn[0].notice.message_ref == "C1/1");
  }
}

TEST_CASE_METHOD(flows_fixture, "a platform that asks to retry: nothing recorded, then all of it",
                 "[unit][flows]") {
  command("open checkout down");
  message("C1/1", "U-carol", "p99 4s");
  for (const auto* call : {"read", "display_name", "permalink", "readable"}) {
    INFO(call);
    platform.scripted[call].push_back(platform_answer<done>::retry("HTTP 500", 3s));
    const auto first = handle(pin("C1/1"));
    CHECK(first.what == job_outcome::kind::retry);
    CHECK(first.retry_after == 3s);
    CHECK(timeline().size() == 1);
    CHECK(platform.notices.empty());
  }
  REQUIRE(is_done(handle(pin("C1/1"))));
  CHECK(timeline().size() == 2);
  CHECK(platform.notices.size() == 1);
}

TEST_CASE_METHOD(flows_fixture, "a flag that cannot be recorded is answered, privately, once",
                 "[unit][flows]") {
  auto told = [this](const std::string& ref) {
    std::vector<std::string> texts;
    for (const auto& n : platform.sent(notice_kind::tell)) {
      if (n.notice.message_ref == ref) texts.push_back(n.notice.text);
    }
    return texts;
  };
  SECTION("no incident, then or when the message was written") {
    message("C1/1", "U-carol", "is the vpn down?");
    REQUIRE(is_done(handle(pin("C1/1"))));
    REQUIRE(is_done(handle(pin("C1/1"))));  // processed again: told once
    REQUIRE(told("C1/1").size() == 1);
    CHECK_THAT(told("C1/1")[0], Catch::Contains("`/incident open <title>`"));
    CHECK(platform.sent(notice_kind::tell)[0].notice.person_id == "U-bob");
  }
  command("open checkout down");
  SECTION("the message was deleted") {
    REQUIRE(is_done(handle(pin("C1/gone"))));
    REQUIRE(told("C1/gone").size() == 1);
    CHECK_THAT(told("C1/gone")[0], Catch::Contains("deleted"));
  }
  SECTION("the platform refuses it") {
    platform.scripted["read"].push_back(platform_answer<done>::failed("not_in_channel"));
    REQUIRE(is_done(handle(pin("C1/1"))));
    REQUIRE(told("C1/1").size() == 1);
    CHECK_THAT(told("C1/1")[0], Catch::Contains("not_in_channel"));
  }
  SECTION("a bot's message") {
    platform.messages["C1/bot"] = {"B1", true, clock.now(), "deploy finished"};
    REQUIRE(is_done(handle(pin("C1/bot"))));
    REQUIRE(told("C1/bot").size() == 1);
    CHECK_THAT(told("C1/bot")[0], Catch::Contains("bot"));
  }
  CHECK(timeline().size() == 1);
  CHECK(platform.sent(notice_kind::confirm).empty());
}

TEST_CASE_METHOD(flows_fixture, "a flag processed after its incident closed lands in it",
                 "[unit][flows][flag-rule]") {
  command("open checkout down");
  message("C1/1", "U-carol", "the queue is growing");
  auto made = pin("C1/1");  // made while the incident was open...
  platform.scripted["read"].push_back(platform_answer<done>::retry("HTTP 500"));
  CHECK(handle(made).what == job_outcome::kind::retry);
  clock.advance(2min);
  command("close");  // ...which closes before the retry
  clock.advance(1min);
  command("open payments down");
  REQUIRE(is_done(handle(made)));
  const auto first = store.find_incidents_by_number(1).front();
  const auto second = store.find_incidents_by_number(2).front();
  CHECK(store.timeline_size(first.id) == 3);  // opened, the flag, closed
  CHECK(store.timeline_size(second.id) == 1);
}

TEST_CASE_METHOD(flows_fixture, "a mention carries its message: nothing is read",
                 "[unit][flows]") {
  command("open checkout down");
  flag_event mention = pin("C1/7", "U-carol");
  mention.source = entry_source::mention;
  mention.written_at = clock.now() - 10s;
  mention.message = carried_message{"U-carol", false, "<@BOT> restarted db-2"};
  REQUIRE(is_done(handle(mention)));
  CHECK(platform.calls["read"] == 0);
  const auto entries = timeline();
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].source == entry_source::mention);
  CHECK(entries[0].occurred_at == clock.now() - 10s);
  CHECK(entries[0].text == "<@BOT> restarted db-2");  // unknown mentions stay as written
}

TEST_CASE_METHOD(flows_fixture, "edits and deletions follow into the timeline and the answers",
                 "[unit][flows]") {
  command("open checkout down");
  message("C1/1", "U-carol", "p99 4s");
  REQUIRE(is_done(handle(pin("C1/1"))));

  SECTION("an edit by the writer reaches the entry") {
    REQUIRE(is_done(handle(message_edited_event{channel, "C1/1", "p99 4.2s", "U-carol"})));
    CHECK(timeline()[0].text == "p99 4.2s");
  }
  SECTION("an edit by someone else is ignored where the platform leaves that to receivers") {
    REQUIRE(is_done(handle(message_edited_event{channel, "C1/1", "hijacked", "U-mallory"})));
    CHECK(timeline()[0].text == "p99 4s");
  }
  SECTION("an edit the platform vouches for needs no check") {
    REQUIRE(is_done(handle(message_edited_event{channel, "C1/1", "p99 5s", std::nullopt})));
    CHECK(timeline()[0].text == "p99 5s");
    CHECK(platform.calls["read"] == 1);  // the flag's read only
  }
  SECTION("a deletion removes the entry; the platform removed the mark with the message") {
    REQUIRE(is_done(handle(message_deleted_event{channel, "C1/1", std::nullopt})));
    CHECK(timeline().size() == 1);
    CHECK(platform.sent(notice_kind::withdraw).empty());
  }
}

TEST_CASE_METHOD(flows_fixture, "a flag with an id of its own is taken back by deleting it",
                 "[unit][flows]") {
  // Matrix: the 📌 is a reaction event; redacting it takes the flag back.
  command("open checkout down");
  message("C1/m1", "U-carol", "p99 4s");
  flag_event reaction = pin("C1/m1", "U-bob");
  reaction.flag_id = "$reaction-1";
  REQUIRE(is_done(handle(reaction)));
  REQUIRE(timeline().size() == 2);
  const auto entry_id = timeline()[0].id;
  REQUIRE(is_done(handle(message_deleted_event{channel, "C1/$reaction-1", "$reaction-1"})));
  CHECK(timeline().size() == 1);
  const auto withdrawn = platform.sent(notice_kind::withdraw);
  REQUIRE(withdrawn.size() == 1);
  CHECK(withdrawn[0].key == "unreact:" + std::to_string(entry_id));
  CHECK(withdrawn[0].notice.message_ref == "C1/m1");
}

TEST_CASE_METHOD(flows_fixture, "a command typed as a message is run and answered once",
                 "[unit][flows]") {
  platform.names["U-ann"] = "Ann";
  command_event typed{channel, "U-ann", "open checkout down", "C1/$cmd1", clock.now()};
  REQUIRE(is_done(handle(typed)));
  const auto replies = platform.sent(notice_kind::reply);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].key == "reply:C1/$cmd1");
  CHECK_THAT(replies[0].notice.text, Catch::StartsWith("INC-1 opened by Ann"));
  CHECK(replies[0].notice.person_id.empty());  // the channel sees an opening
  CHECK(postmortem_wakes == 1);

  command_event status{channel, "U-ann", "status", "C1/$cmd2", clock.now()};
  REQUIRE(is_done(handle(status)));
  CHECK(platform.sent(notice_kind::reply).back().notice.person_id == "U-ann");  // the asker's
  REQUIRE(is_done(handle(typed)));  // processed again: answered once
  CHECK(platform.sent(notice_kind::reply).size() == 2);
}

TEST_CASE_METHOD(flows_fixture, "an invitation is accepted; a refusal is given up",
                 "[unit][flows]") {
  CHECK(is_done(handle(invited_event{channel, "@ann:example.org"})));
  platform.scripted["join"].push_back(platform_answer<done>::retry("M_LIMIT_EXCEEDED", 2s));
  CHECK(handle(invited_event{channel, "@ann:example.org"}).what == job_outcome::kind::retry);
  platform.scripted["join"].push_back(platform_answer<done>::failed("M_FORBIDDEN"));
  CHECK(handle(invited_event{channel, "@ann:example.org"}).what == job_outcome::kind::give_up);
}

namespace {

// Runs every due job of the postmortem queue through the workflows, as its worker would; a job
// that asks to retry is left for the next call.
std::vector<job_outcome> run_postmortem_jobs(flows_fixture& f) {
  std::vector<job_outcome> outcomes;
  for (auto& queued : f.store.claim_batch("slack.postmortem", f.clock.now(), 1min, 100)) {
    const auto outcome = run(f.flows.run_postmortem(queued));
    if (outcome.what == job_outcome::kind::retry) {
      f.store.retry_later(queued.id, f.clock.now(), outcome.error);
    } else {
      f.store.complete(queued.id, f.clock.now());
    }
    outcomes.push_back(outcome);
  }
  return outcomes;
}

}  // namespace

TEST_CASE_METHOD(flows_fixture, "the postmortem's questions are posted once, across a failure",
                 "[unit][flows][postmortem]") {
  platform.other_ways = "Or answer them all in a form.";
  command("open checkout down");
  command("close");
  // The second question fails to post: the job is retried, and the retry posts only what is
  // missing (the introduction and the first question were posted).
  platform.scripted["post"] = {platform_answer<done>::ok({}), platform_answer<done>::ok({}),
                               platform_answer<done>::retry("HTTP 500")};
  auto outcomes = run_postmortem_jobs(*this);
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].what == job_outcome::kind::retry);
  REQUIRE(platform.posted.size() == 2);
  const auto inc = store.find_latest_incident(channel);
  auto asked = store.questions(inc->id);
  CHECK(asked[0].message_ref == platform.posted[1].ref);  // recorded as soon as posted
  CHECK_FALSE(asked[1].message_ref);

  outcomes = run_postmortem_jobs(*this);
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].what == job_outcome::kind::done);
  REQUIRE(platform.posted.size() == 3);  // the introduction and two questions, each once
  CHECK_THAT(platform.posted[0].content.text, Catch::Contains("Or answer them all in a form."));
  CHECK(platform.posted[0].content.answer_form_for == inc->id);
  CHECK_THAT(platform.posted[2].content.text, Catch::Contains("What will we do?"));
  asked = store.questions(inc->id);
  CHECK(asked[1].message_ref == platform.posted[2].ref);

  // Answered in the questions' threads: the last answer completes it and wakes the worker.
  const auto reply = [&](const std::string& thread, const std::string& ref) {
    return handle(thread_reply_event{channel, thread, ref, "U-ann", clock.now(), "checkout 12m"});
  };
  CHECK(is_done(reply(*asked[0].message_ref, "C1/r1")));
  CHECK(postmortem_wakes == 0);
  CHECK(is_done(reply(*asked[1].message_ref, "C1/r2")));
  CHECK(postmortem_wakes == 1);
  CHECK(store.answers(inc->id).size() == 2);
  CHECK(platform.sent(notice_kind::confirm).empty());  // this platform leaves answers unmarked
  // The automatic draft: posted once, also when its job runs again.
  clock.advance(1s);
  run_postmortem_jobs(*this);
  const auto drafts = std::count_if(platform.posted.begin(), platform.posted.end(),
                                    [](const auto& p) { return p.content.draft_of.has_value(); });
  CHECK(drafts == 1);
}

TEST_CASE_METHOD(flows_fixture, "a reply while the questions are still being posted is retried",
                 "[unit][flows][postmortem]") {
  command("open checkout down");
  command("close");
  const auto outcome = handle(thread_reply_event{channel, "C1/q?", "C1/r1", "U-ann", clock.now(),
                                                 "an early answer"});
  CHECK(outcome.what == job_outcome::kind::retry);
  CHECK(outcome.retry_after == 2s);
}

TEST_CASE_METHOD(flows_fixture, "a platform that marks answers gets the mark once per answer",
                 "[unit][flows][postmortem]") {
  platform.marks = true;
  command("open checkout down");
  command("close");
  run_postmortem_jobs(*this);
  const auto inc = store.find_latest_incident(channel);
  const auto asked = store.questions(inc->id);
  for (int i = 0; i < 2; ++i) {
    REQUIRE(is_done(handle(thread_reply_event{channel, *asked[0].message_ref, "C1/r1", "U-ann",
                                              clock.now(), "checkout was down 12 minutes"})));
  }
  const auto marks = platform.sent(notice_kind::confirm);
  REQUIRE(marks.size() == 1);
  CHECK(marks[0].key == "answer:C1/r1");
}

TEST_CASE_METHOD(flows_fixture, "an answer that blames someone gets one private reply with a rewrite",
                 "[unit][flows][postmortem][wording]") {
  platform.names["U-ann"] = "Ann";
  command("open checkout down");
  command("close");
  run_postmortem_jobs(*this);
  const auto inc = store.find_latest_incident(channel);
  const auto asked = store.questions(inc->id);
  const auto answer = [&](const std::string& ref, const std::string& text) {
    return handle(thread_reply_event{channel, *asked[0].message_ref, ref, "U-ann", clock.now(),
                                     text});
  };
  REQUIRE(is_done(answer("C1/r1", "Checkout failed at 10:02. Kevin ignored the alerts for two "
                                  "hours.")));
  auto told = platform.sent(notice_kind::tell);
  REQUIRE(told.size() == 1);
  const auto& reply = told[0].notice;
  CHECK(told[0].key == "review:C1/r1");
  CHECK(reply.person_id == "U-ann");  // to the author alone, where the platform can
  CHECK(reply.message_ref == "C1/r1");
  CHECK(reply.thread_ref == *asked[0].message_ref);  // in the question's thread
  CHECK_THAT(reply.text, Catch::Contains("“Kevin ignored the alerts for two hours.”"));
  // The rewrite is offered, and it leaves the person out; the blameless sentence is not quoted.
  CHECK_THAT(reply.text, Catch::Contains("Perhaps: “The alerts went unanswered for two hours."));
  CHECK(reply.text.find("Kevin", reply.text.find("Perhaps")) == std::string::npos);
  CHECK(reply.text.find("Checkout failed") == std::string::npos);
  // The answer is recorded as written: Scribe never edits what people wrote.
  CHECK(store.answers(inc->id).at(0).text ==
        "Checkout failed at 10:02. Kevin ignored the alerts for two hours.");

  SECTION("the same answer processed again (a retry, a crash) is not told twice") {
    REQUIRE(is_done(answer("C1/r1", "Checkout failed at 10:02. Kevin ignored the alerts for two "
                                    "hours.")));
    CHECK(platform.sent(notice_kind::tell).size() == 1);
  }
  SECTION("a blameless answer gets no reply") {
    REQUIRE(is_done(answer("C1/r2", "The alerts went to a channel nobody watched at night; "
                                    "the retry was disabled.")));
    CHECK(platform.sent(notice_kind::tell).size() == 1);
  }
  SECTION("an answer with many blameful sentences: three quoted, the rest counted") {
    REQUIRE(is_done(answer("C1/r3", "Kevin ignored the alerts. Dave broke the deploy. Maria "
                                    "pushed a bad config that took down search. Tom deleted the "
                                    "production bucket.")));
    told = platform.sent(notice_kind::tell);
    REQUIRE(told.size() == 2);
    CHECK_THAT(told[1].notice.text, Catch::Contains("… and 1 more sentence"));
  }
}

TEST_CASE_METHOD(flows_fixture, "postmortem.review_replies: off leaves blameful answers unanswered",
                 "[unit][flows][postmortem][wording]") {
  options.review_replies = false;
  command("open checkout down");
  command("close");
  run_postmortem_jobs(*this);
  const auto inc = store.find_latest_incident(channel);
  const auto asked = store.questions(inc->id);
  REQUIRE(is_done(handle(thread_reply_event{channel, *asked[0].message_ref, "C1/r1", "U-ann",
                                            clock.now(), "Kevin ignored the alerts."})));
  CHECK(platform.sent(notice_kind::tell).empty());
  CHECK(store.answers(inc->id).size() == 1);
}

TEST_CASE_METHOD(flows_fixture, "the reminder says how else to answer, on this platform",
                 "[unit][flows][postmortem]") {
  command("open checkout down");
  command("close");
  run_postmortem_jobs(*this);  // the questions
  clock.advance(options.remind_after + 1s);
  run_postmortem_jobs(*this);
  const auto reminder = std::find_if(platform.posted.begin(), platform.posted.end(),
                                     [](const auto& p) { return p.key.starts_with("remind "); });
  REQUIRE(reminder != platform.posted.end());
  CHECK_THAT(reminder->content.text, Catch::Contains("threads above. The draft follows"));
  CHECK_THAT(reminder->content.text, !Catch::Contains("form"));
}
