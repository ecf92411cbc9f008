// The playground's routes through the router, on the real SQLite store: posting, flagging, the
// cookie that remembers a name, and who may use it.
#include "adapters/playground/playground_adapter.hpp"
#include "adapters/http/router.hpp"
#include "tests/adapters/web/web_fixture.hpp"
#include "tests/support/dispatch.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

using namespace scribe;
namespace beast_http = boost::beast::http;

namespace {

// The web front's store, desks, pool and options, with the playground's routes instead.
struct adapter_fixture : test_support::web_fixture {
  http::response send(beast_http::verb method, std::string target, std::string body = "",
                      headers fields = {
                          {beast_http::field::content_type, "application/x-www-form-urlencoded"}}) {
    site::access_policy access(web, server);
    boost::asio::io_context ioc;
    const config::jobs_options limits;
    playground::playground_adapter adapter(ioc, pool, desk, postmortems, store, store, clock,
                                           access, limits);
    http::router routes;
    adapter.add_routes(routes);
    http::request req{method, target, 11};
    for (const auto& [field, value] : fields) req.set(field, value);
    req.body() = std::move(body);
    req.prepare_payload();
    return test_support::dispatch_request(ioc, routes, std::move(req));
  }

  http::response post(std::string target, std::string body, std::string cookie = "") {
    headers fields{{beast_http::field::content_type, "application/x-www-form-urlencoded"}};
    if (!cookie.empty()) fields.emplace_back(beast_http::field::cookie, cookie);
    return send(beast_http::verb::post, std::move(target), std::move(body), fields);
  }

  std::vector<bot::chat_message> messages() {
    return store.recent_messages(std::string(playground::channel_name), 100);
  }
};

}  // namespace

TEST_CASE_METHOD(adapter_fixture,
                 "playground: a posted message goes to the bot and back to the page",
                 "[integration][playground]") {
  const auto posted = post("/playground/messages", "author=Ann+Lee&text=%2Fincident+open+db+down");
  CHECK(posted.result() == beast_http::status::see_other);
  CHECK(posted[beast_http::field::location] == "/playground");  // the page opens at the newest
  CHECK(std::string(posted[beast_http::field::set_cookie])
            .starts_with("scribe_playground_name=Ann%20Lee;"));
  const auto inc = store.find_open_incident(playground::channel());
  REQUIRE(inc);
  CHECK(inc->title == "db down");
  CHECK(inc->opened_by.name == "Ann Lee");

  const auto page = send(beast_http::verb::get, "/playground", "",
                         {{beast_http::field::cookie, "scribe_playground_name=Ann%20Lee"}});
  CHECK(page.result() == beast_http::status::ok);
  CHECK(page[beast_http::field::content_type] == "text/html; charset=utf-8");
  CHECK_THAT(std::string(page["Content-Security-Policy"]), Catch::Contains("script-src 'self'"));
  CHECK_THAT(page.body(), Catch::Contains("name=\"author\" value=\"Ann Lee\""));
  CHECK_THAT(page.body(), Catch::Contains("INC-1"));
  const auto fragment = send(beast_http::verb::get, "/playground/messages");
  CHECK(fragment.body().starts_with("<li class=\"message\""));
  CHECK(fragment.body().find("<html") == std::string::npos);

  // Flag as the remembered name.
  const auto said = post("/playground/messages", "author=bob&text=pool+exhausted");
  const auto id = std::to_string(messages().back().id);
  const auto pinned = post("/playground/messages/" + id + "/pin", "", "scribe_playground_name=bob");
  CHECK(pinned.result() == beast_http::status::see_other);
  CHECK(pinned[beast_http::field::location] == "/playground#m" + id);
  CHECK(store.timeline_size(inc->id) == 2);
}

TEST_CASE_METHOD(adapter_fixture,
                 "playground: bad posts are refused with a reason and lose nothing",
                 "[integration][playground]") {
  const auto no_name = post("/playground/messages", "author=&text=hello+there");
  CHECK(no_name.result() == beast_http::status::bad_request);
  CHECK_THAT(no_name.body(), Catch::Contains("Write your name"));
  CHECK_THAT(no_name.body(), Catch::Contains("id=\"name-form\""));
  const auto too_long = post("/playground/messages", "author=ann&text=" + std::string(4001, 'x'));
  CHECK(too_long.result() == beast_http::status::bad_request);
  CHECK_THAT(too_long.body(), Catch::Contains(">" + std::string(4001, 'x') + "</textarea>"));
  CHECK(messages().empty());

  CHECK(post("/playground/messages", "author=a&text=+").result() ==
        beast_http::status::bad_request);
  CHECK(post("/playground/messages", "author=a&text=x&thread=abc").result() ==
        beast_http::status::bad_request);
  CHECK(post("/playground/messages", "author=a&text=x&thread=77").result() ==
        beast_http::status::bad_request);
  CHECK(post("/playground/messages", "author=a&text=%zz").result() ==
        beast_http::status::bad_request);
  CHECK(send(beast_http::verb::post, "/playground/messages", "{\"text\":\"x\"}",
             {{beast_http::field::content_type, "application/json"}})
            .result() == beast_http::status::unsupported_media_type);
  CHECK(messages().empty());

  CHECK(post("/playground/messages/1/pin", "").result() == beast_http::status::bad_request);
  CHECK(post("/playground/messages/1/pin", "", "scribe_playground_name=ann").result() ==
        beast_http::status::not_found);
  CHECK(post("/playground/messages/x/pin", "", "scribe_playground_name=ann").result() ==
        beast_http::status::not_found);
}

TEST_CASE_METHOD(adapter_fixture,
                 "playground: the name is given once, remembered, and a reply stays in its thread",
                 "[integration][playground]") {
  const auto first = send(beast_http::verb::get, "/playground");
  CHECK_THAT(first.body(), Catch::Contains("id=\"name-form\""));

  const auto named = post("/playground/name", "author=+Ann+Lee+");
  CHECK(named.result() == beast_http::status::see_other);
  CHECK(named[beast_http::field::location] == "/playground");
  CHECK(std::string(named[beast_http::field::set_cookie])
            .starts_with("scribe_playground_name=Ann%20Lee;"));
  const std::string cookie = "scribe_playground_name=Ann%20Lee";
  const auto page =
      send(beast_http::verb::get, "/playground", "", {{beast_http::field::cookie, cookie}});
  CHECK_THAT(page.body(), Catch::Contains("<strong id=\"viewer\">Ann Lee</strong>"));
  CHECK_THAT(page.body(), !Catch::Contains("id=\"name-form\""));
  const auto renaming = send(beast_http::verb::get, "/playground?rename=1", "",
                             {{beast_http::field::cookie, cookie}});
  CHECK_THAT(renaming.body(), Catch::Contains("id=\"name-form\""));

  const auto bad = post("/playground/name", "author=%0A");
  CHECK(bad.result() == beast_http::status::bad_request);
  CHECK_THAT(bad.body(), Catch::Contains("Write a name of 1 to 40 bytes"));
  CHECK(bad[beast_http::field::set_cookie].empty());

  // Named from a thread's page: back to that thread. A reply there comes back to the reply.
  post("/playground/messages", "author=ann&text=%2Fincident+open+db+down");
  const auto root = messages().front().id;
  const auto in_thread = post("/playground/name", "author=bob&thread=" + std::to_string(root));
  CHECK(in_thread[beast_http::field::location] ==
        "/playground?thread=" + std::to_string(root) + "#m" + std::to_string(root));
  const auto replied =
      post("/playground/messages", "author=bob&text=me+too&thread=" + std::to_string(root));
  CHECK(replied[beast_http::field::location] ==
        "/playground?thread=" + std::to_string(root) + "#m" + std::to_string(messages().back().id));
}

TEST_CASE_METHOD(adapter_fixture,
                 "playground: behind the web token, and not for other sites' forms",
                 "[integration][playground]") {
  for (const char* target : {"/playground/messages", "/playground/name"}) {
    CHECK(send(beast_http::verb::post, target, "author=a&text=x",
               {{beast_http::field::content_type, "application/x-www-form-urlencoded"},
                {beast_http::field::host, "127.0.0.1:8080"},
                {beast_http::field::origin, "https://evil.example"}})
              .result() == beast_http::status::forbidden);
  }
  CHECK(messages().empty());

  web.token = "0123456789abcdef0123456789abcdef";
  const auto page = send(beast_http::verb::get, "/playground");
  CHECK(page.result() == beast_http::status::see_other);
  CHECK(std::string(page[beast_http::field::location]).starts_with("/signin?next="));
  CHECK(send(beast_http::verb::get, "/playground/messages").result() ==
        beast_http::status::unauthorized);
  CHECK(post("/playground/messages", "author=a&text=x").result() ==
        beast_http::status::unauthorized);
  CHECK(send(beast_http::verb::post, "/playground/messages", "author=a&text=x",
             {{beast_http::field::content_type, "application/x-www-form-urlencoded"},
              {beast_http::field::authorization, "Bearer " + web.token}})
            .result() == beast_http::status::see_other);
  CHECK(messages().size() == 1);
}
