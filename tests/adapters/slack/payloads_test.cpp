// Parsing what Slack sends: slash commands, Events API envelopes and events, interactivity
// payloads, Web API responses. Fixtures are listed with their sources in
// tests/fixtures/slack/README.md.

#include "adapters/slack/payloads.hpp"
#include "adapters/http/error.hpp"
#include "tests/adapters/slack/fixture.hpp"
#include "tests/support/catch_result.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <variant>

namespace scribe::slack {
namespace {

using test_support::form_encode;
using test_support::read_fixture;

http::form_fields form_of(std::string_view body) {
  auto form = http::parse_form(body);
  REQUIRE(form);
  return std::move(*form);
}

event_envelope envelope_of(std::string_view fixture) {
  auto env = parse_event_envelope(read_fixture(fixture));
  REQUIRE(env);
  return std::move(*env);
}

template <class T>
T event_as(const nlohmann::json& event) {
  const slack_event parsed = parse_event(event);
  const auto* ignored = std::get_if<ignored_event>(&parsed);
  INFO("ignored: " << (ignored ? ignored->why : std::string{"no"}));
  REQUIRE(std::holds_alternative<T>(parsed));
  return std::get<T>(parsed);
}

std::string ignored_reason(const nlohmann::json& event) {
  const slack_event parsed = parse_event(event);
  REQUIRE(std::holds_alternative<ignored_event>(parsed));
  return std::get<ignored_event>(parsed).why;
}

bot::result<interaction> interaction_of_json(std::string_view payload_json) {
  return parse_interaction(form_of("payload=" + form_encode(payload_json)));
}

template <class T>
T interaction_as(std::string_view fixture) {
  const auto parsed = interaction_of_json(read_fixture(fixture));
  REQUIRE(parsed);
  REQUIRE(std::holds_alternative<T>(*parsed));
  return std::get<T>(*parsed);
}

// A JSON body whose deepest array sits `depth` levels down, counting the outer object.
std::string nested_body(std::size_t depth) {
  return R"({"type":"x","deep":)" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

nlohmann::json json_of(std::string_view text) {
  return nlohmann::json::parse(text);
}

}  // namespace

// ---- slash commands -------------------------------------------------------------------------

TEST_CASE("parse_slash_command reads the signing-vector command", "[unit][payloads]") {
  const auto cmd = parse_slash_command(form_of(read_fixture("slash_command_signing_vector.txt")));
  REQUIRE(cmd);
  CHECK(cmd->team_id == "T1DC2JH3J");
  CHECK(cmd->channel_id == "G8PSS9T3V");
  CHECK(cmd->channel_name == "foobar");
  CHECK(cmd->user_id == "U2CERLKJA");
  CHECK(cmd->user_name == "roadrunner");
  CHECK(cmd->command == "/webhook-collect");
  CHECK(cmd->text == "");
  CHECK(cmd->response_url ==
        "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN");
  CHECK(cmd->trigger_id == "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");
}

TEST_CASE("parse_slash_command decodes the command text", "[unit][payloads]") {
  const auto cmd = parse_slash_command(form_of(read_fixture("slash_command_incident.txt")));
  REQUIRE(cmd);
  CHECK(cmd->command == "/incident");
  CHECK(cmd->text == "open sev2 db-2 is down & paging <team>");
}

TEST_CASE("parse_slash_command requires team, channel, user and command", "[unit][payloads]") {
  const std::string full = "team_id=T1&channel_id=C1&user_id=U1&command=%2Fincident";
  CHECK(parse_slash_command(form_of(full)));
  for (std::string_view body :
       {"", "channel_id=C1&user_id=U1&command=%2Fincident", "team_id=T1&user_id=U1&command=%2Fi",
        "team_id=T1&channel_id=C1&command=%2Fi", "team_id=T1&channel_id=C1&user_id=U1",
        "team_id=T1&channel_id=C1&user_id=U1&command="}) {
    INFO(body);
    CHECK(parse_slash_command(form_of(body)).error() == http::errc::malformed_request);
  }
  const auto duplicated = parse_slash_command(form_of(full + "&team_id=T2"));
  REQUIRE(duplicated);
  CHECK(duplicated->team_id == "T1");
}

TEST_CASE("is_ssl_check spots Slack's probe only", "[unit][payloads]") {
  CHECK(is_ssl_check(form_of(read_fixture("slash_command_ssl_check.txt"))));
  CHECK_FALSE(is_ssl_check(form_of(read_fixture("slash_command_signing_vector.txt"))));
  CHECK_FALSE(is_ssl_check(form_of("ssl_check=0")));
  CHECK_FALSE(is_ssl_check(form_of("")));
}

// ---- Events API envelopes -------------------------------------------------------------------

TEST_CASE("parse_event_envelope: url_verification", "[unit][payloads]") {
  const auto env = envelope_of("event_url_verification.json");
  CHECK(env.type == "url_verification");
  CHECK(env.challenge == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
  CHECK(env.event.is_null());
  CHECK(parse_event_envelope(R"({"type":"url_verification","token":"x"})").error() ==
        http::errc::malformed_request);
  CHECK(parse_event_envelope(R"({"type":"url_verification","challenge":7})").error() ==
        http::errc::malformed_request);
}

TEST_CASE("parse_event_envelope: app_rate_limited", "[unit][payloads]") {
  const auto env = envelope_of("event_app_rate_limited.json");
  CHECK(env.type == "app_rate_limited");
  CHECK(env.team_id == "T123456");
  CHECK(env.api_app_id == "A123456");
  CHECK(env.minute_rate_limited == 1518467820);
}

TEST_CASE("parse_event_envelope: event_callback", "[unit][payloads]") {
  const auto env = envelope_of("event_reaction_added.json");
  CHECK(env.type == "event_callback");
  CHECK(env.event_id == "EvXXXXXXXX");
  CHECK(env.team_id == "TXXXXXXXX");
  CHECK(env.api_app_id == "AXXXXXXXXX");
  CHECK(env.event_time == 1234567890);
  CHECK(env.event.value("type", "") == "reaction_added");

  const auto mention = envelope_of("event_app_mention.json");
  CHECK(mention.event_id == "Ev111");
  CHECK(mention.event_time == 1610241741);
}

TEST_CASE("parse_event_envelope requires what event_callback needs", "[unit][payloads]") {
  const std::string ok = R"({"type":"event_callback","event_id":"Ev1","team_id":"T1","event":{}})";
  CHECK(parse_event_envelope(ok));
  for (std::string_view body : {
           R"({"type":"event_callback","team_id":"T1","event":{}})",
           R"({"type":"event_callback","event_id":"Ev1","event":{}})",
           R"({"type":"event_callback","event_id":"Ev1","team_id":"T1"})",
           R"({"type":"event_callback","event_id":"Ev1","team_id":"T1","event":"text"})",
           R"({"type":"event_callback","event_id":"Ev1","team_id":"T1","event":null})",
           R"({"type":"event_callback","event_id":1,"team_id":"T1","event":{}})",
           R"({"type":"app_rate_limited"})",
       }) {
    INFO(body);
    CHECK(parse_event_envelope(body).error() == http::errc::malformed_request);
  }
}

TEST_CASE("parse_event_envelope tolerates odd optional fields", "[unit][payloads]") {
  const auto parse = [](std::string_view time) {
    auto env = parse_event_envelope(
        R"({"type":"event_callback","event_id":"Ev1","team_id":"T1","event":{},"event_time":)" +
        std::string{time} + "}");
    REQUIRE(env);
    return env->event_time;
  };
  CHECK(parse("\"1610241741\"") == 0);
  CHECK(parse("1.5") == 0);
  CHECK(parse("null") == 0);
  CHECK(parse("18446744073709551615") == 0);
  CHECK(parse("-5") == -5);
  CHECK(parse("9223372036854775807") == 9223372036854775807);
}

TEST_CASE("parse_event_envelope passes other types through", "[unit][payloads]") {
  const auto env = parse_event_envelope(R"({"type":"something_new","team_id":"T1","x":[1,2]})");
  REQUIRE(env);
  CHECK(env->type == "something_new");
  CHECK(env->team_id == "T1");
}

TEST_CASE("parse_event_envelope rejects what is not an envelope", "[unit][payloads]") {
  for (std::string_view body :
       {"", "not json", "{", "[]", "null", "42", "\"event_callback\"", "{}", R"({"type":1})",
        R"({"type":""})", R"({"type":"url_verification","challenge":"x"} trailing)",
        "{\"type\":\"event_callback\",\"x\":\"\xFF\"}"}) {
    INFO(body);
    CHECK(parse_event_envelope(body).error() == http::errc::malformed_request);
  }
}

TEST_CASE("parse_event_envelope limits nesting before parsing", "[unit][payloads]") {
  CHECK(parse_event_envelope(nested_body(max_json_depth)));
  CHECK(parse_event_envelope(nested_body(max_json_depth + 1)).error() ==
        http::errc::malformed_request);
  // A million levels: rejected by the scan, no recursion anywhere.
  CHECK(parse_event_envelope(std::string(1'000'000, '[')).error() == http::errc::malformed_request);
  // Brackets inside strings (escaped quotes included) are not nesting.
  const std::string in_string =
      R"({"type":"x","s":"\"[[)" + std::string(200, '[') + R"(\\","t":"{{{{"})";
  CHECK(parse_event_envelope(in_string));
}

TEST_CASE("parse_event_envelope handles a large string", "[unit][payloads]") {
  const std::string text(4 << 20, 'x');
  const auto env = parse_event_envelope(
      R"({"type":"event_callback","event_id":"Ev1","team_id":"T1","event":{"type":"app_mention","text":")" +
      text + R"(","channel":"C1","ts":"1.2","user":"U1"}})");
  REQUIRE(env);
  CHECK(event_as<mention_event>(env->event).text.size() == text.size());
}

// ---- events ---------------------------------------------------------------------------------

TEST_CASE("parse_event: reaction_added", "[unit][payloads]") {
  const auto r = event_as<reaction_event>(envelope_of("event_reaction_added.json").event);
  CHECK(r.added);
  CHECK(r.user == "U024BE7LH");
  CHECK(r.reaction == "thumbsup");
  CHECK(r.item_channel == "C0G9QF9GZ");
  CHECK(r.item_ts == "1360782400.498405");
  CHECK(r.item_user == "U0G9QF9C6");
  CHECK(r.event_ts == "1360782804.083113");
}

TEST_CASE("parse_event: reaction_removed, and reactions to files are ignored", "[unit][payloads]") {
  auto event = envelope_of("event_reaction_removed_file.json").event;
  CHECK(ignored_reason(event) == "reaction on a \"file\"");
  event["item"] = {{"type", "message"}, {"channel", "C1"}, {"ts", "1.2"}};
  const auto r = event_as<reaction_event>(event);
  CHECK_FALSE(r.added);
  CHECK(r.reaction == "thumbsup::skin-tone-6");
  CHECK(reaction_base_name(r.reaction) == "thumbsup");
}

TEST_CASE("parse_event ignores malformed reactions", "[unit][payloads]") {
  for (
      std::string_view text : {
          R"({"type":"reaction_added","reaction":"eyes","item":{"type":"message","channel":"C1","ts":"1.2"}})",
          R"({"type":"reaction_added","user":5,"reaction":"eyes","item":{"type":"message","channel":"C1","ts":"1.2"}})",
          R"({"type":"reaction_added","user":"U1","reaction":"eyes","item":{"type":"message","channel":"C1"}})",
          R"({"type":"reaction_added","user":"U1","reaction":"eyes","item":"message"})",
          R"({"type":"reaction_added","user":"U1","reaction":"eyes"})",
          R"({"type":"reaction_added","user":"U1","reaction":["eyes"],"item":{"type":"message","channel":"C1","ts":"1.2"}})",
      }) {
    INFO(text);
    CHECK_FALSE(ignored_reason(json_of(text)).empty());
  }
}

TEST_CASE("reaction_base_name drops skin tones", "[unit][payloads]") {
  CHECK(reaction_base_name("thumbsup::skin-tone-6") == "thumbsup");
  CHECK(reaction_base_name("+1::skin-tone-2") == "+1");
  CHECK(reaction_base_name("white_check_mark") == "white_check_mark");
  CHECK(reaction_base_name("") == "");
}

TEST_CASE("parse_event: app_mention", "[unit][payloads]") {
  const auto m = event_as<mention_event>(envelope_of("event_app_mention.json").event);
  CHECK(m.user == "U222");
  CHECK(m.text == "<@U111>");
  CHECK(m.channel == "C111");
  CHECK(m.ts == "1610241741.000200");
  CHECK(m.thread_ts.empty());
  CHECK(m.bot_id.empty());

  const auto from_bot = event_as<mention_event>(json_of(
      R"({"type":"app_mention","bot_id":"B1","text":"<@U111> hi","channel":"C1","ts":"1.2","thread_ts":"1.1"})"));
  CHECK(from_bot.user.empty());
  CHECK(from_bot.bot_id == "B1");
  CHECK(from_bot.thread_ts == "1.1");

  CHECK_FALSE(ignored_reason(json_of(R"({"type":"app_mention","user":"U1","ts":"1.2"})")).empty());
  CHECK_FALSE(
      ignored_reason(json_of(R"({"type":"app_mention","channel":"C1","ts":"1.2"})")).empty());
}

TEST_CASE("parse_event: message_changed", "[unit][payloads]") {
  auto event = envelope_of("event_message_changed.json").event;
  const auto edit = event_as<message_edit_event>(event);
  CHECK(edit.channel == "C111");
  CHECK(edit.ts == "1610241741.000200");
  CHECK(edit.new_text == "db-2 failover done &amp; traffic back &lt;50ms");
  CHECK(edit.user == "U222");
  CHECK(edit.bot_id.empty());

  event["previous_message"]["text"] = event["message"]["text"];
  CHECK(ignored_reason(event) == "message_changed without a text change");

  event["message"].erase("ts");
  CHECK_FALSE(ignored_reason(event).empty());
  event["message"] = "not an object";
  CHECK_FALSE(ignored_reason(event).empty());
}

TEST_CASE("parse_event: message_deleted", "[unit][payloads]") {
  auto event = envelope_of("event_message_deleted.json").event;
  const auto deletion = event_as<message_delete_event>(event);
  CHECK(deletion.channel == "C111");
  CHECK(deletion.deleted_ts == "1610241741.000200");
  event["deleted_ts"] = 1610241741.0002;
  CHECK_FALSE(ignored_reason(event).empty());
}

TEST_CASE("parse_event: a reply in a thread", "[unit][payloads]") {
  auto event = envelope_of("event_message_thread_reply.json").event;
  const auto reply = event_as<thread_reply_event>(event);
  CHECK(reply.channel == "C111");
  CHECK(reply.ts == "1610241760.000300");
  CHECK(reply.thread_ts == "1610241741.000200");
  CHECK(reply.user == "U222");
  CHECK(reply.bot_id.empty());
  CHECK(reply.text == "The cache warmed up again once the CDN rule was rolled back.");
  // "Also send to channel" replies are still replies.
  event["subtype"] = "thread_broadcast";
  CHECK(event_as<thread_reply_event>(event).thread_ts == "1610241741.000200");
  // A thread's first message has thread_ts == ts: not a reply.
  event["thread_ts"] = event["ts"];
  CHECK(ignored_reason(event) == "plain message");
  event["thread_ts"] = "1610241741.000200";
  event.erase("user");
  CHECK(ignored_reason(event) == "thread reply without user");
  event["bot_id"] = "B1";
  CHECK(event_as<thread_reply_event>(event).bot_id == "B1");
}

TEST_CASE("parse_event ignores plain messages, bot messages and other events", "[unit][payloads]") {
  CHECK(ignored_reason(envelope_of("event_message_plain.json").event) == "plain message");
  CHECK(ignored_reason(envelope_of("event_bot_message.json").event) ==
        "message subtype \"bot_message\"");
  CHECK(ignored_reason(json_of(R"({"type":"message","subtype":"channel_join"})")) ==
        "message subtype \"channel_join\"");
  CHECK(ignored_reason(json_of(R"({"type":"member_joined_channel"})")) ==
        "event type \"member_joined_channel\"");
  CHECK(ignored_reason(json_of(R"({"type":7})")) == "event without a type");
  CHECK(ignored_reason(json_of("[]")) == "event is not an object");
  CHECK(ignored_reason(nlohmann::json{}) == "event is not an object");
  const std::string long_type(10000, 't');
  CHECK(ignored_reason(nlohmann::json{{"type", long_type}}).size() < 100);
}

// ---- interactivity --------------------------------------------------------------------------

TEST_CASE("parse_interaction: message shortcut", "[unit][payloads]") {
  const auto s = interaction_as<message_shortcut>("interaction_message_shortcut.json");
  CHECK(s.callback_id == "add_to_timeline");
  CHECK(s.team_id == "T111");
  CHECK(s.channel_id == "C111");
  CHECK(s.user_id == "U111");
  CHECK(s.user_name == "testxyz");
  CHECK(s.message_ts == "1610241741.000200");
  CHECK(s.message_text == "rolled back deploy &lt;v2.3&gt; at 14:02");
  CHECK(s.message_user == "U222");
  CHECK(s.message_bot_id.empty());
  CHECK(s.thread_ts == "1610241700.000100");
  CHECK(s.trigger_id == "111.222.xxx");
  CHECK(s.response_url == "https://hooks.slack.com/app/T111/222/yyy");
}

TEST_CASE("parse_interaction: message shortcut needs its ids", "[unit][payloads]") {
  auto payload = json_of(read_fixture("interaction_message_shortcut.json"));
  payload.erase("message_ts");
  CHECK(interaction_of_json(payload.dump()));  // message.ts is enough
  for (const char* key : {"callback_id", "channel", "user", "message"}) {
    INFO(key);
    auto broken = payload;
    broken.erase(key);
    CHECK(interaction_of_json(broken.dump()).error() == http::errc::malformed_request);
  }
}

TEST_CASE("parse_interaction: block_actions", "[unit][payloads]") {
  const auto b = interaction_as<block_action>("interaction_block_actions.json");
  CHECK(b.team_id == "T12345678");
  CHECK(b.user_id == "U12345678");
  CHECK(b.user_name == "testxyz");
  CHECK(b.channel_id == "C111");
  CHECK(b.message_ts == "1610242100.000600");
  CHECK(b.trigger_id == "3701415066658.3485157640.72f11de3d52bb9593d6931af772a323e");
  CHECK(b.response_url == "https://hooks.slack.com/actions/T12345678/333/zzz");
  REQUIRE(b.actions.size() == 2);
  CHECK(b.actions[0].action_id == "close_incident");
  CHECK(b.actions[0].block_id == "incident_12");
  CHECK(b.actions[0].value == "12");
  CHECK(b.actions[1].action_id == "severity");
  CHECK(b.actions[1].value == "2");
}

TEST_CASE("parse_interaction: block_actions inside a modal and broken ones", "[unit][payloads]") {
  const auto in_modal = interaction_of_json(
      R"({"type":"block_actions","user":{"id":"U1","name":"n"},"container":{"type":"view","view_id":"V1"},
          "actions":[{"action_id":"a","block_id":"b","selected_date":"2021-01-10"},"junk",7]})");
  REQUIRE(in_modal);
  const auto& b = std::get<block_action>(*in_modal);
  CHECK(b.channel_id.empty());
  CHECK(b.message_ts.empty());
  CHECK(b.user_name == "n");
  REQUIRE(b.actions.size() == 1);
  CHECK(b.actions[0].value == "2021-01-10");

  CHECK(
      interaction_of_json(R"({"type":"block_actions","user":{"id":"U1"},"actions":{}})").error() ==
      http::errc::malformed_request);
  CHECK(interaction_of_json(R"({"type":"block_actions","actions":[]})").error() ==
        http::errc::malformed_request);
}

TEST_CASE("parse_interaction: view_submission", "[unit][payloads]") {
  const auto v = interaction_as<view_submission>("interaction_view_submission.json");
  CHECK(v.team_id == "T111");
  CHECK(v.user_id == "U111");
  CHECK(v.user_name == "testxyz");
  CHECK(v.callback_id == "postmortem_answers");
  CHECK(v.private_metadata == R"({"incident":12})");
  CHECK(v.view_id == "VMHU10V25");
  CHECK(v.values == std::map<std::string, std::string>{
                        {"impact.impact_text", "checkout errors for 14 min"},
                        {"severity.severity_select", "2"},
                        {"started.started_date", "2021-01-10"},
                        {"owner.owner_user", "U222"},
                        {"notes.notes_text", ""},
                    });
}

TEST_CASE("parse_interaction: view_submission with odd state", "[unit][payloads]") {
  const auto odd = interaction_of_json(
      R"({"type":"view_submission","user":{"id":"U1"},"view":{"id":"V1","state":{"values":{"a":"x","b":{"c":7,"d":{"value":5}}}}}})");
  REQUIRE(odd);
  const auto& v = std::get<view_submission>(*odd);
  CHECK(v.values == std::map<std::string, std::string>{{"b.c", ""}, {"b.d", ""}});
  CHECK(interaction_of_json(R"({"type":"view_submission","user":{"id":"U1"}})").error() ==
        http::errc::malformed_request);
  CHECK(interaction_of_json(R"({"type":"view_submission","user":{"id":"U1"},"view":{}})").error() ==
        http::errc::malformed_request);
}

TEST_CASE("parse_interaction ignores other types", "[unit][payloads]") {
  const auto parsed = interaction_of_json(read_fixture("interaction_global_shortcut.json"));
  REQUIRE(parsed);
  REQUIRE(std::holds_alternative<ignored_interaction>(*parsed));
  CHECK(std::get<ignored_interaction>(*parsed).type == "shortcut");
}

TEST_CASE("parse_interaction rejects a missing or broken payload", "[unit][payloads]") {
  CHECK(parse_interaction(form_of("")).error() == http::errc::malformed_request);
  CHECK(parse_interaction(form_of("payloads=%7B%7D")).error() == http::errc::malformed_request);
  for (std::string_view payload :
       {"", "{", "[]", "null", "{}", R"({"type":null})", R"({"type":"message_action"})"}) {
    INFO(payload);
    CHECK(interaction_of_json(payload).error() == http::errc::malformed_request);
  }
  // Form decoding already replaced invalid UTF-8 (see form.hpp), so the JSON parses.
  const auto replaced = interaction_of_json("{\"type\":\"\xC3\"}");
  REQUIRE(replaced);
  CHECK(std::get<ignored_interaction>(*replaced).type == "\xEF\xBF\xBD");
  CHECK(interaction_of_json(R"({"type":"block_actions","v":)" + std::string(100, '[') +
                            std::string(100, ']') + "}")
            .error() == http::errc::malformed_request);
}

// ---- Web API responses ----------------------------------------------------------------------

TEST_CASE("parse_api_result reads ok, error and warning", "[unit][payloads]") {
  const auto ok = parse_api_result(read_fixture("api_chat_postMessage_ok.json"));
  REQUIRE(ok);
  CHECK(ok->ok);
  CHECK(ok->error.empty());
  const auto failed = parse_api_result(read_fixture("api_chat_postMessage_error.json"));
  REQUIRE(failed);
  CHECK_FALSE(failed->ok);
  CHECK(failed->error == "too_many_attachments");
  const auto warned = parse_api_result(read_fixture("api_conversations_join_warning.json"));
  REQUIRE(warned);
  CHECK(warned->ok);
  CHECK(warned->warning == "already_in_channel");
  for (std::string_view body : {"", "<html>502</html>", "{}", R"({"ok":"true"})", R"({"ok":1})",
                                "[true]", R"({"ok":true)"}) {
    INFO(body);
    CHECK(parse_api_result(body).error() == http::errc::malformed_request);
  }
}

TEST_CASE("parse_permalink", "[unit][payloads]") {
  const auto ok = parse_permalink(read_fixture("api_chat_getPermalink_ok.json"));
  REQUIRE(ok);
  CHECK(ok->status.ok);
  CHECK(ok->value == "https://ghostbusters.slack.com/archives/C1H9RESGA/p135854651500008");
  const auto failed = parse_permalink(read_fixture("api_chat_getPermalink_error.json"));
  REQUIRE(failed);
  CHECK_FALSE(failed->status.ok);
  CHECK(failed->status.error == "channel_not_found");
  CHECK_FALSE(failed->value);
  CHECK(parse_permalink(R"({"ok":true})").error() == http::errc::malformed_request);
  CHECK(parse_permalink(R"({"ok":true,"permalink":42})").error() == http::errc::malformed_request);
}

TEST_CASE("parse_history_message finds the message with that exact ts", "[unit][payloads]") {
  const std::string history = read_fixture("api_conversations_history_ok.json");
  const auto found = parse_history_message(history, "1512104434.000490");
  REQUIRE(found);
  REQUIRE(found->value);
  CHECK(found->value->ts == "1512104434.000490");
  CHECK(found->value->user == "U061F7AUR");
  CHECK(found->value->text == "What, you want to smell my shoes better?");
  CHECK(found->value->thread_ts.empty());
  CHECK_FALSE(found->value->edited);
  CHECK(parse_history_message(history, "1512104434.00049").error() == bot::errc::entry_not_found);
  CHECK(parse_history_message(history, "").error() == bot::errc::entry_not_found);
}

TEST_CASE("parse_history_message reads conversations.replies threads", "[unit][payloads]") {
  const std::string replies = read_fixture("api_conversations_replies_ok.json");
  const auto parent = parse_history_message(replies, "1482960137.003543");
  REQUIRE(parent);
  CHECK(parent->value->text == "island");
  CHECK(parent->value->thread_ts == "1482960137.003543");
  const auto reply = parse_history_message(replies, "1483051909.018632");
  REQUIRE(reply);
  CHECK(reply->value->text == "two island");
  CHECK(reply->value->thread_ts == "1482960137.003543");
}

TEST_CASE("parse_history_message surfaces errors and odd shapes", "[unit][payloads]") {
  const auto failed =
      parse_history_message(read_fixture("api_conversations_replies_error.json"), "1.2");
  REQUIRE(failed);
  CHECK_FALSE(failed->status.ok);
  CHECK(failed->status.error == "thread_not_found");
  CHECK_FALSE(failed->value);
  CHECK(parse_history_message(R"({"ok":true})", "1.2").error() == http::errc::malformed_request);
  CHECK(parse_history_message(R"({"ok":true,"messages":{}})", "1.2").error() ==
        http::errc::malformed_request);
  const auto odd = parse_history_message(
      R"({"ok":true,"messages":["x",7,{"ts":1.2},{"ts":"1.2","text":5,"bot_id":"B1","edited":{"user":"U1","ts":"1.3"}}]})",
      "1.2");
  REQUIRE(odd);
  CHECK(odd->value->bot_id == "B1");
  CHECK(odd->value->text.empty());
  CHECK(odd->value->edited);
}

TEST_CASE("parse_user_name prefers the display name", "[unit][payloads]") {
  const auto spengler = parse_user_name(read_fixture("api_users_info_ok.json"));
  REQUIRE(spengler);
  REQUIRE(spengler->value);
  CHECK(spengler->value->display == "spengler");
  CHECK(spengler->value->handle == "spengler");

  auto doc = json_of(read_fixture("api_users_info_ok.json"));
  doc["user"]["profile"]["display_name"] = "";
  CHECK(parse_user_name(doc.dump())->value->display == "Egon Spengler");
  CHECK(parse_user_name(doc.dump())->value->handle == "spengler");
  doc["user"]["profile"] = "none";
  doc["user"]["real_name"] = "Egon S.";
  CHECK(parse_user_name(doc.dump())->value->display == "Egon S.");
  doc["user"].erase("name");
  CHECK(parse_user_name(doc.dump())->value->handle == "Egon S.");  // no user.name: the display name
  doc["user"].erase("real_name");
  CHECK(parse_user_name(doc.dump()).error() == http::errc::malformed_request);
  CHECK(parse_user_name(R"({"ok":true})").error() == http::errc::malformed_request);

  const auto missing = parse_user_name(read_fixture("api_users_info_error.json"));
  REQUIRE(missing);
  CHECK(missing->status.error == "user_not_found");
  CHECK_FALSE(missing->value);
}

TEST_CASE("chat.postMessage's ts and the messages Scribe posted, by metadata key",
          "[unit][payloads]") {
  const auto posted = parse_posted_ts(read_fixture("api_chat_postMessage_ok.json"));
  REQUIRE(posted);
  REQUIRE(posted->value);
  CHECK(*posted->value == "1503435956.000247");
  CHECK_FALSE(parse_posted_ts(read_fixture("api_chat_postMessage_error.json"))->value);
  CHECK(parse_posted_ts(R"({"ok":true})").error() == http::errc::malformed_request);

  // conversations.history with include_all_metadata=true (DOC:"conversations.history",
  // "Message metadata"): metadata {event_type, event_payload} on the messages that have it.
  const auto page = parse_posted_page(R"({"ok":true,"messages":[
      {"type":"message","ts":"3.000000","text":"q2","metadata":{"event_type":"scribe_post","event_payload":{"key":"ask 1#2"}}},
      {"type":"message","ts":"2.000000","text":"other app","metadata":{"event_type":"deploy","event_payload":{"key":"ask 1#1"}}},
      {"type":"message","ts":"1.000000","text":"q1","metadata":{"event_type":"scribe_post","event_payload":{"key":"ask 1#1"}}},
      {"type":"message","ts":"0.500000","text":"no metadata"}],
      "has_more":true,"response_metadata":{"next_cursor":"bmV4dA=="}})");
  REQUIRE(page);
  REQUIRE(page->value);
  CHECK(page->value->ts_by_key ==
        std::map<std::string, std::string>{{"ask 1#1", "1.000000"}, {"ask 1#2", "3.000000"}});
  CHECK(page->value->next_cursor == "bmV4dA==");
  CHECK(parse_posted_page(R"({"ok":true})").error() == http::errc::malformed_request);
  CHECK_FALSE(parse_posted_page(R"({"ok":false,"error":"channel_not_found"})")->value);
}

}  // namespace scribe::slack
