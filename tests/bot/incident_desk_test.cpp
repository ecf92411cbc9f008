// The incident life cycle through the desk, on the real SQLite store in a temporary file.
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

struct desk_fixture {
  test_support::temp_dir dir;
  storage::sqlite_store store{dir / "scribe.db"};
  test_support::manual_clock clock;
  config::postmortem_options postmortem;
  incident_desk desk{store, store, clock, postmortem};
  channel_ref channel{"slack", "T1", "C-checkout"};
  person alice{"U-alice", "alice"};
  person bob{"U-bob", "bob"};

  bot_reply run(std::string text, const person& who, const channel_ref& where) {
    return desk.run_command({where, who, std::move(text), "/incident", {}, {}});
  }
  bot_reply run(std::string text, const person& who) { return run(std::move(text), who, channel); }
  bot_reply run(std::string text) { return run(std::move(text), alice); }

  // A flag made now, in `where`, of a message whose time is only known once it is fetched.
  flag_request flag_by(const person& who, const std::string& ref, const channel_ref& where) {
    return {where, ref, who, clock.now(), std::nullopt};
  }
  result<recorded_entry> flag(const flagged_message& msg, const person& who,
                              const channel_ref& where) {
    return desk.flag_message(flag_by(who, msg.message_ref, where), msg);
  }
  result<recorded_entry> flag(const flagged_message& msg, const person& who) {
    return flag(msg, who, channel);
  }
};

}  // namespace

TEST_CASE_METHOD(desk_fixture, "a whole incident from open to close", "[unit][desk]") {
  auto opened = run("open Checkout returns 502");
  CHECK(opened.visibility == reply_visibility::channel);
  CHECK_THAT(opened.text, Catch::StartsWith("INC-1 opened by alice: Checkout returns 502"));
  const timestamp opened_at = clock.now();

  clock.advance(4min);
  auto noted = run("note error rate 40% on eu-west", bob);
  CHECK(noted.visibility == reply_visibility::author);
  CHECK(noted.text == "Noted in INC-1 at 10:04 UTC.");

  clock.advance(1min);
  auto sev = run("sev 1");
  CHECK(sev.visibility == reply_visibility::channel);
  CHECK_THAT(sev.text, Catch::Contains("Severity set to SEV1 (was no severity)"));

  clock.advance(67min);
  auto status = run("status", bob);
  CHECK_THAT(status.text, Catch::StartsWith("INC-1 · Checkout returns 502 · SEV1 · open"));
  CHECK_THAT(status.text, Catch::Contains("1h 12m ago"));
  CHECK_THAT(status.text, Catch::Contains("3 timeline entries"));

  auto closed = run("close rolled back deploy 4812");
  CHECK(closed.visibility == reply_visibility::channel);
  // The facts only: the postmortem's introduction, posted next, explains the review.
  CHECK(closed.text == "INC-1 closed by alice after 1h 12m: Checkout returns 502");

  auto inc = store.find_incident(1);
  REQUIRE(inc);
  CHECK(inc->status == incident_status::closed);
  CHECK(inc->severity == 1);
  CHECK(inc->summary == "rolled back deploy 4812");
  CHECK(inc->opened_by == alice);
  CHECK(inc->closed_by == alice);
  CHECK(inc->opened_at == opened_at);
  CHECK(inc->closed_at == clock.now());

  const auto entries = store.timeline(inc->id);
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].source == entry_source::system);
  CHECK(entries[0].text == "Incident opened: Checkout returns 502");
  CHECK(entries[1].source == entry_source::command);
  CHECK(entries[1].author == bob);
  CHECK(entries[1].text == "error rate 40% on eu-west");
  CHECK(entries[2].text == "Severity set to SEV1 (was no severity)");
  CHECK(entries[3].text == "Incident closed: rolled back deploy 4812");
  CHECK(entries[3].source == entry_source::system);

  CHECK_THAT(run("status").text, Catch::Contains("no open incident"));
  CHECK(store.find_open_incident(channel) == std::nullopt);
}

TEST_CASE_METHOD(desk_fixture, "one open incident per channel", "[unit][desk]") {
  run("open first");
  auto second = run("open second", bob);
  CHECK(second.visibility == reply_visibility::author);
  CHECK_THAT(second.text, Catch::Contains("INC-1 (first) is already open"));
  CHECK_THAT(second.text, Catch::Contains("/incident close"));

  SECTION("another channel of the same workspace gets its own, numbered on") {
    auto other = run("open elsewhere", alice, {"slack", "T1", "C-db"});
    CHECK_THAT(other.text, Catch::StartsWith("INC-2 opened"));
  }
  SECTION("another workspace counts from one") {
    auto other = run("open elsewhere", alice, {"slack", "T2", "C-checkout"});
    CHECK_THAT(other.text, Catch::StartsWith("INC-1 opened"));
  }
  SECTION("after closing, the channel can open the next one") {
    run("close");
    CHECK_THAT(run("open third").text, Catch::StartsWith("INC-2 opened"));
  }
}

TEST_CASE_METHOD(desk_fixture, "commands that need an open incident say so", "[unit][desk]") {
  for (auto text : {"note x", "sev 2", "status", "timeline", "close"}) {
    INFO(text);
    auto reply = run(text);
    CHECK(reply.visibility == reply_visibility::author);
    CHECK_THAT(reply.text, Catch::Contains("no open incident in this channel"));
    CHECK_THAT(reply.text, Catch::Contains("/incident open <title>"));
  }
}

TEST_CASE_METHOD(desk_fixture, "a channel's commands never touch another channel's incident",
                 "[unit][desk]") {
  run("open checkout down");
  const channel_ref other{"slack", "T1", "C-random"};
  CHECK_THAT(run("note wrong room", bob, other).text, Catch::Contains("no open incident"));
  CHECK(store.timeline_size(1) == 1);
}

TEST_CASE_METHOD(desk_fixture, "setting the same severity twice records it once", "[unit][desk]") {
  run("open x");
  run("sev 3");
  auto again = run("sev sev3");
  CHECK(again.text == "INC-1 is already SEV3.");
  run("sev 2");
  const auto entries = store.timeline(1);
  REQUIRE(entries.size() == 3);
  CHECK(entries[2].text == "Severity set to SEV2 (was SEV3)");
}

TEST_CASE_METHOD(desk_fixture, "bad input gets a reply and changes nothing", "[unit][desk]") {
  run("open x");
  for (auto text : {"sev 9", "dance", "note", "open"}) {
    INFO(text);
    auto reply = run(text);
    CHECK(reply.visibility == reply_visibility::author);
    CHECK_FALSE(reply.text.empty());
  }
  CHECK(store.timeline_size(1) == 1);
  CHECK_THAT(run("").text, Catch::Contains("/incident open <title>"));
}

TEST_CASE_METHOD(desk_fixture, "flagged messages keep the time they were written", "[unit][desk]") {
  run("open api latency");
  clock.advance(30min);
  const timestamp written = clock.now() - 20min;  // flagged twenty minutes after it was written
  flagged_message msg{"C-checkout/1795256400.000100",
                      "https://example.slack.com/archives/C/p1",
                      bob,
                      written,
                      "p99 is 4s on /cart",
                      entry_source::reaction};
  auto first = flag(msg, alice);
  REQUIRE(first);
  CHECK(first->inserted);
  CHECK(first->entry.occurred_at == written);
  CHECK(first->entry.recorded_at == clock.now());
  CHECK(first->entry.author == bob);

  SECTION("flagging it again records nothing new") {
    clock.advance(1min);
    auto second = flag(msg, alice);
    REQUIRE(second);
    CHECK_FALSE(second->inserted);
    CHECK(second->entry.id == first->entry.id);
    CHECK(store.timeline_size(1) == 2);
  }
  SECTION("the timeline is in the order things happened, not the order they were flagged") {
    run("note added capacity", alice);  // noted now, after the message was written
    const auto entries = store.timeline(1);
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].text == "p99 is 4s on /cart");
    CHECK(entries[2].text == "added capacity");
    auto reply = run("timeline");
    CHECK_THAT(reply.text, Catch::Contains("10:10 UTC  bob  [reaction]  p99 is 4s on /cart"));
    CHECK(reply.text.find("p99 is 4s") < reply.text.find("added capacity"));
  }
  SECTION("a channel without an incident gets no_incident_for_flag") {
    auto result = flag(msg, alice, {"slack", "T1", "C-other"});
    REQUIRE_FALSE(result);
    CHECK(result.error() == errc::no_incident_for_flag);
  }
}

TEST_CASE_METHOD(desk_fixture, "a long timeline reply shows the latest entries", "[unit][desk]") {
  run("open busy");
  for (int i = 0; i < 60; ++i) {
    clock.advance(1s);
    run("note step " + std::to_string(i));
  }
  auto reply = run("timeline");
  CHECK_THAT(reply.text, Catch::Contains("(11 earlier entries not shown)"));
  CHECK_THAT(reply.text, Catch::Contains("step 59"));
  CHECK(reply.text.find("step 9\n") == std::string::npos);
}

TEST_CASE_METHOD(desk_fixture,
                 "a note carried by a chat message is stored once, at the time it was written",
                 "[unit][desk]") {
  run("open api latency");
  const timestamp written = clock.now();
  command_request note{channel,           bob,    "note p99 back to 300ms", "!incident",
                       "C-checkout/$cmd", written};
  clock.advance(3h);  // delivered late, after an outage
  CHECK(desk.run_command(note).text == "Noted in INC-1 at 10:00 UTC.");
  desk.run_command(note);  // the same message processed again after a crash
  CHECK(store.timeline_size(1) == 2);
  const auto entries = store.timeline(1);
  CHECK(entries.back().occurred_at == written);
  CHECK(entries.back().recorded_at == clock.now());
}

TEST_CASE_METHOD(desk_fixture, "flags with ids of their own are taken back by id", "[unit][desk]") {
  // Matrix: each flag is a reaction event; its redaction names only the reaction.
  const channel_ref room{"matrix", "example.org", "!room:example.org"};
  run("open api latency", alice, room);
  const std::string ref = "!room:example.org/$message";
  flagged_message msg{ref, "", bob, clock.now(), "p99 4s", entry_source::reaction};
  REQUIRE(flag(msg, {"$reaction-a", "alice"}, room)->inserted);
  REQUIRE_FALSE(flag(msg, {"$reaction-b", "carol"}, room)->inserted);

  CHECK(desk.unflag_by_id(room, "$unknown").error() == errc::entry_not_found);
  CHECK(desk.unflag_by_id(channel, "$reaction-a").error() == errc::entry_not_found);  // other room
  const auto first = desk.unflag_by_id(room, "$reaction-a");
  REQUIRE(first);
  CHECK_FALSE(first->has_value());
  const auto last = desk.unflag_by_id(room, "$reaction-b");
  REQUIRE(last);
  REQUIRE(last->has_value());
  CHECK((*last)->message_ref == ref);
  CHECK(desk.unflag_by_id(room, "$reaction-b").error() == errc::entry_not_found);
}

TEST_CASE_METHOD(desk_fixture, "a flag lasts until the last person takes theirs back",
                 "[unit][desk]") {
  run("open api latency");
  const std::string ref = "C-checkout/1795255300.000200";
  flagged_message msg{ref, "", bob, clock.now(), "p99 4s", entry_source::reaction};
  REQUIRE(flag(msg, alice)->inserted);
  REQUIRE_FALSE(flag(msg, bob)->inserted);  // a second flagger
  CHECK(store.timeline_size(1) == 2);

  auto first = desk.unflag_message(channel, ref, alice);
  REQUIRE(first);
  CHECK_FALSE(first->has_value());  // bob's flag keeps it
  CHECK(store.timeline_size(1) == 2);

  auto last = desk.unflag_message(channel, ref, bob);
  REQUIRE(last);
  REQUIRE(last->has_value());
  CHECK((*last)->text == "p99 4s");
  CHECK(store.timeline_size(1) == 1);

  CHECK(desk.unflag_message(channel, ref, bob).error() == errc::entry_not_found);
  SECTION("flagging again after removal records it anew") {
    CHECK(flag(msg, bob)->inserted);
  }
}

TEST_CASE_METHOD(desk_fixture, "edits and deletions in chat reach the timeline", "[unit][desk]") {
  run("open api latency");
  const std::string ref = "C-checkout/1795255300.000300";
  REQUIRE(flag({ref, "", bob, clock.now(), "p99 4s", entry_source::reaction}, alice));
  CHECK(desk.edit_message(channel, ref, "p99 is 4 s on /cart") == 1);
  CHECK(store.timeline(1).back().text == "p99 is 4 s on /cart");

  SECTION("another channel's events never touch this incident") {
    const channel_ref other{"slack", "T1", "C-random"};
    CHECK(desk.edit_message(other, ref, "hijacked") == 0);
    CHECK(desk.delete_message(other, ref).empty());
    CHECK(desk.unflag_message(other, ref, alice).error() == errc::entry_not_found);
    CHECK(store.timeline(1).back().text == "p99 is 4 s on /cart");
  }
  SECTION("a deleted message leaves the timeline") {
    auto removed = desk.delete_message(channel, ref);
    REQUIRE(removed.size() == 1);
    CHECK(removed[0].text == "p99 is 4 s on /cart");
    CHECK(store.timeline_size(1) == 1);
    CHECK(desk.edit_message(channel, ref, "too late") == 0);
  }
  SECTION("a message that was never flagged changes nothing") {
    CHECK(desk.edit_message(channel, "C-checkout/1.000001", "x") == 0);
    CHECK(desk.delete_message(channel, "C-checkout/1.000001").empty());
  }
}

TEST_CASE_METHOD(desk_fixture, "flagging a recorded message again only adds the flagger",
                 "[unit][desk]") {
  const std::string ref = "C-checkout/1795255300.000400";
  // Before any incident: without the message's time the flag may still belong to one.
  CHECK_FALSE(*desk.flag_again(flag_by(bob, ref, channel)));
  flag_request known = flag_by(bob, ref, channel);
  known.written_at = clock.now();
  CHECK(desk.flag_again(known).error() == errc::no_incident_for_flag);
  run("open api latency");
  CHECK_FALSE(*desk.flag_again(flag_by(bob, ref, channel)));  // not recorded: the caller fetches it
  const auto recorded = flag({ref, "", bob, clock.now(), "p99 4s", entry_source::reaction}, alice);
  REQUIRE(recorded);
  // The entry's id: what the adapters key the confirmation by.
  CHECK(*desk.flag_again(flag_by(bob, ref, channel)) == recorded->entry.id);
  CHECK(store.timeline_size(1) == 2);
  REQUIRE(desk.unflag_message(channel, ref, alice));
  CHECK(store.timeline_size(1) == 2);  // bob's flag, added by flag_again, keeps it
}

// The rule of bot::incident_for_flag: a flag belongs to the incident open when it was made,
// however late it is processed; else to the one its message was written in; else to none.
TEST_CASE_METHOD(desk_fixture, "a flag belongs to the incident that was open when it was made",
                 "[unit][desk][flag-rule]") {
  const timestamp start = clock.now();
  const auto at = [start](std::chrono::minutes m) { return start + m; };
  const std::string ref = "C-checkout/1795256460.000100";
  run("open api latency");  // INC-1 at +0
  const flagged_message msg{ref, "", bob, at(1min), "the queue is growing", entry_source::reaction};
  flag_request made = flag_by(alice, ref, channel);
  made.flagged_at = at(2min);  // flagged while INC-1 was open...
  clock.advance(3min);
  run("close");  // ...closed at +3, before the flag was processed (a slow Slack API, a retry)

  SECTION("processed after the close, it lands in the closed incident") {
    clock.advance(2min);
    const auto recorded = desk.flag_message(made, msg);
    REQUIRE(recorded);
    CHECK(recorded->entry.incident_id == 1);
    CHECK(recorded->entry.occurred_at == at(1min));
    CHECK(store.timeline_size(1) == 3);  // opened, the flag, closed
  }
  SECTION("processed after the next incident opened, it still lands in the first") {
    clock.advance(1min);
    run("open checkout errors");  // INC-2 at +4
    clock.advance(1min);
    const auto recorded = desk.flag_message(made, msg);
    REQUIRE(recorded);
    CHECK(recorded->entry.incident_id == 1);
    CHECK(store.timeline_size(2) == 1);  // INC-2 has only its opening
    // Flagged again by someone else, also late: the same entry, nothing in INC-2.
    flag_request again = made;
    again.by = bob;
    CHECK(*desk.flag_again(again) == recorded->entry.id);
  }
  SECTION("a flag made after the close, on a message written during the incident, joins it") {
    clock.advance(20min);  // the postmortem is under way
    made.flagged_at = clock.now();
    const auto recorded = desk.flag_message(made, msg);
    REQUIRE(recorded);
    CHECK(recorded->entry.incident_id == 1);
  }
  SECTION("a flag made while another incident is open goes to that one, whatever the message") {
    clock.advance(1min);
    run("open checkout errors");  // INC-2 at +4
    made.flagged_at = clock.now();
    const auto recorded = desk.flag_message(made, msg);
    REQUIRE(recorded);
    CHECK(recorded->entry.incident_id == 2);
    CHECK(recorded->entry.occurred_at == at(1min));  // written before INC-2: its time is kept
  }
  SECTION("a flag made outside every incident, on a message written outside, belongs nowhere") {
    clock.advance(20min);
    made.flagged_at = clock.now();
    flagged_message later = msg;
    later.written_at = at(10min);
    const auto refused = desk.flag_message(made, later);
    REQUIRE_FALSE(refused);
    CHECK(refused.error() == errc::no_incident_for_flag);
    CHECK(store.timeline_size(1) == 2);
    CHECK_THAT(no_incident_for_flag_reply("/incident"),
               Catch::Contains("`/incident open <title>`"));
  }
}

TEST_CASE_METHOD(desk_fixture, "the open window of an incident includes its opening, not its close",
                 "[unit][desk][flag-rule]") {
  const timestamp opened = clock.now();
  run("open api latency");
  clock.advance(10min);
  const timestamp closed = clock.now();
  run("close");
  const channel_ref other{"slack", "T1", "C-other"};
  CHECK(incident_for_flag(store, channel, opened, std::nullopt)->id == 1);
  CHECK(incident_for_flag(store, channel, closed - 1us, std::nullopt)->id == 1);
  CHECK_FALSE(incident_for_flag(store, channel, closed, std::nullopt));
  CHECK_FALSE(incident_for_flag(store, channel, opened - 1us, std::nullopt));
  CHECK(incident_for_flag(store, channel, closed, opened + 5min)->id == 1);  // written during it
  CHECK_FALSE(incident_for_flag(store, channel, closed, opened - 1s));
  CHECK_FALSE(incident_for_flag(store, other, opened + 1min, opened + 1min));  // another channel
}

TEST_CASE_METHOD(desk_fixture, "commands delivered late take effect at the time they were written",
                 "[unit][desk][flag-rule]") {
  // A Matrix transaction delivered after an outage: open, a note and close, all processed later.
  const timestamp written = clock.now();
  const auto command = [&](std::string text, std::chrono::minutes after) {
    return command_request{channel,
                           alice,
                           std::move(text),
                           "!incident",
                           "C-checkout/$" + std::to_string(after.count()),
                           written + after};
  };
  clock.advance(1h);
  desk.run_command(command("open api latency", 0min));
  CHECK(store.find_incident(1)->opened_at == written);
  desk.run_command(command("close", 5min));
  CHECK(store.find_incident(1)->closed_at == written + 5min);
  run("open checkout errors");  // INC-2, typed now
  // A note written during INC-1 and processed only now goes to INC-1, not to INC-2.
  CHECK(desk.run_command(command("note p99 back to 300ms", 2min)).text ==
        "Noted in INC-1 at 10:02 UTC.");
  CHECK(store.timeline_size(2) == 1);
  // One written while no incident was open goes to the open one, as a note always did.
  CHECK(desk.run_command(command("note a late thought", 30min)).text ==
        "Noted in INC-2 at 10:30 UTC.");
}
