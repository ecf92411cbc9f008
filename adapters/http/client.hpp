#pragma once
// Scribe's outgoing HTTP/1.1 client, for calling chat platforms' APIs (Slack's Web API, Matrix's
// Client-Server API) over https:// or, for tests and local proxies, http://.
//
// TLS always verifies the peer: the system's trusted CAs plus an optional extra PEM bundle
// (tls.ca_file), the certificate checked against the URL's host name or IP address, SNI sent for
// host names, TLS 1.2 or newer. Connections are kept alive and reused per scheme, host and port.
// Every exchange has deadlines. Nothing here logs a body, a header value or a query string: they
// carry tokens.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace scribe::http {

namespace beast_http = boost::beast::http;

struct client_options {
  // Resolving the host, the TCP connection and the TLS handshake, together.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  // Writing the request and reading the whole response, together, once connected.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(15)};
  // A PEM bundle of extra trusted CAs (config key tls.ca_file); the system's store is always used.
  std::string ca_file;
  // Larger response bodies fail the request.
  std::size_t max_response_body = 8 * 1024 * 1024;
  // Idle keep-alive connections kept per scheme+host+port; 0 turns reuse off.
  std::size_t max_idle_connections_per_host = 4;
  // An idle connection older than this is closed instead of reused. Servers close idle
  // connections on their own (Slack's edge after about a minute); staying under that avoids
  // most requests finding their connection already closed.
  std::chrono::milliseconds idle_connection_ttl{std::chrono::seconds(30)};
};

struct client_request {
  beast_http::verb method = beast_http::verb::get;
  // http://host[:port]/path?query or https://... (see url.hpp).
  std::string url;
  // Sent as given, e.g. Authorization, Content-Type; a User-Agent here replaces Scribe's. Host,
  // Content-Length, Transfer-Encoding and Connection are the client's to set.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent with a Content-Length
};

struct client_response {
  unsigned status = 0;
  beast_http::fields headers;
  std::string body;  // de-chunked
};

// The TLS settings every https:// connection uses: TLS 1.2 minimum, peer verification against
// the system's default CA paths and, if `ca_file` is not empty, the CAs in that PEM file. Throws
// std::runtime_error naming `ca_file` when it cannot be loaded.
boost::asio::ssl::context make_client_tls_context(const std::string& ca_file);

namespace detail {
struct client_state;
}

// One per process. Thread-safe: send() may be called from any number of coroutines on any
// threads at once. Lifetime: `ioc` must outlive the client, and the client every send(); the
// io_context must be running for send() to complete. Idle connections close when the client is
// destroyed.
class client {
 public:
  // Throws std::runtime_error naming opts.ca_file when it cannot be loaded.
  client(boost::asio::io_context& ioc, client_options opts);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Sends one request and reads its response; any HTTP status is a normal return. Reuses an idle
  // keep-alive connection to the same scheme+host+port when there is one; if that connection
  // turns out to have been closed by the server before any byte of a response arrived, the
  // request is sent once more on a fresh connection.
  //
  // Throws boost::system::system_error (its what() names the stage and origin, never the path,
  // query, headers or body) for: a bad URL or header (errc::invalid_argument), a host that does
  // not resolve, a refused or failed connection, a failed TLS handshake or certificate check (the
  // reason, e.g. "hostname mismatch", is in what()), a response body over max_response_body
  // (beast http::error::body_limit), a malformed response, and a timeout
  // (asio::error::timed_out). Completes within connect_timeout + request_timeout in every case.
  boost::asio::awaitable<client_response> send(client_request req);

 private:
  std::unique_ptr<detail::client_state> state_;
};

}  // namespace scribe::http
