// Baseline B, "the limit": a minimal Boost.Beast async HTTP/1.1 server that
// verifies Slack's v0 request signature with OpenSSL and answers 200 with an
// empty body. With --sqlite PATH it also does one INSERT per verified request
// into a WAL-mode database (synchronous=NORMAL), to show the storage cost.
//
//   limit_server --port 8081 [--host 127.0.0.1] [--threads 1]
//                [--sqlite /tmp/bench.db] [--skip-timestamp-window]
//   secret: $SLACK_SIGNING_SECRET (default: the secret bench/run signs with)
//
// Routes: POST /slack/events, POST /slack/commands (signed, 200 empty body;
// 401 on a bad/missing/stale signature); GET /healthz -> 200 "ok".
// Only loopback addresses are accepted for --host.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::int64_t kMaxSkewSeconds = 60 * 5;
constexpr std::size_t kBodyLimit = 64 * 1024;

std::atomic<std::uint64_t> g_ok{0};
std::atomic<std::uint64_t> g_unauthorized{0};
std::atomic<std::uint64_t> g_other{0};

// ---------------------------------------------------------------- HMAC ----
class SlackVerifier {
 public:
  SlackVerifier(std::string secret, bool check_window) : check_window_(check_window) {
    mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac_ == nullptr) throw std::runtime_error("EVP_MAC_fetch(HMAC) failed");
    tmpl_ = EVP_MAC_CTX_new(mac_);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (tmpl_ == nullptr ||
        EVP_MAC_init(tmpl_, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                     params) != 1)
      throw std::runtime_error("EVP_MAC_init failed");
  }
  ~SlackVerifier() {
    EVP_MAC_CTX_free(tmpl_);
    EVP_MAC_free(mac_);
  }
  SlackVerifier(const SlackVerifier&) = delete;
  SlackVerifier& operator=(const SlackVerifier&) = delete;

  // Returns true when `signature` == "v0=" + hex(HMAC(secret, "v0:" + ts + ":" + body))
  // and (unless disabled) |now - ts| <= 5 minutes.
  bool verify(std::string_view ts, std::string_view signature, std::string_view body) const {
    std::int64_t ts_val = 0;
    auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), ts_val);
    if (ts.empty() || ec != std::errc() || p != ts.data() + ts.size()) return false;
    if (check_window_) {
      const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
      const std::int64_t skew = now > ts_val ? now - ts_val : ts_val - now;
      if (skew > kMaxSkewSeconds) return false;
    }
    if (signature.size() != 3 + 64 || signature.substr(0, 3) != "v0=") return false;

    // Duplicate the keyed template (cheap copy of the precomputed ipad/opad state).
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(tmpl_);
    if (ctx == nullptr) return false;
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t mac_len = 0;
    const bool ok =
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>("v0:"), 3) == 1 &&
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(ts.data()), ts.size()) == 1 &&
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(":"), 1) == 1 &&
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size()) ==
            1 &&
        EVP_MAC_final(ctx, mac, &mac_len, sizeof mac) == 1;
    EVP_MAC_CTX_free(ctx);
    if (!ok || mac_len != 32) return false;

    static constexpr char kHex[] = "0123456789abcdef";
    char hex[64];
    for (std::size_t i = 0; i < 32; ++i) {
      hex[2 * i] = kHex[mac[i] >> 4];
      hex[2 * i + 1] = kHex[mac[i] & 0xf];
    }
    return CRYPTO_memcmp(hex, signature.data() + 3, 64) == 0;
  }

 private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* tmpl_ = nullptr;
  bool check_window_;
};

// -------------------------------------------------------------- SQLite ----
class NoteStore {
 public:
  explicit NoteStore(const std::string& path)
      : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=NORMAL");
    db_.exec(
        "CREATE TABLE IF NOT EXISTS notes ("
        " id INTEGER PRIMARY KEY,"
        " received_at_ms INTEGER NOT NULL,"
        " slack_ts INTEGER NOT NULL,"
        " kind TEXT NOT NULL,"
        " body TEXT NOT NULL)");
    insert_ = std::make_unique<SQLite::Statement>(
        db_, "INSERT INTO notes(received_at_ms, slack_ts, kind, body) VALUES (?, ?, ?, ?)");
  }

  void insert(std::int64_t slack_ts, const char* kind, const std::string& body) {
    std::lock_guard<std::mutex> lock(mu_);  // uncontended with --threads 1
    const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    insert_->bind(1, static_cast<int64_t>(now_ms));
    insert_->bind(2, static_cast<int64_t>(slack_ts));
    insert_->bindNoCopy(3, kind);  // NUL-terminated literal
    insert_->bindNoCopy(4, body);  // TEXT, no copy; lives until exec() returns
    insert_->exec();
    insert_->reset();
    insert_->clearBindings();
  }

 private:
  std::mutex mu_;
  SQLite::Database db_;
  std::unique_ptr<SQLite::Statement> insert_;
};

struct Shared {
  SlackVerifier verifier;
  std::unique_ptr<NoteStore> store;  // null unless --sqlite
};

// ------------------------------------------------------------- session ----
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {}

  void start() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec) return;  // timeout, reset, body too large: just drop the connection
    handle(parser_->release());
  }

  void handle(http::request<http::string_body>&& req) {
    res_.emplace();
    auto& res = *res_;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    res.set(http::field::server, "limit-server");

    const std::string_view target(req.target().data(), req.target().size());
    if (req.method() == http::verb::post &&
        (target == "/slack/events" || target == "/slack/commands")) {
      const auto ts_it = req.find("X-Slack-Request-Timestamp");
      const auto sig_it = req.find("X-Slack-Signature");
      const std::string_view ts =
          ts_it == req.end() ? std::string_view{}
                             : std::string_view(ts_it->value().data(), ts_it->value().size());
      const std::string_view sig =
          sig_it == req.end() ? std::string_view{}
                              : std::string_view(sig_it->value().data(), sig_it->value().size());
      if (shared_.verifier.verify(ts, sig, req.body())) {
        if (shared_.store) {
          std::int64_t ts_val = 0;
          std::from_chars(ts.data(), ts.data() + ts.size(), ts_val);
          const auto ct = req[http::field::content_type];
          const char* kind =
              std::string_view(ct.data(), ct.size()).substr(0, 16) == "application/json"
                  ? "event"
                  : "command";
          try {
            shared_.store->insert(ts_val, kind, req.body());
          } catch (const std::exception& e) {
            std::fprintf(stderr, "sqlite insert failed: %s\n", e.what());
            res.result(http::status::internal_server_error);
            ++g_other;
            return write();
          }
        }
        res.result(http::status::ok);
        ++g_ok;
      } else {
        res.result(http::status::unauthorized);
        ++g_unauthorized;
      }
    } else if (req.method() == http::verb::get && target == "/healthz") {
      res.result(http::status::ok);
      res.set(http::field::content_type, "text/plain");
      res.body() = "ok";
      ++g_other;
    } else {
      res.result(http::status::not_found);
      ++g_other;
    }
    write();
  }

  void write() {
    res_->prepare_payload();
    http::async_write(stream_, *res_,
                      beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    const bool keep = res_->keep_alive();
    res_.reset();
    if (!keep) return do_close();
    do_read();
  }

  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Shared& shared_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
};

// ------------------------------------------------------------ listener ----
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, tcp::endpoint ep, Shared& shared)
      : ioc_(ioc), acceptor_(asio::make_strand(ioc)), shared_(shared) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }
  void run() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), shared_)->start();
    }
    do_accept();
  }
  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  Shared& shared_;
};

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s --port N [--host 127.0.0.1] [--threads N] [--sqlite PATH] "
               "[--skip-timestamp-window]\n",
               argv0);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 1;
  std::string sqlite_path;
  bool skip_window = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(argv[0]);
      return argv[++i];
    };
    if (a == "--port") port = std::atoi(next().c_str());
    else if (a == "--host") host = next();
    else if (a == "--threads") threads = std::atoi(next().c_str());
    else if (a == "--sqlite") sqlite_path = next();
    else if (a == "--skip-timestamp-window") skip_window = true;
    else usage(argv[0]);
  }
  if (port <= 0 || port > 65535 || threads < 1) usage(argv[0]);

  const auto address = asio::ip::make_address(host);
  if (!address.is_loopback()) {
    std::fprintf(stderr, "refusing non-loopback host %s\n", host.c_str());
    return 2;
  }
  const char* env_secret = std::getenv("SLACK_SIGNING_SECRET");
  const std::string secret = env_secret ? env_secret : "bench-signing-secret-0123456789abcdef";

  try {
    Shared shared{SlackVerifier(secret, !skip_window), nullptr};
    if (!sqlite_path.empty()) shared.store = std::make_unique<NoteStore>(sqlite_path);

    asio::io_context ioc(threads);
    std::make_shared<Listener>(ioc, tcp::endpoint(address, static_cast<unsigned short>(port)),
                               shared)
        ->run();

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) { ioc.stop(); });

    std::printf("limit_server listening on %s:%d threads=%d sqlite=%s window=%s pid=%d\n",
                host.c_str(), port, threads, sqlite_path.empty() ? "off" : sqlite_path.c_str(),
                skip_window ? "skipped" : "5min", static_cast<int>(getpid()));
    std::fflush(stdout);

    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fatal: %s\n", e.what());
    return 1;
  }
  std::printf("limit_server stopped: ok=%llu unauthorized=%llu other=%llu\n",
              static_cast<unsigned long long>(g_ok.load()),
              static_cast<unsigned long long>(g_unauthorized.load()),
              static_cast<unsigned long long>(g_other.load()));
  return 0;
}
