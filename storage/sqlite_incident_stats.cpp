// sqlite_store's incident totals for monitoring (bot::incident_store::counts), in their own file
// because only GET /metrics uses them.
#include "storage/sqlite_store.hpp"

#include "storage/sqlite_connection.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace scribe::storage {

bot::incident_counts sqlite_store::counts() {
  std::lock_guard lock(mutex_);
  bot::incident_counts totals;
  // Open incidents: the partial unique index of open incidents (one per channel) holds exactly
  // them, so this counts index entries, not incidents.
  auto open = db_->statement("SELECT COUNT(*) FROM incidents WHERE status = 'open'");
  if (open.executeStep()) totals.open = open.getColumn(0).getInt64();
  // Entries ever recorded: timeline_entries is AUTOINCREMENT, so sqlite_sequence holds the largest
  // id ever given, which only grows (a rolled-back insert rolls it back too). One row read instead
  // of counting the timeline, and a counter rather than a gauge: what a monitor wants to know is
  // whether the bot is still recording. No row yet: nothing was ever recorded.
  auto recorded = db_->statement("SELECT seq FROM sqlite_sequence WHERE name = 'timeline_entries'");
  if (recorded.executeStep()) totals.entries_recorded = recorded.getColumn(0).getInt64();
  return totals;
}

}  // namespace scribe::storage
