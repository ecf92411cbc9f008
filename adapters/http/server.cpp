#include "adapters/http/server.hpp"

#include "adapters/http/responses.hpp"
#include "config/log.hpp"
#include "metrics/catalog.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace scribe::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace detail {

using session_strand = net::strand<net::io_context::executor_type>;

// What shutdown needs to reach one connection. Registered before the session starts and removed
// by its completion handler.
struct session_entry {
  explicit session_entry(session_strand s) : strand(std::move(s)) {}

  session_strand strand;
  // Both only touched on `strand`. `stream` is set for exactly the stream's lifetime; `idle` is
  // true while the session waits for the first byte of a request (nothing in flight).
  beast::tcp_stream* stream = nullptr;
  bool idle = false;
};

struct server_state : std::enable_shared_from_this<server_state> {
  server_state(net::io_context& ioc, const config::server_options& opts, const router& routes)
      : ioc_(ioc),
        options_(opts),
        routes_(routes),
        control_(net::make_strand(ioc)),
        acceptor_(control_),
        shutdown_timer_(control_) {}

  // Null once shutdown has begun: the caller then closes the socket instead.
  std::shared_ptr<session_entry> register_session(session_strand strand) {
    std::lock_guard lock(mutex_);
    if (stopping_) return nullptr;
    auto entry = std::make_shared<session_entry>(std::move(strand));
    sessions_.insert(entry);
    return entry;
  }

  void session_ended(const std::shared_ptr<session_entry>& entry) {
    std::vector<std::function<void()>> to_call;
    {
      std::lock_guard lock(mutex_);
      sessions_.erase(entry);
      if (!stopping_ || finished_ || !sessions_.empty()) return;
      to_call = finish_locked();
    }
    log::info("http server drained");
    post_done(std::move(to_call));
  }

  void begin_shutdown(std::function<void()> done) {
    std::vector<std::shared_ptr<session_entry>> open;
    std::vector<std::function<void()>> to_call;
    {
      std::lock_guard lock(mutex_);
      if (done) done_.push_back(std::move(done));
      if (finished_) {
        to_call = std::exchange(done_, {});
      } else if (!stopping_) {
        stopping_ = true;
        open.assign(sessions_.begin(), sessions_.end());
        // Logged under the lock so that it precedes "drained".
        log::info("http server shutting down", {{"connections", std::to_string(open.size())}});
        if (sessions_.empty()) to_call = finish_locked();
        // Posted under the lock so that it runs before any timer cancel a finishing session posts.
        net::post(control_, [self = shared_from_this()] { self->stop_accepting(); });
      }
    }
    for (const auto& entry : open) {
      net::post(entry->strand, [entry] {
        // A connection with a request in flight finishes it and closes on its own (it checks
        // stopping_ before keeping the connection alive).
        if (entry->stream != nullptr && entry->idle) entry->stream->close();
      });
    }
    for (auto& callback : to_call) net::post(ioc_, std::move(callback));
  }

  std::size_t session_count() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
  }

  net::io_context& ioc_;
  const config::server_options options_;
  const router& routes_;
  // Runs the accept loop and the shutdown timer, which are therefore never touched concurrently.
  session_strand control_;
  tcp::acceptor acceptor_;
  net::steady_timer shutdown_timer_;
  // Read without the lock on the sessions' hot path; written under it.
  std::atomic<bool> stopping_{false};

 private:
  // On control_.
  void stop_accepting() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    {
      std::lock_guard lock(mutex_);
      if (finished_) return;
    }
    shutdown_timer_.expires_after(options_.shutdown_timeout);
    shutdown_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->shutdown_timed_out();
    });
  }

  // On control_.
  void shutdown_timed_out() {
    std::vector<std::shared_ptr<session_entry>> remaining;
    std::vector<std::function<void()>> to_call;
    {
      std::lock_guard lock(mutex_);
      if (finished_) return;
      remaining.assign(sessions_.begin(), sessions_.end());
      to_call = finish_locked();
    }
    log::warn("http shutdown timed out, closing connections",
              {{"connections", std::to_string(remaining.size())}});
    for (const auto& entry : remaining) {
      net::post(entry->strand, [entry] {
        if (entry->stream != nullptr) entry->stream->close();
      });
    }
    post_done(std::move(to_call));
  }

  std::vector<std::function<void()>> finish_locked() {
    finished_ = true;
    // The timer would otherwise keep io_context::run() busy until it expires.
    net::post(control_, [self = shared_from_this()] { self->shutdown_timer_.cancel(); });
    return std::exchange(done_, {});
  }

  void post_done(std::vector<std::function<void()>> callbacks) {
    for (auto& callback : callbacks) net::post(ioc_, std::move(callback));
  }

  mutable std::mutex mutex_;
  std::unordered_set<std::shared_ptr<session_entry>> sessions_;  // guarded by mutex_
  std::vector<std::function<void()>> done_;                      // guarded by mutex_
  bool finished_ = false;                                        // guarded by mutex_
};

}  // namespace detail

namespace {

using parser_type = beast_http::request_parser<beast_http::string_body>;
using clock_type = std::chrono::steady_clock;

// Bytes asked for while waiting for a request's first byte; the parser reads the rest.
constexpr std::size_t first_read_size = 4096;
// After an error response, how much unread input is drained before closing (see close_gracefully).
constexpr std::size_t max_drain_bytes = 1024 * 1024;

// Exposes the session's stream to shutdown for exactly the stream's lifetime: declared after the
// stream in the session's frame, so it is destroyed first.
class stream_registration {
 public:
  stream_registration(detail::session_entry& entry, beast::tcp_stream& stream) : entry_(entry) {
    entry_.stream = &stream;
  }
  ~stream_registration() { entry_.stream = nullptr; }
  stream_registration(const stream_registration&) = delete;
  stream_registration& operator=(const stream_registration&) = delete;

 private:
  detail::session_entry& entry_;
};

struct rejection {
  beast_http::status status;
  std::string reason;
};

// RFC 9112 section 3.2: an HTTP/1.1 request carries exactly one Host header, and a server MUST
// answer 400 otherwise (Beast does not check). Its value matters here beyond routing: the web
// access rules read it against DNS rebinding, so an ambiguous or malformed one is refused.
std::optional<std::string> host_problem(const request& req) {
  const auto count = req.count(beast_http::field::host);
  if (count > 1) return "bad request: more than one Host header";
  if (count == 0) {
    if (req.version() < 11) return std::nullopt;  // HTTP/1.0 may leave it out
    return "bad request: an HTTP/1.1 request needs a Host header";
  }
  // RFC 3986 host [":" port]: unreserved, percent-encoded, sub-delims, ":" and IP-literal brackets.
  const std::string_view host = req[beast_http::field::host];
  const bool valid = std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-._~%!$&'()*+,;=:[]").find(c) != std::string_view::npos;
  });
  if (!valid) return "bad request: the Host header is not a host name or address";
  return std::nullopt;
}

// Which read failures deserve an answer. Socket errors and a peer that left mid-request get none.
std::optional<rejection> rejection_for(const beast::error_code& ec, std::size_t body_limit) {
  if (ec == beast_http::error::body_limit) {
    return rejection{
        beast_http::status::payload_too_large,
        "payload too large: the body limit is " + std::to_string(body_limit) + " bytes"};
  }
  if (ec == beast_http::error::header_limit) {
    return rejection{
        beast_http::status::request_header_fields_too_large,
        "request header fields too large: the limit is " + std::to_string(header_limit) + " bytes"};
  }
  if (ec.category() != beast_http::make_error_code(beast_http::error::bad_method).category() ||
      ec == beast_http::error::end_of_stream || ec == beast_http::error::partial_message) {
    return std::nullopt;
  }
  // Beast's messages are fixed strings ("bad method", "bad Content-Length", "bad chunk").
  return rejection{beast_http::status::bad_request, "bad request: " + ec.message()};
}

bool handler_wants_close(const response& res) {
  const auto it = res.find(beast_http::field::connection);
  return it != res.end() && beast_http::token_list(it->value()).exists("close");
}

// The transport's part of every response: version, keep-alive, framing, and no body for HEAD
// (RFC 9110 9.3.2: HEAD gets GET's headers, Content-Length included) or for 1xx/204/304.
void finalize(response& res, beast_http::verb method, unsigned version, bool keep_alive) {
  res.version(version);
  res.set(beast_http::field::server, "scribe");
  res.keep_alive(keep_alive);
  const auto status = res.result();
  if (beast_http::to_status_class(status) == beast_http::status_class::informational ||
      status == beast_http::status::no_content || status == beast_http::status::not_modified) {
    res.body().clear();
    res.erase(beast_http::field::content_length);
    res.erase(beast_http::field::transfer_encoding);
  } else if (method == beast_http::verb::head) {
    if (!res.body().empty() || !res.has_content_length()) res.content_length(res.body().size());
    res.body().clear();
  } else {
    res.prepare_payload();
  }
}

std::string microseconds_since(clock_type::time_point start) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start).count());
}

// The nested coroutines below take references into the session's frame: the session awaits each
// of them to completion (the `||` in run_session waits for both branches), so they cannot dangle.

// Reads one request's head, answers `Expect: 100-continue` (curl sends it for bodies over 1 KiB
// and otherwise waits a second), then reads the body. Cancelled by the read deadline.
net::awaitable<beast::error_code> read_request(beast::tcp_stream& stream,
                                               beast::flat_buffer& buffer, parser_type& parser) {
  auto [head_ec, head_bytes] = co_await beast_http::async_read_header(
      stream, buffer, parser, net::as_tuple(net::use_awaitable));
  if (head_ec || parser.is_done()) co_return head_ec;
  const auto& req = parser.get();
  if (req.version() >= 11 && beast::iequals(req[beast_http::field::expect], "100-continue")) {
    beast_http::response<beast_http::empty_body> go_on{beast_http::status::continue_, 11};
    auto [write_ec, written] =
        co_await beast_http::async_write(stream, go_on, net::as_tuple(net::use_awaitable));
    if (write_ec) co_return write_ec;
  }
  auto [body_ec, body_bytes] =
      co_await beast_http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
  co_return body_ec;
}

// Writes share read_timeout as their deadline: a client that stops reading its response is as
// stuck as one that stops sending.
net::awaitable<bool> write_response(beast::tcp_stream& stream, response& res,
                                    std::chrono::milliseconds timeout) {
  stream.expires_after(timeout);
  auto [ec, written] =
      co_await beast_http::async_write(stream, res, net::as_tuple(net::use_awaitable));
  stream.expires_never();
  co_return !ec;
}

// Closing a socket with unread input makes the kernel send RST, and the client may then lose the
// response it has not read yet (typically a 413 while it is still sending the body). So: stop
// sending, read and discard for a short bounded time until the client closes, then close.
net::awaitable<void> close_gracefully(beast::tcp_stream& stream, std::chrono::milliseconds linger) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  stream.expires_after(linger);
  std::array<char, 4096> discard{};
  std::size_t drained = 0;
  while (drained < max_drain_bytes) {
    auto [read_ec, n] =
        co_await stream.async_read_some(net::buffer(discard), net::as_tuple(net::use_awaitable));
    if (read_ec) break;
    drained += n;
  }
  stream.close();
}

net::awaitable<void> run_session(std::shared_ptr<detail::server_state> st,
                                 std::shared_ptr<detail::session_entry> entry, tcp::socket socket) {
  using namespace net::experimental::awaitable_operators;

  beast::tcp_stream stream(std::move(socket));
  stream_registration registration(*entry, stream);
  const auto& opts = st->options_;
  const auto linger = std::min<std::chrono::milliseconds>(opts.read_timeout, 1s);
  beast::error_code endpoint_ec;
  const auto remote = stream.socket().remote_endpoint(endpoint_ec);
  beast::flat_buffer buffer;
  bool first_request = true;

  for (;;) {
    // Waiting for a request. A new connection gets read_timeout (whoever connects is about to
    // send; this bounds idle sockets an attacker can hold), a kept-alive one idle_timeout. When
    // these expire tcp_stream closes the socket: there is no request to answer.
    entry->idle = true;
    if (st->stopping_) co_return;
    if (buffer.size() == 0) {
      stream.expires_after(first_request ? opts.read_timeout : opts.idle_timeout);
      auto [wait_ec, n] = co_await stream.async_read_some(buffer.prepare(first_read_size),
                                                          net::as_tuple(net::use_awaitable));
      if (wait_ec) co_return;  // peer closed, idle timeout, or shutdown closed an idle connection
      buffer.commit(n);
    }
    entry->idle = false;
    first_request = false;
    stream.expires_never();

    // The whole request must arrive within read_timeout of its first byte. A separate timer, not
    // expires_after, so that the socket stays open for a 408 when a slow sender is cut off.
    const auto started = clock_type::now();
    parser_type parser;
    parser.header_limit(header_limit);
    parser.body_limit(opts.body_limit);
    net::steady_timer deadline(stream.get_executor(), opts.read_timeout);
    auto outcome =
        co_await (read_request(stream, buffer, parser) || deadline.async_wait(net::use_awaitable));

    std::optional<rejection> rejected;
    if (outcome.index() == 1) {
      rejected = rejection{beast_http::status::request_timeout,
                           "request timeout: the request must arrive within " +
                               std::to_string(opts.read_timeout.count()) + " ms"};
    } else if (const auto read_ec = std::get<0>(outcome)) {
      rejected = rejection_for(read_ec, opts.body_limit);
      if (!rejected) co_return;
    } else if (auto bad_host = host_problem(parser.get())) {
      rejected = rejection{beast_http::status::bad_request, std::move(*bad_host)};
    }
    if (rejected) {
      const bool head_done = parser.is_header_done();
      request shaping;  // carries the version and keep-alive the error reply must match
      shaping.version(head_done ? parser.get().version() : 11);
      shaping.keep_alive(false);
      auto res = make_error(shaping, rejected->status, rejected->reason);
      const std::string request_id = head_done ? request_id_for(parser.get()) : new_request_id();
      res.set(request_id_header, request_id);
      // Never routed: counted as "unmatched", and left out of the duration histogram, where a
      // 408's read deadline would drown the handlers' times.
      const auto verb = head_done ? parser.get().method() : beast_http::verb::unknown;
      metrics::http_requests()
          .with({"unmatched",
                 verb == beast_http::verb::unknown ? "other" : beast_http::to_string(verb),
                 std::to_string(res.result_int())})
          .inc();
      log::debug("http request rejected",
                 {{"method", head_done ? std::string(parser.get().method_string()) : "-"},
                  {"path", head_done ? loggable_path(parser.get().target()) : "-"},
                  {"status", std::to_string(res.result_int())},
                  {"reason", rejected->reason},
                  {"duration_us", microseconds_since(started)},
                  {"request_id", request_id}});
      if (co_await write_response(stream, res, opts.read_timeout)) {
        co_await close_gracefully(stream, linger);
      }
      co_return;
    }

    request_context ctx{parser.release(), {}, remote, {}};
    ctx.request_id = request_id_for(ctx.req);
    std::string request_id = ctx.request_id;
    const auto method = ctx.req.method();
    const auto version = ctx.req.version();
    const bool client_keeps_alive = ctx.req.keep_alive();
    std::string method_text(ctx.req.method_string());
    std::string path = loggable_path(ctx.req.target());

    auto res = co_await dispatch(st->routes_, std::move(ctx));
    // Read stopping_ only now: a shutdown that began while the handler ran closes afterwards.
    const bool keep_alive = client_keeps_alive && !handler_wants_close(res) && !st->stopping_;
    finalize(res, method, version, keep_alive);
    const bool written = co_await write_response(stream, res, opts.read_timeout);
    // Method and path only: headers and bodies carry signatures and tokens.
    log::debug("http request", {{"method", std::move(method_text)},
                                {"path", std::move(path)},
                                {"status", std::to_string(res.result_int())},
                                {"duration_us", microseconds_since(started)},
                                {"request_id", std::move(request_id)}});
    if (!written) co_return;
    if (!keep_alive) {
      co_await close_gracefully(stream, linger);
      co_return;
    }
  }
}

// A session's completion: a failure is logged and ends that connection only.
struct session_finished {
  std::shared_ptr<detail::server_state> state;
  std::shared_ptr<detail::session_entry> entry;

  void operator()(std::exception_ptr failure) const {
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        log::error("http session failed", {{"error", e.what()}});
      } catch (...) {
        log::error("http session failed", {{"error", "exception of unknown type"}});
      }
    }
    state->session_ended(entry);
  }
};

net::awaitable<void> accept_connections(std::shared_ptr<detail::server_state> st) {
  while (!st->stopping_) {
    auto strand = net::make_strand(st->ioc_);
    auto [ec, socket] =
        co_await st->acceptor_.async_accept(strand, net::as_tuple(net::use_awaitable));
    if (st->stopping_) co_return;  // an accepted socket closes here
    if (ec) {
      if (!st->acceptor_.is_open()) co_return;
      log::warn("http accept failed", {{"error", ec.message()}});
      // Out of file descriptors every accept fails at once: pause rather than spin.
      net::steady_timer pause(st->control_, 50ms);
      co_await pause.async_wait(net::as_tuple(net::use_awaitable));
      continue;
    }
    auto entry = st->register_session(strand);
    if (!entry) co_return;
    net::co_spawn(strand, run_session(st, entry, tcp::socket(std::move(socket))),
                  session_finished{st, entry});
  }
}

struct accept_finished {
  void operator()(std::exception_ptr failure) const {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      log::error("http accept loop failed, no longer accepting", {{"error", e.what()}});
    } catch (...) {
      log::error("http accept loop failed, no longer accepting",
                 {{"error", "exception of unknown type"}});
    }
  }
};

}  // namespace

server::server(net::io_context& ioc, const config::server_options& opts, const router& routes)
    : state_(std::make_shared<detail::server_state>(ioc, opts, routes)) {}

server::~server() = default;

tcp::endpoint server::listen() {
  auto& st = *state_;
  std::string_view host = st.options_.listen_host;
  // "[::1]" is how the configuration writes an IPv6 host; the resolver wants it bare.
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  tcp::resolver resolver(st.ioc_);
  const auto results = resolver.resolve(host, std::to_string(st.options_.listen_port),
                                        tcp::resolver::passive | tcp::resolver::numeric_service);
  const tcp::endpoint endpoint = results.begin()->endpoint();
  try {
    st.acceptor_.open(endpoint.protocol());
    st.acceptor_.set_option(net::socket_base::reuse_address(true));
    st.acceptor_.bind(endpoint);
    st.acceptor_.listen(net::socket_base::max_listen_connections);
  } catch (...) {
    beast::error_code ignored;
    st.acceptor_.close(ignored);
    throw;
  }
  return st.acceptor_.local_endpoint();
}

void server::start() {
  if (!state_->acceptor_.is_open()) throw std::logic_error("http server: start() before listen()");
  // Said when requests are served, not when the address was bound: what follows binding (opening
  // the store, setting up the adapters) may take a while, and people and scripts wait for this.
  const auto bound = state_->acceptor_.local_endpoint();
  log::info("http server listening",
            {{"address", bound.address().to_string()}, {"port", std::to_string(bound.port())}});
  net::co_spawn(state_->control_, accept_connections(state_), accept_finished{});
}

void server::shutdown(std::function<void()> done) {
  state_->begin_shutdown(std::move(done));
}

std::size_t server::active_sessions() const {
  return state_->session_count();
}

}  // namespace scribe::http
