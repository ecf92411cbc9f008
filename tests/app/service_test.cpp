#include "app/service.hpp"

#include <catch2/catch.hpp>

using namespace scribe;
using Catch::Matchers::Contains;

namespace {

std::string banner(std::string listen_host, std::string token) {
  config::server_options server;
  server.listen_host = std::move(listen_host);
  config::web_options web;
  web.token = std::move(token);
  const site::access_policy access(web, server);
  return app::playground_banner(server, access, 8080);
}

}  // namespace

TEST_CASE("the start-up banner points at the playground where a browser can open it", "[unit]") {
  CHECK(banner("127.0.0.1", "") ==
        "Scribe is running. Try it in the playground: http://127.0.0.1:8080/playground");
  CHECK(banner("::1", "") ==
        "Scribe is running. Try it in the playground: http://[::1]:8080/playground");
  CHECK(banner("0.0.0.0", "t0ken") ==
        "Scribe is running. Try it in the playground: "
        "http://127.0.0.1:8080/playground (sign in with web.token)");
}

TEST_CASE("listening beyond loopback without a token, the banner says the pages answer 403",
          "[unit]") {
  for (const char* host : {"0.0.0.0", "::", "10.0.0.5"}) {
    INFO(host);
    const auto text = banner(host, "");
    CHECK_THAT(text, Contains("answer 403") && Contains("Set SCRIBE_WEB_TOKEN"));
    CHECK_THAT(text, !Contains("Try it in the playground"));
  }
}
