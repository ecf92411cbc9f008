#include "storage/pg_connection.hpp"

#include "bot/error.hpp"
#include "config/values.hpp"

#include <libpq-fe.h>

#include <charconv>

namespace scribe::storage {
namespace {

// SQLSTATE classes and codes that say "the database cannot work for now", not "this call is
// wrong" (PostgreSQL documentation, appendix A "PostgreSQL Error Codes"): connection exceptions,
// insufficient resources, operator intervention (a shutdown), and transaction rollbacks a retry
// can pass (serialization failure, deadlock).
bool may_pass(std::string_view sqlstate) {
  if (sqlstate.empty()) return true;  // no answer from the server at all
  const auto cls = sqlstate.substr(0, 2);
  return cls == "08" || cls == "53" || cls == "57" || cls == "58" || sqlstate == "40001" ||
         sqlstate == "40P01" || sqlstate == "55P03";
}

std::string field(const PGresult* result, int code) {
  const char* value = result ? PQresultErrorField(result, code) : nullptr;
  return value ? value : "";
}

std::string first_line(std::string text) {
  if (auto end = text.find('\n'); end != std::string::npos) text.resize(end);
  return text;
}

}  // namespace

pg_params& pg_params::add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

pg_params& pg_params::add(std::string_view value) {
  values_.emplace_back(std::string(value));
  return *this;
}

pg_params& pg_params::add(const std::optional<std::string>& value) {
  values_.push_back(value);
  return *this;
}

pg_params& pg_params::add(std::optional<int> value) {
  if (!value) return add_null();
  return add(*value);
}

pg_params& pg_params::add(std::optional<std::int64_t> value) {
  if (!value) return add_null();
  return add(*value);
}

pg_params& pg_params::add_null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

std::vector<const char*> pg_params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

pg_rows& pg_rows::operator=(pg_rows&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

pg_rows::~pg_rows() {
  PQclear(result_);
}

int pg_rows::size() const {
  return PQntuples(result_);
}

std::int64_t pg_rows::affected() const {
  const char* count = PQcmdTuples(result_);
  std::int64_t n = 0;
  std::from_chars(count, count + std::char_traits<char>::length(count), n);
  return n;
}

bool pg_rows::is_null(int row, int column) const {
  return PQgetisnull(result_, row, column) == 1;
}

std::string pg_rows::text(int row, int column) const {
  return {PQgetvalue(result_, row, column),
          static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::int64_t pg_rows::int64(int row, int column) const {
  const char* value = PQgetvalue(result_, row, column);
  const char* end = value + PQgetlength(result_, row, column);
  std::int64_t n = 0;
  if (std::from_chars(value, end, n).ptr != end) {
    throw std::logic_error("column " + std::to_string(column) + " is not a whole number");
  }
  return n;
}

std::optional<std::string> pg_rows::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

pg_connection::pg_connection(std::string url) : url_(std::move(url)) {
  connect();
}

pg_connection::~pg_connection() {
  PQfinish(conn_);
}

void pg_connection::connect() {
  PQfinish(conn_);
  prepared_.clear();
  conn_ = PQconnectdb(url_.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string why = conn_ ? first_line(PQerrorMessage(conn_)) : "out of memory";
    // A failed attempt still holds its PGconn; a constructor that throws runs no destructor.
    PQfinish(conn_);
    conn_ = nullptr;
    throw bot::storage_unavailable("PostgreSQL at " + config::redact_credentials(url_) + ": " +
                                   why);
  }
  // Notices ("relation already exists, skipping") would go to stderr, outside the log's format.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

bool pg_connection::broken() const {
  return PQstatus(conn_) != CONNECTION_OK;
}

void pg_connection::reopen() {
  connect();
}

void pg_connection::fail(PGresult* result, std::string_view sql) {
  std::string sqlstate = field(result, PG_DIAG_SQLSTATE);
  std::string constraint = field(result, PG_DIAG_CONSTRAINT_NAME);
  std::string message = first_line(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  if (message.empty()) message = first_line(PQerrorMessage(conn_));
  PQclear(result);
  if (broken() || may_pass(sqlstate)) {
    throw bot::storage_unavailable("PostgreSQL: " + message);
  }
  // The statement's first words say which one failed without echoing values.
  throw pg_error("PostgreSQL: " + message + " (in: " + std::string(sql.substr(0, 60)) + ")",
                 std::move(sqlstate), std::move(constraint));
}

template <class Attempt>
auto pg_connection::with_reconnect(Attempt attempt) {
  const bool may_retry = std::exchange(reconnect_armed_, false);
  try {
    return attempt();
  } catch (const bot::storage_unavailable&) {
    if (!may_retry || !broken()) throw;
  }
  // Usually the server never saw the statement (the connection died while idle). Should it have
  // run it before the connection broke, running it again changes nothing: every statement that
  // starts a store call is BEGIN, a read, or a write that is idempotent (ON CONFLICT, an update
  // to fixed values, a conditional one); a claim lost that way comes back when its lease ends.
  connect();
  return attempt();
}

pg_rows pg_connection::exec(std::string_view sql, const pg_params& params) {
  return with_reconnect([&] { return exec_once(sql, params); });
}

pg_rows pg_connection::exec_once(std::string_view sql, const pg_params& params) {
  auto found = prepared_.find(std::string(sql));
  if (found == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size() + 1);
    PGresult* prepared =
        PQprepare(conn_, name.c_str(), std::string(sql).c_str(), params.size(), nullptr);
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) fail(prepared, sql);
    PQclear(prepared);
    found = prepared_.emplace(std::string(sql), std::move(name)).first;
  }
  const auto values = params.pointers();
  PGresult* result = PQexecPrepared(conn_, found->second.c_str(), params.size(), values.data(),
                                    nullptr, nullptr, 0);
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, sql);
  return pg_rows(result);
}

void pg_connection::run(std::string_view sql) {
  with_reconnect([&] {
    PGresult* result = PQexec(conn_, std::string(sql).c_str());
    const auto status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, sql);
    PQclear(result);
  });
}

void pg_connection::copy_in(std::string_view copy_sql,
                            const std::function<bool(std::string& buffer)>& next) {
  PGresult* started = PQexec(conn_, std::string(copy_sql).c_str());
  if (PQresultStatus(started) != PGRES_COPY_IN) fail(started, copy_sql);
  PQclear(started);
  constexpr std::size_t chunk = 256 * 1024;
  std::string buffer;
  auto send = [&] {
    if (PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) != 1) {
      fail(nullptr, copy_sql);
    }
    buffer.clear();
  };
  try {
    bool more = true;
    while (more) {
      more = next(buffer);
      if (buffer.size() >= chunk || (!more && !buffer.empty())) send();
    }
  } catch (...) {
    // Ends the COPY with an error, so that the connection can roll back.
    PQputCopyEnd(conn_, "the rows to copy could not be read");
    while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
    throw;
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) fail(nullptr, copy_sql);
  PGresult* result = PQgetResult(conn_);
  if (PQresultStatus(result) != PGRES_COMMAND_OK) fail(result, copy_sql);
  PQclear(result);
  // Drain to the end of the command, as libpq asks.
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
}

pg_transaction::pg_transaction(pg_connection& db, std::string_view mode) : db_(db) {
  db_.run(mode.empty() ? std::string("BEGIN") : "BEGIN " + std::string(mode));
}

pg_transaction::~pg_transaction() {
  if (!open_) return;
  try {
    db_.run("ROLLBACK");
  } catch (const std::exception&) {
    // A broken connection has no transaction left to roll back; the pool reopens it.
  }
}

void pg_transaction::commit() {
  open_ = false;
  db_.run("COMMIT");
}

pg_pool::lease::~lease() {
  if (conn_) pool_->give_back(std::move(conn_));
}

pg_pool::pg_pool(std::string url, std::size_t size) : url_(std::move(url)), size_(size) {}

pg_pool::lease pg_pool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || opened_ < size_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    if (conn->broken()) {
      try {
        conn->reopen();
      } catch (...) {
        give_back(std::move(conn));
        throw;
      }
    }
    conn->arm_reconnect();
    return {*this, std::move(conn)};
  }
  ++opened_;
  lock.unlock();
  try {
    return {*this, std::make_unique<pg_connection>(url_)};
  } catch (...) {
    std::lock_guard relock(mutex_);
    --opened_;
    available_.notify_one();
    throw;
  }
}

void pg_pool::give_back(std::unique_ptr<pg_connection> conn) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

}  // namespace scribe::storage
