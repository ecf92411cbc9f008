// The incident pages and the JSON API through the router, on the real SQLite store.
#include "adapters/web/incident_pages.hpp"
#include "tests/adapters/web/web_fixture.hpp"
#include "tests/support/catch_result.hpp"

#include <nlohmann/json.hpp>

#include <regex>

using namespace scribe;
using namespace std::chrono_literals;
namespace beast_http = boost::beast::http;
using json = nlohmann::json;

namespace {

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// What the Content-Security-Policy would block: inline scripts, styles and event handlers.
void check_csp_clean(const http::response& res) {
  CHECK_THAT(std::string(res["Content-Security-Policy"]), Catch::Contains("script-src 'self'"));
  const std::string& body = res.body();
  CHECK_FALSE(std::regex_search(body, std::regex(R"(<script(?![^>]*\bsrc=))")));
  CHECK_FALSE(std::regex_search(body, std::regex(R"(<style\b)")));
  CHECK_FALSE(std::regex_search(body, std::regex(R"(\sstyle=)")));
  CHECK_FALSE(std::regex_search(body, std::regex(R"(\son[a-z]+=)")));
}

bot::entry_draft chat_entry(bot::timestamp at, std::string text, std::string link,
                            std::string ref) {
  return {at,
          at,
          {"U2", "bob <b>"},
          std::move(text),
          bot::entry_source::reaction,
          std::move(ref),
          std::move(link)};
}

}  // namespace

using test_support::web_fixture;

TEST_CASE_METHOD(web_fixture, "the list page shows incidents newest first, filtered",
                 "[integration][web]") {
  const auto empty = get("/");
  CHECK(empty.result() == beast_http::status::ok);
  CHECK_THAT(empty.body(), Catch::Contains("id=\"no-incidents\""));
  CHECK_THAT(empty.body(), !Catch::Contains("<table"));
  CHECK(get("/?status=open").body().find("No open incidents") != std::string::npos);

  run("T1", "open Checkout returns 502");
  clock.advance(15min);
  run("T1", "close");
  clock.advance(1min);
  run("T1", "open <script>alert(1)</script>", {"U1", "alice"}, "C2");
  run("T1", "sev 2", {"U1", "alice"}, "C2");
  clock.advance(65min);

  const auto all = get("/");
  REQUIRE(all.result() == beast_http::status::ok);
  CHECK(all[beast_http::field::content_type] == "text/html; charset=utf-8");
  check_csp_clean(all);
  const auto& body = all.body();
  CHECK(count(body, "<tr class=\"incident\"") == 2);
  CHECK_THAT(body, Catch::Contains("<table id=\"incidents\">"));
  // Newest first: INC-2 (open, SEV2) before INC-1 (closed).
  const auto inc2 = body.find("data-id=\"INC-2\"");
  const auto inc1 = body.find("data-id=\"INC-1\"");
  REQUIRE(inc2 != std::string::npos);
  REQUIRE(inc1 != std::string::npos);
  CHECK(inc2 < inc1);
  CHECK_THAT(body,
             Catch::Contains("<tr class=\"incident\" data-status=\"open\" data-id=\"INC-2\">"));
  CHECK_THAT(body, Catch::Contains("href=\"/incidents/INC-1?workspace=T1\""));
  CHECK_THAT(body, Catch::Contains("open for 1h 5m"));
  CHECK_THAT(body, Catch::Contains("<td class=\"duration\">15m</td>"));
  CHECK_THAT(body, Catch::Contains("SEV2"));
  CHECK_THAT(body, Catch::Contains("slack · C2"));
  // Chat text is text, never markup.
  CHECK_THAT(body, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK_THAT(body, !Catch::Contains("<script>alert"));
  CHECK_THAT(body, Catch::Contains("<a href=\"/\" aria-current=\"page\">All</a>"));

  const auto open = get("/?status=open");
  CHECK(count(open.body(), "<tr class=\"incident\"") == 1);
  CHECK_THAT(open.body(), Catch::Contains("data-status=\"open\""));
  CHECK_THAT(open.body(), Catch::Contains("aria-current=\"page\">Open</a>"));
  const auto closed = get("/?status=closed");
  CHECK(count(closed.body(), "<tr class=\"incident\"") == 1);
  CHECK_THAT(closed.body(), Catch::Contains("data-status=\"closed\""));

  const auto bad = get("/?status=everything");
  CHECK(bad.result() == beast_http::status::bad_request);
  CHECK_THAT(bad.body(), Catch::Contains("status must be open or closed"));
  CHECK(get("/?status=%zz").result() == beast_http::status::bad_request);
}

TEST_CASE_METHOD(web_fixture, "the navigation links the playground only when it is on",
                 "[integration][web]") {
  CHECK_THAT(get("/").body(), !Catch::Contains("href=\"/playground\""));
  playground = true;
  CHECK_THAT(get("/").body(), Catch::Contains("<a href=\"/playground\">Playground</a>"));
}

TEST_CASE_METHOD(web_fixture, "an incident page: facts, timeline figure, entries, no draft yet",
                 "[integration][web]") {
  postmortem.gap_marker = 30min;
  run("T1", "open Checkout returns 502");
  const auto id = latest("T1").id;
  const auto opened = clock.now();
  clock.advance(5min);
  run("T1", "note <script>alert(1)</script>");
  REQUIRE(store.add_entry(id, chat_entry(opened + 10min, "error rate at 40%",
                                         "https://example.slack.com/archives/C1/p1", "C1/1")));
  REQUIRE(store.add_entry(
      id, chat_entry(opened + 55min, "deploy rolled back", "javascript:alert(1)", "C1/2")));
  clock.set(opened + 65min);

  const auto res = get("/incidents/INC-1?workspace=T1");
  REQUIRE(res.result() == beast_http::status::ok);
  check_csp_clean(res);
  const auto& body = res.body();
  CHECK_THAT(body, Catch::Contains("<h1 id=\"incident-title\"><span class=\"label\">INC-1</span> "
                                   "Checkout returns 502</h1>"));
  CHECK_THAT(body, Catch::Contains("still open"));
  CHECK_THAT(body, Catch::Contains("open for 1h 5m"));
  CHECK_THAT(body, Catch::Contains("<figure id=\"timeline-axis\">"));
  CHECK(count(body, "<rect class=\"mark\"") == 4);  // opened, note, two flagged messages
  CHECK(count(body, "<rect class=\"gap\"") == 1);   // 10m -> 55m
  CHECK_THAT(body, Catch::Contains("45m without entries"));
  CHECK(count(body, "<line class=\"opened\"") == 1);
  CHECK(count(body, "<line class=\"now\"") == 1);
  CHECK(count(body, "<line class=\"closed\"") == 0);

  CHECK_THAT(body, Catch::Contains("<ol id=\"entries\">"));
  CHECK(count(body, "<li class=\"entry\"") == 4);
  CHECK_THAT(body, Catch::Contains("<time class=\"utc\" datetime=\"2026-11-21T10:05:00Z\">"
                                   "10:05:00 UTC</time>"));
  CHECK_THAT(body, Catch::Contains("<time class=\"local\" datetime=\"2026-11-21T10:05:00Z\">"));
  CHECK_THAT(body, Catch::Contains("<span class=\"source\">command</span>"));
  CHECK_THAT(body, Catch::Contains("<span class=\"source\">reaction</span>"));
  CHECK_THAT(body, Catch::Contains("<span class=\"author\">bob &lt;b&gt;</span>"));
  CHECK_THAT(
      body, Catch::Contains("<a class=\"link\" href=\"https://example.slack.com/archives/C1/p1\""));
  CHECK(count(body, "<a class=\"link\"") == 1);  // the javascript: link is no link
  CHECK_THAT(body, !Catch::Contains("javascript:"));
  CHECK_THAT(body,
             Catch::Contains("<span class=\"text\">&lt;script&gt;alert(1)&lt;/script&gt;</span>"));
  CHECK_THAT(body, !Catch::Contains("<script>alert"));

  CHECK_THAT(body, Catch::Contains("<section id=\"postmortem\">"));
  CHECK_THAT(body, Catch::Contains("id=\"no-draft\""));
  CHECK_THAT(body, !Catch::Contains("id=\"download\""));
  CHECK_THAT(body, !Catch::Contains("<section id=\"review\">"));

  // Without a workspace the label is unambiguous here, and the case of "inc" does not matter.
  CHECK(get("/incidents/inc-1").result() == beast_http::status::ok);
}

TEST_CASE_METHOD(web_fixture, "a closed incident's page shows the draft and its review",
                 "[integration][web]") {
  postmortem.questions = {{"went_wrong", "What went wrong?"}, {"actions", "What will we do?"}};
  run("T1", "open Checkout returns 502");
  clock.advance(15min);
  run("T1", "close rolled back", {"U3", "carol"});
  const auto id = latest("T1").id;
  REQUIRE(store.add_answer(id,
                           {"went_wrong",
                            {"U2", "bob"},
                            clock.now(),
                            "@dave forgot the <em>check</em>",
                            bot::answer_source::thread,
                            "r1"},
                           std::nullopt));
  REQUIRE(postmortems.draft({bot::postmortem_step::draft, id, "timer"}));

  const auto res = get("/incidents/INC-1?workspace=T1");
  REQUIRE(res.result() == beast_http::status::ok);
  check_csp_clean(res);
  const auto& body = res.body();
  CHECK(count(body, "<line class=\"closed\"") == 1);
  CHECK_THAT(body, Catch::Contains("<span class=\"author\">carol</span>"));
  CHECK_THAT(body, Catch::Contains("<dd class=\"duration\">15m</dd>"));
  CHECK_THAT(body, Catch::Contains("<span id=\"draft-version\">1</span>"));
  CHECK_THAT(body, Catch::Contains(
                       "<a id=\"download\" href=\"/incidents/INC-1/postmortem.md?workspace=T1\">"));
  // The draft starts below the page's headings, without its own title: the page's h1 names the
  // incident, its h2 says "Postmortem draft", and neither is said again.
  CHECK_THAT(body, Catch::Contains("<div class=\"draft\">\n<p><em>Version 1"));
  CHECK_THAT(body, Catch::Contains("<h3>Summary</h3>"));
  CHECK(count(body, "Postmortem draft") == 1);
  // The wording review once: the page's own section, not the draft's copy as well.
  CHECK(count(body, "Wording review") == 1);
  CHECK(count(body, "@dave forgot") == 2);  // the answer in the draft, the finding in the review
  CHECK_THAT(body, Catch::Contains("&lt;em&gt;check&lt;/em&gt;"));
  CHECK_THAT(body, !Catch::Contains("<em>check</em>"));
  CHECK_THAT(body, Catch::Contains("<section id=\"review\">"));
  CHECK_THAT(body, Catch::Contains("<li class=\"finding finding-blame\" data-kind=\"blame\"><q "
                                   "class=\"quote\">@dave forgot</q>"));
  CHECK_THAT(body, Catch::Contains("<span class=\"kind\">blame</span>"));
  CHECK_THAT(body, Catch::Contains("<span class=\"rule\">counterfactual</span>"));
  CHECK_THAT(body, Catch::Contains("<span class=\"where\">in bob"));

  // The download link works for the same reader.
  CHECK(get("/incidents/INC-1/postmortem.md?workspace=T1").result() == beast_http::status::ok);
}

TEST_CASE_METHOD(web_fixture, "a channel named after its platform is named once",
                 "[integration][web]") {
  desk.run_command({{"playground", "local", "playground"},
                    {"alice", "alice"},
                    "open Checkout is failing",
                    "/incident",
                    {},
                    {}});
  const auto page = get("/incidents/INC-1?workspace=local").body();
  CHECK_THAT(page, Catch::Contains("<dd class=\"channel\">playground <span"));
  CHECK_THAT(get("/").body(), Catch::Contains("<td class=\"channel\">playground</td>"));
  CHECK_THAT(page + get("/").body(), !Catch::Contains("playground · playground"));
  run("T1", "open Checkout returns 502");
  CHECK_THAT(get("/incidents/INC-1?workspace=T1").body(),
             Catch::Contains("<dd class=\"channel\">slack · C1 <span"));
}

TEST_CASE_METHOD(web_fixture, "unknown and ambiguous incident pages say why",
                 "[integration][web]") {
  const auto unknown = get("/incidents/INC-1");
  CHECK(unknown.result() == beast_http::status::not_found);
  CHECK_THAT(unknown.body(), Catch::Contains("There is no incident INC-1"));
  CHECK(get("/incidents/%3Cb%3E").result() == beast_http::status::not_found);
  CHECK_THAT(get("/incidents/%3Cb%3E").body(), Catch::Contains("incident &lt;b&gt;"));

  run("T1", "open Checkout returns 502");
  run("T2", "open Login fails");
  const auto ambiguous = get("/incidents/INC-1");
  CHECK(ambiguous.result() == beast_http::status::conflict);
  CHECK_THAT(ambiguous.body(), Catch::Contains("href=\"/incidents/INC-1?workspace=T1\""));
  CHECK_THAT(ambiguous.body(), Catch::Contains("href=\"/incidents/INC-1?workspace=T2\""));
  CHECK_THAT(get("/incidents/INC-1?workspace=T2").body(), Catch::Contains("Login fails"));
  CHECK(get("/incidents/INC-1?workspace=T9").result() == beast_http::status::not_found);
}

TEST_CASE_METHOD(web_fixture, "the JSON API lists incidents and shows one in full",
                 "[integration][web]") {
  postmortem.questions = {{"went_wrong", "What went wrong?"}, {"actions", "What will we do?"}};
  run("T1", "open <script>alert(1)</script>");
  run("T1", "sev 2");
  const auto id = latest("T1").id;
  const auto opened = clock.now();
  REQUIRE(store.add_entry(
      id, chat_entry(opened + 2min, "error rate at 40%", "https://example.org/m/1", "C1/1")));
  clock.advance(10min);

  const auto empty_list = get("/api/incidents?status=closed");
  CHECK(empty_list.result() == beast_http::status::ok);
  CHECK(empty_list[beast_http::field::content_type] == "application/json");
  CHECK(json::parse(empty_list.body()) ==
        json{{"incidents", json::array()}, {"next_cursor", nullptr}});

  auto open = json::parse(get("/api/incidents/INC-1?workspace=T1").body());
  CHECK(open["id"] == "INC-1");
  CHECK(open["number"] == 1);
  CHECK(open["workspace"] == "T1");
  CHECK(open["title"] == "<script>alert(1)</script>");
  CHECK(open["severity"] == 2);
  CHECK(open["status"] == "open");
  CHECK(open["platform"] == "slack");
  CHECK(open["channel"] == "C1");
  CHECK(open["opened_at"] == "2026-11-21T10:00:00Z");
  CHECK(open["closed_at"].is_null());
  CHECK(open["opened_by"] == json{{"id", "U1"}, {"name", "alice"}});
  CHECK(open["closed_by"].is_null());
  CHECK(open["postmortem"].is_null());
  REQUIRE(open["timeline"].size() == 3);  // opened, sev 2, the flagged message
  const auto& flagged = open["timeline"][2];
  CHECK(flagged["at"] == "2026-11-21T10:02:00Z");
  CHECK(flagged["recorded_at"] == "2026-11-21T10:02:00Z");
  CHECK(flagged["author"] == json{{"id", "U2"}, {"name", "bob <b>"}});
  CHECK(flagged["text"] == "error rate at 40%");
  CHECK(flagged["source"] == "reaction");
  CHECK(flagged["link"] == "https://example.org/m/1");
  CHECK(open["timeline"][0]["link"].is_null());

  run("T1", "close");
  REQUIRE(store.add_answer(id,
                           {"actions",
                            {"U2", "bob"},
                            clock.now(),
                            "Alert on 5xx rate @bob by 2026-12-01",
                            bot::answer_source::thread,
                            "r1"},
                           std::nullopt));
  REQUIRE(postmortems.draft({bot::postmortem_step::draft, id, "timer"}));
  REQUIRE(store.add_answer(id,
                           {"went_wrong",
                            {"U3", "carol"},
                            clock.now(),
                            "@dave forgot",
                            bot::answer_source::thread,
                            "r2"},
                           std::nullopt));
  const auto closed = json::parse(get("/api/incidents/INC-1").body());
  CHECK(closed["status"] == "closed");
  CHECK(closed["closed_at"] == "2026-11-21T10:10:00Z");
  CHECK(closed["closed_by"]["name"] == "alice");
  const auto& pm = closed["postmortem"];
  CHECK(pm["version"] == 1);
  CHECK(pm["markdown"] == store.latest_draft(id)->markdown);
  REQUIRE(pm["questions"].size() == 2);
  CHECK(pm["questions"][0]["id"] == "went_wrong");
  CHECK(pm["questions"][0]["text"] == "What went wrong?");
  REQUIRE(pm["questions"][0]["answers"].size() == 1);  // given after version 1: there already
  CHECK(pm["questions"][0]["answers"][0] == json{{"author", {{"id", "U3"}, {"name", "carol"}}},
                                                 {"at", "2026-11-21T10:10:00Z"},
                                                 {"text", "@dave forgot"}});
  REQUIRE(pm["actions"].size() == 1);
  CHECK(pm["actions"][0] ==
        json{{"text", "Alert on 5xx rate"}, {"owner", "@bob"}, {"due", "2026-12-01"}});
  REQUIRE(pm["review"].size() == 1);
  CHECK(pm["review"][0]["quote"] == "@dave forgot");
  CHECK(pm["review"][0]["rule"] == "counterfactual");
  CHECK(pm["review"][0]["kind"] == "blame");
  CHECK(pm["review"][0]["suggestion"].is_string());
  CHECK(pm["review"][0]["rewrite"].is_null());  // "@dave forgot": nothing but the verdict

  clock.advance(1min);
  run("T1", "open Search is slow", {"U1", "alice"}, "C2");
  const auto list = json::parse(get("/api/incidents").body());
  REQUIRE(list["incidents"].size() == 2);
  CHECK(list["incidents"][0]["id"] == "INC-2");
  CHECK(list["incidents"][1]["id"] == "INC-1");
  CHECK_FALSE(list["incidents"][0].contains("timeline"));
  CHECK_FALSE(list["incidents"][0].contains("postmortem"));
  CHECK(list["incidents"][0]["url"] == "/incidents/INC-2?workspace=T1");
  const auto only_open = json::parse(get("/api/incidents?status=open").body());
  REQUIRE(only_open["incidents"].size() == 1);
  CHECK(only_open["incidents"][0]["title"] == "Search is slow");
}

TEST_CASE_METHOD(web_fixture, "JSON API errors are JSON", "[integration][web]") {
  const auto bad = get("/api/incidents?status=resolved");
  CHECK(bad.result() == beast_http::status::bad_request);
  CHECK(bad[beast_http::field::content_type] == "application/json");
  CHECK_THAT(json::parse(bad.body())["error"].get<std::string>(),
             Catch::Contains("open or closed"));

  const auto unknown = get("/api/incidents/INC-4");
  CHECK(unknown.result() == beast_http::status::not_found);
  CHECK(json::parse(unknown.body())["error"] == "no incident INC-4");

  run("T1", "open Checkout returns 502");
  run("T2", "open Login fails");
  const auto ambiguous = get("/api/incidents/INC-1");
  CHECK(ambiguous.result() == beast_http::status::conflict);
  const auto error = json::parse(ambiguous.body());
  CHECK_THAT(error["error"].get<std::string>(), Catch::Contains("slack:T1, slack:T2"));
  CHECK(error["workspaces"] == json{"T1", "T2"});

  web.token = "s3cret-token";
  const auto refused = get("/api/incidents");
  CHECK(refused.result() == beast_http::status::unauthorized);
  CHECK(refused[beast_http::field::www_authenticate] == "Bearer realm=\"scribe\"");
  CHECK(json::parse(refused.body())["error"].is_string());
  CHECK(
      get("/api/incidents", {{beast_http::field::authorization, "Bearer s3cret-token"}}).result() ==
      beast_http::status::ok);
}

TEST_CASE_METHOD(web_fixture, "static files are served to anyone", "[integration][web]") {
  web.token = "s3cret-token";
  const auto css = get("/static/scribe.css");
  CHECK(css.result() == beast_http::status::ok);
  CHECK(css[beast_http::field::content_type] == "text/css; charset=utf-8");
  CHECK_THAT(css.body(), Catch::Contains(".gap"));
  const auto js = get("/static/scribe.js");
  CHECK(js.result() == beast_http::status::ok);
  CHECK(js[beast_http::field::content_type] == "text/javascript; charset=utf-8");
  CHECK_THAT(js.body(), Catch::Contains("toLocaleString"));
}

TEST_CASE_METHOD(web_fixture, "a long timeline comes in pages: the JSON API, the page, the figure",
                 "[integration][web][paging]") {
  run("T1", "open Alert storm");
  const auto id = latest("T1").id;
  const auto opened = clock.now();
  // 400 alerts, 2 s apart; the figure has 1,000 columns over 800 s, so some hold several.
  for (int i = 0; i < 400; ++i) {
    const auto at = opened + std::chrono::seconds(2 * i + 1);
    REQUIRE(store.add_entry(id, {at,
                                 at,
                                 {"am", "alertmanager"},
                                 "alert " + std::to_string(i),
                                 bot::entry_source::command,
                                 std::nullopt,
                                 ""}));
  }
  clock.advance(30min);

  SECTION("the JSON API pages with ?limit= and next_cursor, each entry once") {
    std::vector<std::string> seen;
    std::string cursor;
    int pages = 0;
    do {
      const auto res = get("/api/incidents/INC-1?limit=150" +
                           (cursor.empty() ? std::string() : "&cursor=" + cursor));
      REQUIRE(res.result() == beast_http::status::ok);
      const auto body = json::parse(res.body());
      CHECK(body["timeline_total"] == 401);
      CHECK(body["timeline"].size() <= 150);
      for (const auto& e : body["timeline"]) seen.push_back(e["text"]);
      cursor = body["next_cursor"].is_null() ? "" : body["next_cursor"].get<std::string>();
      ++pages;
    } while (!cursor.empty() && pages < 10);
    CHECK(pages == 3);
    REQUIRE(seen.size() == 401);
    CHECK(seen[0] == "Incident opened: Alert storm");
    CHECK(seen[400] == "alert 399");
    const auto whole = json::parse(get("/api/incidents/INC-1").body());
    CHECK(whole["timeline"].size() == 401);  // the default page, 500, holds it all
    CHECK(whole["next_cursor"].is_null());
  }
  SECTION("bad paging parameters get 400 with a reason") {
    for (const auto* target :
         {"/api/incidents/INC-1?limit=0", "/api/incidents/INC-1?limit=5001",
          "/api/incidents/INC-1?limit=ten", "/api/incidents/INC-1?cursor=nonsense",
          "/api/incidents?limit=1001", "/api/incidents?cursor=1-x"}) {
      INFO(target);
      const auto res = get(target);
      CHECK(res.result() == beast_http::status::bad_request);
      CHECK(json::parse(res.body())["error"].is_string());
    }
    CHECK(get("/incidents/INC-1?after=nonsense").result() == beast_http::status::bad_request);
    CHECK(get("/?cursor=x").result() == beast_http::status::bad_request);
  }
  SECTION("the page shows the first and the last entries, and a link to the next ones") {
    const auto page = get("/incidents/INC-1");
    REQUIRE(page.result() == beast_http::status::ok);
    check_csp_clean(page);
    const auto& body = page.body();
    CHECK(count(body, "<li class=\"entry\"") == 2 * web::page_entries);
    CHECK_THAT(body, Catch::Contains(">alert 98<"));
    CHECK_THAT(body, !Catch::Contains(">alert 99<"));
    CHECK_THAT(body, Catch::Contains(">alert 399<"));
    CHECK_THAT(body, Catch::Contains("401 entries in all"));
    const std::regex more(
        R"re(id="show-more" href="(/incidents/INC-1\?workspace=T1&amp;after=[^"#]+)#more")re");
    std::smatch link;
    REQUIRE(std::regex_search(body, link, more));
    std::string next = link[1].str();
    next.replace(next.find("&amp;"), 5, "&");
    const auto second = get(next);
    REQUIRE(second.result() == beast_http::status::ok);
    // The next 500 from alert 99 reach the end: the other 301, once each, and no link.
    CHECK(count(second.body(), "<li class=\"entry\"") == 301);
    CHECK_THAT(second.body(), Catch::Contains(">alert 99<"));
    CHECK_THAT(second.body(), !Catch::Contains("id=\"show-more\""));
  }
  SECTION("the figure draws a mark per column with entries, never one per entry") {
    const auto body = get("/incidents/INC-1").body();
    const auto marks = count(body, "<rect class=\"mark\"");
    CHECK(marks <= web::figure_columns);
    CHECK(marks < 401);
    std::int64_t counted = 0;
    const std::regex data_count(R"re(class="mark" data-count="(\d+)")re");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), data_count);
         it != std::sregex_iterator(); ++it) {
      counted += std::stoll((*it)[1].str());
    }
    CHECK(counted == 401);
  }
}

TEST_CASE_METHOD(web_fixture, "the incident list pages: newest first, then an older page",
                 "[integration][web][paging]") {
  for (int i = 0; i < 105; ++i) {
    run("T1", "open incident " + std::to_string(i), {"U1", "alice"}, "C" + std::to_string(i));
    clock.advance(1s);
  }
  const auto first = json::parse(get("/api/incidents?limit=60").body());
  REQUIRE(first["incidents"].size() == 60);
  CHECK(first["incidents"][0]["title"] == "incident 104");
  REQUIRE(first["next_cursor"].is_string());
  const auto second = json::parse(
      get("/api/incidents?limit=60&cursor=" + first["next_cursor"].get<std::string>()).body());
  REQUIRE(second["incidents"].size() == 45);
  CHECK(second["incidents"][0]["title"] == "incident 44");
  CHECK(second["next_cursor"].is_null());

  const auto page = get("/").body();
  CHECK(count(page, "<tr class=\"incident\"") == 100);
  std::smatch older;
  REQUIRE(
      std::regex_search(page, older, std::regex(R"re(id="older"><a href="(/\?cursor=[^"]+)")re")));
  const auto rest = get(older[1].str()).body();
  CHECK(count(rest, "<tr class=\"incident\"") == 5);
  CHECK_THAT(rest, !Catch::Contains("id=\"older\""));
}
