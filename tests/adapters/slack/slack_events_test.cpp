// What Slack's deliveries mean for Scribe: every Events API shape of tests/fixtures/slack (and
// variations of them) and the message shortcut, as the typed chat event the inbox stores, or
// nothing; and the inbox jobs an earlier Scribe stored as Slack sent them. Follows PROTOCOLS.md 3
// (Events API: message subtypes, reaction_added, app_mention) and 4 (the message shortcut), through
// the fixtures (tests/fixtures/slack/README.md names each one's source).

#include "adapters/slack/slack_events.hpp"
#include "adapters/slack/slack_platform.hpp"
#include "tests/adapters/slack/fixture.hpp"
#include "tests/support/catch_result.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace scribe::slack {
namespace {

using json = nlohmann::json;
using test_support::form_encode;
using test_support::read_fixture;

// When Slack's request arrived, for flags whose event carries no time of its own.
const bot::timestamp received_at = bot::from_unix_micros(1'795'255'200'000'000);

json fixture_json(std::string_view name) {
  return json::parse(read_fixture(name));
}

// The event the envelope `body` delivers, as the webhook would take it.
std::optional<bot::chat_event> event_of(const json& body,
                                        const config::slack_options& options = {}) {
  const auto envelope = parse_event_envelope(body.dump());
  REQUIRE(envelope);
  return chat_event_of(*envelope, options, received_at);
}

template <class T>
T event_as(const json& body, const config::slack_options& options = {}) {
  const auto event = event_of(body, options);
  REQUIRE(event);
  REQUIRE(std::holds_alternative<T>(*event));
  return std::get<T>(*event);
}

// The fixture's 👍 made into a 📌 (or `reaction`), added or removed.
json reaction(std::string_view reaction = "pushpin", bool added = true) {
  json body = fixture_json("event_reaction_added.json");
  body["event"]["reaction"] = reaction;
  if (!added) body["event"]["type"] = "reaction_removed";
  return body;
}

json mention(std::string_view text) {
  json body = fixture_json("event_app_mention.json");
  body["event"]["text"] = text;
  return body;
}

// The message shortcut's interaction as Slack posts it: a form with a JSON `payload`.
std::string shortcut_form(const json& payload) {
  return "payload=" + form_encode(payload.dump());
}

message_shortcut shortcut_of(const json& payload) {
  const auto form = http::parse_form(shortcut_form(payload));
  REQUIRE(form.has_value());
  const auto parsed = parse_interaction(*form);
  REQUIRE(parsed.has_value());
  REQUIRE(std::holds_alternative<message_shortcut>(*parsed));
  return std::get<message_shortcut>(*parsed);
}

bot::timestamp ts(std::string_view slack_ts) {
  const auto parsed = parse_message_ts(slack_ts);
  REQUIRE(parsed.has_value());
  return *parsed;
}

bot::job legacy_job(std::string payload) {
  bot::job job;
  job.id = 7;
  job.queue = std::string(inbox_queue);
  job.key = "Ev-legacy";
  job.payload = std::move(payload);
  job.attempts = 1;
  job.created_at = bot::from_unix_micros(1'700'000'000'000'000);
  return job;
}

}  // namespace

TEST_CASE("a pushpin added to a message is a flag made when the reaction was",
          "[unit][slack][events]") {
  const auto flag = event_as<bot::flag_event>(reaction());
  CHECK(flag.channel == bot::channel_ref{"slack", "TXXXXXXXX", "C0G9QF9GZ"});
  CHECK(flag.message_ref == "C0G9QF9GZ/1360782400.498405");
  CHECK(flag.person_id == "U024BE7LH");
  // Slack flags have no id of their own: taking one back names the person.
  CHECK(flag.flag_id == "U024BE7LH");
  CHECK(flag.flagged_at == bot::from_unix_micros(1'360'782'804'083'113));
  CHECK(flag.written_at == bot::from_unix_micros(1'360'782'400'498'405));
  CHECK(flag.source == bot::entry_source::reaction);
  CHECK_FALSE(flag.message);  // the workflow reads it
  CHECK(flag.thread_ref.empty());
  CHECK(flag.route.empty());

  SECTION("a reaction without a usable event_ts was made when Slack's request arrived") {
    json body = reaction();
    body["event"].erase("event_ts");
    CHECK(event_as<bot::flag_event>(body).flagged_at == received_at);
    body["event"]["event_ts"] = "yesterday";
    CHECK(event_as<bot::flag_event>(body).flagged_at == received_at);
  }
}

TEST_CASE("the pushpin taken away is an unflag by that person", "[unit][slack][events]") {
  const auto unflag = event_as<bot::unflag_event>(reaction("pushpin", false));
  CHECK(unflag.channel == bot::channel_ref{"slack", "TXXXXXXXX", "C0G9QF9GZ"});
  CHECK(unflag.message_ref == "C0G9QF9GZ/1360782400.498405");
  CHECK(unflag.person_id == "U024BE7LH");
}

TEST_CASE("only the configured reaction flags, whatever its skin tone", "[unit][slack][events]") {
  CHECK_FALSE(event_of(fixture_json("event_reaction_added.json")));  // 👍
  CHECK_FALSE(event_of(reaction("round_pushpin")));
  CHECK_FALSE(event_of(reaction("pushpin_extra")));
  CHECK_FALSE(event_of(reaction("thumbsup", false)));
  CHECK(event_as<bot::flag_event>(reaction("pushpin::skin-tone-3")).person_id == "U024BE7LH");
  CHECK(event_as<bot::unflag_event>(reaction("pushpin::skin-tone-6", false)).person_id ==
        "U024BE7LH");

  config::slack_options bookmark;
  bookmark.flag_reaction = "bookmark";
  CHECK_FALSE(event_of(reaction(), bookmark));
  CHECK(event_as<bot::flag_event>(reaction("bookmark"), bookmark).message_ref ==
        "C0G9QF9GZ/1360782400.498405");

  SECTION("reactions to files are not flags, not even a pushpin") {
    json file = fixture_json("event_reaction_removed_file.json");
    CHECK_FALSE(event_of(file));
    file["event"]["reaction"] = "pushpin";
    CHECK_FALSE(event_of(file));
    file["event"]["type"] = "reaction_added";
    CHECK_FALSE(event_of(file));
  }
}

TEST_CASE("a mention of Scribe flags its own message, carried without the mention",
          "[unit][slack][events]") {
  const auto flag =
      event_as<bot::flag_event>(mention("<@U111>  db-2 failover &amp; <@U333> on it"));
  CHECK(flag.channel == bot::channel_ref{"slack", "T111", "C111"});
  CHECK(flag.message_ref == "C111/1610241741.000200");
  CHECK(flag.person_id == "U222");
  CHECK(flag.flag_id == "U222");
  // Made when it was written, however late Slack delivers it.
  CHECK(flag.flagged_at == ts("1610241741.000200"));
  CHECK(flag.written_at == ts("1610241741.000200"));
  CHECK(flag.source == bot::entry_source::mention);
  REQUIRE(flag.message);
  CHECK(flag.message->author_id == "U222");
  CHECK_FALSE(flag.message->from_bot);
  // Still Slack's text: the platform makes it readable later.
  CHECK(flag.message->text == "db-2 failover &amp; <@U333> on it");
  CHECK(flag.thread_ref.empty());
  CHECK(flag.route.empty());

  SECTION("the fixture's bare mention carries an empty message") {
    const auto bare = event_as<bot::flag_event>(fixture_json("event_app_mention.json"));
    REQUIRE(bare.message);
    CHECK(bare.message->text.empty());
  }
  SECTION("a mention in a thread names its thread, for private answers") {
    json body = mention("<@U111> rollback done");
    body["event"]["thread_ts"] = "1610241700.000100";
    CHECK(event_as<bot::flag_event>(body).thread_ref == "C111/1610241700.000100");
  }
  SECTION("only a leading mention is taken off") {
    const auto later = event_as<bot::flag_event>(mention("rollback done, <@U111>"));
    CHECK(later.message->text == "rollback done, <@U111>");
  }
}

TEST_CASE("a bot's mention of Scribe is nothing", "[unit][slack][events]") {
  json body = mention("<@U111> Incident #12 opened");
  body["event"]["bot_id"] = "B19LU7CSY";
  CHECK_FALSE(event_of(body));
  body["event"].erase("user");
  CHECK_FALSE(event_of(body));
}

TEST_CASE("a reply in a thread is a thread reply, unless a bot wrote it", "[unit][slack][events]") {
  const json body = fixture_json("event_message_thread_reply.json");
  const auto reply = event_as<bot::thread_reply_event>(body);
  CHECK(reply.channel == bot::channel_ref{"slack", "T111", "C111"});
  CHECK(reply.thread_ref == "C111/1610241741.000200");
  CHECK(reply.reply_ref == "C111/1610241760.000300");
  CHECK(reply.author_id == "U222");
  CHECK(reply.written_at == ts("1610241760.000300"));
  CHECK(reply.text == "The cache warmed up again once the CDN rule was rolled back.");

  SECTION("a reply also sent to the channel is still a reply") {
    json broadcast = body;
    broadcast["event"]["subtype"] = "thread_broadcast";
    CHECK(event_as<bot::thread_reply_event>(broadcast).reply_ref == "C111/1610241760.000300");
  }
  SECTION("a bot's reply, Scribe's own included, is never an answer") {
    json bot_reply = body;
    bot_reply["event"]["bot_id"] = "B19LU7CSY";
    CHECK_FALSE(event_of(bot_reply));
  }
  SECTION("a reply whose ts is not Slack's is nothing") {
    json odd = body;
    odd["event"]["ts"] = "1610241760";
    CHECK_FALSE(event_of(odd));
  }
}

TEST_CASE("an edited message is an edit, taken without an editor check", "[unit][slack][events]") {
  const json body = fixture_json("event_message_changed.json");
  const auto edit = event_as<bot::message_edited_event>(body);
  CHECK(edit.channel == bot::channel_ref{"slack", "T111", "C111"});
  CHECK(edit.message_ref == "C111/1610241741.000200");  // the message, not the event
  CHECK(edit.text == "db-2 failover done &amp; traffic back &lt;50ms");
  // Slack lets only the author edit: nothing for the workflow to check.
  CHECK_FALSE(edit.editor);

  SECTION("a change that leaves the text as it was (an unfurl) is nothing") {
    json unfurl = body;
    unfurl["event"]["message"]["text"] = "db-2 failover done";
    CHECK_FALSE(event_of(unfurl));
  }
  SECTION("a bot's edit is nothing") {
    json bot_edit = body;
    bot_edit["event"]["message"]["bot_id"] = "B19LU7CSY";
    CHECK_FALSE(event_of(bot_edit));
  }
}

TEST_CASE("a deleted message is a deletion without a flag", "[unit][slack][events]") {
  const auto deletion =
      event_as<bot::message_deleted_event>(fixture_json("event_message_deleted.json"));
  CHECK(deletion.channel == bot::channel_ref{"slack", "T111", "C111"});
  CHECK(deletion.message_ref == "C111/1610241741.000200");
  CHECK_FALSE(deletion.flag_id);
}

TEST_CASE("plain messages, bots' messages and other events are nothing", "[unit][slack][events]") {
  CHECK_FALSE(event_of(fixture_json("event_message_plain.json")));
  CHECK_FALSE(event_of(fixture_json("event_bot_message.json")));
  json joined = fixture_json("event_message_plain.json");
  joined["event"] = {{"type", "member_joined_channel"}, {"user", "U222"}, {"channel", "C111"}};
  CHECK_FALSE(event_of(joined));
  // A message whose thread_ts is its own ts starts a thread: it is no reply.
  json parent = fixture_json("event_message_plain.json");
  parent["event"]["thread_ts"] = "1610241741.000200";
  CHECK_FALSE(event_of(parent));
}

TEST_CASE("the message shortcut flags the message it was used on, answered by its response_url",
          "[unit][slack][events]") {
  const json payload = fixture_json("interaction_message_shortcut.json");
  const auto event = chat_event_of(shortcut_of(payload), received_at);
  REQUIRE(std::holds_alternative<bot::flag_event>(event));
  const auto& flag = std::get<bot::flag_event>(event);
  CHECK(flag.channel == bot::channel_ref{"slack", "T111", "C111"});
  CHECK(flag.message_ref == "C111/1610241741.000200");
  CHECK(flag.person_id == "U111");
  CHECK(flag.flag_id == "U111");
  // A shortcut is made when it is used: when Scribe received it.
  CHECK(flag.flagged_at == received_at);
  CHECK(flag.written_at == ts("1610241741.000200"));
  CHECK(flag.source == bot::entry_source::reaction);
  REQUIRE(flag.message);
  CHECK(flag.message->author_id == "U222");
  CHECK_FALSE(flag.message->from_bot);
  CHECK(flag.message->text == "rolled back deploy &lt;v2.3&gt; at 14:02");
  CHECK(flag.thread_ref == "C111/1610241700.000100");
  CHECK(flag.route == "https://hooks.slack.com/app/T111/222/yyy");

  SECTION("used on a bot's message, the carried message says so") {
    json on_bot = payload;
    on_bot["message"].erase("user");
    on_bot["message"]["bot_id"] = "B19LU7CSY";
    const auto bot_flag =
        std::get<bot::flag_event>(chat_event_of(shortcut_of(on_bot), received_at));
    REQUIRE(bot_flag.message);
    CHECK(bot_flag.message->from_bot);
    CHECK(bot_flag.message->author_id.empty());
  }
  SECTION("used outside a thread, no thread") {
    json top = payload;
    top["message"].erase("thread_ts");
    CHECK(
        std::get<bot::flag_event>(chat_event_of(shortcut_of(top), received_at)).thread_ref.empty());
  }
}

TEST_CASE("inbox jobs an earlier Scribe stored as Slack sent them are still read",
          "[unit][slack][events]") {
  const config::slack_options options;

  SECTION("an Events API body") {
    const auto events = legacy_inbox_events(legacy_job("event\n" + reaction().dump(2)), options);
    REQUIRE(events.size() == 1);
    const auto& flag = std::get<bot::flag_event>(events[0]);
    CHECK(flag.message_ref == "C0G9QF9GZ/1360782400.498405");
    CHECK(flag.flagged_at == bot::from_unix_micros(1'360'782'804'083'113));

    // The job was stored when Slack's request arrived: a flag without a time of its own was
    // made then.
    json untimed = reaction();
    untimed["event"].erase("event_ts");
    const auto late = legacy_inbox_events(legacy_job("event\n" + untimed.dump()), options);
    REQUIRE(late.size() == 1);
    CHECK(std::get<bot::flag_event>(late[0]).flagged_at == legacy_job("").created_at);

    const auto reply = legacy_inbox_events(
        legacy_job("event\n" + read_fixture("event_message_thread_reply.json")), options);
    REQUIRE(reply.size() == 1);
    CHECK(std::holds_alternative<bot::thread_reply_event>(reply[0]));
  }
  SECTION("a shortcut's form body") {
    const auto events = legacy_inbox_events(
        legacy_job("shortcut\n" + shortcut_form(fixture_json("interaction_message_shortcut.json"))),
        options);
    REQUIRE(events.size() == 1);
    const auto& flag = std::get<bot::flag_event>(events[0]);
    CHECK(flag.flagged_at == legacy_job("").created_at);
    CHECK(flag.route == "https://hooks.slack.com/app/T111/222/yyy");
    CHECK(flag.message_ref == "C111/1610241741.000200");
  }
  SECTION("what asks nothing of Scribe, or cannot be read, holds no event") {
    for (const std::string& payload :
         {std::string(""), std::string("event"), std::string("event\n"),
          std::string("event\nnot json"), "event\n" + read_fixture("event_message_plain.json"),
          "event\n" + read_fixture("event_url_verification.json"), std::string("shortcut\n"),
          std::string("shortcut\npayload=%7Bnot"),
          "shortcut\n" + shortcut_form(fixture_json("interaction_global_shortcut.json")),
          "reaction\n" + reaction().dump(), reaction().dump()}) {
      INFO(payload);
      CHECK(legacy_inbox_events(legacy_job(payload), options).empty());
    }
  }
  SECTION("a typed event is not a legacy job") {
    const auto typed = bot::encode_chat_event(bot::unflag_event{{"slack", "T", "C"}, "C/1", "U"});
    CHECK(legacy_inbox_events(legacy_job(typed), options).empty());
  }
}

}  // namespace scribe::slack
