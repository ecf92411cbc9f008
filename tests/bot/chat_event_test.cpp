// The inbox's and the outbox's forms of chat events and notices: what is written is read back
// the same, and nothing else is read (another version, a missing field, a raw platform body).
#include "bot/chat_event.hpp"

#include <catch2/catch.hpp>

using namespace scribe::bot;

namespace {

const channel_ref room{"matrix", "example.org", "!r:example.org"};
const timestamp t0 = from_unix_micros(1'795'255'200'123'456);

template <class T>
T round_trip(const T& event) {
  const auto decoded = decode_chat_event(encode_chat_event(event));
  REQUIRE(decoded);
  REQUIRE(std::holds_alternative<T>(*decoded));
  return std::get<T>(*decoded);
}

}  // namespace

TEST_CASE("every chat event is read back as it was written", "[unit][events]") {
  flag_event flag{room,
                  "!r:example.org/$m",
                  "@bob:example.org",
                  "$reaction",
                  t0,
                  t0 - std::chrono::minutes(3),
                  entry_source::mention,
                  carried_message{"@carol:x", true, "héllo \"quoted\"\n💳"},
                  "!r:example.org/$root",
                  "https://hooks.slack.com/x"};
  const auto f = round_trip(flag);
  CHECK(f.channel == room);
  CHECK(f.message_ref == flag.message_ref);
  CHECK(f.person_id == "@bob:example.org");
  CHECK(f.flag_id == "$reaction");
  CHECK(f.flagged_at == t0);
  CHECK(f.written_at == flag.written_at);
  CHECK(f.source == entry_source::mention);
  REQUIRE(f.message);
  CHECK(f.message->author_id == "@carol:x");
  CHECK(f.message->from_bot);
  CHECK(f.message->text == "héllo \"quoted\"\n💳");
  CHECK(f.thread_ref == flag.thread_ref);
  CHECK(f.route == flag.route);
  flag.written_at.reset();
  flag.message.reset();
  const auto bare = round_trip(flag);
  CHECK_FALSE(bare.written_at);
  CHECK_FALSE(bare.message);

  CHECK(round_trip(unflag_event{room, "r/1", "U1"}).person_id == "U1");
  const auto edit = round_trip(message_edited_event{room, "r/1", "new text", std::string("@a:x")});
  CHECK(edit.text == "new text");
  CHECK(edit.editor == "@a:x");
  CHECK_FALSE(round_trip(message_edited_event{room, "r/1", "t", std::nullopt}).editor);
  CHECK(round_trip(message_deleted_event{room, "r/1", std::string("$r")}).flag_id == "$r");
  CHECK_FALSE(round_trip(message_deleted_event{room, "r/1", std::nullopt}).flag_id);
  const auto reply = round_trip(thread_reply_event{room, "r/q", "r/a", "U2", t0, "an answer"});
  CHECK((reply.thread_ref == "r/q" && reply.reply_ref == "r/a" && reply.author_id == "U2" &&
         reply.written_at == t0 && reply.text == "an answer"));
  const auto command = round_trip(command_event{room, "U3", "open db down", "r/c", t0});
  CHECK(
      (command.text == "open db down" && command.message_ref == "r/c" && command.written_at == t0));
  CHECK(round_trip(invited_event{room, "@ann:x"}).inviter_id == "@ann:x");
}

TEST_CASE("notices are read back as they were written", "[unit][events]") {
  const chat_notice notice{
      chat_notice::kind::tell,  room, "r/1", "@bob:x", "No incident was open", "r/root",
      "https://hooks.example/1"};
  const auto decoded = decode_chat_notice(encode_chat_notice(notice));
  REQUIRE(decoded);
  CHECK(decoded->what == chat_notice::kind::tell);
  CHECK(decoded->channel == room);
  CHECK(decoded->message_ref == "r/1");
  CHECK(decoded->person_id == "@bob:x");
  CHECK(decoded->text == "No incident was open");
  CHECK(decoded->thread_ref == "r/root");
  CHECK(decoded->route == "https://hooks.example/1");
  for (auto k :
       {chat_notice::kind::confirm, chat_notice::kind::withdraw, chat_notice::kind::reply}) {
    chat_notice other = notice;
    other.what = k;
    CHECK(decode_chat_notice(encode_chat_notice(other))->what == k);
  }
}

TEST_CASE("only what the encoders wrote is read", "[unit][events]") {
  const std::string good = encode_chat_event(unflag_event{room, "r/1", "U1"});
  REQUIRE(decode_chat_event(good));
  std::string later = good;
  later.replace(later.find("\"v\":1"), 5, "\"v\":2");
  for (const std::string& bad :
       {std::string(""), std::string("event\n{\"type\":\"event_callback\"}"),
        std::string("{\"method\":\"reactions.add\",\"params\":{}}"), later,
        std::string("{\"v\":1,\"t\":\"unflag\"}"),
        std::string("{\"v\":1,\"t\":\"nonsense\",\"channel\":[\"a\",\"b\",\"c\"]}"),
        std::string(
            "{\"v\":1,\"t\":\"unflag\",\"channel\":[\"a\",\"b\"],\"ref\":\"r\",\"person\":\"p\"}"),
        std::string("{\"v\":1,\"t\":\"unflag\",\"channel\":[\"a\",\"b\",\"c\"],\"ref\":7,"
                    "\"person\":\"p\"}"),
        std::string("[1,2]")}) {
    INFO(bad);
    CHECK_FALSE(decode_chat_event(bad));
    CHECK_FALSE(decode_chat_notice(bad));
  }
  CHECK_FALSE(decode_chat_notice(good));  // an event is not a notice
}
