// Matrix as the workflows' chat platform (adapters/matrix/matrix_platform.hpp) against a scripted
// homeserver on loopback (tests/support/scripted_server.hpp). Follows the Client-Server API
// (tests/fixtures/spec/matrix-client-server-api-subset.json: /rooms/{roomId}/send/{eventType}/
// {txnId}, /event/{eventId}, /joined_members, /relations, /redact, /join; its standard error
// response and M_LIMIT_EXCEEDED's retry_after_ms) and PROTOCOLS.md 8: what each answer means for
// the workflows, and that every send carries a transaction id fixed by its job, so a resend after
// a failure or a crash is the same PUT. Outbox jobs stored by an earlier Scribe
// ({"room","type","content"} and {"unreact"}, see adapters/matrix/matrix_adapter.cpp before
// ede59a2) are still delivered, under the transaction ids they always had.

#include "adapters/matrix/matrix_platform.hpp"
#include "adapters/matrix/matrix_events.hpp"
#include "adapters/matrix/messages.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/job_table.hpp"
#include "tests/support/manual_clock.hpp"
#include "tests/support/scripted_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace scribe::matrix {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using json = nlohmann::json;
using namespace std::chrono_literals;
using test_support::received_request;
using test_support::scripted_reply;

const std::string room = "!r:example.org";
// "!r:example.org" as a path segment.
const std::string room_segment = "/rooms/%21r%3Aexample.org";

scripted_reply answer(json body, beast_http::status status = beast_http::status::ok) {
  return scripted_reply::respond(status, body.dump(), "application/json");
}
scripted_reply matrix_error(beast_http::status status, std::string_view errcode) {
  return answer({{"errcode", std::string(errcode)}, {"error", "scripted"}}, status);
}

// Answers by a part of the request's target, the first registered that matches; the last answer
// of each repeats. Anything else gets 404 M_UNRECOGNIZED, which no test expects.
class homeserver_script {
 public:
  void on(std::string target_part, std::vector<scripted_reply> replies) {
    std::lock_guard lock(mutex_);
    for (auto& [part, queue] : routes_) {
      if (part == target_part) {
        queue.assign(replies.begin(), replies.end());
        return;
      }
    }
    routes_.emplace_back(std::move(target_part),
                         std::deque<scripted_reply>(replies.begin(), replies.end()));
  }
  scripted_reply reply(const received_request& req) {
    std::lock_guard lock(mutex_);
    const std::string target(req.request.target());
    for (auto& [part, queue] : routes_) {
      if (target.find(part) == std::string::npos || queue.empty()) continue;
      auto r = queue.front();
      if (queue.size() > 1) queue.pop_front();
      return r;
    }
    return matrix_error(beast_http::status::not_found, "M_UNRECOGNIZED");
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::deque<scripted_reply>>> routes_;
};

http::client_options quick_client() {
  http::client_options options;
  options.connect_timeout = 3s;
  // Long enough for a sanitizer build on a busy machine; a hanging API still fails the call
  // within the test's time.
  options.request_timeout = 3s;
  return options;
}

struct platform_fixture {
  ~platform_fixture() {
    halt();
    platform.stop();
    store_thread.join();
  }

  test_support::temp_dir dir;
  storage::sqlite_store store{dir / "scribe.db"};
  test_support::manual_clock clock;
  homeserver_script script;
  test_support::scripted_server server{
      [this](const received_request& req) { return script.reply(req); }};
  asio::io_context ioc;
  runtime::store_thread store_thread{nullptr};
  http::client client{ioc, quick_client()};
  // Set before the platform is made: it takes its own user id from them.
  config::matrix_options options = [] {
    config::matrix_options o;
    o.server_name = "example.org";
    o.as_token = "as-secret-token";
    return o;
  }();
  config::jobs_options limits;
  client_api api{client, server.url(""), "as-secret-token"};
  matrix_platform platform{ioc, store_thread, store, clock, api, options, limits};
  const bot::channel_ref channel{"matrix", "example.org", std::string(room)};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread runner;

  template <class T>
  T run(asio::awaitable<T> call) {
    ioc.restart();
    auto result = asio::co_spawn(ioc, std::move(call), asio::use_future);
    ioc.run();
    return result.get();
  }
  void start_outbox() {
    guard.emplace(ioc.get_executor());
    platform.start();
    runner = std::thread([this] { ioc.run(); });
  }
  void send(bot::chat_notice notice, std::string key) {
    asio::co_spawn(ioc, platform.send(std::move(notice), std::move(key)), asio::use_future).get();
  }
  void halt() {
    guard.reset();
    ioc.stop();
    if (runner.joinable()) runner.join();
  }
  std::string job_column(std::string_view key, std::string_view column) {
    return scribe::test_support::job_column(dir / "scribe.db", "matrix.outbox", key, column);
  }
  bool wait_tried(std::string_view key, int attempts) {
    return scribe::test_support::wait_tried(dir / "scribe.db", "matrix.outbox", key, attempts);
  }
};

using posted_refs = std::vector<std::pair<std::size_t, std::string>>;
asio::awaitable<void> note_posted(posted_refs* refs, std::size_t place, std::string ref) {
  refs->emplace_back(place, std::move(ref));
  co_return;
}

bot::job postmortem_job(int attempts) {
  bot::job job;
  job.id = 1;
  job.queue = "postmortem.matrix";
  job.key = "pm:7:ask";
  job.payload = "{}";
  job.attempts = attempts;
  job.created_at = bot::from_unix_micros(1'795'255'200'000'000);
  return job;
}

std::string send_path(std::string_view type, std::string_view txn_id) {
  return "/_matrix/client/v3" + std::string(room_segment) + "/send/" + std::string(type) + "/" +
         std::string(txn_id);
}

}  // namespace

TEST_CASE("read: the event from /event, as its sender wrote it",
          "[integration][matrix][platform]") {
  platform_fixture fx;
  fx.script.on("/event/",
               {answer({{"type", "m.room.message"},
                        {"event_id", "$m1"},
                        {"room_id", room},
                        {"sender", "@carol:example.org"},
                        {"origin_server_ts", 1795255200000},
                        {"content", {{"msgtype", "m.text"}, {"body", "db pool exhausted"}}}}),
                answer({{"type", "m.room.message"},
                        {"event_id", "$m2"},
                        {"room_id", room},
                        {"sender", "@scribe:example.org"},
                        {"origin_server_ts", 1795255200000},
                        {"content", {{"msgtype", "m.notice"}, {"body", "Recorded."}}}}),
                // A redacted message keeps no content.
                answer({{"type", "m.room.message"},
                        {"event_id", "$m3"},
                        {"room_id", room},
                        {"sender", "@carol:example.org"},
                        {"origin_server_ts", 1795255200000},
                        {"content", json::object()}}),
                matrix_error(beast_http::status::not_found, "M_NOT_FOUND")});
  const auto read = fx.run(fx.platform.read(fx.channel, message_ref(room, "$m1")));
  REQUIRE(read.what == bot::answer_kind::ok);
  CHECK(read.value.author_id == "@carol:example.org");
  CHECK_FALSE(read.value.from_bot);
  CHECK(read.value.written_at == from_matrix_ms(1795255200000));
  CHECK(read.value.text == "db pool exhausted");
  const auto requests = fx.server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].request.method() == beast_http::verb::get);
  CHECK(requests[0].request.target() ==
        "/_matrix/client/v3" + std::string(room_segment) + "/event/%24m1");
  CHECK(requests[0].request[beast_http::field::authorization] == "Bearer as-secret-token");

  // Scribe's own notice is a bot's.
  CHECK(fx.run(fx.platform.read(fx.channel, message_ref(room, "$m2"))).value.from_bot);
  CHECK(fx.run(fx.platform.read(fx.channel, message_ref(room, "$m3"))).what ==
        bot::answer_kind::not_found);
  CHECK(fx.run(fx.platform.read(fx.channel, message_ref(room, "$m4"))).what ==
        bot::answer_kind::not_found);
}

TEST_CASE("read: 429 waits as the homeserver says; M_FORBIDDEN gives up",
          "[integration][matrix][platform]") {
  platform_fixture fx;
  auto read_after = [&](scripted_reply reply) {
    fx.script.on("/event/", {std::move(reply)});
    return fx.run(fx.platform.read(fx.channel, message_ref(room, "$m1")));
  };
  SECTION("429 M_LIMIT_EXCEEDED with retry_after_ms") {
    auto limited = answer(
        {{"errcode", "M_LIMIT_EXCEEDED"}, {"error", "Too many requests"}, {"retry_after_ms", 2000}},
        beast_http::status::too_many_requests);
    const auto read = read_after(std::move(limited));
    CHECK(read.what == bot::answer_kind::retry);
    CHECK(read.error == "M_LIMIT_EXCEEDED");
    CHECK(read.retry_after == 2000ms);
  }
  SECTION("429 with Retry-After, which wins over retry_after_ms") {
    auto limited = answer({{"errcode", "M_LIMIT_EXCEEDED"}, {"retry_after_ms", 2000}},
                          beast_http::status::too_many_requests);
    limited.response.set(beast_http::field::retry_after, "5");
    CHECK(read_after(std::move(limited)).retry_after == 5s);
  }
  SECTION("a 5xx without a body is a retry") {
    const auto read = read_after(scripted_reply::respond(beast_http::status::bad_gateway, ""));
    CHECK(read.what == bot::answer_kind::retry);
    CHECK(read.error == "HTTP 502");
  }
  SECTION("a homeserver that does not answer in time is a retry") {
    CHECK(read_after(scripted_reply::hang()).what == bot::answer_kind::retry);
  }
  SECTION("M_FORBIDDEN (Scribe is not in the room) gives up") {
    const auto read = read_after(matrix_error(beast_http::status::forbidden, "M_FORBIDDEN"));
    CHECK(read.what == bot::answer_kind::failed);
    CHECK(read.error == "M_FORBIDDEN");
  }
}

TEST_CASE("display names come from the room's joined_members, asked once per room",
          "[integration][matrix][platform]") {
  platform_fixture fx;
  fx.script.on("/joined_members", {answer({{"joined",
                                            {{"@carol:example.org", {{"display_name", "Carol"}}},
                                             {"@dan:example.org", json::object()}}}})});
  CHECK(fx.run(fx.platform.display_name(fx.channel, "@carol:example.org")).value == "Carol");
  // Without a display name, or not in the room: the user id.
  CHECK(fx.run(fx.platform.display_name(fx.channel, "@dan:example.org")).value ==
        "@dan:example.org");
  CHECK(fx.server.requests().size() == 1);
  CHECK(fx.server.requests()[0].request.target() ==
        "/_matrix/client/v3" + std::string(room_segment) + "/joined_members");

  SECTION("a rate-limited lookup is a retry") {
    platform_fixture other;
    other.script.on("/joined_members",
                    {answer({{"errcode", "M_LIMIT_EXCEEDED"}, {"retry_after_ms", 1500}},
                            beast_http::status::too_many_requests)});
    const auto limited = other.run(other.platform.display_name(other.channel, "@c:example.org"));
    CHECK(limited.what == bot::answer_kind::retry);
    CHECK(limited.retry_after == 1500ms);
  }
  SECTION("the permalink is a matrix.to link, asked of nobody") {
    CHECK(fx.run(fx.platform.permalink(fx.channel, message_ref(room, "$m1"))).value ==
          "https://matrix.to/#/!r:example.org/$m1");
    CHECK(fx.server.requests().size() == 1);
  }
}

TEST_CASE("a notice is sent once per key, under a transaction id its job fixes",
          "[integration][matrix][platform]") {
  platform_fixture fx;
  fx.script.on("/send/m.reaction/", {matrix_error(beast_http::status::bad_gateway, "M_UNKNOWN"),
                                     answer({{"event_id", "$memo"}})});
  fx.script.on("/send/m.room.message/", {answer({{"event_id", "$told"}})});
  fx.start_outbox();
  bot::chat_notice confirm;
  confirm.what = bot::chat_notice::kind::confirm;
  confirm.channel = fx.channel;
  confirm.message_ref = message_ref(room, "$m1");
  fx.send(confirm, "react:12");
  REQUIRE(fx.wait_tried("react:12", 1));
  CHECK(fx.job_column("react:12", "state") == "pending");  // the 502: tried again later
  fx.send(confirm, "react:12");                            // the workflow ran again: no second job
  // The retry is due after the worker's backoff.
  fx.clock.advance(5s);
  REQUIRE(fx.wait_tried("react:12", 2));
  CHECK(fx.job_column("react:12", "state") == "done");

  bot::chat_notice tell;
  tell.what = bot::chat_notice::kind::tell;
  tell.channel = fx.channel;
  tell.message_ref = message_ref(room, "$m1");
  tell.person_id = "@bob:example.org";
  tell.text = "No incident is open here.";
  fx.send(tell, "flag-answer:$r1");
  REQUIRE(fx.wait_tried("flag-answer:$r1", 1));
  fx.halt();

  const auto requests = fx.server.requests();
  REQUIRE(requests.size() == 3);
  // The same PUT both times: the homeserver makes the resend a no-op (PROTOCOLS.md 8 "Send").
  const std::string txn = transaction_id("react:12", 0);
  CHECK(requests[0].request.method() == beast_http::verb::put);
  CHECK(requests[0].request.target() == send_path("m.reaction", txn));
  CHECK(requests[1].request.target() == requests[0].request.target());
  CHECK(json::parse(requests[1].request.body()) ==
        json{{"m.relates_to",
              {{"rel_type", "m.annotation"}, {"event_id", "$m1"}, {"key", "\U0001F4DD"}}}});
  // No private messages in a room: a notice in reply, mentioning the person.
  CHECK(requests[2].request.target() ==
        send_path("m.room.message", transaction_id("flag-answer:$r1", 0)));
  const auto told = json::parse(requests[2].request.body());
  CHECK(told.at("msgtype") == "m.notice");
  CHECK(told.at("body") == "No incident is open here.");
  CHECK(told.at("m.mentions") == json{{"user_ids", {"@bob:example.org"}}});
  CHECK(told.at("m.relates_to").at("m.in_reply_to").at("event_id") == "$m1");
  CHECK(fx.job_column("flag-answer:$r1", "state") == "done");
}

TEST_CASE("an outbox send the homeserver refuses is given up; a duplicate 📝 is done",
          "[integration][matrix][platform]") {
  platform_fixture fx;
  fx.script.on("/send/m.reaction/",
               {matrix_error(beast_http::status::bad_request, "M_DUPLICATE_ANNOTATION")});
  fx.script.on("/send/m.room.message/",
               {matrix_error(beast_http::status::forbidden, "M_FORBIDDEN")});
  fx.start_outbox();
  bot::chat_notice notice;
  notice.channel = fx.channel;
  notice.message_ref = message_ref(room, "$m1");
  notice.what = bot::chat_notice::kind::confirm;
  fx.send(notice, "react:1");
  REQUIRE(fx.wait_tried("react:1", 1));
  notice.what = bot::chat_notice::kind::reply;
  notice.text = "Recorded.";
  fx.send(notice, "reply:$c1");
  REQUIRE(fx.wait_tried("reply:$c1", 1));
  fx.halt();
  CHECK(fx.job_column("react:1", "state") == "done");
  CHECK(fx.job_column("reply:$c1", "state") == "failed");
  CHECK_THAT(fx.job_column("reply:$c1", "last_error"), Catch::Contains("M_FORBIDDEN"));
}

TEST_CASE("withdrawing the 📝 redacts Scribe's own annotation only",
          "[integration][matrix][platform]") {
  platform_fixture fx;
  auto memo_by = [](std::string event_id, std::string sender) {
    return json{{"event_id", std::move(event_id)},
                {"sender", std::move(sender)},
                {"type", "m.reaction"},
                {"content",
                 {{"m.relates_to",
                   {{"rel_type", "m.annotation"}, {"event_id", "$m1"}, {"key", "\U0001F4DD"}}}}}};
  };
  json relations{{"chunk", json::array()}};
  relations["chunk"].push_back(memo_by("$theirs", "@carol:example.org"));
  relations["chunk"].push_back(memo_by("$mine", "@scribe:example.org"));
  fx.script.on("/relations/", {answer(relations)});
  fx.script.on("/redact/", {answer({{"event_id", "$redaction"}})});
  fx.start_outbox();
  bot::chat_notice withdraw;
  withdraw.what = bot::chat_notice::kind::withdraw;
  withdraw.channel = fx.channel;
  withdraw.message_ref = message_ref(room, "$m1");
  fx.send(withdraw, "unreact:12");
  REQUIRE(fx.wait_tried("unreact:12", 1));
  fx.halt();
  const auto requests = fx.server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].request.target() == "/_matrix/client/v1" + std::string(room_segment) +
                                            "/relations/%24m1/m.annotation/m.reaction");
  CHECK(requests[1].request.target() == "/_matrix/client/v3" + std::string(room_segment) +
                                            "/redact/%24mine/" + transaction_id("unreact:12", 0));
  CHECK(fx.job_column("unreact:12", "state") == "done");
}

TEST_CASE("outbox jobs an earlier Scribe stored as raw events are still delivered",
          "[integration][matrix][platform]") {
  platform_fixture fx;
  fx.script.on("/send/", {answer({{"event_id", "$sent"}})});
  fx.script.on("/relations/", {answer({{"chunk", json::array()}})});
  // Byte for byte what matrix_adapter.cpp stored before ede59a2 (nlohmann's dump(): keys sorted,
  // no spaces, UTF-8 as is): confirm_recorded(), a command's reply, and take_back()'s unreact.
  const std::string react =
      R"({"content":{"m.relates_to":{"event_id":"$m1","key":"📝","rel_type":"m.annotation"}},"room":"!r:example.org","type":"m.reaction"})";
  const std::string reply =
      R"({"content":{"body":"Incident #3 is open.","m.relates_to":{"m.in_reply_to":{"event_id":"$c1"}},"msgtype":"m.notice"},"room":"!r:example.org","type":"m.room.message"})";
  const std::string unreact = R"({"unreact":{"event":"$m1","room":"!r:example.org"}})";
  fx.store.enqueue(outbox_queue, "react:41", react, fx.clock.now());
  fx.store.enqueue(outbox_queue, "reply:$c1", reply, fx.clock.now());
  fx.store.enqueue(outbox_queue, "unreact:41", unreact, fx.clock.now());
  fx.store.enqueue(outbox_queue, "broken", "[1,2", fx.clock.now());
  fx.start_outbox();
  REQUIRE(fx.wait_tried("broken", 1));
  REQUIRE(fx.wait_tried("unreact:41", 1));
  fx.halt();

  const auto requests = fx.server.requests();
  REQUIRE(requests.size() == 3);
  // The transaction ids the old Scribe used for these jobs: a job it had sent, but not marked
  // done before the upgrade, is recognised by the homeserver.
  CHECK(requests[0].request.target() == send_path("m.reaction", transaction_id("react:41", 0)));
  CHECK(json::parse(requests[0].request.body()) == json::parse(react).at("content"));
  CHECK(requests[1].request.target() ==
        send_path("m.room.message", transaction_id("reply:$c1", 0)));
  CHECK(json::parse(requests[1].request.body()) == json::parse(reply).at("content"));
  CHECK(requests[2].request.target() == "/_matrix/client/v1" + std::string(room_segment) +
                                            "/relations/%24m1/m.annotation/m.reaction");
  for (const auto* key : {"react:41", "reply:$c1", "unreact:41"}) {
    INFO(key);
    CHECK(fx.job_column(key, "state") == "done");
  }
  CHECK(fx.job_column("broken", "state") == "failed");
}

TEST_CASE("post_once numbers its sends, so a run after a failure sends the same PUTs",
          "[integration][matrix][platform]") {
  platform_fixture fx;
  std::vector<bot::chat_post> posts{{"What was the impact?", bot::chat_format::text, {}, {}},
                                    {"What will we do?", bot::chat_format::text, {}, {}}};
  posted_refs refs;
  auto posted = [&refs](std::size_t place, std::string ref) {
    return note_posted(&refs, place, std::move(ref));
  };
  fx.script.on("/send/m.room.message/",
               {answer({{"event_id", "$q1"}}),
                answer({{"errcode", "M_LIMIT_EXCEEDED"}, {"retry_after_ms", 800}},
                       beast_http::status::too_many_requests),
                answer({{"event_id", "$q1"}}), answer({{"event_id", "$q2"}})});
  const auto first = fx.run(fx.platform.post_once(postmortem_job(1), fx.channel, posts, posted));
  CHECK(first.what == bot::answer_kind::retry);
  CHECK(first.retry_after == 800ms);
  CHECK(refs == posted_refs{{0, message_ref(room, "$q1")}});

  refs.clear();
  const auto second = fx.run(fx.platform.post_once(postmortem_job(2), fx.channel, posts, posted));
  REQUIRE(second.what == bot::answer_kind::ok);
  // The homeserver answered the resent first PUT with the event it made the first time.
  CHECK(refs == posted_refs{{0, message_ref(room, "$q1")}, {1, message_ref(room, "$q2")}});
  const auto requests = fx.server.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[0].request.target() == send_path("m.room.message", transaction_id("pm:7:ask", 1)));
  CHECK(requests[1].request.target() == send_path("m.room.message", transaction_id("pm:7:ask", 2)));
  CHECK(requests[2].request.target() == requests[0].request.target());
  CHECK(requests[3].request.target() == requests[1].request.target());
  CHECK(json::parse(requests[0].request.body()).at("msgtype") == "m.notice");

  SECTION("a room Scribe may not post in gives up") {
    fx.script.on("/send/m.room.message/",
                 {matrix_error(beast_http::status::forbidden, "M_FORBIDDEN")});
    const auto refused =
        fx.run(fx.platform.post_once(postmortem_job(3), fx.channel, posts, posted));
    CHECK(refused.what == bot::answer_kind::failed);
    CHECK(refused.error == "M_FORBIDDEN");
  }
}

TEST_CASE("join: POST /join; a refused invitation gives up", "[integration][matrix][platform]") {
  platform_fixture fx;
  fx.script.on("/join/", {answer({{"room_id", room}}),
                          matrix_error(beast_http::status::forbidden, "M_FORBIDDEN")});
  CHECK(fx.run(fx.platform.join(fx.channel)).what == bot::answer_kind::ok);
  const auto refused = fx.run(fx.platform.join(fx.channel));
  CHECK(refused.what == bot::answer_kind::failed);
  CHECK(refused.error == "M_FORBIDDEN");
  const auto requests = fx.server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].request.method() == beast_http::verb::post);
  CHECK(requests[0].request.target() == "/_matrix/client/v3/join/%21r%3Aexample.org");
}

}  // namespace scribe::matrix
