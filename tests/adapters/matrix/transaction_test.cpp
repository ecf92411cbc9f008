// A homeserver's transactions in: PUT /_matrix/app/v1/transactions/{txnId} bytes through the
// router, as the server's session would pass them, and what comes of them: the answer, and the
// typed events the inbox holds (decoded as its worker would). Follows the Application Service API
// (tests/fixtures/spec/matrix-application-service-api.json: "Authorization", the transactions
// endpoint) and the event shapes of the Client-Server API (matrix-event-examples, PROTOCOLS.md
// 7-8). The adapter's workers are never started, so the inbox only fills.

#include "adapters/matrix/matrix_adapter.hpp"
#include "adapters/matrix/matrix_events.hpp"
#include "metrics/catalog.hpp"
#include "tests/support/captured_log.hpp"
#include "tests/support/desk_fixture.hpp"
#include "tests/support/dispatch.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace scribe::matrix {
namespace {

namespace beast_http = boost::beast::http;
using json = nlohmann::json;
using beast_http::status;

const std::string room = "!OGEhHVWSdvArJzumhm:matrix.org";

json fixture(std::string_view name) {
  const std::string path = std::string{SCRIBE_MATRIX_FIXTURES} + "/" + std::string{name};
  std::ifstream in{path, std::ios::binary};
  INFO("fixture " << path);
  REQUIRE(in.good());
  return json::parse(std::string{std::istreambuf_iterator<char>{in}, {}});
}

json transaction_of(std::vector<json> events) {
  return json{{"events", std::move(events)}};
}

// A message in the incident room, as a client sends it (m.room.message, m.text).
json text_message(std::string event_id, std::string body, std::string sender = "@ann:example.org") {
  return {{"type", "m.room.message"},
          {"event_id", std::move(event_id)},
          {"room_id", room},
          {"sender", std::move(sender)},
          {"origin_server_ts", 1795255200000},
          {"content", {{"msgtype", "m.text"}, {"body", std::move(body)}}}};
}

struct stored_event {
  std::string key;
  bot::chat_event event;
};

// A Matrix adapter on a temporary store whose workers are never started.
struct transaction_fixture : test_support::desk_fixture {
  explicit transaction_fixture(unsigned max_pending = 100) : limits{max_pending} {
    options.homeserver_url = "http://127.0.0.1:9";  // never called: no worker runs
    options.server_name = "example.org";
    options.as_token = "as-secret-token";
    options.hs_token = "hs-secret-token";
    adapter = std::make_unique<matrix_adapter>(ioc, store_thread, options, desk, postmortems, store,
                                               client, clock, limits);
    adapter->add_routes(routes);
  }
  ~transaction_fixture() {
    adapter.reset();
    store_thread.join();
  }

  http::request request(std::string_view target, std::string body,
                        std::string_view authorization = "Bearer hs-secret-token") {
    http::request req{beast_http::verb::put, target, 11};
    if (!authorization.empty()) req.set(beast_http::field::authorization, authorization);
    req.set(beast_http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
  }
  http::response send(http::request req) {
    ioc.restart();
    return test_support::dispatch_request(ioc, routes, std::move(req));
  }
  http::response put(std::string txn_id, const json& body) {
    return send(request("/_matrix/app/v1/transactions/" + txn_id, body.dump()));
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
  config::matrix_options options;
  config::jobs_options limits;
  http::router routes;
  std::unique_ptr<matrix_adapter> adapter;
};

bool is_empty_ok(const http::response& res) {
  return res.result() == status::ok && json::parse(res.body()) == json::object();
}

json error_of(const http::response& res) {
  return json::parse(res.body());
}

}  // namespace

TEST_CASE("a transaction is split into the events Scribe acts on, each stored under its id",
          "[unit][matrix][transaction]") {
  transaction_fixture fx;
  const json txn = fixture("transaction_incident_room.json");
  CHECK(is_empty_ok(fx.put("txn-1", txn)));
  const auto stored = fx.stored();
  // The invite, the thread reply and the 📌; not the plain message, the encrypted event, the
  // topic or the ephemeral receipt.
  REQUIRE(stored.size() == 3);
  CHECK(stored[0].key == "event:$d8yUVLo9pKw7fmTzNcQr3cX_4ZzS0Ww2hYgkKX6R5bE");
  const auto& invited = std::get<bot::invited_event>(stored[0].event);
  CHECK(invited.channel == bot::channel_ref{"matrix", "example.org", std::string(room)});
  CHECK(invited.inviter_id == "@alice:example.org");

  CHECK(stored[1].key == "event:$FxQs2wMKSmnkyAZaqZ9XBFVGCn4OLMV7cG-E_wd4Bmk");
  const auto& reply = std::get<bot::thread_reply_event>(stored[1].event);
  CHECK(reply.thread_ref == std::string(room) + "/$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg");
  CHECK(reply.reply_ref == std::string(room) + "/$FxQs2wMKSmnkyAZaqZ9XBFVGCn4OLMV7cG-E_wd4Bmk");
  CHECK(reply.author_id == "@alice:example.org");
  CHECK(reply.written_at == from_matrix_ms(1718035298123));
  CHECK(reply.text == "Rolled back to 4.2.1, error rate is dropping");

  CHECK(stored[2].key == "event:$k9F0sP1vCw8bq3y9Zy0W0HtWn7tMx9G8b7YhJ1dZ8Qo");
  const auto& flag = std::get<bot::flag_event>(stored[2].event);
  CHECK(flag.message_ref == std::string(room) + "/$FxQs2wMKSmnkyAZaqZ9XBFVGCn4OLMV7cG-E_wd4Bmk");
  CHECK(flag.person_id == "@bob:example.org");
  // The reaction is the flag: redacting it takes the flag back.
  CHECK(flag.flag_id == "$k9F0sP1vCw8bq3y9Zy0W0HtWn7tMx9G8b7YhJ1dZ8Qo");
  CHECK(flag.flagged_at == from_matrix_ms(1718035330500));
  CHECK_FALSE(flag.written_at);
  CHECK(flag.source == bot::entry_source::reaction);

  SECTION("the same transaction id sent again stores nothing new") {
    CHECK(is_empty_ok(fx.put("txn-1", txn)));
    CHECK(fx.pending() == 3);
  }
  SECTION("its events in another transaction are stored once, beside what is new") {
    json again = txn;
    again["events"].push_back(text_message("$cmd", "!incident status"));
    CHECK(is_empty_ok(fx.put("txn-2", again)));
    CHECK(fx.pending() == 4);
  }
  SECTION("also on the unprefixed path of the old API") {
    CHECK(is_empty_ok(fx.send(fx.request("/transactions/txn-1", txn.dump()))));
    CHECK(fx.pending() == 3);
  }
}

TEST_CASE("the spec's example transaction asks nothing of Scribe", "[unit][matrix][transaction]") {
  transaction_fixture fx;
  CHECK(is_empty_ok(fx.put("spec", fixture("transaction_spec_example.json"))));
  CHECK(is_empty_ok(fx.put("empty", json{{"events", json::array()}})));
  CHECK(fx.pending() == 0);
}

TEST_CASE("each kind of room event Scribe follows becomes its typed event",
          "[unit][matrix][transaction]") {
  transaction_fixture fx;
  json reaction = fixture("event_reaction_pin_fe0f.json");
  json thumbs = fixture("event_m.reaction.json");                   // 👍: not the flag
  json redaction = fixture("event_m.room.redaction_v11.json");      // content.redacts
  json old_redaction = fixture("event_m.room.redaction_v10.json");  // top-level redacts
  json edit = fixture("event_edit_with_mentions.json");
  json notice = fixture("event_m.room.message_m.notice.json");
  json command = text_message("$cmd", "!incident note db failover done");
  json not_a_command = text_message("$nc", "!incidents are fun");
  json own = text_message("$own", "!incident status", "@scribe:example.org");
  json mention = text_message("$mention", "scribe: db-2 failover started");
  mention["content"]["m.mentions"] = {{"user_ids", {"@scribe:example.org"}}};
  json stranger_invite = fixture("event_invite.json");
  stranger_invite["event_id"] = "$invite-other";
  stranger_invite["state_key"] = "@someone:example.org";

  CHECK(is_empty_ok(
      fx.put("kinds", transaction_of({reaction, thumbs, redaction, old_redaction, edit, notice,
                                      command, not_a_command, own, mention, stranger_invite}))));
  const auto stored = fx.stored();
  REQUIRE(stored.size() == 6);

  CHECK(std::get<bot::flag_event>(stored[0].event).flag_id ==
        "$k9F0sP1vCw8bq3y9Zy0W0HtWn7tMx9G8b7YhJ1dZ8Qo");

  const auto& deleted = std::get<bot::message_deleted_event>(stored[1].event);
  CHECK(deleted.channel.channel == "!jEsUZKDJdhlrceRyVU:example.org");
  CHECK(deleted.message_ref == "!jEsUZKDJdhlrceRyVU:example.org/$fukweghifu23:localhost");
  // The redacted event may have been a flag: its id takes that flag back.
  CHECK(deleted.flag_id == "$fukweghifu23:localhost");
  CHECK(std::holds_alternative<bot::message_deleted_event>(stored[2].event));

  const auto& edited = std::get<bot::message_edited_event>(stored[3].event);
  CHECK(edited.message_ref == std::string(room) + "/$original_event");
  CHECK(edited.text == "Hello Alice & Bob!");  // m.new_content, not the "* " fallback
  // Anyone may send an m.replace: the workflow checks the editor against the original's sender.
  CHECK(edited.editor == "@carol:example.org");

  CHECK(stored[4].key == "event:$cmd");
  const auto& cmd = std::get<bot::command_event>(stored[4].event);
  CHECK(cmd.text == "note db failover done");
  CHECK(cmd.author_id == "@ann:example.org");
  CHECK(cmd.message_ref == std::string(room) + "/$cmd");
  CHECK(cmd.written_at == from_matrix_ms(1795255200000));

  CHECK(stored[5].key == "event:$mention");
  const auto& flagged = std::get<bot::flag_event>(stored[5].event);
  CHECK(flagged.source == bot::entry_source::mention);
  CHECK(flagged.flag_id == "$mention");
  REQUIRE(flagged.message);
  CHECK(flagged.message->text == "scribe: db-2 failover started");
}

TEST_CASE("an invitation from a server that is not allowed is acknowledged and dropped",
          "[unit][matrix][transaction]") {
  transaction_fixture fx;
  fx.options.allowed_servers = {"corp.example"};
  CHECK(is_empty_ok(fx.put("invite", transaction_of({fixture("event_invite.json")}))));
  CHECK(fx.pending() == 0);
  fx.options.allowed_servers = {"example.org"};
  CHECK(is_empty_ok(fx.put("invite-2", transaction_of({fixture("event_invite.json")}))));
  CHECK(fx.pending() == 1);
}

TEST_CASE("a transaction without the hs_token is refused and nothing is stored",
          "[unit][matrix][transaction]") {
  test_support::captured_log log_lines;
  transaction_fixture fx;
  const std::string body = transaction_of({text_message("$cmd", "!incident status")}).dump();
  const std::string path = "/_matrix/app/v1/transactions/t1";

  SECTION("no token at all: 401 M_MISSING_TOKEN") {
    const auto res = fx.send(fx.request(path, body, ""));
    CHECK(res.result() == status::unauthorized);
    CHECK(error_of(res).at("errcode") == "M_MISSING_TOKEN");
  }
  SECTION("another scheme is no token") {
    const auto res = fx.send(fx.request(path, body, "Basic aHMtc2VjcmV0LXRva2Vu"));
    CHECK(res.result() == status::unauthorized);
  }
  SECTION("a wrong token: 403 M_FORBIDDEN") {
    const auto res = fx.send(fx.request(path, body, "Bearer as-secret-token"));
    CHECK(res.result() == status::forbidden);
    CHECK(error_of(res).at("errcode") == "M_FORBIDDEN");
  }
  SECTION("a header and a legacy query token that differ") {
    const auto res = fx.send(fx.request(path + "?access_token=other", body));
    CHECK(res.result() == status::forbidden);
  }
  SECTION("a wrong legacy query token alone") {
    const auto res = fx.send(fx.request(path + "?access_token=wrong", body, ""));
    CHECK(res.result() == status::forbidden);
  }
  CHECK(fx.pending() == 0);
  REQUIRE(log_lines.containing("msg=\"matrix request refused\"").size() == 1);
  for (const auto& line : log_lines.lines()) CHECK(line.find("secret-token") == std::string::npos);
}

TEST_CASE("the legacy query token alone is still accepted", "[unit][matrix][transaction]") {
  transaction_fixture fx;
  const std::string body = transaction_of({text_message("$cmd", "!incident status")}).dump();
  CHECK(is_empty_ok(fx.send(
      fx.request("/_matrix/app/v1/transactions/t1?access_token=hs-secret-token", body, ""))));
  CHECK(fx.pending() == 1);
}

TEST_CASE("a body that is not a transaction gets 400 M_NOT_JSON and nothing is stored",
          "[unit][matrix][transaction]") {
  transaction_fixture fx;
  for (const std::string& body : {std::string("not json"), std::string("[]"), std::string("{}"),
                                  std::string(R"({"events": {}})")}) {
    INFO(body);
    const auto res = fx.send(fx.request("/_matrix/app/v1/transactions/bad", body));
    CHECK(res.result() == status::bad_request);
    CHECK(error_of(res).at("errcode") == "M_NOT_JSON");
  }
  CHECK(fx.pending() == 0);
}

// The limit itself is the shared inbox's (tests/adapters/jobs/chat_queues_test.cpp); what is
// Matrix's is the answer: the homeserver keeps a transaction it got no 200 for.
TEST_CASE("a transaction that finds the inbox full gets 503 and is not stored",
          "[unit][matrix][transaction]") {
  test_support::captured_log log_lines;
  transaction_fixture fx(1);
  const auto rejected_before = metrics::queue_rejected().with({inbox_queue}).value();

  CHECK(is_empty_ok(fx.put("t1", transaction_of({text_message("$t1", "!incident status")}))));
  CHECK(fx.pending() == 1);

  const auto refused = fx.put("t2", transaction_of({text_message("$t2", "!incident status"),
                                                    text_message("$t2b", "!incident note more")}));
  CHECK(refused.result() == status::service_unavailable);
  CHECK(refused[beast_http::field::retry_after] == "30");
  const auto body = error_of(refused);
  CHECK(body.at("errcode") == "M_UNKNOWN");
  CHECK(body.at("error") == "inbox full: 1 deliveries wait to be handled; try again later");
  // None of the transaction's events: it comes again whole.
  CHECK(fx.pending() == 1);
  CHECK(metrics::queue_rejected().with({inbox_queue}).value() == rejected_before + 1);
  const auto warned = log_lines.containing("msg=\"inbox full\" queue=matrix.inbox pending=1");
  REQUIRE(warned.size() == 1);
  CHECK(warned[0].find("request_id=" + std::string(refused["X-Request-Id"])) != std::string::npos);

  SECTION("a transaction with nothing for Scribe is acknowledged even then") {
    CHECK(is_empty_ok(fx.put("t3", fixture("transaction_spec_example.json"))));
  }
}

TEST_CASE("a transaction acknowledged is stored whole, even past the inbox's limit",
          "[unit][matrix][transaction]") {
  transaction_fixture fx(1);
  // The 200 covers every event of it: the homeserver will not send any of them again.
  CHECK(is_empty_ok(fx.put("t1", transaction_of({text_message("$a", "!incident status"),
                                                 text_message("$b", "!incident note b"),
                                                 text_message("$c", "!incident note c")}))));
  CHECK(fx.pending() == 3);
}

TEST_CASE("a refused homeserver request names its request id in the log",
          "[unit][matrix][transaction]") {
  test_support::captured_log log_lines;
  transaction_fixture fx(10);
  http::request req{beast_http::verb::put, "/_matrix/app/v1/transactions/t1", 11};
  req.set(beast_http::field::authorization, "Bearer wrong");
  req.set("X-Request-Id", "proxy-1234");
  req.body() = R"({"events": []})";
  req.prepare_payload();
  const auto res = fx.send(std::move(req));
  CHECK(res.result() == status::forbidden);
  // dispatch_request does not read the incoming header (the server's session does): the id is
  // made up here, and it is the one logged.
  const auto refused = log_lines.containing("msg=\"matrix request refused\"");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].find("request_id=" + std::string(res["X-Request-Id"])) != std::string::npos);
  for (const auto& line : log_lines.lines()) CHECK(line.find("secret-token") == std::string::npos);
}

}  // namespace scribe::matrix
