// What only the PostgreSQL store has: a server that cannot be reached or refuses the login, a
// connection that breaks under it, and its own schema. Its contract with the ports is checked with
// SQLite's by the STORE_TEST_CASEs of the other files.
#include "storage/pg_store.hpp"
#include "bot/error.hpp"
#include "storage/pg_migrations.hpp"
#include "tests/storage/store_fixture.hpp"
#include "tests/support/test_postgres.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

using namespace scribe;

namespace {

// A port on 127.0.0.1 where nothing listens: bound (so nobody else takes it while the test runs)
// but never listening, so a connection is refused at once.
class closed_port {
 public:
  closed_port() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ::close(fd_);
      throw std::runtime_error("bind() failed");
    }
    port_ = ntohs(address.sin_port);
  }
  ~closed_port() { ::close(fd_); }
  closed_port(const closed_port&) = delete;
  closed_port& operator=(const closed_port&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// What the constructor threw, as bot::storage_unavailable; fails the test for anything else.
std::string unavailable_message(const std::string& url) {
  try {
    storage::pg_store store(url, 2);
  } catch (const bot::storage_unavailable& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("expected bot::storage_unavailable, got: " << e.what());
  }
  FAIL("the store opened, but no server should have let it");
  return "";
}

// The server's URL with `password` in place of the real one.
std::string with_password(const std::string& url, const std::string& password) {
  const auto user = url.find("://") + 3;
  const auto colon = url.find(':', user);
  const auto at = url.rfind('@');
  REQUIRE(colon < at);
  return url.substr(0, colon + 1) + password + url.substr(at);
}

std::string password_of(const std::string& url) {
  const auto user = url.find("://") + 3;
  const auto colon = url.find(':', user);
  return url.substr(colon + 1, url.rfind('@') - colon - 1);
}

}  // namespace

TEST_CASE("an unreachable PostgreSQL server is storage_unavailable, without the password",
          "[integration][storage]") {
  closed_port nothing;
  const std::string secret = "s3cret-in-the-url";
  const std::string host = "127.0.0.1:" + std::to_string(nothing.port());

  SECTION("the password in the URL's user information") {
    const auto message =
        unavailable_message("postgresql://scribe:" + secret + "@" + host + "/scribe");
    INFO(message);
    CHECK_THAT(message, !Catch::Contains(secret));
    CHECK_THAT(message, Catch::Contains("127.0.0.1"));  // says which server
  }
  SECTION("the password percent-encoded") {
    const auto message =
        unavailable_message("postgresql://scribe:s3cret%40home@" + host + "/scribe");
    INFO(message);
    CHECK_THAT(message, !Catch::Contains("s3cret"));
  }
  SECTION("the password as a query parameter, as libpq also takes it") {
    const auto message =
        unavailable_message("postgresql://scribe@" + host + "/scribe?password=" + secret);
    INFO(message);
    CHECK_THAT(message, !Catch::Contains(secret));
  }
}

TEST_CASE("a refused login is storage_unavailable, without either password",
          "[integration][storage][postgres]") {
  const auto server = test_support::postgres_server_url();
  if (!server) {
    WARN("NOT RUN: SCRIBE_TEST_POSTGRES_DIR is unset (ctest starts a PostgreSQL server for it)");
    return;
  }
  test_support::postgres_database db(*server);
  const std::string wrong = "wrong-secret-4711";

  SECTION("a wrong password") {
    const auto message = unavailable_message(with_password(db.url(), wrong));
    INFO(message);
    CHECK_THAT(message, !Catch::Contains(wrong));
    CHECK_THAT(message, !Catch::Contains(password_of(*server)));
    CHECK_THAT(message, Catch::Contains("password authentication failed"));
  }
  SECTION("a database that does not exist") {
    const auto message = unavailable_message(test_support::with_database(*server, "no_such_db"));
    INFO(message);
    CHECK_THAT(message, !Catch::Contains(password_of(*server)));
    CHECK_THAT(message, Catch::Contains("no_such_db"));
  }
}

TEST_CASE("a connection the server ended is reopened, and a server that refuses is unavailable",
          "[integration][storage][postgres]") {
  auto db = test_support::postgres_for_test();
  if (!db) return;
  storage::pg_store store(db->url(), 1);  // one connection: the one we break
  store.ping();
  const auto end_others = [&] {
    db->execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  };
  // From the server's own database: a database cannot refuse the session that alters it.
  test_support::postgres_database other(*test_support::postgres_server_url());
  const auto allow_connections = [&](bool allow) {
    other.execute("ALTER DATABASE \"" + db->name() + "\" ALLOW_CONNECTIONS " +
                  (allow ? "true" : "false"));
  };
  // What a server restart, a failover or an idle timeout does to an established session: the
  // next call finds the connection dead before anything reached the server, and reconnects.
  end_others();
  store.ping();
  CHECK(store.enqueue("q", "k", "p", bot::from_unix_micros(0)));
  // While the database refuses connections, calls fail as "try again later"...
  allow_connections(false);
  end_others();
  CHECK_THROWS_AS(store.ping(), bot::storage_unavailable);
  CHECK_THROWS_AS(store.pending("q"), bot::storage_unavailable);
  // ...and work again once it takes them.
  allow_connections(true);
  store.ping();
  CHECK(store.pending("q") == 1);
}

TEST_CASE("a new PostgreSQL database gets the whole schema, once",
          "[integration][storage][postgres]") {
  auto db = test_support::postgres_for_test();
  if (!db) return;
  const auto latest = storage::latest_pg_schema_version();
  { auto first = db->open(); }
  CHECK(db->query_int("SELECT COUNT(*) FROM schema_migrations") == latest);
  CHECK(db->query_int("SELECT MAX(version) FROM schema_migrations") == latest);
  { auto second = db->open(); }  // a restart migrates nothing
  CHECK(db->query_int("SELECT COUNT(*) FROM schema_migrations") == latest);
  // The tables and columns the SQLite schema has, with the same value types (checked for the
  // columns that tools reading both stores depend on).
  CHECK(db->query_int("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = "
                      "'incidents' AND column_name IN ('opened_at', 'closed_at', 'number', 'id') "
                      "AND data_type = 'bigint'") == 4);
  CHECK(db->query_int("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = "
                      "'chat_messages' AND column_name = 'from_bot' AND data_type = 'integer'") ==
        1);
}
