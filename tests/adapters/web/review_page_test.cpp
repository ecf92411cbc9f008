// POST /api/review and the "Review a text" page through the router, without a socket.
#include "adapters/web/review_page.hpp"
#include "tests/support/dispatch.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <regex>

using namespace scribe;
namespace beast_http = boost::beast::http;
using json = nlohmann::json;

namespace {

struct review_fixture {
  config::web_options web;
  config::server_options server;

  http::response send(beast_http::verb method, std::string target, std::string content_type,
                      std::string body,
                      std::vector<std::pair<beast_http::field, std::string>> fields = {}) {
    site::access_policy access(web, server);
    web::review_page page(access, false);
    http::router routes;
    page.add_routes(routes);
    http::request req{method, target, 11};
    req.set(beast_http::field::host, "127.0.0.1:8080");
    if (!content_type.empty()) req.set(beast_http::field::content_type, content_type);
    for (const auto& [name, value] : fields) req.set(name, value);
    req.body() = std::move(body);
    req.prepare_payload();
    return test_support::dispatch_request(routes, std::move(req));
  }

  http::response api(std::string body, std::string content_type = "application/json") {
    return send(beast_http::verb::post, "/api/review", std::move(content_type), std::move(body));
  }
};

}  // namespace

TEST_CASE_METHOD(review_fixture, "POST /api/review answers the findings with kind and rewrite",
                 "[integration][web][review]") {
  const auto res = api(R"({"text": "Checkout failed. Kevin ignored the alerts for two hours.",
                           "people": ["Kevin"]})");
  REQUIRE(res.result() == beast_http::status::ok);
  CHECK(res[beast_http::field::content_type] == "application/json");
  const auto body = json::parse(res.body());
  REQUIRE(body["findings"].size() == 1);
  const auto& f = body["findings"][0];
  CHECK(f == json{{"sentence", "Kevin ignored the alerts for two hours."},
                  {"quote", "Kevin ignored"},
                  {"offset", 17},
                  {"rule", "judgement"},
                  {"kind", "blame"},
                  {"suggestion", f["suggestion"]},
                  {"rewrite",
                   "The alerts went unanswered for two hours. What made them easy to "
                   "miss?"}});
  const auto clean = api(R"({"text": "The cache forgot its keys."})");
  CHECK(json::parse(clean.body()) == json{{"findings", json::array()}});
}

TEST_CASE_METHOD(review_fixture, "POST /api/review refuses what is not its JSON, with a reason",
                 "[integration][web][review]") {
  const auto reason = [](const http::response& res) {
    return json::parse(res.body())["error"].get<std::string>();
  };
  const auto bad = api(R"({"text": "unterminated)");
  CHECK(bad.result() == beast_http::status::bad_request);
  CHECK_THAT(reason(bad), Catch::Contains("not valid JSON (at byte"));
  const auto missing = api(R"({"people": []})");
  CHECK(missing.result() == beast_http::status::bad_request);
  CHECK(reason(missing) == "\"text\" is missing: the text to review");
  CHECK(reason(api(R"({"text": 7})")) == "\"text\" must be a string");
  CHECK(reason(api(R"(["text"])")) ==
        "the body must be a JSON object: {\"text\": \"...\", \"people\": [...]}");
  CHECK_THAT(reason(api(R"({"text": "x", "people": "Dave"})")), Catch::Contains("list of names"));
  CHECK_THAT(reason(api(R"({"text": "x", "people": [1]})")), Catch::Contains("list of names"));
  CHECK(api("{\"text\": \"\xFF\"}").result() == beast_http::status::bad_request);
  const auto form = api("text=hi", "application/x-www-form-urlencoded");
  CHECK(form.result() == beast_http::status::unsupported_media_type);
}

TEST_CASE_METHOD(review_fixture, "POST /api/review follows the API's access rule",
                 "[integration][web][review]") {
  web.token = "s3cret-token-value";
  const auto refused = api(R"({"text": "Kevin ignored the alerts."})");
  CHECK(refused.result() == beast_http::status::unauthorized);
  CHECK(json::parse(refused.body()).contains("error"));
  const auto allowed =
      send(beast_http::verb::post, "/api/review", "application/json", R"({"text": "x"})",
           {{beast_http::field::authorization, "Bearer s3cret-token-value"}});
  CHECK(allowed.result() == beast_http::status::ok);
  web.token.clear();
  server.listen_host = "0.0.0.0";  // reachable from other machines, and no token
  CHECK(api(R"({"text": "x"})").result() == beast_http::status::forbidden);
}

TEST_CASE_METHOD(review_fixture, "the review page: a form, then the text marked with rewrites",
                 "[integration][web][review]") {
  const auto form = send(beast_http::verb::get, "/review", "", "");
  REQUIRE(form.result() == beast_http::status::ok);
  CHECK_THAT(form.body(), Catch::Contains("<form id=\"review-form\" method=\"post\" "
                                          "action=\"/review\">"));
  CHECK_THAT(form.body(), !Catch::Contains("review-result"));
  CHECK_THAT(form.body(), Catch::Contains("<a href=\"/review\""));  // in the navigation bar

  const auto posted = send(beast_http::verb::post, "/review", "application/x-www-form-urlencoded",
                           "text=Bob+should+have+checked+the+config.+%3Cscript%3E&people=Bob",
                           {{beast_http::field::origin, "http://127.0.0.1:8080"}});
  REQUIRE(posted.result() == beast_http::status::ok);
  const auto& body = posted.body();
  CHECK_THAT(body, Catch::Contains("<p id=\"review-summary\">1 finding: 1 blame, 0 advice.</p>"));
  CHECK_THAT(body, Catch::Contains("<mark class=\"finding-blame\" data-rule=\"counterfactual\"><a "
                                   "href=\"#finding-1\">Bob should have checked</a></mark>"));
  CHECK_THAT(body, Catch::Contains("<ins class=\"rewrite-inline\">The config was not checked. "
                                   "What would have prompted it at the time?</ins>"));
  CHECK_THAT(body, Catch::Contains("<li class=\"finding finding-blame\" id=\"finding-1\""));
  // What was sent stays in the form, escaped, as everywhere else.
  CHECK_THAT(body, Catch::Contains("should have checked the config. &lt;script&gt;</textarea>"));
  CHECK_THAT(body, !Catch::Contains("<script>"));
  CHECK_THAT(body, Catch::Contains("value=\"Bob\""));
  CHECK_FALSE(std::regex_search(body, std::regex(R"(\sstyle=)")));
}

TEST_CASE_METHOD(review_fixture, "the review form refuses other sites and other encodings",
                 "[integration][web][review]") {
  const auto cross = send(beast_http::verb::post, "/review", "application/x-www-form-urlencoded",
                          "text=x", {{beast_http::field::origin, "https://evil.example"}});
  CHECK(cross.result() == beast_http::status::forbidden);
  CHECK(send(beast_http::verb::post, "/review", "text/plain", "text=x").result() ==
        beast_http::status::unsupported_media_type);
  const auto clean = send(beast_http::verb::post, "/review", "application/x-www-form-urlencoded",
                          "text=Ravi+rolled+back.");
  CHECK_THAT(clean.body(), Catch::Contains("id=\"no-findings\""));
}

TEST_CASE("split_people reads a comma-separated list", "[unit][web][review]") {
  CHECK(web::split_people(" Dave, @kim ,,annatwo@ ") ==
        std::vector<std::string>{"Dave", "@kim", "annatwo@"});
  CHECK(web::split_people("").empty());
}
