#pragma once
// A small synchronous HTTP/1.1 client for tests, talking to a server on 127.0.0.1.
//
// Every call has a deadline (5 s unless told otherwise), so a server that hangs fails the test
// instead of hanging it. Not thread-safe: one client per thread.

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace scribe::test_support {

namespace beast_http = boost::beast::http;
using http_request = beast_http::request<beast_http::string_body>;
using http_response = beast_http::response<beast_http::string_body>;

// An HTTP/1.1 request for `target` with `body` (Content-Length set by the client when sent).
http_request make_request(beast_http::verb method, std::string_view target, std::string body = {});

class http_client {
 public:
  // Connects to 127.0.0.1:`port`. Throws boost::system::system_error when the connection fails
  // (connection refused once a server stopped listening) or times out.
  explicit http_client(std::uint16_t port,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Sends `req` (adding Host and the payload headers) and reads one response; for HEAD the
  // response is read without a body. Throws boost::system::system_error on failure or timeout.
  http_response request(http_request req);

  // Reads one response, e.g. after write(). `head` says the request was HEAD.
  http_response read_response(bool head = false);

  // Writes raw bytes. Returns the error instead of throwing: writing to a server that already
  // closed is what several tests provoke.
  boost::system::error_code write(std::string_view bytes);

  // Everything the server sends until it closes the connection (EOF or reset), including bytes
  // already buffered by read_response(). Throws std::runtime_error if it stays open past the
  // deadline.
  std::string read_until_close();

  // One request on a fresh connection.
  static http_response send(std::uint16_t port, http_request req);
  // Writes `bytes` on a fresh connection and returns everything received until the server closes.
  static std::string send_raw(std::uint16_t port, std::string_view bytes);

 private:
  void run();

  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
};

}  // namespace scribe::test_support
