// Slack as the workflows' chat platform (adapters/slack/slack_platform.hpp) against a scripted Web
// API on loopback (tests/support/scripted_server.hpp): the calls as Slack's Web API documents them
// (PROTOCOLS.md 5; tests/fixtures/spec/slack-web-api-openapi-v2-subset.json for the methods'
// parameters and answers, tests/fixtures/slack/api_*.json for bodies), and what each answer means
// for the workflows: ok, not found, give up (ok:false with a lasting error) or retry (5xx, 429
// with Retry-After, Slack's transient codes, a timeout). What Scribe sends goes through the
// outbox, once per key; outbox jobs stored by an earlier Scribe (a raw call as JSON, see
// adapters/slack/slack_adapter.cpp before ede59a2) are still delivered.

#include "adapters/slack/slack_platform.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/adapters/slack/fixture.hpp"
#include "tests/support/catch_result.hpp"
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
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace scribe::slack {
namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using json = nlohmann::json;
using namespace std::chrono_literals;
using scribe::test_support::received_request;
using scribe::test_support::scripted_reply;
using test_support::read_fixture;

scripted_reply api_json(std::string body, beast_http::status status = beast_http::status::ok) {
  return scripted_reply::respond(status, std::move(body), "application/json");
}
scripted_reply slack_error(std::string_view code) {
  return api_json(json{{"ok", false}, {"error", std::string(code)}}.dump());
}
scripted_reply rate_limited(std::string_view seconds) {
  auto reply =
      api_json(R"({"ok":false,"error":"ratelimited"})", beast_http::status::too_many_requests);
  reply.response.set(beast_http::field::retry_after, seconds);
  return reply;
}

// Answers per path, in order; the last one of a path answers every later request too. A path
// without answers gets a 404, which no test expects.
class api_script {
 public:
  // Replaces what `path` answers from now on.
  void on(std::string path, std::vector<scripted_reply> replies) {
    std::lock_guard lock(mutex_);
    replies_[std::move(path)].assign(replies.begin(), replies.end());
  }
  scripted_reply answer(const received_request& req) {
    std::lock_guard lock(mutex_);
    const std::string target(req.request.target());
    const auto it = replies_.find(target);
    if (it == replies_.end() || it->second.empty()) {
      return scripted_reply::respond(beast_http::status::not_found, "no script for " + target);
    }
    auto reply = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return reply;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::deque<scripted_reply>> replies_;
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
  platform_fixture() { options.bot_token = "xoxb-test-token"; }
  ~platform_fixture() {
    halt();
    platform.stop();
    store_thread.join();
  }

  scribe::test_support::temp_dir dir;
  storage::sqlite_store store{dir / "scribe.db"};
  scribe::test_support::manual_clock clock;
  api_script script;
  scribe::test_support::scripted_server server{
      [this](const received_request& req) { return script.answer(req); }};
  asio::io_context ioc;
  runtime::store_thread store_thread{nullptr};
  http::client client{ioc, quick_client()};
  config::slack_options options;
  config::jobs_options limits;
  web_api api{client, server.url("/api"), "xoxb-test-token"};
  slack_platform platform{ioc, store_thread, store, clock, api, options, "", limits};
  const bot::channel_ref channel{"slack", "T1", "C1"};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread runner;

  // Runs `call` to its end on this thread (the outbox's worker is not running).
  template <class T>
  T run(asio::awaitable<T> call) {
    ioc.restart();
    auto result = asio::co_spawn(ioc, std::move(call), asio::use_future);
    ioc.run();
    return result.get();
  }
  // Starts the outbox's worker on a thread of its own; calls then go through ioc from here.
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
    return scribe::test_support::job_column(dir / "scribe.db", "slack.outbox", key, column);
  }
  bool wait_tried(std::string_view key, int attempts) {
    return scribe::test_support::wait_tried(dir / "scribe.db", "slack.outbox", key, attempts);
  }
  // The form fields of a read method's request.
  static std::map<std::string, std::string> form_of(const received_request& req) {
    std::map<std::string, std::string> fields;
    const auto form = http::parse_form(req.request.body());
    REQUIRE(form);
    for (const auto& [k, v] : form->entries) fields[k] = v;
    return fields;
  }
};

// Named coroutines for the `posted` callback (GCC 12 and capturing lambdas as coroutines).
using posted_refs = std::vector<std::pair<std::size_t, std::string>>;
asio::awaitable<void> note_posted(posted_refs* refs, std::size_t place, std::string ref) {
  refs->emplace_back(place, std::move(ref));
  co_return;
}

bot::job postmortem_job(int attempts) {
  bot::job job;
  job.id = 1;
  job.queue = "postmortem.slack";
  job.key = "pm:7:ask";
  job.payload = "{}";
  job.attempts = attempts;
  job.created_at = bot::from_unix_micros(1'795'255'200'000'000);
  return job;
}

std::string posted_ts(int n) {
  return "1795255300.00000" + std::to_string(n);
}

}  // namespace

TEST_CASE("read: one message from conversations.history, asked the way Slack documents",
          "[integration][slack][platform]") {
  platform_fixture fx;
  fx.script.on("/api/conversations.history",
               {api_json(read_fixture("api_conversations_history_ok.json"))});
  const auto read = fx.run(fx.platform.read(fx.channel, "C1/1512085950.000216"));
  REQUIRE(read.what == bot::answer_kind::ok);
  CHECK(read.value.author_id == "U012AB3CDE");
  CHECK_FALSE(read.value.from_bot);
  CHECK(read.value.written_at == bot::from_unix_micros(1'512'085'950'000'216));
  CHECK(read.value.text == "I find you punny and would like to smell your nose letter");

  const auto requests = fx.server.requests();
  REQUIRE(requests.size() == 1);
  const auto& req = requests[0].request;
  CHECK(req.method() == beast_http::verb::post);
  CHECK(req[beast_http::field::authorization] == "Bearer xoxb-test-token");
  CHECK(req[beast_http::field::content_type] == "application/x-www-form-urlencoded");
  CHECK(platform_fixture::form_of(requests[0]) ==
        std::map<std::string, std::string>{{"channel", "C1"},
                                           {"inclusive", "true"},
                                           {"latest", "1512085950.000216"},
                                           {"limit", "1"}});
}

TEST_CASE("read: a thread reply comes from conversations.replies; one in neither is gone",
          "[integration][slack][platform]") {
  platform_fixture fx;
  // The channel's history holds the thread's parent, not its replies.
  fx.script.on("/api/conversations.history", {api_json(R"({"ok":true,"messages":[]})")});
  fx.script.on("/api/conversations.replies",
               {api_json(read_fixture("api_conversations_replies_ok.json")),
                slack_error("thread_not_found")});
  const auto reply = fx.run(fx.platform.read(fx.channel, "C1/1483037603.017503"));
  REQUIRE(reply.what == bot::answer_kind::ok);
  CHECK(reply.value.text == "one island");
  const auto requests = fx.server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].request.target() == "/api/conversations.replies");
  CHECK(platform_fixture::form_of(requests[1]) ==
        std::map<std::string, std::string>{{"channel", "C1"}, {"ts", "1483037603.017503"}});

  CHECK(fx.run(fx.platform.read(fx.channel, "C1/1483037603.017504")).what ==
        bot::answer_kind::not_found);
  // A reference whose ts is not Slack's is not asked for at all.
  CHECK(fx.run(fx.platform.read(fx.channel, "C1/yesterday")).what == bot::answer_kind::not_found);
  CHECK(fx.server.requests().size() == 4);
}

TEST_CASE("read: what Slack answers decides between retrying and giving up",
          "[integration][slack][platform]") {
  platform_fixture fx;
  const std::string ref = "C1/1512085950.000216";
  auto read_after = [&](scripted_reply reply) {
    fx.script.on("/api/conversations.history", {std::move(reply)});
    return fx.run(fx.platform.read(fx.channel, ref));
  };

  SECTION("a 5xx is a retry") {
    const auto read = read_after(api_json("<html>oops</html>", beast_http::status::bad_gateway));
    CHECK(read.what == bot::answer_kind::retry);
    CHECK(read.error == "HTTP 502");
  }
  SECTION("429 is a retry after Slack's Retry-After") {
    const auto read = read_after(rate_limited("7"));
    CHECK(read.what == bot::answer_kind::retry);
    CHECK(read.retry_after == 7s);
  }
  SECTION("Slack's transient codes are retries") {
    CHECK(read_after(slack_error("internal_error")).what == bot::answer_kind::retry);
  }
  SECTION("an answer that is not Slack's JSON is a retry") {
    CHECK(read_after(api_json("<html>maintenance</html>")).what == bot::answer_kind::retry);
  }
  SECTION("an API that does not answer in time is a retry") {
    CHECK(read_after(scripted_reply::hang()).what == bot::answer_kind::retry);
  }
  SECTION("a dropped connection is a retry") {
    CHECK(read_after(scripted_reply::drop()).what == bot::answer_kind::retry);
  }
  SECTION("not_in_channel gives up, naming Slack's code") {
    const auto read = read_after(slack_error("not_in_channel"));
    CHECK(read.what == bot::answer_kind::failed);
    CHECK(read.error == "not_in_channel");
  }
}

TEST_CASE("display names come from users.info once per person", "[integration][slack][platform]") {
  platform_fixture fx;
  fx.script.on("/api/users.info", {api_json(read_fixture("api_users_info_ok.json"))});
  CHECK_FALSE(fx.platform.known_name("W012A3CDE"));
  const auto named = fx.run(fx.platform.display_name(fx.channel, "W012A3CDE"));
  REQUIRE(named.what == bot::answer_kind::ok);
  CHECK(named.value == "spengler");
  CHECK(platform_fixture::form_of(fx.server.requests()[0]) ==
        std::map<std::string, std::string>{{"user", "W012A3CDE"}});
  // Names change rarely and every flag asks: the second time is answered from memory.
  CHECK(fx.run(fx.platform.display_name(fx.channel, "W012A3CDE")).value == "spengler");
  CHECK(fx.platform.known_name("W012A3CDE") == "spengler");
  CHECK(fx.server.requests().size() == 1);

  SECTION("a person Slack does not know keeps their id") {
    platform_fixture other;
    other.script.on("/api/users.info", {api_json(read_fixture("api_users_info_error.json"))});
    const auto unknown = other.run(other.platform.display_name(other.channel, "U404"));
    CHECK(unknown.what == bot::answer_kind::ok);
    CHECK(unknown.value == "U404");
  }
  SECTION("a rate-limited lookup is a retry, and is not remembered") {
    platform_fixture other;
    other.script.on("/api/users.info",
                    {rate_limited("3"), api_json(read_fixture("api_users_info_ok.json"))});
    const auto limited = other.run(other.platform.display_name(other.channel, "W012A3CDE"));
    CHECK(limited.what == bot::answer_kind::retry);
    CHECK(limited.retry_after == 3s);
    CHECK_FALSE(other.platform.known_name("W012A3CDE"));
    CHECK(other.run(other.platform.display_name(other.channel, "W012A3CDE")).value == "spengler");
  }
}

TEST_CASE("permalink: chat.getPermalink's link; none when Slack will not link it",
          "[integration][slack][platform]") {
  platform_fixture fx;
  fx.script.on("/api/chat.getPermalink", {api_json(read_fixture("api_chat_getPermalink_ok.json")),
                                          slack_error("message_not_found"),
                                          api_json("", beast_http::status::service_unavailable)});
  const auto link = fx.run(fx.platform.permalink(fx.channel, "C1/1358546515.000008"));
  REQUIRE(link.what == bot::answer_kind::ok);
  CHECK(link.value == "https://ghostbusters.slack.com/archives/C1H9RESGA/p135854651500008");
  CHECK(platform_fixture::form_of(fx.server.requests()[0]) ==
        std::map<std::string, std::string>{{"channel", "C1"}, {"message_ts", "1358546515.000008"}});
  // A message Slack will not link is still worth recording, without a link.
  const auto unlinked = fx.run(fx.platform.permalink(fx.channel, "C1/1358546515.000009"));
  CHECK(unlinked.what == bot::answer_kind::ok);
  CHECK(unlinked.value.empty());
  // But an outage is not "no link": asked again later.
  CHECK(fx.run(fx.platform.permalink(fx.channel, "C1/1358546515.000010")).what ==
        bot::answer_kind::retry);
}

TEST_CASE("a notice is sent once per key through the outbox", "[integration][slack][platform]") {
  platform_fixture fx;
  fx.script.on("/api/reactions.add", {api_json(R"({"ok":true})")});
  fx.script.on("/api/chat.postEphemeral", {api_json(R"({"ok":true,"message_ts":"1.000002"})")});
  fx.start_outbox();
  bot::chat_notice confirm;
  confirm.what = bot::chat_notice::kind::confirm;
  confirm.channel = fx.channel;
  confirm.message_ref = "C1/1795255200.000100";
  fx.send(confirm, "react:12");
  REQUIRE(fx.server.wait_for_requests(1));
  REQUIRE(fx.wait_tried("react:12", 1));
  fx.send(confirm, "react:12");  // the workflow ran again: nothing more is sent

  bot::chat_notice tell;
  tell.what = bot::chat_notice::kind::tell;
  tell.channel = fx.channel;
  tell.message_ref = "C1/1795255200.000100";
  tell.thread_ref = "C1/1795255100.000050";
  tell.person_id = "U-bob";
  tell.text = "No incident is open here <yet>";
  fx.send(tell, "flag-answer:1");
  REQUIRE(fx.server.wait_for_requests(2));
  REQUIRE(fx.wait_tried("flag-answer:1", 1));
  fx.halt();

  const auto requests = fx.server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].request.target() == "/api/reactions.add");
  CHECK(requests[0].request[beast_http::field::authorization] == "Bearer xoxb-test-token");
  CHECK(json::parse(requests[0].request.body()) ==
        json{{"channel", "C1"}, {"name", "memo"}, {"timestamp", "1795255200.000100"}});
  CHECK(fx.job_column("react:12", "state") == "done");
  // Told privately, in the flag's thread, with Slack's control characters escaped.
  CHECK(requests[1].request.target() == "/api/chat.postEphemeral");
  CHECK(json::parse(requests[1].request.body()) ==
        json{{"channel", "C1"},
             {"user", "U-bob"},
             {"thread_ts", "1795255100.000050"},
             {"text", "No incident is open here &lt;yet&gt;"}});
  CHECK(fx.job_column("flag-answer:1", "state") == "done");
}

TEST_CASE("an outbox job Slack refuses is given up; one it cannot take now is retried",
          "[integration][slack][platform]") {
  platform_fixture fx;
  fx.script.on("/api/reactions.add", {slack_error("not_in_channel")});
  fx.script.on("/api/reactions.remove", {api_json("", beast_http::status::internal_server_error)});
  fx.script.on("/api/chat.postMessage", {rate_limited("20")});
  fx.start_outbox();
  bot::chat_notice notice;
  notice.channel = fx.channel;
  notice.message_ref = "C1/1795255200.000100";
  notice.what = bot::chat_notice::kind::confirm;
  fx.send(notice, "react:1");
  REQUIRE(fx.wait_tried("react:1", 1));
  notice.what = bot::chat_notice::kind::withdraw;
  fx.send(notice, "unreact:1");
  REQUIRE(fx.wait_tried("unreact:1", 1));
  notice.what = bot::chat_notice::kind::reply;
  notice.text = "Recorded.";
  fx.send(notice, "reply:1");
  REQUIRE(fx.wait_tried("reply:1", 1));
  fx.halt();

  CHECK(fx.job_column("react:1", "state") == "failed");
  CHECK_THAT(fx.job_column("react:1", "last_error"), Catch::Contains("not_in_channel"));
  CHECK(fx.job_column("unreact:1", "state") == "pending");
  CHECK_THAT(fx.job_column("unreact:1", "last_error"), Catch::Contains("HTTP 500"));
  // Due again after Slack's 20 s, not the worker's own backoff.
  CHECK(fx.job_column("reply:1", "state") == "pending");
  CHECK(fx.job_column("reply:1", "run_after") ==
        std::to_string(bot::to_unix_micros(fx.clock.now() + 20s)));
}

TEST_CASE("a reaction already there, or already gone, is what the outbox job wanted",
          "[integration][slack][platform]") {
  platform_fixture fx;
  fx.script.on("/api/reactions.add", {slack_error("already_reacted")});
  fx.script.on("/api/reactions.remove", {slack_error("no_reaction")});
  fx.start_outbox();
  bot::chat_notice notice;
  notice.channel = fx.channel;
  notice.message_ref = "C1/1795255200.000100";
  notice.what = bot::chat_notice::kind::confirm;
  fx.send(notice, "react:2");
  notice.what = bot::chat_notice::kind::withdraw;
  fx.send(notice, "unreact:2");
  REQUIRE(fx.wait_tried("react:2", 1));
  REQUIRE(fx.wait_tried("unreact:2", 1));
  fx.halt();
  CHECK(fx.job_column("react:2", "state") == "done");
  CHECK(fx.job_column("unreact:2", "state") == "done");
}

TEST_CASE("outbox jobs an earlier Scribe stored as raw calls are still delivered",
          "[integration][slack][platform]") {
  platform_fixture fx;
  fx.script.on("/api/reactions.add", {api_json(R"({"ok":true})")});
  fx.script.on("/api/chat.postEphemeral", {api_json(R"({"ok":true})")});
  fx.script.on("/hooks/T1/222/yyy", {scripted_reply::respond(beast_http::status::ok, "ok")});
  // Byte for byte what slack_adapter.cpp stored before ede59a2 (nlohmann's dump(): keys sorted,
  // no spaces): confirm_recorded(), answer_flagger() without and with a response_url.
  const std::string react =
      R"({"method":"reactions.add","params":{"channel":"C1","name":"memo","timestamp":"1795255200.000100"}})";
  const std::string ephemeral =
      R"({"method":"chat.postEphemeral","params":{"channel":"C1","text":"Recorded.","thread_ts":"1795255100.000050","user":"U-bob"}})";
  const std::string response_url =
      R"({"body":{"response_type":"ephemeral","text":"Recorded."},"response_url":")" +
      fx.server.url("/hooks/T1/222/yyy") + R"("})";
  fx.store.enqueue(outbox_queue, "react:41", react, fx.clock.now());
  fx.store.enqueue(outbox_queue, "flag-answer:C1:1795255200.000100:U-bob", ephemeral,
                   fx.clock.now());
  fx.store.enqueue(outbox_queue, "flag-answer:C1:1795255200.000101:U-bob", response_url,
                   fx.clock.now());
  fx.store.enqueue(outbox_queue, "broken", "event\n{not a call", fx.clock.now());
  fx.start_outbox();
  REQUIRE(fx.server.wait_for_requests(3));
  REQUIRE(fx.wait_tried("broken", 1));
  REQUIRE(fx.wait_tried("flag-answer:C1:1795255200.000101:U-bob", 1));
  fx.halt();

  const auto requests = fx.server.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].request.target() == "/api/reactions.add");
  CHECK(json::parse(requests[0].request.body()) ==
        json{{"channel", "C1"}, {"name", "memo"}, {"timestamp", "1795255200.000100"}});
  CHECK(requests[1].request.target() == "/api/chat.postEphemeral");
  CHECK(json::parse(requests[1].request.body()).at("user") == "U-bob");
  // A response_url takes no token.
  CHECK(requests[2].request.target() == "/hooks/T1/222/yyy");
  CHECK(requests[2].request[beast_http::field::authorization].empty());
  CHECK(json::parse(requests[2].request.body()) ==
        json{{"response_type", "ephemeral"}, {"text", "Recorded."}});
  for (const auto* key : {"react:41", "flag-answer:C1:1795255200.000100:U-bob",
                          "flag-answer:C1:1795255200.000101:U-bob"}) {
    INFO(key);
    CHECK(fx.job_column(key, "state") == "done");
  }
  CHECK(fx.job_column("broken", "state") == "failed");
}

TEST_CASE("post_once posts each message once, keyed in its metadata, across a failed run",
          "[integration][slack][platform]") {
  platform_fixture fx;
  std::vector<bot::chat_post> posts{{"What was the impact?", bot::chat_format::text, {}, {}},
                                    {"What will we do?", bot::chat_format::text, {}, {}}};
  posted_refs refs;
  auto posted = [&refs](std::size_t place, std::string ref) {
    return note_posted(&refs, place, std::move(ref));
  };

  // The first run: the first message goes out, then Slack asks Scribe to slow down.
  fx.script.on("/api/chat.postMessage",
               {api_json(json{{"ok", true}, {"channel", "C1"}, {"ts", posted_ts(1)}}.dump()),
                rate_limited("2")});
  const auto first = fx.run(fx.platform.post_once(postmortem_job(1), fx.channel, posts, posted));
  CHECK(first.what == bot::answer_kind::retry);
  CHECK(first.retry_after == 2s);
  // What did go out is reported at once, so the workflow records it before the failure.
  CHECK(refs == posted_refs{{0, "C1/" + posted_ts(1)}});
  auto requests = fx.server.requests();
  REQUIRE(requests.size() == 2);  // a first run looks nothing up
  const auto body = json::parse(requests[0].request.body());
  CHECK(body.at("channel") == "C1");
  CHECK(body.at("metadata") ==
        json{{"event_type", "scribe_post"}, {"event_payload", {{"key", "pm:7:ask#1"}}}});

  // The second run finds the first message in the channel's history by its metadata and posts
  // only the second.
  refs.clear();
  json history{{"ok", true},
               {"messages",
                {{{"type", "message"},
                  {"ts", posted_ts(1)},
                  {"text", "What was the impact?"},
                  {"bot_id", "B1"},
                  {"metadata",
                   {{"event_type", "scribe_post"}, {"event_payload", {{"key", "pm:7:ask#1"}}}}}}}},
               {"has_more", false},
               {"response_metadata", {{"next_cursor", ""}}}};
  fx.script.on("/api/conversations.history", {api_json(history.dump())});
  fx.script.on("/api/chat.postMessage",
               {api_json(json{{"ok", true}, {"channel", "C1"}, {"ts", posted_ts(2)}}.dump())});
  const auto second = fx.run(fx.platform.post_once(postmortem_job(2), fx.channel, posts, posted));
  REQUIRE(second.what == bot::answer_kind::ok);
  CHECK(refs == posted_refs{{0, "C1/" + posted_ts(1)}, {1, "C1/" + posted_ts(2)}});
  requests = fx.server.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[2].request.target() == "/api/conversations.history");
  const auto looked = platform_fixture::form_of(requests[2]);
  CHECK(looked.at("channel") == "C1");
  CHECK(looked.at("include_all_metadata") == "true");
  // Reaching back to a minute before the job was created.
  CHECK(looked.at("oldest") == "1795255140.000000");
  CHECK(requests[3].request.target() == "/api/chat.postMessage");
  CHECK(json::parse(requests[3].request.body()).at("metadata").at("event_payload").at("key") ==
        "pm:7:ask#2");
}

TEST_CASE("post_once: a channel Scribe is not in gives up; an unreadable history is retried",
          "[integration][slack][platform]") {
  platform_fixture fx;
  std::vector<bot::chat_post> posts{{"What was the impact?", bot::chat_format::text, {}, {}}};
  posted_refs refs;
  auto posted = [&refs](std::size_t place, std::string ref) {
    return note_posted(&refs, place, std::move(ref));
  };
  fx.script.on("/api/chat.postMessage", {slack_error("not_in_channel")});
  const auto refused = fx.run(fx.platform.post_once(postmortem_job(1), fx.channel, posts, posted));
  CHECK(refused.what == bot::answer_kind::failed);
  CHECK(refused.error == "not_in_channel");
  CHECK(refs.empty());

  fx.script.on("/api/conversations.history", {api_json(R"({"ok":true})")});
  const auto unread = fx.run(fx.platform.post_once(postmortem_job(2), fx.channel, posts, posted));
  CHECK(unread.what == bot::answer_kind::retry);
  // Nothing is posted while it is unknown what an earlier run posted.
  const auto requests = fx.server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].request.target() == "/api/conversations.history");
}

}  // namespace scribe::slack
