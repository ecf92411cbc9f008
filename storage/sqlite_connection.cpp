#include "storage/sqlite_connection.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace scribe::storage {

statement_handle::~statement_handle() {
  statement_->tryReset();
  // Parameters left bound would silently fill the next use's optional ones (bound only when set).
  // sqlite3_clear_bindings always succeeds, so this cannot throw out of the destructor.
  statement_->clearBindings();
}

namespace {

SQLite::Database open_database(const std::filesystem::path& file, int busy_timeout_ms) {
  try {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    return SQLite::Database(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                            busy_timeout_ms);
  } catch (const std::exception& e) {
    // SQLite's own message ("unable to open database file") does not say which file.
    throw std::runtime_error(file.string() + ": " + e.what());
  }
}

}  // namespace

sqlite_connection::sqlite_connection(const std::filesystem::path& file, int busy_timeout_ms)
    : db_(open_database(file, busy_timeout_ms)) {}

statement_handle sqlite_connection::statement(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    found =
        statements_
            .emplace(std::string(sql), std::make_unique<SQLite::Statement>(db_, std::string(sql)))
            .first;
  }
  return statement_handle(*found->second);
}

void sqlite_connection::run(std::string_view sql) {
  statement(sql).exec();
}

void sqlite_connection::begin_group() {
  run("BEGIN IMMEDIATE");
  in_group_ = true;
}

void sqlite_connection::commit_group() {
  // Cleared first: whatever COMMIT answers, the group is over (rollback_group cleans up).
  in_group_ = false;
  run("COMMIT");
}

void sqlite_connection::rollback_group() noexcept {
  in_group_ = false;
  if (!sqlite3_get_autocommit(db_.getHandle())) db_.tryExec("ROLLBACK");
}

bool sqlite_connection::group_open() const {
  return in_group_ && !sqlite3_get_autocommit(db_.getHandle());
}

write_transaction::write_transaction(sqlite_connection& connection)
    : connection_(connection), savepoint_(connection.in_group_) {
  connection_.run(savepoint_ ? "SAVEPOINT call" : "BEGIN IMMEDIATE");
}

write_transaction::~write_transaction() {
  if (done_) return;
  auto& db = connection_.db_;
  // After an error that rolled the whole transaction back there is nothing left to undo.
  if (sqlite3_get_autocommit(db.getHandle())) return;
  if (savepoint_) {
    db.tryExec("ROLLBACK TO call; RELEASE call");
  } else {
    db.tryExec("ROLLBACK");
  }
}

void write_transaction::commit() {
  connection_.run(savepoint_ ? "RELEASE call" : "COMMIT");
  done_ = true;
}

}  // namespace scribe::storage
