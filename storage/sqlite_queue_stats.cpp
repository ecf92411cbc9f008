// sqlite_store's queue statistics for monitoring (bot::job_queue::stats), in their own file because
// only GET /metrics uses them.
#include "storage/sqlite_store.hpp"

#include "storage/shared_sql.hpp"
#include "storage/sqlite_connection.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace scribe::storage {

std::vector<bot::queue_stats> sqlite_store::stats() {
  std::lock_guard lock(mutex_);
  // Neither query scans the jobs table, which keeps done jobs for ever: the names come from the
  // unique index, the counts from the partial index of pending jobs, whose size the inbox limit
  // bounds.
  auto names = db_->statement(shared_sql::queue_names);
  std::vector<bot::queue_stats> found;
  while (names.executeStep()) {
    bot::queue_stats one;
    one.queue = names.getColumn(0).getString();
    found.push_back(std::move(one));
  }
  auto pending = db_->statement(
      "SELECT COUNT(*), MIN(created_at) FROM jobs "
      "WHERE queue = ? AND state = 'pending'");
  for (auto& queue : found) {
    pending.bind(1, queue.queue);
    if (pending.executeStep()) {
      queue.pending = pending.getColumn(0).getInt64();
      if (!pending.getColumn(1).isNull()) {
        queue.oldest_pending = bot::from_unix_micros(pending.getColumn(1).getInt64());
      }
    }
    pending.reset();
  }
  return found;
}

}  // namespace scribe::storage
