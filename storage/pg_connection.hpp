#pragma once
// A PostgreSQL connection (libpq) for the PostgreSQL store, and the pool its calls borrow from.
//
// Statements are prepared on first use and kept per connection, parameters travel as text ($1,
// $2, ...) and results are read as text. A connection that breaks (the server restarted, the
// network dropped) is reopened on its next use; the call that saw it break fails with
// bot::storage_unavailable, which callers answer with "try again later".
//
// Errors: bot::storage_unavailable for everything that may pass (no connection, the server
// shutting down or out of resources, a serialization failure or deadlock); pg_error for the rest
// (a constraint, a bug in a statement), carrying the SQLSTATE and the constraint's name.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

struct pg_conn;
struct pg_result;
using PGconn = pg_conn;
using PGresult = pg_result;

namespace scribe::storage {

class pg_error : public std::runtime_error {
 public:
  pg_error(const std::string& message, std::string sqlstate, std::string constraint)
      : std::runtime_error(message),
        sqlstate_(std::move(sqlstate)),
        constraint_(std::move(constraint)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // The violated constraint or index, for 23xxx errors; empty otherwise.
  const std::string& constraint() const { return constraint_; }
  bool unique_violation() const { return sqlstate_ == "23505"; }

 private:
  std::string sqlstate_;
  std::string constraint_;
};

// Statement parameters, in order ($1 first). Text format, as libpq sends them.
class pg_params {
 public:
  pg_params& add(std::int64_t value);
  pg_params& add(int value) { return add(static_cast<std::int64_t>(value)); }
  pg_params& add(std::string_view value);
  pg_params& add(const std::string& value) { return add(std::string_view(value)); }
  pg_params& add(const char* value) { return add(std::string_view(value)); }
  pg_params& add(const std::optional<std::string>& value);
  pg_params& add(std::optional<int> value);
  pg_params& add(std::optional<std::int64_t> value);
  pg_params& add_null();

  int size() const { return static_cast<int>(values_.size()); }
  // Valid until the next add.
  std::vector<const char*> pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// One statement's rows. Move-only.
class pg_rows {
 public:
  explicit pg_rows(PGresult* result) : result_(result) {}
  pg_rows(pg_rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  pg_rows& operator=(pg_rows&& other) noexcept;
  pg_rows(const pg_rows&) = delete;
  pg_rows& operator=(const pg_rows&) = delete;
  ~pg_rows();

  int size() const;
  bool empty() const { return size() == 0; }
  // Rows an INSERT, UPDATE or DELETE changed.
  std::int64_t affected() const;

  bool is_null(int row, int column) const;
  std::string text(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  int int32(int row, int column) const { return static_cast<int>(int64(row, column)); }
  std::optional<std::string> optional_text(int row, int column) const;

 private:
  PGresult* result_;
};

class pg_connection {
 public:
  // Connects. Throws bot::storage_unavailable naming the host when the server cannot be reached or
  // refuses the login; the message never holds the password.
  explicit pg_connection(std::string url);
  ~pg_connection();
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  // Runs `sql` with `params`, prepared once per connection.
  pg_rows exec(std::string_view sql, const pg_params& params = {});
  // Runs `sql` unprepared: several statements, no parameters (migrations, BEGIN, COMMIT).
  void run(std::string_view sql);
  // Runs `copy_sql` (COPY ... FROM STDIN, text format) and sends the rows `next` appends to its
  // buffer, one call per row, until it returns false.
  void copy_in(std::string_view copy_sql, const std::function<bool(std::string& buffer)>& next);
  // Whether the last error left the connection unusable; the pool reopens it.
  bool broken() const;
  void reopen();
  // The connection is handed out again: if its first statement finds it broken (the server ended
  // it while it was idle: a restart, a failover, an idle timeout), it reconnects and sends that
  // statement again, instead of failing a call that never reached the server. Only the first:
  // later ones may follow statements that did reach it.
  void arm_reconnect() { reconnect_armed_ = true; }

 private:
  void connect();
  // Runs `attempt` once, or twice across a reconnect as arm_reconnect() says.
  template <class Attempt>
  auto with_reconnect(Attempt attempt);
  pg_rows exec_once(std::string_view sql, const pg_params& params);
  [[noreturn]] void fail(PGresult* result, std::string_view sql);

  std::string url_;
  PGconn* conn_ = nullptr;
  bool reconnect_armed_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// BEGIN … COMMIT on one connection; rolled back when destroyed uncommitted.
class pg_transaction {
 public:
  // `mode` follows BEGIN, e.g. "ISOLATION LEVEL SERIALIZABLE"; empty: the server's default (READ
  // COMMITTED).
  explicit pg_transaction(pg_connection& db, std::string_view mode = {});
  ~pg_transaction();
  pg_transaction(const pg_transaction&) = delete;
  pg_transaction& operator=(const pg_transaction&) = delete;
  void commit();

 private:
  pg_connection& db_;
  bool open_ = true;
};

// A fixed number of connections, opened lazily. Thread-safe. A caller that finds them all in use
// waits for one (the store thread's workers are as many as the connections, so in Scribe nobody
// waits).
class pg_pool {
 public:
  class lease {
   public:
    lease(pg_pool& pool, std::unique_ptr<pg_connection> conn)
        : pool_(&pool), conn_(std::move(conn)) {}
    lease(lease&&) = default;
    lease& operator=(lease&&) = delete;
    ~lease();
    pg_connection& operator*() { return *conn_; }
    pg_connection* operator->() { return conn_.get(); }

   private:
    pg_pool* pool_;
    std::unique_ptr<pg_connection> conn_;
  };

  pg_pool(std::string url, std::size_t size);
  lease acquire();
  std::size_t size() const { return size_; }

 private:
  void give_back(std::unique_ptr<pg_connection> conn);

  const std::string url_;
  const std::size_t size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pg_connection>> idle_;
  std::size_t opened_ = 0;
};

}  // namespace scribe::storage
