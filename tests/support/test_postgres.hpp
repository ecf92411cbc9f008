#pragma once
// A fresh PostgreSQL database for a C++ test, in the throwaway server that
// tests/support/postgres_server started for the run (its folder is $SCRIBE_TEST_POSTGRES_DIR;
// ctest's `postgres` fixture sets it). The test reads and writes it with libpq directly, so its
// checks do not go through the store they check.
//
// Not thread-safe: one test thread uses a postgres_database at a time.

#include <cstdint>
#include <optional>
#include <string>

struct pg_conn;

namespace scribe::test_support {

// The superuser URL of the run's server, from $SCRIBE_TEST_POSTGRES_DIR/url; nullopt when the
// variable is unset (a test binary run by hand, outside ctest). Throws std::runtime_error when it
// is set but no server was started there: a broken fixture must fail the test, not skip it.
std::optional<std::string> postgres_server_url();

// `url` with its database (the path) replaced by `database`; query parameters are kept.
std::string with_database(const std::string& url, const std::string& database);

// A database of its own, created with a unique name on construction and never dropped (the
// server's `stop` removes everything at the end of the run). Throws std::runtime_error, with the
// server's message, when the database cannot be created.
class postgres_database {
 public:
  explicit postgres_database(const std::string& server_url);
  ~postgres_database();
  postgres_database(const postgres_database&) = delete;
  postgres_database& operator=(const postgres_database&) = delete;

  const std::string& name() const { return name_; }
  // The value for storage.url: the server's superuser, this database.
  const std::string& url() const { return url_; }

  // Runs `sql` (one or more statements, no parameters). Throws std::runtime_error on an error.
  void execute(const std::string& sql);
  // The first column of the first row of `sql` as a whole number; throws when there is no row or
  // the value is NULL.
  std::int64_t query_int(const std::string& sql);
  // The same as text; nullopt for NULL or no row.
  std::optional<std::string> query_text(const std::string& sql);

 private:
  pg_conn* connection();

  std::string name_;
  std::string url_;
  pg_conn* conn_ = nullptr;
};

// `text` as a SQL string literal, quotes doubled: for the values tests put into their own SQL.
std::string sql_literal(const std::string& text);

}  // namespace scribe::test_support
