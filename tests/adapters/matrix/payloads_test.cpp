// Parsing what a Matrix homeserver sends an Application Service: the hs_token check, transaction
// bodies, client events, reply fallbacks, reaction keys and user IDs. Fixtures are listed with
// their sources in tests/fixtures/matrix/README.md; the ones taken from the spec are checked
// against tests/fixtures/spec (the repository's copy of the shared spec folder) below.

#include "adapters/matrix/payloads.hpp"
#include "adapters/http/error.hpp"
#include "tests/support/catch_result.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace scribe::matrix {
namespace {

using json = nlohmann::json;

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  INFO("file " << path);
  REQUIRE(in.good());
  return std::string{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

// The bytes of tests/fixtures/matrix/<name>; fails the test if the file is missing.
std::string read_fixture(std::string_view name) {
  return read_file(std::string{SCRIBE_MATRIX_FIXTURES} + "/" + std::string{name});
}

json fixture_json(std::string_view name) {
  return json::parse(read_fixture(name));
}

json spec_json(std::string_view name) {
  return json::parse(read_file(std::string{SCRIBE_SPEC_DIR} + "/" + std::string{name}));
}

json json_of(std::string_view text) {
  return json::parse(text);
}

template <class T>
T event_as(const json& event) {
  const matrix_event parsed = parse_event(event);
  const auto* ignored = std::get_if<ignored_event>(&parsed);
  INFO("ignored: " << (ignored ? ignored->why : std::string{"no"}));
  REQUIRE(std::holds_alternative<T>(parsed));
  return std::get<T>(parsed);
}

std::string ignored_reason(const json& event) {
  const matrix_event parsed = parse_event(event);
  INFO("event " << event.dump());
  REQUIRE(std::holds_alternative<ignored_event>(parsed));
  return std::get<ignored_event>(parsed).why;
}

// A valid m.text message; tests break one field at a time.
json text_message() {
  return json_of(R"({
    "type": "m.room.message",
    "event_id": "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
    "room_id": "!OGEhHVWSdvArJzumhm:matrix.org",
    "sender": "@alice:example.org",
    "origin_server_ts": 1718035290000,
    "content": {"msgtype": "m.text", "body": "Checkout is returning 502s"}
  })");
}

json with_relation(json event, const json& relates_to) {
  event["content"]["m.relates_to"] = relates_to;
  return event;
}

// How deeply arrays and objects nest in `value` (a scalar is 0, {} is 1).
std::size_t nesting_of(const json& value) {
  if (!value.is_structured()) return 0;
  std::size_t deepest = 0;
  for (const json& child : value) deepest = std::max(deepest, nesting_of(child));
  return deepest + 1;
}

// {"events":[{"type":"t","deep":[[...["bottom"]...]]}]} with `arrays` arrays: the body nests
// arrays + 3 levels (the body, `events` and the event count as one each).
std::string deep_event_body(std::size_t arrays) {
  return R"({"events":[{"type":"t","deep":)" + std::string(arrays, '[') + R"("bottom")" +
         std::string(arrays, ']') + "}]}";
}

const std::string pin = "\xF0\x9F\x93\x8C";          // U+1F4CC PUSHPIN
const std::string fe0f = "\xEF\xB8\x8F";             // U+FE0F VARIATION SELECTOR-16
const std::string thumbs_up = "\xF0\x9F\x91\x8D";    // U+1F44D
const std::string medium_skin = "\xF0\x9F\x8F\xBD";  // U+1F3FD
constexpr std::string_view hs_token =
    "312df522183efd404ec1cd22d2ffa4bbc76a8c1ccf541dd692eef281356bb74e";

}  // namespace

// ---- fixtures stay faithful to the spec --------------------------------------------------

TEST_CASE("spec-derived fixtures equal what they were resolved from", "[unit][payloads]") {
  json core = spec_json("matrix-event-examples/core_room_event.json");
  core.erase("$ref");
  const std::pair<const char*, const char*> resolved[] = {
      {"event_m.room.message_m.text.json", "m.room.message_m.text.yaml"},
      {"event_m.room.message_m.notice.json", "m.room.message_m.notice.yaml"},
      {"event_m.reaction.json", "m.reaction.yaml"},
      {"event_m.room.redaction_v11.json", "m.room.redaction.yaml"},
  };
  for (const auto& [fixture, example] : resolved) {
    INFO(fixture);
    json expected = core;
    json fields = spec_json(std::string{"matrix-event-examples/"} + example);
    fields.erase("$ref");
    expected.update(fields);
    CHECK(fixture_json(fixture) == expected);
  }

  const json as_api = spec_json("matrix-application-service-api.json");
  CHECK(fixture_json("transaction_spec_example.json") ==
        as_api["paths"]["/_matrix/app/v1/transactions/{txnId}"]["put"]["requestBody"]["content"]
              ["application/json"]["schema"]["example"]);

  const json cs_api = spec_json("matrix-client-server-api-subset.json");
  CHECK(fixture_json("event_m.room.redaction_v10.json") ==
        cs_api["paths"]["/_matrix/client/v3/rooms/{roomId}/event/{eventId}"]["get"]["responses"]
              ["200"]["content"]["application/json"]["schema"]["allOf"][1]["properties"]["unsigned"]
              ["properties"]["redacted_because"]["example"]);
}

TEST_CASE("the AS API bundle names no errcode for /transactions (so check_hs_token cites prose)",
          "[unit][payloads]") {
  // check_hs_token's errcodes come from prose (M_FORBIDDEN: application-service-api.md
  // "Authorization"; M_MISSING_TOKEN: client-server-api "Using access tokens"), because the
  // bundled AS API lists only 200 for /transactions and example codes for the queries. If a
  // later bundle starts naming codes, this fails so that the choice is looked at again.
  const json as_api = spec_json("matrix-application-service-api.json");
  const json& transactions = as_api["paths"]["/_matrix/app/v1/transactions/{txnId}"]["put"];
  CHECK(transactions["responses"].size() == 1);
  CHECK(transactions["responses"].contains("200"));
  CHECK(as_api["paths"]["/_matrix/app/v1/users/{userId}"]["get"]["responses"]["401"]["content"]
              ["application/json"]["examples"]["response"]["value"]["errcode"] ==
        "COM.EXAMPLE.MYAPPSERVICE_UNAUTHORIZED");
}

// ---- check_hs_token ------------------------------------------------------------------------

TEST_CASE("check_hs_token accepts the Bearer header", "[unit][payloads]") {
  const auto check = check_hs_token("Bearer " + std::string{hs_token}, std::nullopt, hs_token);
  CHECK(check.ok());
  CHECK(check.outcome == hs_token_outcome::ok);
  CHECK(check.status == boost::beast::http::status::ok);
  CHECK(check.errcode.empty());
  CHECK(check.error.empty());
}

TEST_CASE(
    "check_hs_token: the scheme is case-insensitive, spaces around the token are not part "
    "of it",
    "[unit][payloads]") {
  const std::string token{hs_token};
  CHECK(check_hs_token("bearer " + token, std::nullopt, hs_token).ok());
  CHECK(check_hs_token("BEARER " + token, std::nullopt, hs_token).ok());
  CHECK(check_hs_token("Bearer   " + token, std::nullopt, hs_token).ok());
  CHECK(check_hs_token("Bearer " + token + "  ", std::nullopt, hs_token).ok());
}

TEST_CASE("check_hs_token: no token at all is 401 M_MISSING_TOKEN", "[unit][payloads]") {
  const std::vector<std::string> headers = {"",
                                            "Bearer",
                                            "Bearer ",
                                            "Bearer    ",
                                            "Basic YWxhZGRpbjpvcGVu",
                                            "Bearer_token",
                                            "Bearertoken",
                                            "Token " + std::string{hs_token}};
  for (const std::string& header : headers) {
    for (const std::optional<std::string_view> query :
         {std::optional<std::string_view>{}, std::optional<std::string_view>{""}}) {
      INFO("header [" << header << "] query " << (query ? "empty" : "absent"));
      const auto check = check_hs_token(header, query, hs_token);
      CHECK_FALSE(check.ok());
      CHECK(check.outcome == hs_token_outcome::missing);
      CHECK(check.status == boost::beast::http::status::unauthorized);
      CHECK(check.errcode == "M_MISSING_TOKEN");
      CHECK_FALSE(check.error.empty());
    }
  }
}

TEST_CASE("check_hs_token: a token that does not match is 403 M_FORBIDDEN", "[unit][payloads]") {
  std::string last_byte_differs{hs_token};
  last_byte_differs.back() = 'f';
  const std::string token{hs_token};
  for (const std::string& wrong :
       {last_byte_differs, token.substr(0, token.size() - 1), token + "0", std::string{"x"},
        std::string{"as_token_not_hs_token"}}) {
    INFO("token " << wrong);
    const auto check = check_hs_token("Bearer " + wrong, std::nullopt, hs_token);
    CHECK(check.outcome == hs_token_outcome::wrong);
    CHECK(check.status == boost::beast::http::status::forbidden);
    CHECK(check.errcode == "M_FORBIDDEN");
    CHECK(check.error.find(wrong) == std::string_view::npos);
    CHECK(check.error.find(hs_token) == std::string_view::npos);
  }
}

TEST_CASE("check_hs_token accepts the legacy ?access_token= alone", "[unit][payloads]") {
  CHECK(check_hs_token("", hs_token, hs_token).ok());
  const auto wrong = check_hs_token("", std::string_view{"nope"}, hs_token);
  CHECK(wrong.outcome == hs_token_outcome::wrong);
  CHECK(wrong.errcode == "M_FORBIDDEN");
}

TEST_CASE("check_hs_token: a header and a query token must match each other", "[unit][payloads]") {
  const std::string bearer = "Bearer " + std::string{hs_token};
  CHECK(check_hs_token(bearer, hs_token, hs_token).ok());
  // One of the two is right, but they disagree: refuse rather than pick one.
  CHECK(check_hs_token(bearer, std::string_view{"other"}, hs_token).outcome ==
        hs_token_outcome::wrong);
  CHECK(check_hs_token("Bearer other", hs_token, hs_token).outcome == hs_token_outcome::wrong);
  // Both wrong and equal: wrong as well.
  CHECK(check_hs_token("Bearer other", std::string_view{"other"}, hs_token).outcome ==
        hs_token_outcome::wrong);
  // A header with another scheme does not count as a token: the query decides.
  CHECK(check_hs_token("Basic abc", hs_token, hs_token).ok());
}

TEST_CASE("check_hs_token fails closed when hs_token is not configured", "[unit][payloads]") {
  CHECK(check_hs_token("Bearer x", std::nullopt, "").outcome == hs_token_outcome::wrong);
  CHECK(check_hs_token("", std::string_view{"x"}, "").outcome == hs_token_outcome::wrong);
  CHECK(check_hs_token("", std::nullopt, "").outcome == hs_token_outcome::missing);
}

TEST_CASE("error_body is the spec's {errcode, error}", "[unit][payloads]") {
  const json body = json::parse(error_body("M_FORBIDDEN", "bad \"token\""));
  CHECK(body == json{{"errcode", "M_FORBIDDEN"}, {"error", "bad \"token\""}});
  CHECK(error_body("M_UNRECOGNIZED", "x") == R"({"errcode":"M_UNRECOGNIZED","error":"x"})");

  const auto check = check_hs_token("", std::nullopt, hs_token);
  const json missing = json::parse(error_body(check.errcode, check.error));
  CHECK(missing["errcode"] == "M_MISSING_TOKEN");
  CHECK(missing["error"].get<std::string>() == check.error);

  // Invalid UTF-8 does not throw: it becomes U+FFFD.
  std::string out;
  CHECK_NOTHROW(out = error_body("M_UNKNOWN", "caf\xE9"));
  CHECK(json::parse(out)["error"] == "caf\xEF\xBF\xBD");
}

// ---- parse_transaction ---------------------------------------------------------------------

TEST_CASE("parse_transaction reads the spec's example", "[unit][payloads]") {
  const auto events = parse_transaction(read_fixture("transaction_spec_example.json"));
  REQUIRE(events);
  REQUIRE(events->size() == 2);
  CHECK((*events)[0]["type"] == "m.room.member");
  CHECK((*events)[1]["type"] == "m.room.message");

  // The join is not an invite; the message is a message.
  CHECK(ignored_reason((*events)[0]) == R"(m.room.member with membership "join")");
  const auto message = event_as<room_message>((*events)[1]);
  CHECK(message.body == "This is an example text message");
  CHECK(message.sender == "@example:example.org");
}

TEST_CASE("parse_transaction and parse_event over an incident room's transaction",
          "[unit][payloads]") {
  const auto events = parse_transaction(read_fixture("transaction_incident_room.json"));
  REQUIRE(events);
  REQUIRE(events->size() == 6);  // `ephemeral` is not among them

  const auto invite = event_as<invite_event>((*events)[0]);
  CHECK(invite.invitee == "@scribe:example.org");
  const auto opening = event_as<room_message>((*events)[1]);
  CHECK(opening.relation.kind == relation_kind::none);
  const auto reply = event_as<room_message>((*events)[2]);
  CHECK(reply.relation.kind == relation_kind::thread);
  CHECK(reply.relation.event_id == opening.event_id);
  const auto flag = event_as<reaction_event>((*events)[3]);
  CHECK(flag.target_event_id == reply.event_id);
  CHECK(flag_key_matches(flag.key, pin));
  CHECK(ignored_reason((*events)[4]).find("encrypted") != std::string::npos);
  CHECK(ignored_reason((*events)[5]) == R"(state event "m.room.topic")");
}

TEST_CASE("parse_transaction accepts an empty events array and ignores unknown keys",
          "[unit][payloads]") {
  const auto empty = parse_transaction(R"({"events":[]})");
  REQUIRE(empty);
  CHECK(empty->empty());
  const auto extra = parse_transaction(R"({"events":[{"type":"x"}],"ephemeral":7,"future":{}})");
  REQUIRE(extra);
  CHECK(extra->size() == 1);
}

TEST_CASE("parse_transaction keeps elements that are not objects for parse_event to ignore",
          "[unit][payloads]") {
  const auto events = parse_transaction(R"({"events":[1,"x",null,[],{}]})");
  REQUIRE(events);
  REQUIRE(events->size() == 5);
  CHECK(ignored_reason((*events)[0]) == "event is not an object");
  CHECK(ignored_reason((*events)[3]) == "event is not an object");
  CHECK(ignored_reason((*events)[4]) == "event without a string type");
}

TEST_CASE("parse_transaction refuses bodies that cannot be a transaction", "[unit][payloads]") {
  for (const std::string_view body :
       {"", " ", "{", "not json", "[]", R"("events")", "null", "42", "{}", R"({"events":null})",
        R"({"events":{}})", R"({"events":"[]"})", R"({"Events":[]})", R"({"events":[]} trailing)",
        "{\"events\":[\"\xC3\x28\"]}", R"({"events":[1e400]})"}) {
    INFO("body " << body);
    CHECK(parse_transaction(body).error() == http::errc::malformed_request);
  }
}

TEST_CASE("parse_transaction prunes nesting deeper than max_json_depth instead of failing",
          "[unit][payloads]") {
  SECTION("exactly max_json_depth levels are kept whole") {
    const auto events = parse_transaction(deep_event_body(max_json_depth - 3));
    REQUIRE(events);
    REQUIRE(events->size() == 1);
    CHECK(nesting_of((*events)[0]) == max_json_depth - 2);
    CHECK((*events)[0].dump().find("bottom") != std::string::npos);
  }
  SECTION("one level more loses the innermost array") {
    const auto events = parse_transaction(deep_event_body(max_json_depth - 2));
    REQUIRE(events);
    REQUIRE(events->size() == 1);
    CHECK(nesting_of((*events)[0]) == max_json_depth - 2);
    CHECK((*events)[0].dump().find("bottom") == std::string::npos);
    CHECK((*events)[0]["type"] == "t");
  }
  SECTION("one event's deep field is dropped, the rest of the transaction stays") {
    std::string deep_field = std::string(300, '[') + std::string(300, ']');
    const std::string body =
        R"({"events":[{"type":"m.room.message","event_id":"$a","room_id":"!r:x","sender":"@s:x",)"
        R"("origin_server_ts":1,"content":{"msgtype":"m.text","body":"deep one",)"
        R"("com.example.custom":)" +
        deep_field + R"(}},)" + text_message().dump() + "]}";
    const auto events = parse_transaction(body);
    REQUIRE(events);
    REQUIRE(events->size() == 2);
    for (const json& event : *events) CHECK(nesting_of(event) < max_json_depth);
    const auto first = event_as<room_message>((*events)[0]);
    CHECK(first.body == "deep one");
    CHECK(event_as<room_message>((*events)[1]).body == "Checkout is returning 502s");
  }
  SECTION("nesting beyond the limit leaves a body at most max_json_depth deep") {
    // The parser is iterative: 200,000 levels must not exhaust the stack.
    for (const std::size_t depth : {max_json_depth + 1, std::size_t{1000}, std::size_t{200000}}) {
      INFO("depth " << depth);
      const auto events = parse_transaction(deep_event_body(depth));
      REQUIRE(events);
      REQUIRE(events->size() == 1);
      // body (1) > events (2) > event (3): the event keeps max_json_depth - 2 levels.
      CHECK(nesting_of((*events)[0]) == max_json_depth - 2);
      CHECK((*events)[0]["type"] == "t");
    }
  }
  SECTION("objects deeper than the limit lose the key") {
    std::string body = R"({"events":[{"type":"t","keep":1,"deep":)";
    for (std::size_t i = 0; i < max_json_depth; ++i) body += R"({"k":)";
    body += "1" + std::string(max_json_depth, '}') + "}]}";
    const auto events = parse_transaction(body);
    REQUIRE(events);
    CHECK((*events)[0]["keep"] == 1);
    CHECK(nesting_of((*events)[0]) < max_json_depth);
  }
}

// ---- parse_event: m.room.message -------------------------------------------------------------

TEST_CASE("parse_event reads the spec's m.text example", "[unit][payloads]") {
  const auto m = event_as<room_message>(fixture_json("event_m.room.message_m.text.json"));
  CHECK(m.event_id == "$143273582443PhrSn:example.org");
  CHECK(m.room_id == "!jEsUZKDJdhlrceRyVU:example.org");
  CHECK(m.sender == "@example:example.org");
  CHECK(m.origin_server_ts == 1432735824653);
  CHECK(m.msgtype == "m.text");
  CHECK(m.body == "This is an example text message");
  CHECK(m.formatted_body == "<b>This is an example text message</b>");
  CHECK(m.relation.kind == relation_kind::none);
  CHECK(m.relation.event_id.empty());
  CHECK(m.new_body.empty());
  CHECK(m.mentioned_user_ids.empty());
}

TEST_CASE("parse_event keeps m.notice as a message and exposes its msgtype", "[unit][payloads]") {
  const auto m = event_as<room_message>(fixture_json("event_m.room.message_m.notice.json"));
  CHECK(m.msgtype == "m.notice");
  CHECK(m.body == "This is an example notice");
  CHECK(m.formatted_body == "This is an <strong>example</strong> notice");
}

TEST_CASE("parse_event keeps other msgtypes and drops formatted_body of an unknown format",
          "[unit][payloads]") {
  json image = text_message();
  image["content"] = json_of(R"({"msgtype":"m.image","body":"filename.jpg",
                                 "url":"mxc://example.org/JWEIFJgwEIhweiWJE"})");
  CHECK(event_as<room_message>(image).msgtype == "m.image");

  json other_format = text_message();
  other_format["content"]["format"] = "text/markdown";
  other_format["content"]["formatted_body"] = "**x**";
  CHECK(event_as<room_message>(other_format).formatted_body.empty());

  json no_format = text_message();
  no_format["content"]["formatted_body"] = "<b>x</b>";
  CHECK(event_as<room_message>(no_format).formatted_body.empty());
}

TEST_CASE(
    "parse_event: a thread message with the fallback for unthreaded clients stays a thread "
    "message",
    "[unit][payloads]") {
  const auto m = event_as<room_message>(fixture_json("event_thread_reply_falling_back.json"));
  CHECK(m.relation.kind == relation_kind::thread);
  CHECK(m.relation.event_id == "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg");
  CHECK(m.relation.in_reply_to == "$2vMfpPkFQDBG8G1jHVTZXgGMNTcwLI0ldtB9ygUnWTI");
  CHECK(m.relation.is_falling_back);
  CHECK(m.body == "Rolled back to 4.2.1, error rate is dropping");
  CHECK(m.mentioned_user_ids.empty());  // "m.mentions": {}
}

TEST_CASE("parse_event: thread relations with and without a reply inside", "[unit][payloads]") {
  SECTION("a plain thread message") {
    const auto m = event_as<room_message>(
        with_relation(text_message(), json_of(R"({"rel_type":"m.thread","event_id":"$root"})")));
    CHECK(m.relation.kind == relation_kind::thread);
    CHECK(m.relation.event_id == "$root");
    CHECK(m.relation.in_reply_to.empty());
    CHECK_FALSE(m.relation.is_falling_back);
  }
  SECTION("a reply within a thread (is_falling_back absent or false)") {
    for (const char* relates :
         {R"({"rel_type":"m.thread","event_id":"$root",
                                    "m.in_reply_to":{"event_id":"$earlier"}})",
          R"({"rel_type":"m.thread","event_id":"$root","is_falling_back":false,
                                    "m.in_reply_to":{"event_id":"$earlier"}})"}) {
      const auto m = event_as<room_message>(with_relation(text_message(), json_of(relates)));
      CHECK(m.relation.kind == relation_kind::thread);
      CHECK(m.relation.event_id == "$root");
      CHECK(m.relation.in_reply_to == "$earlier");
      CHECK_FALSE(m.relation.is_falling_back);
    }
  }
  SECTION("is_falling_back that is not a boolean counts as false") {
    const auto m = event_as<room_message>(
        with_relation(text_message(),
                      json_of(R"({"rel_type":"m.thread","event_id":"$root","is_falling_back":"true",
                                    "m.in_reply_to":{"event_id":"$earlier"}})")));
    CHECK_FALSE(m.relation.is_falling_back);
  }
  SECTION("a reply fallback in a thread message's body is stripped") {
    json event = with_relation(text_message(), json_of(R"({"rel_type":"m.thread","event_id":"$root",
        "is_falling_back":true,"m.in_reply_to":{"event_id":"$latest"}})"));
    event["content"]["body"] = "> <@bob:example.org> earlier\n\nnow";
    CHECK(event_as<room_message>(event).body == "now");
  }
}

TEST_CASE("parse_event: a rich reply, its fallbacks stripped", "[unit][payloads]") {
  const auto m = event_as<room_message>(fixture_json("event_reply_with_fallback.json"));
  CHECK(m.relation.kind == relation_kind::reply);
  CHECK(m.relation.event_id == "$FxQs2wMKSmnkyAZaqZ9XBFVGCn4OLMV7cG-E_wd4Bmk");
  CHECK(m.relation.in_reply_to.empty());
  CHECK(m.body == "Confirmed, p99 latency is back under 200 ms");
  CHECK(m.formatted_body == "Confirmed, p99 latency is back under <b>200 ms</b>");
}

TEST_CASE("parse_event: a reply without fallback (v1.13+) keeps its body", "[unit][payloads]") {
  json event =
      with_relation(text_message(), json_of(R"({"m.in_reply_to":{"event_id":"$another_event"}})"));
  event["content"]["body"] = "That sounds like a great idea!";
  const auto m = event_as<room_message>(event);
  CHECK(m.relation.kind == relation_kind::reply);
  CHECK(m.relation.event_id == "$another_event");
  CHECK(m.body == "That sounds like a great idea!");
}

TEST_CASE("parse_event: a plain message that quotes keeps its quote", "[unit][payloads]") {
  json event = text_message();
  event["content"]["body"] = "> the runbook says restart\n\nit did not help";
  event["content"]["format"] = "org.matrix.custom.html";
  event["content"]["formatted_body"] = "<mx-reply>not a reply</mx-reply>text";
  const auto m = event_as<room_message>(event);
  CHECK(m.body == "> the runbook says restart\n\nit did not help");
  CHECK(m.formatted_body == "<mx-reply>not a reply</mx-reply>text");
}

TEST_CASE("parse_event: an edit carries the new content", "[unit][payloads]") {
  const auto m = event_as<room_message>(fixture_json("event_edit_with_mentions.json"));
  CHECK(m.relation.kind == relation_kind::replace);
  CHECK(m.relation.event_id == "$original_event");
  CHECK(m.body == "* Hello Alice & Bob!");
  CHECK(m.new_body == "Hello Alice & Bob!");
  CHECK(m.new_msgtype == "m.text");
  CHECK(m.new_formatted_body.find("&amp;") != std::string::npos);
  // The top-level m.mentions: only the users this revision newly mentions.
  CHECK(m.mentioned_user_ids == std::vector<std::string>{"@bob:example.org"});
}

TEST_CASE("parse_event: an edit that changes the msgtype, without HTML", "[unit][payloads]") {
  json event =
      with_relation(text_message(), json_of(R"({"rel_type":"m.replace","event_id":"$orig"})"));
  event["content"]["body"] = "* waves";
  event["content"]["m.new_content"] = json_of(R"({"msgtype":"m.emote","body":"waves"})");
  const auto m = event_as<room_message>(event);
  CHECK(m.new_body == "waves");
  CHECK(m.new_msgtype == "m.emote");
  CHECK(m.new_formatted_body.empty());
}

TEST_CASE("parse_event ignores edits without usable m.new_content", "[unit][payloads]") {
  const json edit =
      with_relation(text_message(), json_of(R"({"rel_type":"m.replace","event_id":"$orig"})"));
  CHECK(ignored_reason(edit).find("m.new_content") != std::string::npos);
  for (const char* new_content :
       {"null", "\"text\"", "[]", "{}", R"({"body":5})", R"({"msgtype":"m.text"})"}) {
    json event = edit;
    event["content"]["m.new_content"] = json::parse(new_content);
    INFO("m.new_content " << new_content);
    CHECK(ignored_reason(event).find("m.new_content") != std::string::npos);
  }
}

TEST_CASE("parse_event ignores relations without a usable event_id", "[unit][payloads]") {
  for (const char* relates :
       {R"({"rel_type":"m.thread"})", R"({"rel_type":"m.thread","event_id":7})",
        R"({"rel_type":"m.thread","event_id":"root"})", R"({"rel_type":"m.thread","event_id":"$"})",
        R"({"rel_type":"m.replace","event_id":null})", R"({"m.in_reply_to":{}})",
        R"({"m.in_reply_to":"$x"})", R"({"m.in_reply_to":{"event_id":["$x"]}})"}) {
    INFO("m.relates_to " << relates);
    json event = with_relation(text_message(), json::parse(relates));
    event["content"]["m.new_content"] = json_of(R"({"body":"x","msgtype":"m.text"})");
    CHECK(ignored_reason(event).find("event_id") != std::string::npos);
  }
}

TEST_CASE("parse_event: unknown relation types leave a plain message or a reply",
          "[unit][payloads]") {
  const auto reference = event_as<room_message>(
      with_relation(text_message(), json_of(R"({"rel_type":"m.reference","event_id":"$x"})")));
  CHECK(reference.relation.kind == relation_kind::none);
  CHECK(reference.relation.event_id.empty());

  const auto reply = event_as<room_message>(with_relation(
      text_message(), json_of(R"({"rel_type":"org.example.my_relation","event_id":"$x",
                  "m.in_reply_to":{"event_id":"$y"}})")));
  CHECK(reply.relation.kind == relation_kind::reply);
  CHECK(reply.relation.event_id == "$y");

  const auto not_an_object = event_as<room_message>(with_relation(text_message(), "m.thread"));
  CHECK(not_an_object.relation.kind == relation_kind::none);
}

TEST_CASE("parse_event reads m.mentions.user_ids: strings only, once each", "[unit][payloads]") {
  json event = text_message();
  event["content"]["m.mentions"] = json_of(
      R"({"user_ids":["@scribe:example.org",7,null,"@bob:example.org","@scribe:example.org"],
          "room":true})");
  CHECK(event_as<room_message>(event).mentioned_user_ids ==
        std::vector<std::string>{"@scribe:example.org", "@bob:example.org"});
  for (const char* mentions :
       {"null", "[]", R"({"user_ids":"@scribe:example.org"})", R"({"user_ids":{}})"}) {
    event["content"]["m.mentions"] = json::parse(mentions);
    CHECK(event_as<room_message>(event).mentioned_user_ids.empty());
  }
}

TEST_CASE("parse_event ignores messages missing required fields or holding wrong types",
          "[unit][payloads]") {
  struct broken {
    const char* pointer;
    json value;  // null: the field is removed
    const char* reason;
  };
  const broken cases[] = {
      {"/event_id", nullptr, "m.room.message without a valid event_id"},
      {"/event_id", "Rqnc", "m.room.message without a valid event_id"},
      {"/event_id", "$", "m.room.message without a valid event_id"},
      {"/event_id", 5, "m.room.message without a valid event_id"},
      {"/room_id", nullptr, "m.room.message without a valid room_id"},
      {"/room_id", "#alias:example.org", "m.room.message without a valid room_id"},
      {"/room_id", json::array(), "m.room.message without a valid room_id"},
      {"/sender", nullptr, "m.room.message without a valid sender"},
      {"/sender", "alice", "m.room.message without a valid sender"},
      {"/sender", true, "m.room.message without a valid sender"},
      {"/content", nullptr, "m.room.message without a valid content"},
      {"/content", "text", "m.room.message without a valid content"},
      {"/content", json::array(), "m.room.message without a valid content"},
      {"/origin_server_ts", nullptr, "m.room.message without a valid origin_server_ts"},
      {"/origin_server_ts", "1718035290000", "m.room.message without a valid origin_server_ts"},
      {"/origin_server_ts", 1718035290000.5, "m.room.message without a valid origin_server_ts"},
      {"/content/msgtype", nullptr, "m.room.message without a string msgtype and body"},
      {"/content/msgtype", 1, "m.room.message without a string msgtype and body"},
      {"/content/body", nullptr, "m.room.message without a string msgtype and body"},
      {"/content/body", json::object(), "m.room.message without a string msgtype and body"},
  };
  for (const auto& c : cases) {
    json event = text_message();
    const json::json_pointer pointer{c.pointer};
    if (c.value.is_null()) {
      event[pointer.parent_pointer()].erase(pointer.back());
    } else {
      event[pointer] = c.value;
    }
    INFO(c.pointer << " = " << c.value.dump());
    CHECK(ignored_reason(event) == c.reason);
  }
}

TEST_CASE("parse_event: origin_server_ts must be whole milliseconds Scribe can keep",
          "[unit][payloads]") {
  const auto ts_of = [](std::string_view literal) {
    std::string body = text_message().dump();
    const std::string original = "1718035290000";
    body.replace(body.find(original), original.size(), literal);
    return json::parse(body);
  };
  // The largest millisecond count whose microseconds fit in 64 bits, and 1970 itself.
  CHECK(event_as<room_message>(ts_of("9223372036854775")).origin_server_ts == 9223372036854775);
  CHECK(event_as<room_message>(ts_of("0")).origin_server_ts == 0);
  // Beyond them a time would overflow when kept in microseconds (hostile input, not a clock).
  for (const char* huge : {"9223372036854776", "9223372036854775807", "-1",
                           "-9223372036854775808", "9223372036854775808", "18446744073709551615",
                           "18446744073709551616", "1e300", "1.7180352900e12",
                           "-9223372036854775809"}) {
    INFO("origin_server_ts " << huge);
    CHECK(ignored_reason(ts_of(huge)) == "m.room.message without a valid origin_server_ts");
  }
}

TEST_CASE("parse_event ignores a redacted message (empty content)", "[unit][payloads]") {
  json event = text_message();
  event["content"] = json::object();
  event["unsigned"]["redacted_because"] = json_of(R"({"type":"m.room.redaction"})");
  CHECK(ignored_reason(event) == "m.room.message without a string msgtype and body");
}

// ---- parse_event: m.reaction -------------------------------------------------------------------

TEST_CASE("parse_event reads the spec's m.reaction example", "[unit][payloads]") {
  const auto r = event_as<reaction_event>(fixture_json("event_m.reaction.json"));
  CHECK(r.event_id == "$143273582443PhrSn:example.org");
  CHECK(r.room_id == "!jEsUZKDJdhlrceRyVU:example.org");
  CHECK(r.sender == "@example:example.org");
  CHECK(r.origin_server_ts == 1432735824653);
  CHECK(r.target_event_id == "$some_event_id");
  CHECK(r.key == thumbs_up);
}

TEST_CASE("parse_event reads a reaction whose key has U+FE0F", "[unit][payloads]") {
  const auto r = event_as<reaction_event>(fixture_json("event_reaction_pin_fe0f.json"));
  CHECK(r.key == pin + fe0f);
  CHECK(r.target_event_id == "$FxQs2wMKSmnkyAZaqZ9XBFVGCn4OLMV7cG-E_wd4Bmk");
  CHECK(flag_key_matches(r.key, pin));
  CHECK(flag_key_matches(r.key, pin + fe0f));
  CHECK_FALSE(flag_key_matches(r.key, thumbs_up));
}

TEST_CASE("parse_event ignores reactions that are not annotations or lack fields",
          "[unit][payloads]") {
  const json reaction = fixture_json("event_m.reaction.json");
  struct broken {
    const char* pointer;
    json value;
    const char* reason;
  };
  const broken cases[] = {
      {"/content/m.relates_to/rel_type", nullptr, "m.reaction with rel_type missing"},
      {"/content/m.relates_to/rel_type", "m.reference",
       R"(m.reaction with rel_type "m.reference")"},
      {"/content/m.relates_to/rel_type", 1, "m.reaction with rel_type missing"},
      {"/content/m.relates_to/key", nullptr, "m.reaction without a valid event_id or key"},
      {"/content/m.relates_to/key", "", "m.reaction without a valid event_id or key"},
      {"/content/m.relates_to/key", 1, "m.reaction without a valid event_id or key"},
      {"/content/m.relates_to/event_id", nullptr, "m.reaction without a valid event_id or key"},
      {"/content/m.relates_to/event_id", "some_event_id",
       "m.reaction without a valid event_id or key"},
      {"/content/m.relates_to", nullptr, "m.reaction with rel_type missing"},
      {"/origin_server_ts", nullptr, "m.reaction without a valid origin_server_ts"},
      {"/sender", nullptr, "m.reaction without a valid sender"},
      {"/content", nullptr, "m.reaction without a valid content"},
  };
  for (const auto& c : cases) {
    json event = reaction;
    const json::json_pointer pointer{c.pointer};
    if (c.value.is_null()) {
      event[pointer.parent_pointer()].erase(pointer.back());
    } else {
      event[pointer] = c.value;
    }
    INFO(c.pointer << " = " << c.value.dump());
    CHECK(ignored_reason(event) == c.reason);
  }
}

// ---- parse_event: m.room.redaction -------------------------------------------------------------

TEST_CASE("parse_event reads the spec's v11 redaction (content.redacts)", "[unit][payloads]") {
  const auto r = event_as<redaction_event>(fixture_json("event_m.room.redaction_v11.json"));
  CHECK(r.event_id == "$143273582443PhrSn:example.org");
  CHECK(r.room_id == "!jEsUZKDJdhlrceRyVU:example.org");
  CHECK(r.sender == "@example:example.org");
  CHECK(r.redacts == "$fukweghifu23:localhost");
}

TEST_CASE("parse_event reads the spec's v10 redaction (top-level redacts)", "[unit][payloads]") {
  const auto r = event_as<redaction_event>(fixture_json("event_m.room.redaction_v10.json"));
  CHECK(r.event_id == "$Nhl3rsgHMjk-DjMJANawr9HHAhLg4GcoTYrSiYYGqEE");
  CHECK(r.sender == "@moderator:example.org");
  CHECK(r.redacts == "$26RqwJMLw-yds1GAH_QxjHRC1Da9oasK0e5VLnck_45");
}

TEST_CASE("parse_event: redacts in both places must agree", "[unit][payloads]") {
  json both = fixture_json("event_m.room.redaction_v11.json");
  both["redacts"] = both["content"]["redacts"];  // a v11 server copying it up for old clients
  CHECK(event_as<redaction_event>(both).redacts == "$fukweghifu23:localhost");

  both["redacts"] = "$someone_elses_message";
  CHECK(ignored_reason(both) == "m.room.redaction whose top-level and content redacts differ");

  // An unusable copy in one place does not hide a usable one in the other.
  both["redacts"] = 12;
  CHECK(event_as<redaction_event>(both).redacts == "$fukweghifu23:localhost");
}

TEST_CASE("parse_event ignores redactions without a target or header", "[unit][payloads]") {
  json none = fixture_json("event_m.room.redaction_v11.json");
  none["content"].erase("redacts");
  CHECK(ignored_reason(none) == "m.room.redaction without a valid redacts");
  none["content"]["redacts"] = "fukweghifu23:localhost";
  CHECK(ignored_reason(none) == "m.room.redaction without a valid redacts");
  none["content"]["redacts"] = json::array({"$x"});
  CHECK(ignored_reason(none) == "m.room.redaction without a valid redacts");

  json no_room = fixture_json("event_m.room.redaction_v10.json");
  no_room.erase("room_id");
  CHECK(ignored_reason(no_room) == "m.room.redaction without a valid room_id");

  json state = fixture_json("event_m.room.redaction_v10.json");
  state["state_key"] = "";
  CHECK(ignored_reason(state) == R"(state event "m.room.redaction")");
}

// ---- parse_event: invites and other state --------------------------------------------------

TEST_CASE("parse_event reads an invite", "[unit][payloads]") {
  const auto i = event_as<invite_event>(fixture_json("event_invite.json"));
  CHECK(i.event_id == "$d8yUVLo9pKw7fmTzNcQr3cX_4ZzS0Ww2hYgkKX6R5bE");
  CHECK(i.room_id == "!OGEhHVWSdvArJzumhm:matrix.org");
  CHECK(i.sender == "@alice:example.org");
  CHECK(i.invitee == "@scribe:example.org");
}

TEST_CASE("parse_event ignores other memberships and broken invites", "[unit][payloads]") {
  const json invite = fixture_json("event_invite.json");
  for (const char* membership : {"join", "leave", "ban", "knock"}) {
    json event = invite;
    event["content"]["membership"] = membership;
    CHECK(ignored_reason(event) ==
          std::string{"m.room.member with membership \""} + membership + "\"");
  }
  json no_membership = invite;
  no_membership["content"]["membership"] = 1;
  CHECK(ignored_reason(no_membership) == "m.room.member with membership missing");

  json no_state_key = invite;
  no_state_key.erase("state_key");
  CHECK(ignored_reason(no_state_key) == "m.room.member without a state_key");

  for (const json& state_key : {json(""), json("scribe"), json(7), json(nullptr)}) {
    json event = invite;
    event["state_key"] = state_key;
    INFO("state_key " << state_key.dump());
    CHECK(ignored_reason(event) == "m.room.member invite without a user state_key");
  }

  json no_sender = invite;
  no_sender["sender"] = "";
  CHECK(ignored_reason(no_sender) == "m.room.member without a valid sender");
}

TEST_CASE("parse_event tells state events by state_key, not by type", "[unit][payloads]") {
  json state_message = text_message();
  state_message["state_key"] = "";
  CHECK(ignored_reason(state_message) == R"(state event "m.room.message")");

  json state_reaction = fixture_json("event_m.reaction.json");
  state_reaction["state_key"] = "@example:example.org";
  CHECK(ignored_reason(state_reaction) == R"(state event "m.reaction")");
}

// ---- parse_event: everything else ----------------------------------------------------------

TEST_CASE("parse_event ignores other event types, saying which", "[unit][payloads]") {
  CHECK(ignored_reason(json::array()) == "event is not an object");
  CHECK(ignored_reason(json("m.room.message")) == "event is not an object");
  CHECK(ignored_reason(json(nullptr)) == "event is not an object");
  CHECK(ignored_reason(json_of(R"({"content":{}})")) == "event without a string type");
  CHECK(ignored_reason(json_of(R"({"type":["m.room.message"]})")) == "event without a string type");
  CHECK(ignored_reason(json_of(R"({"type":"m.sticker","content":{}})")) ==
        R"(event type "m.sticker")");
  CHECK(ignored_reason(json_of(R"({"type":"m.room.encrypted","content":{}})")) ==
        "m.room.encrypted: Scribe cannot read end-to-end encrypted rooms");

  // A hostile type name does not fill the log.
  json long_type = text_message();
  long_type["type"] = std::string(10000, 'x');
  CHECK(ignored_reason(long_type).size() < 100);
}

TEST_CASE("parse_event never throws, whatever a field holds", "[unit][payloads]") {
  const json samples[] = {nullptr,
                          true,
                          -1,
                          1.5,
                          "",
                          "$x",
                          json::array(),
                          json::object(),
                          json::array({1}),
                          json_of(R"({"event_id":"$x"})")};
  for (const char* fixture :
       {"event_m.room.message_m.text.json", "event_thread_reply_falling_back.json",
        "event_reply_with_fallback.json", "event_edit_with_mentions.json", "event_m.reaction.json",
        "event_m.room.redaction_v10.json", "event_m.room.redaction_v11.json",
        "event_invite.json"}) {
    const json original = fixture_json(fixture);
    std::vector<json::json_pointer> pointers;
    const json flat = original.flatten();  // items() keeps a reference: not a temporary
    for (const auto& [path, leaf] : flat.items()) {
      json::json_pointer pointer{path};
      // Every field, and every object that holds one.
      while (!pointer.empty()) {
        pointers.push_back(pointer);
        pointer = pointer.parent_pointer();
      }
    }
    for (const auto& pointer : pointers) {
      for (const json& sample : samples) {
        json event = original;
        event[pointer] = sample;
        INFO(fixture << " " << pointer.to_string() << " = " << sample.dump());
        CHECK_NOTHROW(parse_event(event));
      }
    }
  }
}

// ---- strip_reply_fallback ------------------------------------------------------------------

TEST_CASE("strip_reply_fallback removes the spec's fallbacks", "[unit][payloads]") {
  CHECK(strip_reply_fallback("> <@alice:example.org> This is the original body\n\n"
                             "This is where the reply goes") == "This is where the reply goes");
  CHECK(strip_reply_fallback("> <@alice:example.org> This is the first line\n"
                             "> This is the second line\n\nThis is the reply") ==
        "This is the reply");
  CHECK(strip_reply_fallback("> * <@alice:example.org> feels like today is going to be a great "
                             "day\n\nThis is the reply") == "This is the reply");
  CHECK(strip_reply_fallback("> <@alice:example.org> sent a file.\n\nThis is the reply") ==
        "This is the reply");
  // An empty line in the quoted message is "> " + "".
  CHECK(strip_reply_fallback("> <@alice:example.org> a\n> \n> b\n\nreply") == "reply");
  // Only the leading block: later quotes and paragraphs are the reply's.
  CHECK(strip_reply_fallback("> <@a:x> q\n\nreply\n> later quote\n\nmore") ==
        "reply\n> later quote\n\nmore");
  CHECK(strip_reply_fallback("> <@a:x> q\n\n") == "");
}

TEST_CASE("strip_reply_fallback leaves bodies without a fallback alone", "[unit][payloads]") {
  for (const std::string_view body :
       {"", "plain", "reply\n\n> quote", ">no space\n\nreply", "> quote\nno blank line",
        "> quote only", "> quote only\n", " > indented\n\nreply", "\n> q\n\nreply",
        "> a\n>b\n\nreply"}) {
    INFO("body [" << body << "]");
    CHECK(strip_reply_fallback(body) == body);
  }
}

TEST_CASE("strip_reply_fallback returns a view into its argument", "[unit][payloads]") {
  const std::string body = "> <@a:x> q\n\nreply";
  const std::string_view stripped = strip_reply_fallback(body);
  CHECK(stripped.data() == body.data() + body.size() - 5);
}

TEST_CASE("strip_html_reply_fallback removes a leading mx-reply element", "[unit][payloads]") {
  CHECK(strip_html_reply_fallback("<mx-reply><blockquote>q</blockquote></mx-reply>reply") ==
        "reply");
  CHECK(strip_html_reply_fallback("<mx-reply>\n  <blockquote>q</blockquote>\n</mx-reply>\nreply") ==
        "\nreply");
  CHECK(strip_html_reply_fallback("reply") == "reply");
  CHECK(strip_html_reply_fallback("") == "");
  CHECK(strip_html_reply_fallback("<mx-reply>never closed") == "<mx-reply>never closed");
  CHECK(strip_html_reply_fallback("text <mx-reply>q</mx-reply>") == "text <mx-reply>q</mx-reply>");
}

// ---- flag_key_matches ----------------------------------------------------------------------

TEST_CASE("flag_key_matches ignores one trailing U+FE0F on either side", "[unit][payloads]") {
  CHECK(flag_key_matches(pin, pin));
  CHECK(flag_key_matches(pin + fe0f, pin));
  CHECK(flag_key_matches(pin, pin + fe0f));
  CHECK(flag_key_matches(pin + fe0f, pin + fe0f));
  CHECK(flag_key_matches("\xE2\x9C\x85", "\xE2\x9C\x85"));  // U+2705, no FE0F form
}

TEST_CASE("flag_key_matches refuses other keys", "[unit][payloads]") {
  CHECK_FALSE(flag_key_matches(thumbs_up, pin));
  CHECK_FALSE(flag_key_matches(pin + pin, pin));
  CHECK_FALSE(flag_key_matches(pin + fe0f + fe0f, pin));
  CHECK_FALSE(flag_key_matches(thumbs_up + medium_skin, thumbs_up + fe0f));
  CHECK_FALSE(flag_key_matches(fe0f + pin, pin));
  CHECK_FALSE(flag_key_matches(":pushpin:", pin));
  CHECK_FALSE(flag_key_matches("", pin));
  CHECK_FALSE(flag_key_matches(pin, ""));
  CHECK_FALSE(flag_key_matches("", ""));
  CHECK_FALSE(flag_key_matches(fe0f, fe0f));
  CHECK_FALSE(flag_key_matches(fe0f, ""));
}

// ---- parse_user_id -------------------------------------------------------------------------

TEST_CASE("parse_user_id splits valid user IDs", "[unit][payloads]") {
  struct valid {
    const char* id;
    const char* localpart;
    const char* server_name;
  };
  for (const auto& v :
       {valid{"@alice:example.com", "alice", "example.com"},
        valid{"@_scribe_bot:example.org", "_scribe_bot", "example.org"},
        valid{"@a.b_c=d-e/f+g09:matrix.org", "a.b_c=d-e/f+g09", "matrix.org"},
        valid{"@watch/for/slashes:example.org", "watch/for/slashes", "example.org"},
        valid{"@x:matrix.org:8888", "x", "matrix.org:8888"}, valid{"@x:1.2.3.4", "x", "1.2.3.4"},
        valid{"@x:1.2.3.4:1234", "x", "1.2.3.4:1234"},
        valid{"@x:[1234:5678::abcd]", "x", "[1234:5678::abcd]"},
        valid{"@x:[1234:5678::abcd]:5678", "x", "[1234:5678::abcd]:5678"},
        valid{"@x:[::1]", "x", "[::1]"}, valid{"@x:Example.ORG", "x", "Example.ORG"},
        valid{"@x:localhost", "x", "localhost"}}) {
    INFO(v.id);
    const auto parts = parse_user_id(v.id);
    REQUIRE(parts);
    CHECK(parts->localpart == v.localpart);
    CHECK(parts->server_name == v.server_name);
  }
}

TEST_CASE("parse_user_id refuses what the grammar does not allow", "[unit][payloads]") {
  for (const std::string_view id : {"",
                                    "@",
                                    "@:",
                                    "alice:example.org",
                                    "#alice:example.org",
                                    "@:example.org",
                                    "@alice",
                                    "@alice:",
                                    "@Alice:example.org",
                                    "@al ice:example.org",
                                    "@al*ce:example.org",
                                    "@al%3Ace:example.org",
                                    "@caf\xC3\xA9:example.org",
                                    "@alice:exa mple.org",
                                    "@alice:example_org",
                                    "@alice:example.org/",
                                    "@alice:example.org:",
                                    "@alice:example.org:123456",
                                    "@alice:example.org:80a",
                                    "@alice:example.org:-1",
                                    "@alice:example.org:80:80",
                                    "@alice:[::1",
                                    "@alice:[::1]x",
                                    "@alice:[::1]:",
                                    "@alice:[]",
                                    "@alice:[1]",
                                    "@alice:[g::1]",
                                    "@alice:[::1]:123456",
                                    "@ali:ce:example.org",
                                    " @alice:example.org",
                                    "@alice:example.org "}) {
    INFO("id [" << id << "]");
    CHECK_FALSE(parse_user_id(id));
  }
}

TEST_CASE("parse_user_id: at most 255 bytes", "[unit][payloads]") {
  const std::string server = ":example.org";
  const std::string longest = "@" + std::string(255 - 1 - server.size(), 'a') + server;
  REQUIRE(longest.size() == 255);
  CHECK(parse_user_id(longest));
  CHECK_FALSE(parse_user_id("@a" + longest.substr(1)));
  const std::string ipv6_46 = "@x:[" + std::string(46, '1') + "]";
  CHECK_FALSE(parse_user_id(ipv6_46));
  CHECK(parse_user_id("@x:[" + std::string(45, '1') + "]"));
}

}  // namespace scribe::matrix
