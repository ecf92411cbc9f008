// Slack's requests in: signed bytes through the router, as the server's session would pass them,
// and what comes of them: the answer, and what the inbox holds (decoded as the worker would). The
// adapter's workers are never started, so the inbox only fills.
//
// Follows PROTOCOLS.md 1 (Slack's "Verifying requests from Slack": v0 HMAC-SHA256 over
// "v0:<timestamp>:<body>", a 5-minute window), 3 (Events API: url_verification, event_callback,
// retries, app_rate_limited) and 4 (interactivity's form with a JSON payload); the bodies are
// tests/fixtures/slack (its README names each one's source; the envelopes match
// tests/fixtures/spec/slack-events-wrapper-schema.json). The inbox limit itself is the shared
// inbox's (tests/adapters/jobs/chat_queues_test.cpp); Slack's answer to a full inbox is checked
// here.

#include "adapters/slack/slack_adapter.hpp"
#include "metrics/catalog.hpp"
#include "tests/adapters/slack/fixture.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/desk_fixture.hpp"
#include "tests/support/dispatch.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace scribe::slack {
namespace {

namespace beast_http = boost::beast::http;
using json = nlohmann::json;
using beast_http::status;
using test_support::form_encode;
using test_support::read_fixture;

constexpr std::string_view signing_secret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr std::string_view json_type = "application/json";
constexpr std::string_view form_type = "application/x-www-form-urlencoded";

// Slack's v0 signature, "v0=" + hex(HMAC-SHA256(secret, "v0:<timestamp>:<body>")), computed here
// with OpenSSL rather than with the adapter's sign(), so that a mistake shared by signing and
// verifying cannot pass unnoticed.
std::string slack_v0_signature(std::string_view secret, std::string_view timestamp,
                               std::string_view body) {
  const std::string base = "v0:" + std::string(timestamp) + ":" + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  REQUIRE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
               reinterpret_cast<const unsigned char*>(base.data()), base.size(), mac,
               &length) != nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "v0=";
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 0x0F];
  }
  return out;
}

json fixture_json(std::string_view name) {
  return json::parse(read_fixture(name));
}

// The fixture's 👍 made into a 📌: an event Scribe acts on.
json pushpin() {
  json body = fixture_json("event_reaction_added.json");
  body["event"]["reaction"] = "pushpin";
  return body;
}

std::string shortcut_form(const json& payload) {
  return "payload=" + form_encode(payload.dump());
}

// The kind of a stored event, for messages that say which one was found.
std::string kind_of(const bot::chat_event& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, bot::flag_event>) return "flag";
        if constexpr (std::is_same_v<T, bot::unflag_event>) return "unflag";
        if constexpr (std::is_same_v<T, bot::message_edited_event>) return "edited";
        if constexpr (std::is_same_v<T, bot::message_deleted_event>) return "deleted";
        if constexpr (std::is_same_v<T, bot::thread_reply_event>) return "reply";
        if constexpr (std::is_same_v<T, bot::command_event>) return "command";
        return "invited";
      },
      event);
}

struct stored_event {
  std::string key;
  bot::chat_event event;
};

// A Slack adapter on a temporary store whose workers are never started.
struct webhook_fixture : scribe::test_support::desk_fixture {
  explicit webhook_fixture(unsigned max_pending = 100) : limits{max_pending} {
    options.signing_secret = std::string(signing_secret);
    options.bot_token = "xoxb-test-token";
    options.api_base_url = "http://127.0.0.1:9/api";  // never called: no worker runs
    adapter = std::make_unique<slack_adapter>(ioc, store_thread, options, "", desk, postmortems,
                                              store, client, clock, limits);
    adapter->add_routes(routes);
  }
  ~webhook_fixture() {
    adapter.reset();
    store_thread.join();
  }

  http::request request(std::string_view path, std::string body, std::string_view content_type) {
    http::request req{beast_http::verb::post, path, 11};
    if (!content_type.empty()) req.set(beast_http::field::content_type, content_type);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
  }
  // Signs `req` as Slack would now.
  void sign_now(http::request& req) {
    const std::string timestamp = std::to_string(bot::to_unix_micros(clock.now()) / 1'000'000);
    req.set("X-Slack-Request-Timestamp", timestamp);
    req.set("X-Slack-Signature", slack_v0_signature(signing_secret, timestamp, req.body()));
  }
  http::response send(http::request req) {
    ioc.restart();
    return scribe::test_support::dispatch_request(ioc, routes, std::move(req));
  }
  // POSTs `body` to `path`, signed as Slack signs.
  http::response deliver(std::string_view path, std::string body, std::string_view content_type) {
    auto req = request(path, std::move(body), content_type);
    sign_now(req);
    return send(std::move(req));
  }
  http::response event(const json& body) {
    return deliver("/slack/events", body.dump(), json_type);
  }
  http::response interaction(const json& payload) {
    return deliver("/slack/interactions", shortcut_form(payload), form_type);
  }

  // What the inbox holds, oldest first, each decoded as the inbox's worker decodes it. The jobs
  // are claimed to be read, and handed back at once.
  std::vector<stored_event> stored() {
    auto jobs = store.claim_batch(inbox_queue, clock.now(), std::chrono::minutes(1), 100);
    std::vector<stored_event> out;
    for (const auto& job : jobs) {
      store.release(job.id);
      auto event = bot::decode_chat_event(job.payload);
      INFO("job " << job.key << ": " << job.payload);
      REQUIRE(event);
      out.push_back({job.key, std::move(*event)});
    }
    return out;
  }
  std::int64_t pending() { return store.pending(inbox_queue); }

  boost::asio::io_context ioc;
  scribe::runtime::store_thread store_thread{nullptr};
  http::client client{ioc, http::client_options{}};
  config::slack_options options;
  config::jobs_options limits;
  http::router routes;
  std::unique_ptr<slack_adapter> adapter;
};

std::uint64_t rejected_count() {
  return metrics::queue_rejected().with({inbox_queue}).value();
}

bool is_empty_ok(const http::response& res) {
  return res.result() == status::ok && res.body().empty();
}

}  // namespace

TEST_CASE("the helper signs Slack's own test vector as Slack does", "[unit][slack][webhook]") {
  // PROTOCOLS.md 1, "Official test vector".
  CHECK(slack_v0_signature(signing_secret, "1531420618",
                           read_fixture("slash_command_signing_vector.txt")) ==
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
}

TEST_CASE("each event Scribe acts on is acknowledged and stored once, typed, under its event_id",
          "[unit][slack][webhook]") {
  webhook_fixture fx;
  json removed = pushpin();
  removed["event"]["type"] = "reaction_removed";
  const std::vector<std::pair<std::string, json>> deliveries{
      {"Ev-pin", pushpin()},
      {"Ev-unpin", removed},
      {"Ev-mention", fixture_json("event_app_mention.json")},
      {"Ev-reply", fixture_json("event_message_thread_reply.json")},
      {"Ev-edit", fixture_json("event_message_changed.json")},
      {"Ev-delete", fixture_json("event_message_deleted.json")},
  };
  for (auto [id, body] : deliveries) {
    INFO(id);
    body["event_id"] = id;
    const auto res = fx.event(body);
    CHECK(is_empty_ok(res));
  }
  const auto stored = fx.stored();
  REQUIRE(stored.size() == 6);
  const std::vector<std::pair<std::string, std::string>> expected{
      {"Ev-pin", "flag"},    {"Ev-unpin", "unflag"}, {"Ev-mention", "flag"},
      {"Ev-reply", "reply"}, {"Ev-edit", "edited"},  {"Ev-delete", "deleted"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(stored[i].key == expected[i].first);
    CHECK(kind_of(stored[i].event) == expected[i].second);
  }
  // The stored event is the one Slack's bytes meant, down to the flag's times.
  const auto& pin = std::get<bot::flag_event>(stored[0].event);
  CHECK(pin.channel == bot::channel_ref{"slack", "TXXXXXXXX", "C0G9QF9GZ"});
  CHECK(pin.message_ref == "C0G9QF9GZ/1360782400.498405");
  CHECK(pin.flagged_at == bot::from_unix_micros(1'360'782'804'083'113));
  const auto& mention = std::get<bot::flag_event>(stored[2].event);
  CHECK(mention.source == bot::entry_source::mention);
  REQUIRE(mention.message);
  CHECK(mention.message->author_id == "U222");
  CHECK(std::get<bot::message_edited_event>(stored[4].event).text ==
        "db-2 failover done &amp; traffic back &lt;50ms");
}

TEST_CASE("an event Slack sends again is stored once", "[unit][slack][webhook]") {
  webhook_fixture fx;
  CHECK(is_empty_ok(fx.event(pushpin())));
  auto retry = fx.request("/slack/events", pushpin().dump(), json_type);
  retry.set("X-Slack-Retry-Num", "1");
  retry.set("X-Slack-Retry-Reason", "http_timeout");
  fx.sign_now(retry);
  CHECK(is_empty_ok(fx.send(std::move(retry))));
  CHECK(fx.pending() == 1);

  SECTION("also once it has been handled") {
    const auto job = fx.store.claim(inbox_queue, fx.clock.now(), std::chrono::minutes(1));
    REQUIRE(job);
    fx.store.complete(job->id, fx.clock.now());
    CHECK(is_empty_ok(fx.event(pushpin())));
    CHECK(fx.pending() == 0);
  }
  SECTION("another event on the same message is another job") {
    json again = pushpin();
    again["event_id"] = "EvYYYYYYYY";
    CHECK(is_empty_ok(fx.event(again)));
    CHECK(fx.pending() == 2);
  }
}

TEST_CASE("events that ask nothing of Scribe are acknowledged and not stored, even when full",
          "[unit][slack][webhook]") {
  webhook_fixture fx(1);
  fx.store.enqueue(inbox_queue, "earlier", "event\n{}", fx.clock.now());
  json unknown_event = fixture_json("event_message_plain.json");
  unknown_event["event"] = {{"type", "channel_rename"}, {"channel", {{"id", "C111"}}}};
  json unknown_envelope = {{"type", "a_future_envelope"}, {"team_id", "T111"}};
  for (const auto& body :
       {fixture_json("event_reaction_added.json"), fixture_json("event_reaction_removed_file.json"),
        fixture_json("event_message_plain.json"), fixture_json("event_bot_message.json"),
        unknown_event, unknown_envelope}) {
    INFO(body.dump());
    CHECK(is_empty_ok(fx.event(body)));
  }
  CHECK(fx.pending() == 1);
}

TEST_CASE("url_verification is answered with its challenge once signed", "[unit][slack][webhook]") {
  webhook_fixture fx;
  const std::string body = read_fixture("event_url_verification.json");
  const auto res = fx.deliver("/slack/events", body, json_type);
  CHECK(res.result() == status::ok);
  CHECK(res[beast_http::field::content_type] == "application/json");
  CHECK(json::parse(res.body()) ==
        json{{"challenge", "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}});
  CHECK(fx.pending() == 0);

  // Verified first: an unsigned challenge learns nothing.
  const auto unsigned_res = fx.send(fx.request("/slack/events", body, json_type));
  CHECK(unsigned_res.result() == status::unauthorized);
  CHECK(unsigned_res.body().find("3eZbrw1a") == std::string::npos);
}

TEST_CASE("app_rate_limited is acknowledged and logged", "[unit][slack][webhook]") {
  scribe::test_support::captured_log log_lines;
  webhook_fixture fx;
  const auto res =
      fx.deliver("/slack/events", read_fixture("event_app_rate_limited.json"), json_type);
  CHECK(is_empty_ok(res));
  CHECK(fx.pending() == 0);
  const auto warned = log_lines.containing("msg=\"slack is rate-limiting events to scribe\"");
  REQUIRE(warned.size() == 1);
  CHECK(warned[0].find("team=T123456 minute=1518467820") != std::string::npos);
}

TEST_CASE("the message shortcut is stored once under its trigger_id", "[unit][slack][webhook]") {
  webhook_fixture fx;
  const json payload = fixture_json("interaction_message_shortcut.json");
  CHECK(is_empty_ok(fx.interaction(payload)));
  // Slack does not resend a shortcut, but a proxy might: the trigger_id is unique to one use.
  CHECK(is_empty_ok(fx.interaction(payload)));
  const auto stored = fx.stored();
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].key == "shortcut:111.222.xxx");
  const auto& flag = std::get<bot::flag_event>(stored[0].event);
  CHECK(flag.message_ref == "C111/1610241741.000200");
  CHECK(flag.person_id == "U111");
  CHECK(flag.flagged_at == fx.clock.now());
  CHECK(flag.route == "https://hooks.slack.com/app/T111/222/yyy");
  CHECK(flag.thread_ref == "C111/1610241700.000100");
  REQUIRE(flag.message);
  CHECK(flag.message->text == "rolled back deploy &lt;v2.3&gt; at 14:02");

  SECTION("another use of it is another flag") {
    json again = payload;
    again["trigger_id"] = "333.444.zzz";
    CHECK(is_empty_ok(fx.interaction(again)));
    CHECK(fx.pending() == 2);
  }
  SECTION("other apps' shortcuts and other interactions are acknowledged, not stored") {
    json other = payload;
    other["callback_id"] = "someone_elses_shortcut";
    other["trigger_id"] = "555.666.www";
    CHECK(is_empty_ok(fx.interaction(other)));
    CHECK(is_empty_ok(fx.interaction(fixture_json("interaction_global_shortcut.json"))));
    CHECK(fx.pending() == 1);
  }
}

TEST_CASE("an event that finds the inbox full gets 503 and is not stored",
          "[unit][slack][webhook]") {
  scribe::test_support::captured_log log_lines;
  webhook_fixture fx(2);
  fx.store.enqueue(inbox_queue, "earlier-1", "event\n{}", fx.clock.now());
  fx.store.enqueue(inbox_queue, "earlier-2", "event\n{}", fx.clock.now());
  const auto rejected_before = rejected_count();

  const auto refused = fx.event(pushpin());
  CHECK(refused.result() == status::service_unavailable);
  CHECK(refused[beast_http::field::retry_after] == "30");
  CHECK(refused.body() == "inbox full: 2 deliveries wait to be handled; try again later\n");
  CHECK(fx.pending() == 2);
  CHECK(rejected_count() == rejected_before + 1);
  const auto warned = log_lines.containing("msg=\"inbox full\"");
  REQUIRE(warned.size() == 1);
  CHECK(warned[0].find("level=warn") != std::string::npos);
  CHECK(warned[0].find("queue=slack.inbox pending=2 limit=2 refused=1 request_id=" +
                       std::string(refused["X-Request-Id"])) != std::string::npos);

  SECTION("refusals within 10 s are counted, not logged again; a shortcut is refused too") {
    CHECK(fx.event(pushpin()).result() == status::service_unavailable);
    const auto shortcut = fx.interaction(fixture_json("interaction_message_shortcut.json"));
    CHECK(shortcut.result() == status::service_unavailable);
    CHECK(shortcut[beast_http::field::retry_after] == "30");
    CHECK(rejected_count() == rejected_before + 3);
    CHECK(log_lines.containing("msg=\"inbox full\"").size() == 1);
    CHECK(fx.pending() == 2);
  }
  SECTION("once a job is done there is room again, and the event is acknowledged") {
    const auto job = fx.store.claim(inbox_queue, fx.clock.now(), std::chrono::minutes(1));
    REQUIRE(job);
    fx.store.complete(job->id, fx.clock.now());
    CHECK(is_empty_ok(fx.event(pushpin())));
    CHECK(fx.pending() == 2);
  }
}

TEST_CASE("a request whose signature does not hold gets 401 and nothing is stored",
          "[unit][slack][webhook]") {
  scribe::test_support::captured_log log_lines;
  webhook_fixture fx;
  const std::string body = pushpin().dump();

  SECTION("no signature headers at all") {
    const auto res = fx.send(fx.request("/slack/events", body, json_type));
    CHECK(res.result() == status::unauthorized);
  }
  SECTION("a signature made with another secret") {
    auto req = fx.request("/slack/events", body, json_type);
    fx.sign_now(req);
    const std::string timestamp(req["X-Slack-Request-Timestamp"]);
    req.set("X-Slack-Signature", slack_v0_signature("another-secret", timestamp, body));
    CHECK(fx.send(std::move(req)).result() == status::unauthorized);
  }
  SECTION("the body changed after signing") {
    auto req = fx.request("/slack/events", body, json_type);
    fx.sign_now(req);
    req.body() += " ";
    req.prepare_payload();
    CHECK(fx.send(std::move(req)).result() == status::unauthorized);
  }
  SECTION("signed more than five minutes ago") {
    auto req = fx.request("/slack/events", body, json_type);
    fx.sign_now(req);
    fx.clock.advance(std::chrono::seconds(301));
    CHECK(fx.send(std::move(req)).result() == status::unauthorized);
  }
  SECTION("a second signature header, even a good one") {
    auto req = fx.request("/slack/events", body, json_type);
    fx.sign_now(req);
    const std::string good(req["X-Slack-Signature"]);
    req.insert("X-Slack-Signature", good);
    CHECK(fx.send(std::move(req)).result() == status::unauthorized);
  }
  SECTION("a shortcut with a bad signature") {
    auto req =
        fx.request("/slack/interactions",
                   shortcut_form(fixture_json("interaction_message_shortcut.json")), form_type);
    req.set("X-Slack-Request-Timestamp", "1");
    req.set("X-Slack-Signature", "v0=00");
    CHECK(fx.send(std::move(req)).result() == status::unauthorized);
  }
  CHECK(fx.pending() == 0);
  CHECK(log_lines.containing("msg=\"slack request refused\"").size() == 1);
}

TEST_CASE("a refused request names its request id in the log", "[unit][slack][webhook]") {
  webhook_fixture fx(1);
  fx.store.enqueue(inbox_queue, "earlier", "event\n{}", fx.clock.now());
  auto req = fx.request("/slack/events", read_fixture("event_reaction_added.json"), json_type);
  req.set("X-Slack-Request-Timestamp", "1");
  req.set("X-Slack-Signature", "v0=00");
  scribe::test_support::captured_log log_lines;
  // Refused before the inbox is looked at: 401, not the full inbox's 503.
  const auto res = fx.send(std::move(req));
  CHECK(res.result() == status::unauthorized);
  const std::string id(res["X-Request-Id"]);
  REQUIRE(!id.empty());
  const auto refused = log_lines.containing("msg=\"slack request refused\"");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].find("request_id=" + id) != std::string::npos);
}

TEST_CASE("malformed bodies get 400 and nothing is stored", "[unit][slack][webhook]") {
  webhook_fixture fx;
  for (const std::string& body :
       {std::string("not json"), std::string("[]"), std::string(R"({"type": 7})"),
        std::string(R"({"type":"event_callback","event_id":"Ev1","team_id":"T1"})"),
        std::string(R"({"type":"event_callback","team_id":"T1","event":{"type":"app_mention"}})"),
        std::string(R"({"type":"url_verification"})")}) {
    INFO(body);
    const auto res = fx.deliver("/slack/events", body, json_type);
    CHECK(res.result() == status::bad_request);
    CHECK(res.body() == "malformed event\n");
  }
  json no_channel = fixture_json("interaction_message_shortcut.json");
  no_channel.erase("channel");
  for (const std::string& body : {std::string("trigger_id=1"), std::string("payload=%7Bnot+json"),
                                  shortcut_form(no_channel)}) {
    INFO(body);
    const auto res = fx.deliver("/slack/interactions", body, form_type);
    CHECK(res.result() == status::bad_request);
    CHECK(res.body() == "malformed interaction\n");
  }
  CHECK(fx.pending() == 0);
}

TEST_CASE("a body of another media type gets 415 before anything else", "[unit][slack][webhook]") {
  webhook_fixture fx;
  CHECK(
      fx.deliver("/slack/events", "payload=" + form_encode(pushpin().dump()), form_type).result() ==
      status::unsupported_media_type);
  CHECK(fx.deliver("/slack/events", pushpin().dump(), "").result() ==
        status::unsupported_media_type);
  CHECK(fx.deliver("/slack/events", pushpin().dump(), "text/plain").result() ==
        status::unsupported_media_type);
  CHECK(fx.deliver("/slack/interactions", fixture_json("interaction_message_shortcut.json").dump(),
                   json_type)
            .result() == status::unsupported_media_type);
  // A charset parameter is still JSON.
  CHECK(is_empty_ok(
      fx.deliver("/slack/events", pushpin().dump(), "application/json; charset=utf-8")));
  CHECK(fx.pending() == 1);
}

}  // namespace scribe::slack
