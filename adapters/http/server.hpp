#pragma once
// Scribe's HTTP/1.1 server, where every chat platform's webhooks arrive.
//
// One coroutine per connection, each on its own strand. Every read has a deadline: a new
// connection must deliver a complete request within read_timeout of its first byte (408 and close
// otherwise), and a keep-alive connection may stay idle between requests for idle_timeout. Bodies
// over body_limit get 413, request heads over header_limit get 431, malformed requests get 400,
// unknown methods 501; each of these closes the connection. Requests go through dispatch() (see
// router.hpp). A failing connection is logged and ended, never the server.

#include "adapters/http/router.hpp"
#include "config/options.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace scribe::http {

// Largest accepted request line plus header fields; larger gets 431. Slack and Matrix send well
// under 2 KiB; 16 KiB leaves room for what reverse proxies add.
inline constexpr std::uint32_t header_limit = 16 * 1024;

namespace detail {
struct server_state;
}

// One per process. Lifetime: `ioc` and `routes` must outlive the server and every coroutine it
// started; the server object itself may be destroyed before the io_context (its connections keep
// what they need alive), but destroying it does not stop it: call shutdown() first.
class server {
 public:
  server(boost::asio::io_context& ioc, const config::server_options& opts, const router& routes);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds opts.listen_host:opts.listen_port (port 0 picks a free port) and starts listening.
  // Returns the bound endpoint. Throws boost::system::system_error when the host does not resolve
  // or the address cannot be bound (already in use, not local). Call once, before start().
  boost::asio::ip::tcp::endpoint listen();

  // Starts accepting connections on the io_context's threads, and logs "http server listening"
  // with the address. Throws std::logic_error if listen() has not succeeded.
  void start();

  // Graceful stop: stops accepting (new connections are refused), closes idle keep-alive
  // connections, and lets every request already being read or handled finish; its response goes
  // out with `Connection: close`. `done` is posted to the io_context once every connection has
  // ended, or after opts.shutdown_timeout, when the remaining sockets are closed (a stuck handler's
  // coroutine is then left for the io_context's destruction). `done` runs only if something still
  // runs the io_context (the application's signal_set does). Thread-safe; a later call only adds
  // its `done`, which is posted at once if shutdown already finished.
  void shutdown(std::function<void()> done);

  // Connections currently open. Thread-safe.
  std::size_t active_sessions() const;

 private:
  std::shared_ptr<detail::server_state> state_;
};

}  // namespace scribe::http
