// The playground's channel through the real desks on a real SQLite file: commands, flags,
// mentions, the postmortem's questions and answers, and the draft.
#include "adapters/playground/playground_channel.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/fake_platform.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace scribe;
using namespace scribe::bot;
using namespace std::chrono_literals;
using scribe::playground::playground_channel;

namespace {

struct fixture {
  test_support::temp_dir dir;
  test_support::manual_clock clock;
  storage::sqlite_store store{dir / "scribe.db"};
  config::postmortem_options options = [] {
    config::postmortem_options o;
    o.questions = {{"impact", "Who was hurt?"}, {"actions", "What will we change?"}};
    return o;
  }();
  incident_desk desk{store, store, clock, options};
  postmortem_desk postmortems{store, store, clock, options};
  test_support::inline_store executor;
  playground_channel channel{desk, postmortems, store, executor, clock, [] {}};
  const person ann{"ann", "ann"};
  const person bob{"bob", "bob"};

  chat_message say(const person& who, std::string_view text,
                   std::optional<std::int64_t> thread = std::nullopt) {
    clock.advance(1s);
    auto said = test_support::run(channel.say(who, std::string(text), thread));
    REQUIRE(said);
    return *said;
  }
  bot::result<bot::chat_message> try_say(const person& who, std::string text,
                                         std::optional<std::int64_t> thread = std::nullopt) {
    return test_support::run(channel.say(who, std::move(text), thread));
  }
  bot::result<void> pin(std::int64_t message_id, const person& who) {
    return test_support::run(channel.toggle_flag(message_id, who));
  }

  chat_message last() { return channel.recent(1).front(); }

  std::vector<std::string> timeline_texts() {
    auto inc = store.find_latest_incident(playground::channel());
    REQUIRE(inc);
    std::vector<std::string> texts;
    for (const auto& e : store.timeline(inc->id)) texts.push_back(e.text);
    return texts;
  }

  // Runs every due postmortem job of the playground's queue, as its worker would.
  void run_jobs() {
    while (auto job = store.claim("playground.postmortem", clock.now(), 1min)) {
      REQUIRE(test_support::run(channel.run_postmortem(*job)).what == job_outcome::kind::done);
      store.complete(job->id, clock.now());
    }
  }
};

bool has(const chat_message& m, const std::string& emoji, const std::string& by) {
  return std::find(m.reactions.begin(), m.reactions.end(), chat_reaction{emoji, by}) !=
         m.reactions.end();
}

}  // namespace

TEST_CASE("playground: commands are answered, privately when only the asker needs it",
          "[integration][playground]") {
  fixture f;
  f.say(f.ann, "/incident help");
  const auto help = f.last();
  CHECK(help.from_bot);
  CHECK(help.visible_to == "ann");
  CHECK(help.text.find("/incident open") != std::string::npos);

  const auto opened = f.say(f.ann, "/incident open Checkout is <b>down</b>");
  const auto announcement = f.last();
  CHECK(announcement.from_bot);
  CHECK(announcement.visible_to.empty());
  CHECK(announcement.text.find("INC-1") != std::string::npos);
  const auto inc = f.store.find_open_incident(playground::channel());
  REQUIRE(inc);
  CHECK(inc->title == "Checkout is <b>down</b>");
  CHECK(inc->opened_by == f.ann);
  CHECK(inc->opened_at == opened.posted_at);

  f.say(f.bob, "/incident note rolled back the deploy");
  CHECK(f.timeline_texts().back() == "rolled back the deploy");
  CHECK(f.try_say(f.ann, "  \n ", std::nullopt).error() == errc::invalid_argument);
  CHECK(f.try_say(f.ann, std::string(playground::max_text_bytes + 1, 'x'), std::nullopt).error() ==
        errc::invalid_argument);
  // "/incidents" is an ordinary message.
  const auto plain = f.say(f.ann, "/incidents are fun");
  CHECK_FALSE(f.last().from_bot);
  CHECK(f.last().id == plain.id);
}

TEST_CASE("playground: a pin flags the message as written, a second pin takes it back",
          "[integration][playground]") {
  fixture f;
  const auto early = f.say(f.bob, "errors since 10:02");
  REQUIRE(f.pin(early.id, f.ann));
  CHECK(f.last().visible_to == "ann");  // no open incident: told, privately
  CHECK(f.last().text.find("No incident was open") != std::string::npos);

  f.say(f.ann, "/incident open checkout down");
  const auto announcement = f.last();
  const auto message = f.say(f.bob, "db pool exhausted");
  f.clock.advance(5min);  // flagged later: the entry keeps the time it was written
  REQUIRE(f.pin(message.id, f.ann));
  REQUIRE(f.pin(message.id, f.bob));
  const auto inc = f.store.find_open_incident(playground::channel());
  const auto entries = f.store.timeline(inc->id);
  REQUIRE(entries.size() == 2);
  CHECK(entries[1].text == "db pool exhausted");
  CHECK(entries[1].author == f.bob);
  CHECK(entries[1].occurred_at == message.posted_at);
  CHECK(entries[1].source == entry_source::reaction);
  CHECK(entries[1].link == "/playground#m" + std::to_string(message.id));
  auto flagged = *f.store.find_message(message.id);
  CHECK(has(flagged, playground::flag_emoji, "ann"));
  CHECK(has(flagged, playground::flag_emoji, "bob"));
  CHECK(has(flagged, playground::recorded_emoji, "scribe"));

  REQUIRE(f.pin(message.id, f.ann));  // bob's flag keeps it
  CHECK(f.store.timeline_size(inc->id) == 2);
  REQUIRE(f.pin(message.id, f.bob));
  CHECK(f.store.timeline_size(inc->id) == 1);
  flagged = *f.store.find_message(message.id);
  CHECK(flagged.reactions.empty());

  REQUIRE(announcement.from_bot);
  CHECK(f.pin(announcement.id, f.ann).error() == errc::entry_not_found);
  CHECK(f.pin(9999, f.ann).error() == errc::entry_not_found);
}

TEST_CASE("playground: mentioning @scribe flags the message once", "[integration][playground]") {
  fixture f;
  f.say(f.ann, "/incident open checkout down");
  const auto mention = f.say(f.bob, "@Scribe the cache hit rate fell to 3%");
  f.say(f.bob, "mail me at ops@scribes.example");  // not a mention
  CHECK(f.timeline_texts() == std::vector<std::string>{"Incident opened: checkout down",
                                                       "@Scribe the cache hit rate fell to 3%"});
  REQUIRE(f.pin(mention.id, f.ann));  // flagged again: still one entry
  CHECK(f.timeline_texts().size() == 2);
}

TEST_CASE("playground: closing asks the questions, thread replies answer, the draft follows",
          "[integration][playground]") {
  fixture f;
  f.say(f.ann, "/incident open checkout down");
  f.say(f.ann, "/incident close rolled back");
  f.run_jobs();
  auto messages = f.channel.recent(50);
  auto question = [&](std::string_view id) {
    const auto found = std::find_if(messages.begin(), messages.end(), [&](const chat_message& m) {
      return m.from_bot &&
             m.text.find(std::string("· ") + std::string(id) + "\n") != std::string::npos;
    });
    REQUIRE(found != messages.end());
    return *found;
  };
  const auto impact = question("impact");
  const auto actions = question("actions");
  f.run_jobs();  // running the ask job's key again posts nothing twice
  CHECK(f.channel.recent(50).size() == messages.size());

  const auto answer = f.say(f.bob, "Checkout failed for 20 minutes", impact.id);
  CHECK(has(*f.store.find_message(answer.id), playground::recorded_emoji, "scribe"));
  f.say(f.ann, "Alert on pool saturation @bob by 2026-12-01", actions.id);
  f.run_jobs();  // the last question's first answer makes the draft due

  const auto draft = f.last();
  CHECK(draft.from_bot);
  CHECK(draft.format == chat_format::markdown);
  CHECK(draft.text.find("Checkout failed for 20 minutes") != std::string::npos);
  CHECK(draft.text.find("@bob") != std::string::npos);
  const auto inc = f.store.find_latest_incident(playground::channel());
  CHECK(f.store.latest_draft(inc->id)->version == 1);
  const auto answers = f.store.answers(inc->id);
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].author == f.bob);

  // A reply in an ordinary thread is no answer.
  const auto root = f.say(f.ann, "thanks all");
  const auto reply = f.say(f.bob, "you too", root.id);
  CHECK(f.store.find_message(reply.id)->reactions.empty());
  CHECK(f.channel.thread_root(root.id));
  CHECK_FALSE(f.channel.thread_root(reply.id));  // threads are one level deep
  CHECK_FALSE(f.channel.thread_root(12345));
  CHECK(f.store.answers(inc->id).size() == 2);
}

TEST_CASE("playground: a pin after the close, on a message of the incident, joins its timeline",
          "[integration][playground][flag-rule]") {
  fixture f;
  f.say(f.ann, "/incident open checkout down");
  const auto during = f.say(f.bob, "db pool exhausted");
  f.say(f.ann, "/incident close");
  const auto after = f.say(f.bob, "all good now");
  f.clock.advance(10min);  // flagged late, during the postmortem
  REQUIRE(f.pin(during.id, f.ann));
  const auto texts = f.timeline_texts();
  CHECK(std::find(texts.begin(), texts.end(), "db pool exhausted") != texts.end());
  CHECK(has(*f.store.find_message(during.id), playground::recorded_emoji, "scribe"));
  // Written after the close, flagged with no incident open: told privately, nothing recorded.
  REQUIRE(f.pin(after.id, f.ann));
  CHECK(f.last().visible_to == "ann");
  CHECK(f.last().text.find("No incident was open") != std::string::npos);
  CHECK(f.timeline_texts().size() == texts.size());
}
