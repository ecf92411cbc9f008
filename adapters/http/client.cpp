#include "adapters/http/client.hpp"

#include "adapters/http/router.hpp"
#include "adapters/http/url.hpp"
#include "config/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/ssl/verify_mode.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <compare>
#include <cstdint>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifndef SCRIBE_VERSION
#define SCRIBE_VERSION "dev"
#endif

namespace scribe::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace detail {

using clock_type = std::chrono::steady_clock;
using connection_strand = net::strand<net::io_context::executor_type>;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

struct pool_key {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;

  auto operator<=>(const pool_key&) const = default;
};

// One TCP connection, with TLS on it for https. Used by one request at a time: a request creates
// it or takes it from the pool, and puts it back when it may be reused. All its asynchronous I/O
// runs on its strand.
class connection {
 public:
  // `tls_context` null: plain HTTP. Otherwise it must outlive the connection.
  connection(connection_strand strand, ssl::context* tls_context) : strand_(std::move(strand)) {
    if (tls_context != nullptr) {
      tls_.emplace(strand_, *tls_context);
    } else {
      plain_.emplace(strand_);
    }
  }

  const connection_strand& strand() const { return strand_; }
  beast::tcp_stream& tcp() { return tls_ ? tls_->next_layer() : *plain_; }
  tls_stream* tls() { return tls_ ? &*tls_ : nullptr; }
  beast::flat_buffer& buffer() { return buffer_; }

  // Calls fn with the stream HTTP is spoken on: the TLS stream or the plain one.
  template <class Fn>
  auto with_stream(Fn fn) {
    return tls_ ? fn(*tls_) : fn(*plain_);
  }

  clock_type::time_point idle_since{};  // guarded by the pool's mutex while pooled

 private:
  connection_strand strand_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<tls_stream> tls_;
  beast::flat_buffer buffer_;
};

struct client_state {
  client_state(net::io_context& ioc, client_options opts)
      : ioc_(ioc),
        options_(std::move(opts)),
        tls_context_(make_client_tls_context(options_.ca_file)) {}

  // An idle connection to `key` that still looks open, or null.
  std::shared_ptr<connection> take_idle(const pool_key& key);
  // Keeps `conn` for reuse, unless the pool for its host is full or reuse is off.
  void put_idle(const pool_key& key, std::shared_ptr<connection> conn);

  net::io_context& ioc_;
  const client_options options_;
  // Read-only after construction: OpenSSL lets any number of threads create connections from it.
  ssl::context tls_context_;

 private:
  std::shared_ptr<connection> pop_fresh(const pool_key& key);
  // Moves connections idle for longer than the TTL into `expired`, to be retired outside the lock.
  void sweep_locked(std::vector<std::shared_ptr<connection>>& expired);

  std::mutex mutex_;
  // Per host, oldest first.
  std::map<pool_key, std::vector<std::shared_ptr<connection>>> idle_;  // guarded by mutex_
};

namespace {

// Destroys (closes) `conn` on its strand, after whatever of its handlers is still queued there
// (tcp_stream's cancelled deadline timer), so that nothing touches it from two threads at once.
void retire(std::shared_ptr<connection> conn) {
  if (!conn) return;
  const auto strand = conn->strand();
  net::post(strand, [doomed = std::move(conn)]() mutable { doomed.reset(); });
}

void retire_all(std::vector<std::shared_ptr<connection>> conns) {
  for (auto& conn : conns) retire(std::move(conn));
}

// A server that closed an idle connection has sent FIN or RST, so a non-blocking peek reports end
// of file or an error at once: the connection is then dropped before a request is risked on it.
// Bytes waiting on a plain connection are not part of any response either. On TLS they may be a
// late session ticket or close_notify, which the next read deals with.
bool looks_open(connection& conn) {
  auto& socket = conn.tcp().socket();
  beast::error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return false;
  char byte = 0;
  const auto n = socket.receive(net::buffer(&byte, 1), tcp::socket::message_peek, ec);
  beast::error_code ignored;
  socket.non_blocking(false, ignored);
  if (ec == net::error::would_block) return true;
  if (ec) return false;
  return n > 0 && conn.tls() != nullptr;
}

}  // namespace

std::shared_ptr<connection> client_state::pop_fresh(const pool_key& key) {
  std::vector<std::shared_ptr<connection>> expired;
  std::shared_ptr<connection> conn;
  {
    std::lock_guard lock(mutex_);
    sweep_locked(expired);
    const auto it = idle_.find(key);
    if (it != idle_.end()) {
      // The most recently used is the most likely to be still open.
      conn = std::move(it->second.back());
      it->second.pop_back();
      if (it->second.empty()) idle_.erase(it);
    }
  }
  retire_all(std::move(expired));
  return conn;
}

std::shared_ptr<connection> client_state::take_idle(const pool_key& key) {
  for (;;) {
    auto conn = pop_fresh(key);
    if (!conn || looks_open(*conn)) return conn;
    retire(std::move(conn));
  }
}

void client_state::put_idle(const pool_key& key, std::shared_ptr<connection> conn) {
  if (options_.max_idle_connections_per_host == 0) {
    retire(std::move(conn));
    return;
  }
  std::vector<std::shared_ptr<connection>> dropped;
  {
    std::lock_guard lock(mutex_);
    conn->idle_since = clock_type::now();
    auto& list = idle_[key];
    list.push_back(std::move(conn));
    if (list.size() > options_.max_idle_connections_per_host) {
      dropped.push_back(std::move(list.front()));
      list.erase(list.begin());
    }
    sweep_locked(dropped);
  }
  retire_all(std::move(dropped));
}

void client_state::sweep_locked(std::vector<std::shared_ptr<connection>>& expired) {
  const auto cutoff = clock_type::now() - options_.idle_connection_ttl;
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& list = it->second;
    const auto first_fresh = std::find_if(
        list.begin(), list.end(), [&](const auto& conn) { return conn->idle_since > cutoff; });
    std::move(list.begin(), first_fresh, std::back_inserter(expired));
    list.erase(list.begin(), first_fresh);
    it = list.empty() ? idle_.erase(it) : std::next(it);
  }
}

}  // namespace detail

namespace {

using detail::clock_type;
using detail::connection;
using detail::connection_strand;
using outgoing_request = beast_http::request<beast_http::string_body>;

constexpr std::string_view user_agent = "scribe/" SCRIBE_VERSION;
// Slack answers with about 2 KiB of headers; Beast's 8 KiB default leaves little room for what
// CDNs and proxies add.
constexpr std::uint32_t response_header_limit = 64 * 1024;

// How one attempt ended. `what` names the stage and the origin for the error message.
struct exchange_outcome {
  beast::error_code ec;
  std::string what;
  // The connection was reused and turned out closed before any byte of a response: the request
  // may go once more on a fresh connection.
  bool retryable = false;
  bool keep_alive = false;
  client_response response;
};

boost::system::system_error invalid_argument(const std::string& what) {
  return boost::system::system_error(
      boost::system::errc::make_error_code(boost::system::errc::invalid_argument),
      "http client: " + what);
}

// RFC 9110 5.6.2 tchar.
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

outgoing_request make_outgoing(client_request& req, const url& where) {
  if (req.method == beast_http::verb::unknown) throw invalid_argument("unknown method");
  outgoing_request out{req.method, where.target, 11};
  for (auto& [name, value] : req.headers) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
      throw invalid_argument("a header name is not an HTTP token");
    }
    // Only the name goes into the message: values carry tokens.
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      throw invalid_argument("the value of header " + name + " contains CR, LF or NUL");
    }
    const auto field = beast_http::string_to_field(name);
    if (field == beast_http::field::host || field == beast_http::field::content_length ||
        field == beast_http::field::transfer_encoding || field == beast_http::field::connection) {
      throw invalid_argument("header " + name + " is set by the client, not the caller");
    }
    out.insert(name, value);
  }
  out.set(beast_http::field::host, where.host_header());
  if (out.find(beast_http::field::user_agent) == out.end()) {
    out.set(beast_http::field::user_agent, user_agent);
  }
  out.body() = std::move(req.body);
  out.prepare_payload();
  return out;
}

// Beast's tcp_stream reports its own deadline as beast::error::timeout; callers are promised
// asio's timed_out.
beast::error_code normalized(beast::error_code ec) {
  if (ec == beast::error::timeout) return net::error::timed_out;
  return ec;
}

bool is_closed_connection(const beast::error_code& ec) {
  return ec == beast_http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::connection_aborted ||
         ec == net::error::broken_pipe || ec == ssl::error::stream_truncated;
}

// A resolution the caller can stop waiting for. getaddrinfo cannot be interrupted, and asio
// completes a cancelled resolve only once it returns; the request's deadline must not wait for
// a stuck DNS server, so the caller leaves and the result is discarded when it comes.
struct pending_resolve {
  explicit pending_resolve(const connection_strand& strand) : resolver(strand), wake(strand) {}

  tcp::resolver resolver;
  net::steady_timer wake;
  bool done = false;  // these three only on the strand
  beast::error_code ec;
  tcp::resolver::results_type results;
};

// On `strand`, which both completions below use.
net::awaitable<std::pair<beast::error_code, std::vector<tcp::endpoint>>> resolve(
    connection_strand strand, std::string host, std::uint16_t port,
    clock_type::time_point deadline) {
  auto pending = std::make_shared<pending_resolve>(strand);
  pending->wake.expires_at(deadline);
  // Not address_configured (AI_ADDRCONFIG): glibc ignores loopback addresses for it, so on a host
  // whose only interface is loopback (a sandbox, a test container) "localhost" would not resolve.
  pending->resolver.async_resolve(
      host, std::to_string(port), tcp::resolver::numeric_service,
      [pending](beast::error_code ec, tcp::resolver::results_type results) {
        pending->done = true;
        pending->ec = ec;
        pending->results = std::move(results);
        pending->wake.cancel();
      });
  co_await pending->wake.async_wait(net::as_tuple(net::use_awaitable));
  if (!pending->done) {
    pending->resolver.cancel();
    co_return std::pair{beast::error_code(net::error::timed_out), std::vector<tcp::endpoint>{}};
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : pending->results) endpoints.push_back(entry.endpoint());
  co_return std::pair{pending->ec, std::move(endpoints)};
}

// Resolves, connects and, for https, handshakes, all before `deadline`.
net::awaitable<exchange_outcome> open_connection(std::shared_ptr<connection> conn, url where,
                                                 clock_type::time_point deadline) {
  exchange_outcome out;
  std::vector<tcp::endpoint> endpoints;
  if (where.host_is_ip) {
    endpoints.emplace_back(net::ip::make_address(where.host), where.port);
  } else {
    auto [resolve_ec, found] = co_await resolve(conn->strand(), where.host, where.port, deadline);
    if (resolve_ec) {
      out.ec = resolve_ec;
      out.what = "resolve " + where.host;
      co_return out;
    }
    endpoints = std::move(found);
  }

  auto& tcp = conn->tcp();
  tcp.expires_at(deadline);
  auto [connect_ec, endpoint] =
      co_await tcp.async_connect(endpoints, net::as_tuple(net::use_awaitable));
  if (connect_ec) {
    out.ec = connect_ec;
    out.what = "connect to " + where.origin();
    co_return out;
  }

  if (auto* tls = conn->tls()) {
    SSL* handle = tls->native_handle();
    // RFC 6066 3: SNI carries host names only, never IP literals. The certificate must name
    // what the URL names: a DNS name, or for an IP literal the IP address itself.
    bool configured = true;
    if (where.host_is_ip) {
      configured = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), where.host.c_str()) == 1;
    } else {
      // SSL_set_tlsext_host_name() is a macro with a C cast; this is what it expands to.
      configured = SSL_ctrl(handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                            where.host.data()) == 1 &&
                   SSL_set1_host(handle, where.host.c_str()) == 1;
    }
    if (!configured) {
      out.ec = ssl::error::make_error_code(ssl::error::unspecified_system_error);
      out.what = "TLS set-up for " + where.origin();
      co_return out;
    }
    SSL_set_hostflags(handle, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    auto [handshake_ec] =
        co_await tls->async_handshake(ssl::stream_base::client, net::as_tuple(net::use_awaitable));
    if (handshake_ec) {
      out.ec = handshake_ec;
      out.what = "TLS handshake with " + where.origin();
      // The handshake's error says only "certificate verify failed"; this says why.
      const long verify_result = SSL_get_verify_result(handle);
      if (verify_result != X509_V_OK) {
        out.what += std::string(" (") + X509_verify_cert_error_string(verify_result) + ")";
      }
      co_return out;
    }
  }
  tcp.expires_never();
  co_return out;
}

template <class Stream>
net::awaitable<exchange_outcome> write_and_read(Stream& stream, connection& conn,
                                                outgoing_request& req, std::string origin,
                                                clock_type::time_point deadline,
                                                std::size_t body_limit, bool reused) {
  exchange_outcome out;
  auto& buffer = conn.buffer();
  // One deadline for the whole exchange, not per read: a server dribbling a byte at a time is
  // as stuck as a silent one.
  conn.tcp().expires_at(deadline);
  auto [write_ec, written] =
      co_await beast_http::async_write(stream, req, net::as_tuple(net::use_awaitable));
  if (write_ec) {
    out.ec = write_ec;
    out.what = "send request to " + origin;
    out.retryable = reused && is_closed_connection(write_ec);
    co_return out;
  }
  for (bool first = true;; first = false) {
    beast_http::response_parser<beast_http::string_body> parser;
    parser.header_limit(response_header_limit);
    parser.body_limit(body_limit);
    parser.skip(req.method() == beast_http::verb::head);
    auto [read_ec, read] =
        co_await beast_http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    if (read_ec) {
      out.ec = read_ec;
      out.what = "read response from " + origin;
      out.retryable = reused && first && !parser.got_some() && buffer.size() == 0 &&
                      is_closed_connection(read_ec);
      co_return out;
    }
    auto& res = parser.get();
    // RFC 9110 15.2: a client must accept interim responses it did not ask for, and skip them.
    if (res.result_int() >= 100 && res.result_int() < 200 &&
        res.result() != beast_http::status::switching_protocols) {
      continue;
    }
    // Bytes after the response mean the server does not frame its messages as we read them.
    out.keep_alive = parser.keep_alive() && buffer.size() == 0;
    out.response.status = res.result_int();
    out.response.body = std::move(res.body());
    out.response.headers = std::move(res.base());
    break;
  }
  conn.tcp().expires_never();
  co_return out;
}

// One attempt, spawned on the connection's strand.
net::awaitable<exchange_outcome> run_exchange(const detail::client_state* st,
                                              std::shared_ptr<connection> conn, url where,
                                              outgoing_request req, bool fresh,
                                              clock_type::time_point overall_deadline) {
  const auto& opts = st->options_;
  if (fresh) {
    auto opened = co_await open_connection(
        conn, where, std::min(clock_type::now() + opts.connect_timeout, overall_deadline));
    if (opened.ec) co_return opened;
  }
  const auto deadline = std::min(clock_type::now() + opts.request_timeout, overall_deadline);
  co_return co_await conn->with_stream([&](auto& stream) {
    return write_and_read(stream, *conn, req, where.origin(), deadline, opts.max_response_body,
                          !fresh);
  });
}

std::string microseconds_since(clock_type::time_point start) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - start).count());
}

}  // namespace

ssl::context make_client_tls_context(const std::string& ca_file) {
  ssl::context ctx(ssl::context::tls_client);
  // RFC 8996 deprecates TLS 1.0 and 1.1; Slack and Matrix homeservers speak 1.2 and 1.3.
  if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1) {
    throw std::runtime_error("http client: cannot require TLS 1.2");
  }
  ctx.set_verify_mode(ssl::verify_peer);
  ctx.set_default_verify_paths();
  if (!ca_file.empty()) {
    beast::error_code ec;
    ctx.load_verify_file(ca_file, ec);
    if (ec) {
      throw std::runtime_error("tls.ca_file: cannot load CA certificates from " + ca_file + ": " +
                               ec.message());
    }
  }
  return ctx;
}

client::client(net::io_context& ioc, client_options opts)
    : state_(std::make_unique<detail::client_state>(ioc, std::move(opts))) {}

client::~client() = default;

net::awaitable<client_response> client::send(client_request req) {
  auto& st = *state_;
  const auto started = clock_type::now();
  const auto overall_deadline = started + st.options_.connect_timeout + st.options_.request_timeout;
  auto parsed = parse_url(req.url);
  if (!parsed) throw invalid_argument("bad URL: " + parsed.error().message());
  const url where = std::move(*parsed);
  const auto outgoing = make_outgoing(req, where);
  const detail::pool_key key{where.tls, where.host, where.port};
  // Logged: method, origin and path. Never the query, headers or body: they carry tokens.
  const std::string method(outgoing.method_string());
  const std::string logged_url = where.origin() + loggable_path(where.target);

  for (bool first_attempt = true;; first_attempt = false) {
    auto conn = first_attempt ? st.take_idle(key) : nullptr;
    const bool fresh = conn == nullptr;
    if (fresh) {
      conn = std::make_shared<connection>(net::make_strand(st.ioc_),
                                          where.tls ? &st.tls_context_ : nullptr);
    }
    auto outcome = co_await net::co_spawn(
        conn->strand(), run_exchange(&st, conn, where, outgoing, fresh, overall_deadline),
        net::use_awaitable);
    if (!outcome.ec) {
      log::debug("http client request", {{"method", method},
                                         {"url", logged_url},
                                         {"status", std::to_string(outcome.response.status)},
                                         {"connection", fresh ? "new" : "reused"},
                                         {"duration_us", microseconds_since(started)}});
      if (outcome.keep_alive) {
        st.put_idle(key, std::move(conn));
      } else {
        detail::retire(std::move(conn));
      }
      co_return std::move(outcome.response);
    }
    detail::retire(std::move(conn));
    if (!fresh && outcome.retryable) {
      log::debug("http client: idle connection was closed by the server, retrying on a new one",
                 {{"url", logged_url}});
      continue;
    }
    const auto ec = normalized(outcome.ec);
    log::debug("http client request failed", {{"method", method},
                                              {"url", logged_url},
                                              {"error", outcome.what + ": " + ec.message()},
                                              {"duration_us", microseconds_since(started)}});
    throw boost::system::system_error(ec, "http client: " + outcome.what);
  }
}

}  // namespace scribe::http
