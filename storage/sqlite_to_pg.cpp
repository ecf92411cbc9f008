#include "storage/sqlite_to_pg.hpp"

#include "storage/pg_connection.hpp"
#include "storage/pg_migrations.hpp"
#include "storage/sqlite_errors.hpp"
#include "storage/sqlite_store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <stdexcept>

namespace scribe::storage {
namespace {

struct table_copy {
  const char* name;
  const char* columns;
  const char* order;     // the primary key
  const char* identity;  // the column whose sequence continues after the copy; null: none
};

// Parents before children, so that foreign keys hold row by row; chat messages by id, so a thread
// root comes before its replies. health_checks is not copied: it holds only the last probe.
constexpr table_copy tables[] = {
    {"incidents",
     "id, platform, workspace, channel, number, title, severity, status, summary, opened_by_id, "
     "opened_by_name, opened_at, closed_by_id, closed_by_name, closed_at",
     "id", "id"},
    {"timeline_entries",
     "id, incident_id, occurred_at, recorded_at, author_id, author_name, text, source, "
     "message_ref, link",
     "id", "id"},
    {"entry_flags", "entry_id, flagged_by", "entry_id, flagged_by", nullptr},
    {"jobs",
     "id, queue, key, payload, state, attempts, run_after, lease_until, last_error, created_at, "
     "finished_at",
     "id", "id"},
    {"postmortem_questions", "incident_id, position, question_id, text, message_ref",
     "incident_id, question_id", nullptr},
    {"postmortem_answers",
     "id, incident_id, question_id, author_id, author_name, answered_at, text, source, answer_ref",
     "id", "id"},
    {"postmortem_drafts", "incident_id, version, drafted_at, request_key, markdown, content_digest",
     "incident_id, version", nullptr},
    {"chat_messages",
     "id, channel, thread_id, author_id, author_name, from_bot, visible_to, format, text, "
     "posted_at, post_key",
     "id", "id"},
    {"chat_reactions", "message_id, emoji, by_id, added", "added", "added"},
};

// One field in COPY's text format (PostgreSQL documentation, COPY, "Text Format"): \N is NULL,
// and backslash, tab, newline and carriage return are escaped.
void append_field(std::string& line, const SQLite::Column& column) {
  if (column.isNull()) {
    line += "\\N";
    return;
  }
  for (const char c : column.getString()) {
    switch (c) {
      case '\\': line += "\\\\"; break;
      case '\t': line += "\\t"; break;
      case '\n': line += "\\n"; break;
      case '\r': line += "\\r"; break;
      default: line += c;
    }
  }
}

std::int64_t copy_table(SQLite::Database& from, pg_connection& to, const table_copy& table) {
  SQLite::Statement rows(from, std::string("SELECT ") + table.columns + " FROM " + table.name +
                                   " ORDER BY " + table.order);
  std::int64_t copied = 0;
  to.copy_in(std::string("COPY ") + table.name + " (" + table.columns + ") FROM STDIN",
             [&](std::string& buffer) {
               if (!rows.executeStep()) return false;
               for (int i = 0; i < rows.getColumnCount(); ++i) {
                 if (i > 0) buffer += '\t';
                 append_field(buffer, rows.getColumn(i));
               }
               buffer += '\n';
               ++copied;
               return true;
             });
  if (table.identity) {
    to.run(std::string("SELECT setval(pg_get_serial_sequence('") + table.name + "', '" +
           table.identity + "'), (SELECT COALESCE(MAX(" + table.identity + "), 0) + 1 FROM " +
           table.name + "), false)");
  }
  return copied;
}

}  // namespace

copy_summary copy_sqlite_to_pg(const std::filesystem::path& sqlite_file,
                               const std::string& pg_url) try {
  if (!std::filesystem::is_regular_file(sqlite_file)) {
    throw copy_refused(sqlite_file.string() + ": no such SQLite database");
  }
  // Opening it as the store does brings an older file's schema up to date, so that both sides
  // have the same tables and columns.
  { sqlite_store migrate_first(sqlite_file); }
  SQLite::Database from(sqlite_file.string(), SQLite::OPEN_READONLY);

  pg_connection to(pg_url);
  apply_pg_migrations(to);
  pg_transaction tx(to);
  // Nobody else may write while we copy: another replica started too early would mix histories.
  to.run("LOCK TABLE incidents, timeline_entries, jobs, chat_messages IN EXCLUSIVE MODE");
  if (!to.exec("SELECT 1 FROM incidents UNION ALL SELECT 1 FROM jobs UNION ALL "
               "SELECT 1 FROM chat_messages LIMIT 1")
           .empty()) {
    throw copy_refused(
        "the PostgreSQL database holds Scribe data already: migrate copies into an empty one");
  }
  copy_summary summary;
  SQLite::Transaction snapshot(from);  // one consistent read of the whole file
  for (const auto& table : tables) summary.emplace_back(table.name, copy_table(from, to, table));
  to.run(
      "INSERT INTO incident_numbers (platform, workspace, last_number) "
      "SELECT platform, workspace, MAX(number) FROM incidents GROUP BY platform, workspace");
  tx.commit();
  return summary;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

}  // namespace scribe::storage
