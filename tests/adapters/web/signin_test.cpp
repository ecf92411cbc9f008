// Signing in through the pages: the sign-in form, the session cookie, where a browser is sent, and
// what is served without a token (adapters/site/access.hpp, through the incident pages' routes).
#include "tests/adapters/site/session_cookie.hpp"
#include "tests/adapters/web/web_fixture.hpp"

using namespace scribe;
namespace beast_http = boost::beast::http;
using test_support::session_for_token;
using test_support::web_fixture;

namespace {

const std::string form_type = "application/x-www-form-urlencoded";

}  // namespace

TEST_CASE_METHOD(web_fixture, "pages send a browser to sign in; the API answers 401",
                 "[integration][web][access]") {
  run("T1", "open Checkout returns 502");
  web.token = "s3cret-token";
  const std::pair<std::string, std::string> pages[] = {
      {"/", "/signin?next=%2F"},
      {"/incidents/INC-1?workspace=T1", "/signin?next=%2Fincidents%2FINC-1%3Fworkspace%3DT1"}};
  for (const auto& [target, signin] : pages) {
    const auto page = get(target);
    CHECK(page.result() == beast_http::status::see_other);
    CHECK(page[beast_http::field::location] == signin);
    CHECK(page.body().empty());
  }
  CHECK(get("/api/incidents/INC-1").result() == beast_http::status::unauthorized);
  CHECK(get("/incidents/INC-1/postmortem.md").result() == beast_http::status::unauthorized);
  CHECK(get("/", {{beast_http::field::authorization, "Bearer s3cret-token"}}).result() ==
        beast_http::status::ok);
  CHECK(get("/", {{beast_http::field::authorization, "Bearer wrong"}}).result() ==
        beast_http::status::see_other);
}

TEST_CASE_METHOD(web_fixture, "signing in sets a session cookie that is not the token",
                 "[integration][web][access]") {
  run("T1", "open Checkout returns 502");
  web.token = "s3cret-token";

  const auto form = get("/signin?next=%2Fincidents%2FINC-1%3Fworkspace%3DT1");
  CHECK(form.result() == beast_http::status::ok);
  CHECK_THAT(form.body(),
             Catch::Contains("<form id=\"signin\" method=\"post\" action=\"/signin\">"));
  CHECK_THAT(form.body(), Catch::Contains("<input type=\"password\" id=\"token\" name=\"token\""));
  CHECK_THAT(form.body(), Catch::Contains("<input type=\"hidden\" name=\"next\" "
                                          "value=\"/incidents/INC-1?workspace=T1\">"));
  CHECK_THAT(std::string(form["Content-Security-Policy"]), Catch::Contains("form-action 'self'"));

  const auto signed_in =
      send(beast_http::verb::post, "/signin", {{beast_http::field::content_type, form_type}},
           "token=s3cret-token&next=%2Fincidents%2FINC-1%3Fworkspace%3DT1");
  CHECK(signed_in.result() == beast_http::status::see_other);
  CHECK(signed_in[beast_http::field::location] == "/incidents/INC-1?workspace=T1");
  CHECK(signed_in[beast_http::field::set_cookie] ==
        "scribe_session=" + std::string(session_for_token) +
            "; Path=/; HttpOnly; Secure; SameSite=Strict");
  CHECK_THAT(std::string(signed_in[beast_http::field::set_cookie]),
             !Catch::Contains("s3cret-token"));

  const std::string cookie = "theme=dark; scribe_session=" + std::string(session_for_token);
  CHECK(get("/", {{beast_http::field::cookie, cookie}}).result() == beast_http::status::ok);
  CHECK(get("/incidents/INC-1", {{beast_http::field::cookie, cookie}}).result() ==
        beast_http::status::ok);
  CHECK(get("/api/incidents", {{beast_http::field::cookie, cookie}}).result() ==
        beast_http::status::ok);
  // The token itself, or a cookie from another token, is no session.
  CHECK(get("/", {{beast_http::field::cookie, "scribe_session=s3cret-token"}}).result() ==
        beast_http::status::see_other);
  CHECK(
      get("/api/incidents", {{beast_http::field::cookie, "scribe_session=" + std::string(63, 'a')}})
          .result() == beast_http::status::unauthorized);

  const auto signed_out = send(beast_http::verb::post, "/signout",
                               {{beast_http::field::cookie, cookie},
                                {beast_http::field::host, "scribe.example.org"},
                                {beast_http::field::origin, "https://scribe.example.org"}});
  CHECK(signed_out.result() == beast_http::status::see_other);
  CHECK(signed_out[beast_http::field::location] == "/signin");
  CHECK(signed_out[beast_http::field::set_cookie] ==
        "scribe_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");

  // Signed-in pages offer to sign out.
  CHECK_THAT(get("/", {{beast_http::field::cookie, cookie}}).body(),
             Catch::Contains("<form id=\"signout\" method=\"post\" action=\"/signout\">"));
}

TEST_CASE_METHOD(web_fixture, "a wrong token re-renders the form; next stays on this site",
                 "[integration][web][access]") {
  web.token = "s3cret-token";
  const auto wrong =
      send(beast_http::verb::post, "/signin", {{beast_http::field::content_type, form_type}},
           "token=s3cret-toke&next=%2F%3Fstatus%3Dopen");
  CHECK(wrong.result() == beast_http::status::unauthorized);
  CHECK(wrong[beast_http::field::set_cookie].empty());
  CHECK_THAT(wrong.body(), Catch::Contains("id=\"signin-error\""));
  CHECK_THAT(wrong.body(), Catch::Contains("name=\"next\" value=\"/?status=open\""));
  CHECK_THAT(wrong.body(), !Catch::Contains("s3cret"));

  for (const std::string next : {"https%3A%2F%2Fevil.example", "%2F%2Fevil.example",
                                 "%2F%5Cevil.example", "javascript%3Aalert(1)", ""}) {
    const auto res =
        send(beast_http::verb::post, "/signin", {{beast_http::field::content_type, form_type}},
             "token=s3cret-token&next=" + next);
    CHECK(res.result() == beast_http::status::see_other);
    CHECK(res[beast_http::field::location] == "/");
  }
  CHECK(send(beast_http::verb::post, "/signin", {{beast_http::field::content_type, "text/plain"}},
             "token=s3cret-token")
            .result() == beast_http::status::unsupported_media_type);
  // Another site's page cannot sign a browser in.
  CHECK(send(beast_http::verb::post, "/signin",
             {{beast_http::field::content_type, form_type},
              {beast_http::field::host, "127.0.0.1:8080"},
              {beast_http::field::origin, "https://evil.example"}},
             "token=s3cret-token")
            .result() == beast_http::status::forbidden);
}

TEST_CASE_METHOD(web_fixture, "without a token: loopback only, and no sign-in needed",
                 "[integration][web][access]") {
  run("T1", "open Checkout returns 502");
  CHECK(get("/").result() == beast_http::status::ok);
  const auto signin = get("/signin");
  CHECK(signin.result() == beast_http::status::ok);
  CHECK_THAT(signin.body(), Catch::Contains("id=\"no-token\""));
  CHECK_THAT(signin.body(), !Catch::Contains("<form"));
  CHECK_THAT(get("/").body(), !Catch::Contains("id=\"signout\""));

  server.listen_host = "0.0.0.0";
  CHECK(get("/").result() == beast_http::status::forbidden);
  CHECK(get("/incidents/INC-1").result() == beast_http::status::forbidden);
  CHECK(get("/api/incidents").result() == beast_http::status::forbidden);
}
