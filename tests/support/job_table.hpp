#pragma once
// Reads the job table of a test's SQLite file through a connection of its own, while Scribe's
// workers run on another thread: what a queue holds, and waiting until a job was tried or a queue
// has drained. Waits poll for up to 20 s (a sanitizer build on a busy machine), ending as soon as
// the condition holds.

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>

namespace scribe::test_support {

// `column` (or an SQL expression over the row) of the job `key` of `queue`; "<no job>" when there
// is none, "<null>" for NULL.
inline std::string job_column(const std::filesystem::path& db_file, std::string_view queue,
                              std::string_view key, std::string_view column) {
  SQLite::Database db(db_file.string());
  SQLite::Statement q(db, "SELECT " + std::string(column) + " FROM jobs WHERE queue = ? AND key = ?");
  q.bind(1, std::string(queue));
  q.bind(2, std::string(key));
  if (!q.executeStep()) return "<no job>";
  return q.getColumn(0).isNull() ? "<null>" : q.getColumn(0).getString();
}

// Waits until the job `key` of `queue` is leased by nobody and has been tried `attempts` times.
inline bool wait_tried(const std::filesystem::path& db_file, std::string_view queue,
                       std::string_view key, int attempts) {
  for (int i = 0; i < 2000; ++i) {
    // One query for both columns: read apart, a claim between the two reads would look like a
    // finished try.
    if (job_column(db_file, queue, key, "CASE WHEN lease_until IS NULL THEN attempts ELSE -1 END") ==
        std::to_string(attempts)) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Waits until no job of any queue is pending.
inline bool wait_no_pending(const std::filesystem::path& db_file) {
  for (int i = 0; i < 2000; ++i) {
    SQLite::Database db(db_file.string());
    if (db.execAndGet("SELECT COUNT(*) FROM jobs WHERE state = 'pending'").getInt() == 0) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace scribe::test_support
