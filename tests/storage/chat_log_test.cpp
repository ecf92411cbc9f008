// The playground's chat on both stores (tests/storage/store_fixture.hpp).
#include "tests/storage/store_fixture.hpp"
#include "tests/support/catch_result.hpp"

#include <catch2/catch.hpp>

using namespace scribe;
using namespace scribe::bot;
using namespace std::chrono_literals;

namespace {

const timestamp t0 = from_unix_micros(1'795'255'200'000'000);

new_chat_message said(std::string channel, std::string text,
                      std::optional<std::int64_t> thread = std::nullopt) {
  return {std::move(channel), thread, person{"ann", "ann"}, false, "", chat_format::text,
          std::move(text),    t0,     std::nullopt};
}

}  // namespace

STORE_TEST_CASE("chat messages come back per channel, newest last, with their reactions",
                "[integration][storage]") {
  auto& store = db.store();
  const auto first = store.post(said("general", "disk is full"));
  REQUIRE(first);
  REQUIRE(store.post(said("other", "elsewhere")));
  const auto reply = store.post(said("general", "I see it too", first->id));
  REQUIRE(reply);
  CHECK(reply->thread_id == first->id);

  CHECK(store.add_reaction(first->id, "\U0001F4CC", "ann"));
  CHECK_FALSE(store.add_reaction(first->id, "\U0001F4CC", "ann"));  // once per person
  CHECK(store.add_reaction(first->id, "\U0001F4CC", "bob"));

  const auto messages = store.recent_messages("general", 10);
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].text == "disk is full");
  CHECK(messages[0].reactions ==
        std::vector<chat_reaction>{{"\U0001F4CC", "ann"}, {"\U0001F4CC", "bob"}});
  CHECK(messages[1].thread_id == first->id);
  CHECK(store.recent_messages("general", 1).front().text == "I see it too");

  CHECK(store.remove_reaction(first->id, "\U0001F4CC", "ann"));
  CHECK_FALSE(store.remove_reaction(first->id, "\U0001F4CC", "ann"));
  CHECK(store.find_message(first->id)->reactions ==
        std::vector<chat_reaction>{{"\U0001F4CC", "bob"}});
  CHECK_FALSE(store.find_message(999));
}

STORE_TEST_CASE("threads are one level deep and stay in their channel", "[integration][storage]") {
  auto& store = db.store();
  const auto root = store.post(said("general", "root"));
  REQUIRE(root);
  const auto reply = store.post(said("general", "reply", root->id));
  REQUIRE(reply);
  CHECK(store.post(said("general", "nested", reply->id)).error() == errc::entry_not_found);
  CHECK(store.post(said("other", "across", root->id)).error() == errc::entry_not_found);
  CHECK(store.post(said("general", "nowhere", 12345)).error() == errc::entry_not_found);
}

STORE_TEST_CASE("a bot's post is stored once per key, also after reopening",
                "[integration][storage]") {
  auto question = said("general", "What went well?");
  question.from_bot = true;
  question.post_key = "playground.postmortem:ask 7#2";
  std::int64_t id = 0;
  {
    auto store = db.open();
    const auto posted = store->post(question);
    REQUIRE(posted);
    id = posted->id;
    CHECK(store->post(question)->id == id);
  }
  auto reopened_store = db.open();
  auto& reopened = *reopened_store;
  question.text = "changed";
  const auto again = reopened.post(question);
  REQUIRE(again);
  CHECK(again->id == id);
  CHECK(again->text == "What went well?");
  CHECK(again->from_bot);
  CHECK(reopened.recent_messages("general", 10).size() == 1);
}
