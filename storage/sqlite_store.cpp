// sqlite_store's opening of the database, its health check (incident_store::ping) and its commit
// groups (bot/group_commit.hpp). The ports' calls are in files of their own: sqlite_incidents.cpp,
// sqlite_postmortems.cpp, sqlite_jobs.cpp, sqlite_chat_log.cpp, and for GET /metrics
// sqlite_incident_stats.cpp and sqlite_queue_stats.cpp.
#include "storage/sqlite_store.hpp"

#include "storage/sqlite_connection.hpp"
#include "storage/sqlite_errors.hpp"
#include "storage/sqlite_migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <chrono>
#include <stdexcept>

namespace scribe::storage {
namespace {

// Long enough to ride out another process's write, short enough that a stuck lock is reported.
constexpr int busy_timeout_ms = 5000;

}  // namespace

sqlite_store::sqlite_store(const std::filesystem::path& file)
    : db_(std::make_unique<sqlite_connection>(file, busy_timeout_ms)) {
  auto& db = db_->db();
  db.exec("PRAGMA foreign_keys = ON");
  const std::string mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
  if (mode != "wal") {
    throw std::runtime_error(file.string() + ": cannot switch to WAL mode (got " + mode + ")");
  }
  // FULL: a transaction acknowledged to a chat platform must survive power loss, not just a crash.
  // Commit groups (begin_group) spread the cost of that fsync over every call in the group.
  db.exec("PRAGMA synchronous = FULL");
  apply_sqlite_migrations(db);
}

sqlite_store::~sqlite_store() = default;

void sqlite_store::ping() try {
  std::lock_guard lock(mutex_);
  // A write, not a read: a full disk, a read-only file or a lock held elsewhere leave reads
  // working while every request that records something fails. One row, rewritten in place.
  write_transaction tx(*db_);
  auto probe = db_->statement(
      "INSERT INTO health_checks (id, checked_at) VALUES (1, ?) "
      "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at");
  probe.bind(1, static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count()));
  probe.exec();
  tx.commit();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

void sqlite_store::begin_group() try {
  group_lock_.lock();
  try {
    db_->begin_group();
  } catch (...) {
    group_lock_.unlock();
    throw;
  }
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

void sqlite_store::commit_group() try {
  try {
    db_->commit_group();
  } catch (...) {
    rollback_group();
    throw;
  }
  group_lock_.unlock();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

void sqlite_store::rollback_group() noexcept {
  if (!group_lock_.owns_lock()) return;
  db_->rollback_group();
  group_lock_.unlock();
}

bool sqlite_store::group_open() {
  std::lock_guard lock(mutex_);
  return db_->group_open();
}

}  // namespace scribe::storage
