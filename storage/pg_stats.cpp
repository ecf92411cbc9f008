// pg_store's totals for monitoring (incident_store::counts, job_queue::stats), in their own file
// because only GET /metrics uses them.

#include "storage/pg_connection.hpp"
#include "storage/pg_store.hpp"
#include "storage/shared_sql.hpp"

namespace scribe::storage {

bot::incident_counts pg_store::counts() {
  auto db = pool_->acquire();
  bot::incident_counts totals;
  totals.open = db->exec("SELECT COUNT(*) FROM incidents WHERE status = 'open'").int64(0, 0);
  // Entries ever recorded: the identity's sequence only grows (as SQLite's sqlite_sequence), but
  // unlike it a rolled-back insert keeps its number, so this may run ahead of the rows stored: a
  // counter for a monitor's rate, not an exact total.
  auto recorded = db->exec(
      "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM timeline_entries_id_seq");
  totals.entries_recorded = recorded.int64(0, 0);
  return totals;
}

std::vector<bot::queue_stats> pg_store::stats() {
  auto db = pool_->acquire();
  // Neither query scans the jobs table (see shared_sql::queue_names); the counts come from the
  // partial index of pending jobs.
  auto names = db->exec(shared_sql::queue_names);
  std::vector<bot::queue_stats> found;
  for (int r = 0; r < names.size(); ++r) {
    bot::queue_stats one;
    one.queue = names.text(r, 0);
    auto pending = db->exec(
        "SELECT COUNT(*), MIN(created_at) FROM jobs WHERE queue = $1 AND state = 'pending'",
        pg_params().add(one.queue));
    one.pending = pending.int64(0, 0);
    if (!pending.is_null(0, 1)) one.oldest_pending = bot::from_unix_micros(pending.int64(0, 1));
    found.push_back(std::move(one));
  }
  return found;
}

}  // namespace scribe::storage
