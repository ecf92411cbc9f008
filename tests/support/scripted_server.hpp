#pragma once
// A scripted HTTP/1.1 server, plain or TLS, on a loopback address and port 0, for testing code
// that calls chat platforms' APIs. It records every request and answers whatever the test's
// script says, including the misbehaviour a client must survive: silence, dropped connections,
// malformed, chunked or slow responses, a TLS handshake that never comes.
//
// Runs on its own thread and io_context, independent of the code under test. Thread-safe: the
// accessors may be called from any thread while it runs. The script runs on the server's thread,
// one request at a time.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace scribe::test_support {

namespace beast_http = boost::beast::http;

// What the server does with one request.
struct scripted_reply {
  enum class action {
    respond,  // send `response`, or `raw` when it is set
    hang,     // never answer; the connection stays open until the server is destroyed
    drop,     // close the connection without answering
  };

  action what = action::respond;
  // Sent after prepare_payload(), so Content-Length is set unless the test set Transfer-Encoding.
  beast_http::response<beast_http::string_body> response{beast_http::status::ok, 11};
  // When not empty, these bytes are sent verbatim instead of `response` (malformed or hand-chunked
  // responses). The connection is then kept open unless close_after is set.
  std::string raw;
  std::chrono::milliseconds delay{0};  // waited before answering
  std::chrono::milliseconds pace{0};   // if set, the answer goes out a byte at a time, this apart
  // Close the connection after answering, whatever the response announced: a server going away
  // from a kept-alive connection.
  bool close_after = false;

  static scripted_reply respond(beast_http::status status, std::string body,
                                std::string_view content_type = "text/plain");
  static scripted_reply raw_bytes(std::string bytes);
  static scripted_reply hang();
  static scripted_reply drop();
};

struct received_request {
  beast_http::request<beast_http::string_body> request;
  std::size_t connection = 0;  // which accepted connection it came on, counting from 1
  std::string server_name;     // the SNI the client sent (TLS only); empty when it sent none
};

using reply_script = std::function<scripted_reply(const received_request&)>;

// A script answering every request with `reply`.
reply_script always(scripted_reply reply);

struct scripted_server_options {
  // Any loopback address works on Linux (127.0.0.2 for a second "host").
  std::string address = "127.0.0.1";
  // TLS with this context when set (see tests/support/tls.hpp).
  std::optional<boost::asio::ssl::context> tls;
  // Accept connections and never read or write on them: no request is read, no TLS handshake
  // is answered.
  bool silent = false;
};

class scripted_server {
 public:
  // Binds, listens and starts serving. Throws boost::system::system_error if it cannot bind.
  explicit scripted_server(reply_script script, scripted_server_options opts = {});
  // Stops at once: every connection is closed, hanging ones included.
  ~scripted_server();
  scripted_server(const scripted_server&) = delete;
  scripted_server& operator=(const scripted_server&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://<address>:<port>" ("https" with TLS) followed by `path`.
  std::string url(std::string_view path = "/") const;

  // TCP connections accepted so far.
  std::size_t accepted() const;
  // Connections accepted and not yet closed (by either side).
  std::size_t open_connections() const;
  // Every request read so far, in arrival order.
  std::vector<received_request> requests() const;
  // Waits until at least n requests have been read (for code that calls out in the
  // background); false if not within `timeout`.
  bool wait_for_requests(std::size_t n,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // Waits until open_connections() == n; false if it is not within `timeout`.
  bool wait_for_open_connections(std::size_t n,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  // Coroutines on the server's thread. They touch only the members declared before ioc_, which
  // therefore outlive the coroutine frames that ioc_'s destruction ends.
  boost::asio::awaitable<void> accept_connections();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket, std::size_t id);
  template <class Stream>
  boost::asio::awaitable<void> answer_requests(Stream& stream, std::size_t id,
                                               std::string server_name);
  void connection_closed();

  reply_script script_;
  std::string address_;
  bool silent_ = false;
  std::optional<boost::asio::ssl::context> tls_;
  std::uint16_t port_ = 0;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<received_request> requests_;  // guarded by mutex_
  std::size_t accepted_ = 0;                // guarded by mutex_
  std::size_t open_ = 0;                    // guarded by mutex_

  boost::asio::io_context ioc_{1};
  boost::asio::ip::tcp::acceptor acceptor_{ioc_};
  std::thread thread_;
};

}  // namespace scribe::test_support
