#include "tests/support/http_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/system_error.hpp>

#include <array>
#include <stdexcept>
#include <utility>

namespace scribe::test_support {

namespace net = boost::asio;
namespace beast = boost::beast;

http_request make_request(beast_http::verb method, std::string_view target, std::string body) {
  http_request req{method, target, 11};
  req.body() = std::move(body);
  return req;
}

// Synchronous calls are async operations run to completion on a private io_context, because
// tcp_stream's deadlines only apply to asynchronous operations.
void http_client::run() {
  ioc_.restart();
  ioc_.run();
}

http_client::http_client(std::uint16_t port, std::chrono::milliseconds timeout)
    : stream_(ioc_), timeout_(timeout) {
  beast::error_code result;
  stream_.expires_after(timeout_);
  stream_.async_connect(net::ip::tcp::endpoint(net::ip::address_v4::loopback(), port),
                        [&result](beast::error_code ec) { result = ec; });
  run();
  if (result) throw boost::system::system_error(result, "connect");
}

http_response http_client::request(http_request req) {
  if (req.find(beast_http::field::host) == req.end()) req.set(beast_http::field::host, "127.0.0.1");
  req.prepare_payload();
  beast::error_code result;
  stream_.expires_after(timeout_);
  beast_http::async_write(stream_, req,
                          [&result](beast::error_code ec, std::size_t) { result = ec; });
  run();
  if (result) throw boost::system::system_error(result, "write request");
  return read_response(req.method() == beast_http::verb::head);
}

http_response http_client::read_response(bool head) {
  beast_http::response_parser<beast_http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(head);
  beast::error_code result;
  stream_.expires_after(timeout_);
  beast_http::async_read(stream_, buffer_, parser,
                         [&result](beast::error_code ec, std::size_t) { result = ec; });
  run();
  if (result) throw boost::system::system_error(result, "read response");
  return parser.release();
}

boost::system::error_code http_client::write(std::string_view bytes) {
  beast::error_code result;
  stream_.expires_after(timeout_);
  net::async_write(stream_, net::buffer(bytes.data(), bytes.size()),
                   [&result](beast::error_code ec, std::size_t) { result = ec; });
  run();
  return result;
}

std::string http_client::read_until_close() {
  std::string received = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  std::array<char, 4096> chunk{};
  stream_.expires_after(timeout_);
  for (;;) {
    beast::error_code result;
    std::size_t n = 0;
    stream_.async_read_some(net::buffer(chunk), [&](beast::error_code ec, std::size_t bytes) {
      result = ec;
      n = bytes;
    });
    run();
    received.append(chunk.data(), n);
    if (result == beast::error::timeout) {
      throw std::runtime_error("server kept the connection open past the deadline");
    }
    if (result) return received;  // EOF or reset: closed
  }
}

http_response http_client::send(std::uint16_t port, http_request req) {
  http_client client(port);
  return client.request(std::move(req));
}

std::string http_client::send_raw(std::uint16_t port, std::string_view bytes) {
  http_client client(port);
  // A write error means the server closed early; what it answered is still there to read.
  (void)client.write(bytes);
  return client.read_until_close();
}

}  // namespace scribe::test_support
