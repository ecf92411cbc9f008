// Request targets and URLs (adapters/http/router.hpp, adapters/http/url.hpp): the router matches
// every request's method and path, percent-decoding path parameters, against Scribe's route
// table; parse_url reads configured and discovered base URLs. The input's first byte picks the
// method, the rest is the request target; the whole input is also read as a URL.

#include "adapters/http/router.hpp"
#include "adapters/http/url.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace fuzz = scribe::fuzz;
namespace http = scribe::http;
namespace beast_http = boost::beast::http;

boost::asio::awaitable<http::response> never_called(http::request_context) {
  co_return http::response{};
}

// Scribe's routes (the adapters' and the web pages' add() calls), built once.
const http::router& scribe_routes() {
  static const http::router routes = [] {
    http::router r;
    using beast_http::verb;
    for (const auto* pattern :
         {"/", "/_matrix/app/v1/rooms/{roomAlias}", "/_matrix/app/v1/users/{userId}",
          "/api/incidents", "/api/incidents/{id}", "/healthz", "/incidents/{id}",
          "/incidents/{id}/postmortem.md", "/metrics", "/playground", "/playground/messages",
          "/signin"}) {
      r.add(verb::get, pattern, never_called);
    }
    for (const auto* pattern :
         {"/_matrix/app/v1/ping", "/playground/messages", "/playground/messages/{id}/pin",
          "/signin", "/signout", "/slack/commands", "/slack/events", "/slack/interactions"}) {
      r.add(verb::post, pattern, never_called);
    }
    r.add(verb::put, "/_matrix/app/v1/transactions/{txnId}", never_called);
    r.add(verb::put, "/transactions/{txnId}", never_called);
    r.add_fallback("/_matrix/", never_called);
    return r;
  }();
  return routes;
}

constexpr std::array methods{beast_http::verb::get,     beast_http::verb::head,
                             beast_http::verb::post,    beast_http::verb::put,
                             beast_http::verb::delete_, beast_http::verb::options,
                             beast_http::verb::patch,   beast_http::verb::unknown};

void check_route(beast_http::verb method, std::string_view target) {
  const auto path = http::target_path(target);
  SCRIBE_FUZZ_CHECK(target.starts_with(path));
  SCRIBE_FUZZ_CHECK(http::loggable_path(target).size() <= 256);
  const auto result = scribe_routes().route(method, target);
  using outcome = http::route_result::outcome;
  if (result.status == outcome::matched) {
    SCRIBE_FUZZ_CHECK(result.target != nullptr);
    for (const auto& [name, value] : result.params) {
      SCRIBE_FUZZ_CHECK(!name.empty() && !value.empty());
    }
  } else if (result.status == outcome::method_not_allowed) {
    SCRIBE_FUZZ_CHECK(!result.allow.empty());
  }
}

void check_url(std::string_view text) {
  const auto parsed = http::parse_url(text);
  if (!parsed) return;
  SCRIBE_FUZZ_CHECK(!parsed->host.empty() && parsed->port != 0);
  SCRIBE_FUZZ_CHECK(parsed->target.starts_with('/'));
  SCRIBE_FUZZ_CHECK(parsed->host.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos);
  (void)parsed->host_header();
  // The URL rebuilt from its parts reads back the same.
  const auto again = http::parse_url(parsed->origin() + parsed->target);
  SCRIBE_FUZZ_CHECK(again.has_value());
  SCRIBE_FUZZ_CHECK(again->tls == parsed->tls && again->host == parsed->host);
  SCRIBE_FUZZ_CHECK(again->port == parsed->port && again->target == parsed->target);
  SCRIBE_FUZZ_CHECK(again->host_is_ip == parsed->host_is_ip);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  if (!text.empty()) {
    const auto method = methods[static_cast<unsigned char>(text.front()) % methods.size()];
    check_route(method, text.substr(1));
  }
  check_url(text);
  return 0;
}
