#pragma once
// Routing for Scribe's HTTP server: which handler answers a method and a path.
//
// The route table is built once at start-up and then only read, so lookups from every network
// thread need no lock. dispatch() is the pure request -> response step the server's session calls;
// tests can drive it without a socket.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scribe::http {

namespace beast_http = boost::beast::http;
using request = beast_http::request<beast_http::string_body>;
using response = beast_http::response<beast_http::string_body>;

// Everything a handler gets about one request. Handed to the handler by value, so a coroutine
// handler owns it for its whole run.
struct request_context {
  // The request exactly as received: the body is the raw bytes, because Slack signs those.
  request req;
  // Path parameters in pattern order, percent-decoded, e.g. {"id", "42"} for "/incidents/{id}".
  std::vector<std::pair<std::string, std::string>> params;
  boost::asio::ip::tcp::endpoint remote;
  // Names this request in every log line written about it (`request_id=`) and in the response's
  // X-Request-Id header: the client's own X-Request-Id when well formed (see request_id_for),
  // else one made up. Passed along explicitly rather than kept thread-local, because a coroutine
  // may resume on another thread after a co_await. dispatch() fills it in when it is empty.
  std::string request_id;

  // The value of the path parameter `name`, or "" if the pattern has none (a matched parameter is
  // never empty).
  std::string_view param(std::string_view name) const;
};

// Answers one request. Runs on the connection's strand; may co_await anything. If it throws, the
// client gets 500 "internal error" and the message is logged.
using handler = std::function<boost::asio::awaitable<response>(request_context)>;

// What the router says about a method and a request target.
struct route_result {
  enum class outcome {
    matched,             // `target` and `params` are set
    not_found,           // no pattern matches the path: 404
    method_not_allowed,  // a pattern matches the path, but not with this method: 405 + `allow`
  };
  outcome status = outcome::not_found;
  // Points into the router, valid as long as the router is and no route is added. When the path
  // is unmatched but falls under a fallback's prefix, that fallback.
  const handler* target = nullptr;
  // For matched: the pattern that matched ("/incidents/{id}"), pointing into the router like
  // `target`; empty otherwise (a fallback has no pattern). Metrics label requests with it, never
  // with the path, which is unbounded and may carry tokens.
  std::string_view pattern;
  std::vector<std::pair<std::string, std::string>> params;
  // For method_not_allowed: the Allow header's value, e.g. "GET, HEAD, POST".
  std::string allow;
};

// The route table. Thread-safety: add() only during start-up; route() is const and may then be
// called from any number of threads at once.
class router {
 public:
  // Registers `h` for `method` on `pattern`. A pattern is a path of literal segments and
  // `{name}` parameters, each parameter matching one non-empty segment:
  // "/healthz", "/incidents/{id}", "/_matrix/app/v1/transactions/{txnId}".
  // Where two patterns match the same path, the one with a literal segment earlier wins.
  // Throws std::invalid_argument for a malformed pattern (not starting with '/', an empty segment,
  // a stray brace, a repeated parameter name, characters not allowed in a path), for
  // verb::unknown, an empty handler, or a pattern of the same shape already registered for
  // `method` ("/a/{x}" and "/a/{y}" have the same shape).
  void add(beast_http::verb method, std::string pattern, handler h);

  // Answers the requests under `prefix` ("/_matrix/") that no route takes, instead of the plain
  // 404/405: for protocols with their own error format. The handler's context has the parameters
  // "unmatched" ("404" or "405") and "allow" (the Allow value for a 405). Same rules as add().
  void add_fallback(std::string prefix, handler h);

  // Looks up a method and a request target (a query string is ignored). HEAD falls back to the GET
  // handler when no HEAD route matches; the server then sends the headers without the body.
  route_result route(beast_http::verb method, std::string_view target) const;

 private:
  struct segment {
    std::string text;  // the literal, or the parameter's name
    bool is_param = false;
  };
  struct route_entry {
    beast_http::verb method;
    std::string pattern;
    std::vector<segment> segments;
    handler target;
  };

  // Sorted so that, among routes matching one path, the most specific comes first.
  std::vector<route_entry> routes_;
  std::vector<std::pair<std::string, handler>> fallbacks_;
};

// The path part of a request target: everything before '?' or '#'.
std::string_view target_path(std::string_view target);

// target_path() cut to 256 bytes, for log lines: the query string (where tokens travel) is never
// logged, and a client cannot fill the log with a 16 KiB path.
std::string loggable_path(std::string_view target);

// The response header that carries a request's id, and the largest incoming id taken as is.
inline constexpr std::string_view request_id_header = "X-Request-Id";
inline constexpr std::size_t max_request_id_size = 64;

// Whether a client's X-Request-Id may be used as the request's id: 1 to 64 characters among
// A-Z a-z 0-9 and - _ . : + / = (UUIDs, hex, base64 and the usual tracing ids), so that it cannot
// break a log line or a header, nor fill the log.
bool is_valid_request_id(std::string_view id);

// 16 random lowercase hex digits. Not a secret, only unlikely to repeat. Thread-safe.
std::string new_request_id();

// The request's id: its X-Request-Id when valid (a proxy in front may have set it, so its log and
// Scribe's agree), else new_request_id().
std::string request_id_for(const request& req);

// The server's request -> response step: unknown method -> 501, no route -> 404, wrong method ->
// 405 with Allow, otherwise the handler's response; a handler's exception -> 500 "internal error"
// (logged). Every response carries X-Request-Id (ctx.request_id, made up when empty), and each
// request is counted in scribe_http_requests_total and scribe_http_request_duration_seconds,
// labelled with the matched pattern or "unmatched". Never throws for anything a request or a
// handler does. `routes` must outlive the returned coroutine (it lives as long as the
// application).
boost::asio::awaitable<response> dispatch(const router& routes, request_context ctx);

}  // namespace scribe::http
