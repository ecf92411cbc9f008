#pragma once
// Runs a storage contract test against both stores. A test written as
//
//   STORE_TEST_CASE("a job is queued once per key", "[integration][jobs]") {
//     auto& store = db.store();
//     ...
//   }
//
// is two Catch test cases: "<name> - sqlite" (tagged [sqlite]) on a file in a temporary folder,
// and "<name> - postgres" (tagged [postgres]) on a fresh database in the run's PostgreSQL server
// (tests/support/test_postgres.hpp). The body is a template on the database `db`, so its stores
// are the concrete types, with every port at once: `db.store()` is the one the test keeps, and
// each `db.open()` opens another, standing in for another process or replica on the same
// database. `db.query_int(sql)` reads what was stored, with SQL both schemas understand (same
// tables, columns and value types).
//
// ctest runs the [postgres] cases as tests of their own that require the `postgres` fixture
// (tests/storage/CMakeLists.txt). Run by hand without $SCRIBE_TEST_POSTGRES_DIR, they warn that
// they did not run.

#include "storage/pg_store.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_postgres.hpp"

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace scribe::test_support {

// A SQLite file in a temporary folder, removed with it.
class sqlite_test_database {
 public:
  using store_type = storage::sqlite_store;
  static constexpr const char* kind = "sqlite";

  // A store on the file, as a Scribe process opens it (and migrates).
  std::unique_ptr<store_type> open() const { return std::make_unique<store_type>(file_); }
  // The test's own store, opened on first use and kept until the end of the test.
  store_type& store() {
    if (!store_) store_ = open();
    return *store_;
  }
  std::string url() const { return "sqlite:" + file_.string(); }
  const std::filesystem::path& file() const { return file_; }

  std::int64_t query_int(const std::string& sql) const {
    SQLite::Database raw(file_.string());
    return raw.execAndGet(sql).getInt64();
  }
  void execute(const std::string& sql) const {
    SQLite::Database raw(file_.string(), SQLite::OPEN_READWRITE);
    raw.exec(sql);
  }

 private:
  temp_dir dir_;
  std::filesystem::path file_ = dir_ / "scribe.db";
  std::unique_ptr<store_type> store_;
};

// A database of its own in the run's PostgreSQL server.
class postgres_test_database {
 public:
  using store_type = storage::pg_store;
  static constexpr const char* kind = "postgres";
  // Each store's pool, as storage.connections is by default.
  static constexpr std::size_t connections = 4;

  explicit postgres_test_database(const std::string& server_url) : db_(server_url) {}

  // A store on the database, as a Scribe replica opens it (and migrates).
  std::unique_ptr<store_type> open() const {
    return std::make_unique<store_type>(db_.url(), connections);
  }
  // The test's own store, opened on first use and kept until the end of the test.
  store_type& store() {
    if (!store_) store_ = open();
    return *store_;
  }
  std::string url() const { return db_.url(); }
  std::string name() const { return db_.name(); }

  std::int64_t query_int(const std::string& sql) const { return db_.query_int(sql); }
  void execute(const std::string& sql) const { db_.execute(sql); }

 private:
  mutable postgres_database db_;  // its connection opens on first use
  std::unique_ptr<store_type> store_;
};

// The PostgreSQL database for one test case, or nullptr after a warning when the run has no
// server (the binary was started by hand without $SCRIBE_TEST_POSTGRES_DIR).
inline std::unique_ptr<postgres_test_database> postgres_for_test() {
  const auto server = postgres_server_url();
  if (!server) {
    WARN(
        "NOT RUN against PostgreSQL: SCRIBE_TEST_POSTGRES_DIR is unset. ctest starts a server and "
        "sets it; by hand: tests/support/postgres_server start DIR, then "
        "SCRIBE_TEST_POSTGRES_DIR=DIR.");
    return nullptr;
  }
  return std::make_unique<postgres_test_database>(*server);
}

}  // namespace scribe::test_support

#define SCRIBE_STORE_TEST_CAT2(a, b) a##b
#define SCRIBE_STORE_TEST_CAT(a, b) SCRIBE_STORE_TEST_CAT2(a, b)

// `body` is expanded once, before substitution, so every use below names the same function.
#define SCRIBE_STORE_TEST_CASE_IMPL(body, name, tags)                   \
  template <class Database>                                             \
  static void body(Database& db);                                       \
  TEST_CASE(name " - sqlite", tags "[sqlite]") {                        \
    scribe::test_support::sqlite_test_database db;                      \
    body(db);                                                           \
  }                                                                     \
  TEST_CASE(name " - postgres", tags "[postgres]") {                    \
    if (auto db = scribe::test_support::postgres_for_test()) body(*db); \
  }                                                                     \
  template <class Database>                                             \
  static void body([[maybe_unused]] Database& db)

#define STORE_TEST_CASE(name, tags) \
  SCRIBE_STORE_TEST_CASE_IMPL(SCRIBE_STORE_TEST_CAT(store_test_body_, __LINE__), name, tags)
