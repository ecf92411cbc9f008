// GET /incidents/{id}/postmortem.md through the router, on the real SQLite store, and who may
// read it.
#include "adapters/web/incident_export.hpp"
#include "tests/adapters/web/web_fixture.hpp"

#include <catch2/catch.hpp>

using namespace scribe;
namespace beast_http = boost::beast::http;

namespace {

struct export_fixture : test_support::web_fixture {
  // Opens and closes INC-1 in `workspace`; with `draft`, also stores a draft as a job would.
  std::int64_t closed_incident(const std::string& workspace, bool draft) {
    run(workspace, "open Checkout returns 502");
    run(workspace, "close");
    const auto inc = latest(workspace);
    if (draft) REQUIRE(postmortems.draft({bot::postmortem_step::draft, inc.id, "timer"}));
    return inc.id;
  }

  http::response get(std::string target, std::string authorization = "") {
    headers fields;
    if (!authorization.empty())
      fields.emplace_back(beast_http::field::authorization, authorization);
    return web_fixture::get(std::move(target), std::move(fields));
  }
};

}  // namespace

TEST_CASE_METHOD(export_fixture, "the latest draft downloads as a Markdown file",
                 "[integration][web]") {
  const auto id = closed_incident("T1", true);
  REQUIRE(postmortems.draft({bot::postmortem_step::draft, id, "command:1:U1"}));
  const auto res = get("/incidents/INC-1/postmortem.md");
  CHECK(res.result() == beast_http::status::ok);
  CHECK(res[beast_http::field::content_type] == "text/markdown; charset=utf-8");
  CHECK(res[beast_http::field::content_disposition] ==
        "attachment; filename=\"INC-1-postmortem-v2.md\"");
  CHECK(res.body() == store.latest_draft(id)->markdown);
  CHECK_THAT(res.body(), Catch::Contains("*Version 2 ·"));
  CHECK(get("/incidents/inc-1/postmortem.md").result() == beast_http::status::ok);
}

TEST_CASE_METHOD(export_fixture, "unknown, undrafted and ambiguous incidents say why",
                 "[integration][web]") {
  CHECK(get("/incidents/INC-1/postmortem.md").result() == beast_http::status::not_found);
  CHECK(get("/incidents/nonsense/postmortem.md").result() == beast_http::status::not_found);
  closed_incident("T1", false);
  const auto undrafted = get("/incidents/INC-1/postmortem.md");
  CHECK(undrafted.result() == beast_http::status::not_found);
  CHECK_THAT(undrafted.body(), Catch::Contains("has no postmortem draft yet"));

  closed_incident("T2", true);  // another workspace's INC-1
  const auto ambiguous = get("/incidents/INC-1/postmortem.md");
  CHECK(ambiguous.result() == beast_http::status::conflict);
  CHECK_THAT(ambiguous.body(), Catch::Contains("slack:T1, slack:T2"));
  CHECK(get("/incidents/INC-1/postmortem.md?workspace=T2").result() == beast_http::status::ok);
  CHECK(get("/incidents/INC-1/postmortem.md?workspace=T1").result() ==
        beast_http::status::not_found);
  CHECK(get("/incidents/INC-1/postmortem.md?workspace=T9").result() ==
        beast_http::status::not_found);
}

TEST_CASE_METHOD(export_fixture, "web.token is required when set; without it only on loopback",
                 "[integration][web]") {
  closed_incident("T1", true);
  const std::string path = "/incidents/INC-1/postmortem.md";
  CHECK(get(path).result() == beast_http::status::ok);  // 127.0.0.1 by default

  server.listen_host = "0.0.0.0";
  const auto exposed = get(path);
  CHECK(exposed.result() == beast_http::status::forbidden);
  CHECK_THAT(exposed.body(), Catch::Contains("web.token"));

  web.token = "s3cret-token";
  const auto missing = get(path);
  CHECK(missing.result() == beast_http::status::unauthorized);
  CHECK(missing[beast_http::field::www_authenticate] == "Bearer realm=\"scribe\"");
  CHECK(get(path, "Bearer wrong-token!").result() == beast_http::status::unauthorized);
  CHECK(get(path, "Bearer s3cret-toke").result() == beast_http::status::unauthorized);
  CHECK(get(path, "Basic s3cret-token").result() == beast_http::status::unauthorized);
  CHECK(get(path, "Bearer s3cret-token").result() == beast_http::status::ok);
  CHECK_THAT(missing.body(), !Catch::Contains("s3cret"));
}
