#include "tests/support/test_postgres.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>

namespace scribe::test_support {
namespace {

struct result_deleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

struct conn_deleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using conn_ptr = std::unique_ptr<PGconn, conn_deleter>;

conn_ptr connect(const std::string& url) {
  conn_ptr conn(PQconnectdb(url.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    // libpq's message names host and port, never the password.
    throw std::runtime_error("test database: cannot connect: " +
                             std::string(conn ? PQerrorMessage(conn.get()) : "out of memory"));
  }
  return conn;
}

// Runs `sql`; throws with the server's message unless it succeeded.
result_ptr run(PGconn* conn, const std::string& sql) {
  result_ptr result(PQexec(conn, sql.c_str()));
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
    throw std::runtime_error("test database: " + std::string(PQerrorMessage(conn)) + " (SQLSTATE " +
                             (state ? state : "none") + ") in: " + sql);
  }
  return result;
}

// Unique within the process by the counter, across processes by the pid, and across runs on a
// server kept between them by the random part.
std::string fresh_name() {
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}();
  return "scribe_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
         std::to_string(salt % 1'000'000);
}

}  // namespace

std::optional<std::string> postgres_server_url() {
  const char* dir = std::getenv("SCRIBE_TEST_POSTGRES_DIR");
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  std::ifstream file(std::string(dir) + "/url");
  std::string url;
  if (!file || !std::getline(file, url) || url.empty()) {
    throw std::runtime_error(std::string("SCRIBE_TEST_POSTGRES_DIR=") + dir +
                             " but no server was started there (tests/support/postgres_server "
                             "start " +
                             dir + ")");
  }
  return url;
}

std::string with_database(const std::string& url, const std::string& database) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) throw std::invalid_argument("not a URL: no scheme");
  const auto path = url.find_first_of("/?", scheme + 3);
  if (path == std::string::npos) return url + "/" + database;
  const auto query = url.find('?', path);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  return url.substr(0, path) + "/" + database + rest;
}

postgres_database::postgres_database(const std::string& server_url) {
  auto admin = connect(server_url);
  for (int attempt = 0;; ++attempt) {
    name_ = fresh_name();
    try {
      run(admin.get(), "CREATE DATABASE " + name_);
      break;
    } catch (const std::runtime_error&) {
      if (attempt == 3) throw;  // a clash with a database of an earlier run is all we retry
    }
  }
  url_ = with_database(server_url, name_);
}

postgres_database::~postgres_database() {
  PQfinish(conn_);
}

PGconn* postgres_database::connection() {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    PQfinish(conn_);
    conn_ = connect(url_).release();
  }
  return conn_;
}

void postgres_database::execute(const std::string& sql) {
  run(connection(), sql);
}

std::int64_t postgres_database::query_int(const std::string& sql) {
  auto value = query_text(sql);
  if (!value) throw std::runtime_error("test database: no value from: " + sql);
  std::size_t used = 0;
  const auto n = std::stoll(*value, &used);
  if (used != value->size()) throw std::runtime_error("test database: not a number: " + *value);
  return n;
}

std::optional<std::string> postgres_database::query_text(const std::string& sql) {
  auto result = run(connection(), sql);
  if (PQntuples(result.get()) == 0 || PQnfields(result.get()) == 0 ||
      PQgetisnull(result.get(), 0, 0)) {
    return std::nullopt;
  }
  return std::string(PQgetvalue(result.get(), 0, 0));
}

std::string sql_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace scribe::test_support
