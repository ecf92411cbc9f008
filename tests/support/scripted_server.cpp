#include "tests/support/scripted_server.hpp"

#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cstdio>
#include <exception>
#include <sstream>
#include <utility>

namespace scribe::test_support {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

// A connection coroutine's failure is reported and ends that connection; the test then fails on
// what its client saw.
struct report_failure {
  void operator()(std::exception_ptr failure) const {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "scripted_server: connection failed: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "scripted_server: connection failed\n");
    }
  }
};

net::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  net::steady_timer timer(co_await net::this_coro::executor, duration);
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

// Until the io_context is destroyed.
net::awaitable<void> wait_forever() {
  net::steady_timer timer(co_await net::this_coro::executor, net::steady_timer::time_point::max());
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

std::string serialize(beast_http::response<beast_http::string_body> response) {
  if (response.find(beast_http::field::transfer_encoding) == response.end()) {
    response.prepare_payload();
  }
  std::ostringstream out;
  out << response;
  return out.str();
}

}  // namespace

scripted_reply scripted_reply::respond(beast_http::status status, std::string body,
                                       std::string_view content_type) {
  scripted_reply reply;
  reply.response.result(status);
  reply.response.set(beast_http::field::content_type, content_type);
  reply.response.body() = std::move(body);
  return reply;
}

scripted_reply scripted_reply::raw_bytes(std::string bytes) {
  scripted_reply reply;
  reply.raw = std::move(bytes);
  return reply;
}

scripted_reply scripted_reply::hang() {
  scripted_reply reply;
  reply.what = action::hang;
  return reply;
}

scripted_reply scripted_reply::drop() {
  scripted_reply reply;
  reply.what = action::drop;
  return reply;
}

reply_script always(scripted_reply reply) {
  return [reply](const received_request&) { return reply; };
}

scripted_server::scripted_server(reply_script script, scripted_server_options opts)
    : script_(std::move(script)),
      address_(std::move(opts.address)),
      silent_(opts.silent),
      tls_(std::move(opts.tls)) {
  const tcp::endpoint endpoint(net::ip::make_address(address_), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  net::co_spawn(ioc_, accept_connections(), report_failure{});
  thread_ = std::thread([this] { ioc_.run(); });
}

scripted_server::~scripted_server() {
  ioc_.stop();
  thread_.join();
  // The remaining connection coroutines, hanging ones included, end with ioc_.
}

std::string scripted_server::url(std::string_view path) const {
  return std::string(tls_ ? "https://" : "http://") + address_ + ":" + std::to_string(port_) +
         std::string(path);
}

std::size_t scripted_server::accepted() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

std::size_t scripted_server::open_connections() const {
  std::lock_guard lock(mutex_);
  return open_;
}

std::vector<received_request> scripted_server::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool scripted_server::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

bool scripted_server::wait_for_open_connections(std::size_t n,
                                                std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return open_ == n; });
}

void scripted_server::connection_closed() {
  {
    std::lock_guard lock(mutex_);
    --open_;
  }
  changed_.notify_all();
}

net::awaitable<void> scripted_server::accept_connections() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
    if (ec) co_return;
    std::size_t id = 0;
    {
      std::lock_guard lock(mutex_);
      id = ++accepted_;
      ++open_;
    }
    changed_.notify_all();
    net::co_spawn(ioc_, serve(std::move(socket), id), report_failure{});
  }
}

net::awaitable<void> scripted_server::serve(tcp::socket socket, std::size_t id) {
  // Declared first, so it runs last: after the stream below has closed the socket.
  struct closed_on_exit {
    scripted_server* server;
    ~closed_on_exit() { server->connection_closed(); }
  } count{this};

  if (silent_) {
    co_await wait_forever();
    co_return;
  }
  beast::tcp_stream plain(std::move(socket));
  if (!tls_) {
    co_await answer_requests(plain, id, "");
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(plain), *tls_);
  beast::get_lowest_layer(stream).expires_after(10s);
  auto [handshake_ec] = co_await stream.async_handshake(net::ssl::stream_base::server,
                                                        net::as_tuple(net::use_awaitable));
  if (handshake_ec) co_return;
  beast::get_lowest_layer(stream).expires_never();
  const char* server_name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
  co_await answer_requests(stream, id, server_name != nullptr ? server_name : "");
}

template <class Stream>
net::awaitable<void> scripted_server::answer_requests(Stream& stream, std::size_t id,
                                                      std::string server_name) {
  beast::flat_buffer buffer;
  for (;;) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    auto [read_ec, read] =
        co_await beast_http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    if (read_ec) co_return;
    const bool client_keeps_alive = parser.keep_alive();
    received_request received{parser.release(), id, server_name};
    scripted_reply reply = script_(received);
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(received));
    }
    changed_.notify_all();

    if (reply.delay > 0ms) co_await sleep_for(reply.delay);
    if (reply.what == scripted_reply::action::hang) {
      co_await wait_forever();
      co_return;
    }
    if (reply.what == scripted_reply::action::drop) co_return;

    const bool raw = !reply.raw.empty();
    const bool response_keeps_alive = raw || reply.response.keep_alive();
    const std::string bytes = raw ? std::move(reply.raw) : serialize(std::move(reply.response));
    if (reply.pace > 0ms) {
      for (const char byte : bytes) {
        auto [write_ec, written] = co_await net::async_write(stream, net::buffer(&byte, 1),
                                                             net::as_tuple(net::use_awaitable));
        if (write_ec) co_return;
        co_await sleep_for(reply.pace);
      }
    } else {
      auto [write_ec, written] =
          co_await net::async_write(stream, net::buffer(bytes), net::as_tuple(net::use_awaitable));
      if (write_ec) co_return;
    }
    if (reply.close_after || !response_keeps_alive || !client_keeps_alive) co_return;
  }
}

}  // namespace scribe::test_support
