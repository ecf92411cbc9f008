// sqlite_store's incidents and their timelines (bot::incident_store).
#include "storage/sqlite_store.hpp"

#include "storage/shared_sql.hpp"
#include "storage/sqlite_connection.hpp"
#include "storage/sqlite_errors.hpp"
#include "storage/sqlite_store_detail.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <sqlite3.h>

#include <algorithm>
#include <limits>

namespace scribe::storage {
namespace {

using bot::errc;
using shared_sql::entry_columns;
using shared_sql::incident_columns;
using sqlite_detail::bind_channel;
using sqlite_detail::insert_job;

bot::incident read_incident(SQLite::Statement& row) {
  bot::incident inc;
  inc.id = row.getColumn(0).getInt64();
  inc.number = row.getColumn(1).getInt64();
  inc.channel = {row.getColumn(2).getString(), row.getColumn(3).getString(),
                 row.getColumn(4).getString()};
  inc.title = row.getColumn(5).getString();
  if (!row.getColumn(6).isNull()) inc.severity = row.getColumn(6).getInt();
  // The CHECK constraint admits only these two values.
  inc.status = bot::parse_incident_status(row.getColumn(7).getString()).value();
  inc.summary = row.getColumn(8).getString();
  inc.opened_by = {row.getColumn(9).getString(), row.getColumn(10).getString()};
  inc.opened_at = bot::from_unix_micros(row.getColumn(11).getInt64());
  if (!row.getColumn(12).isNull()) {
    inc.closed_by = bot::person{row.getColumn(12).getString(), row.getColumn(13).getString()};
  }
  if (!row.getColumn(14).isNull())
    inc.closed_at = bot::from_unix_micros(row.getColumn(14).getInt64());
  return inc;
}

bot::timeline_entry read_entry(SQLite::Statement& row) {
  bot::timeline_entry e;
  e.id = row.getColumn(0).getInt64();
  e.incident_id = row.getColumn(1).getInt64();
  e.occurred_at = bot::from_unix_micros(row.getColumn(2).getInt64());
  e.recorded_at = bot::from_unix_micros(row.getColumn(3).getInt64());
  e.author = {row.getColumn(4).getString(), row.getColumn(5).getString()};
  e.text = row.getColumn(6).getString();
  e.source = bot::parse_entry_source(row.getColumn(7).getString()).value();
  if (!row.getColumn(8).isNull()) e.message_ref = row.getColumn(8).getString();
  e.link = row.getColumn(9).getString();
  return e;
}

bool is_unique_violation(const SQLite::Exception& e) {
  return e.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE;
}

}  // namespace

bool sqlite_store::incident_exists(std::int64_t id) {
  auto query = db_->statement("SELECT 1 FROM incidents WHERE id = ?");
  query.bind(1, id);
  return query.executeStep();
}

std::optional<bot::incident> sqlite_store::load_incident(std::int64_t id) {
  static const std::string query_sql =
      std::string("SELECT ") + incident_columns + " FROM incidents WHERE id = ?";
  auto query = db_->statement(query_sql);
  query.bind(1, id);
  if (!query.executeStep()) return std::nullopt;
  return read_incident(query);
}

bot::recorded_entry sqlite_store::insert_entry(std::int64_t incident_id,
                                               const bot::entry_draft& entry) {
  // A message is recorded once per incident: a flag delivered twice finds its entry. Looked up
  // before inserting, inside the write transaction (no other writer can come in between): an
  // INSERT that conflicted would still use up an AUTOINCREMENT id, and counts() reads the ids
  // given as the number of entries ever recorded.
  if (entry.message_ref) {
    static const std::string by_message = std::string("SELECT ") + entry_columns +
                                          " FROM timeline_entries WHERE incident_id = ? AND "
                                          "message_ref = ?";
    auto select = db_->statement(by_message);
    select.bind(1, incident_id);
    select.bind(2, *entry.message_ref);
    if (select.executeStep()) return {read_entry(select), false};
  }
  auto insert = db_->statement(
      "INSERT INTO timeline_entries (incident_id, occurred_at, recorded_at, "
      "author_id, author_name, text, source, message_ref, link) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, incident_id);
  insert.bind(2, bot::to_unix_micros(entry.occurred_at));
  insert.bind(3, bot::to_unix_micros(entry.recorded_at));
  insert.bind(4, entry.author.id);
  insert.bind(5, entry.author.name);
  insert.bind(6, entry.text);
  insert.bind(7, std::string(bot::to_string(entry.source)));
  if (entry.message_ref) insert.bind(8, *entry.message_ref);
  insert.bind(9, entry.link);
  insert.exec();
  // The row is the draft as given: no need to read it back.
  bot::timeline_entry stored;
  static_cast<bot::entry_draft&>(stored) = entry;
  stored.id = db_->last_insert_rowid();
  stored.incident_id = incident_id;
  return {std::move(stored), true};
}

bot::result<bot::incident> sqlite_store::open_incident(const bot::new_incident& fields,
                                                       const bot::entry_draft& opened_entry) try {
  std::lock_guard lock(mutex_);
  write_transaction tx(*db_);
  // The next number is computed inside the write transaction: no other writer can take it.
  auto insert = db_->statement(
      "INSERT INTO incidents (platform, workspace, channel, number, title, "
      "severity, status, opened_by_id, opened_by_name, opened_at) "
      "VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(number), 0) + 1 FROM incidents "
      "WHERE platform = ?1 AND workspace = ?2), ?4, ?5, 'open', ?6, ?7, ?8)");
  insert.bind(1, fields.channel.platform);
  insert.bind(2, fields.channel.workspace);
  insert.bind(3, fields.channel.channel);
  insert.bind(4, fields.title);
  if (fields.severity) insert.bind(5, *fields.severity);
  insert.bind(6, fields.opened_by.id);
  insert.bind(7, fields.opened_by.name);
  insert.bind(8, bot::to_unix_micros(fields.opened_at));
  try {
    insert.exec();
  } catch (const SQLite::Exception& e) {
    if (is_unique_violation(e)) return errc::incident_already_open;
    throw;
  }
  const std::int64_t id = db_->last_insert_rowid();
  insert_entry(id, opened_entry);
  auto inc = load_incident(id);
  tx.commit();
  return std::move(*inc);
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::optional<bot::incident> sqlite_store::find_open_incident(const bot::channel_ref& channel) try {
  std::lock_guard lock(mutex_);
  static const std::string query_sql = std::string("SELECT ") + incident_columns +
                                       " FROM incidents WHERE platform = ? AND workspace = ? AND "
                                       "channel = ? AND status = 'open'";
  auto query = db_->statement(query_sql);
  query.bind(1, channel.platform);
  query.bind(2, channel.workspace);
  query.bind(3, channel.channel);
  if (!query.executeStep()) return std::nullopt;
  return read_incident(query);
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::optional<bot::incident> sqlite_store::find_incident(std::int64_t id) try {
  std::lock_guard lock(mutex_);
  return load_incident(id);
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::optional<bot::incident> sqlite_store::find_incident_open_at(const bot::channel_ref& channel,
                                                                 bot::timestamp at) try {
  std::lock_guard lock(mutex_);
  static const std::string query_sql =
      std::string("SELECT ") + incident_columns +
      " FROM incidents WHERE platform = ?1 AND workspace = ?2 AND channel = ?3 AND "
      "opened_at <= ?4 AND (closed_at IS NULL OR closed_at > ?4) ORDER BY opened_at DESC, id DESC "
      "LIMIT 1";
  auto query = db_->statement(query_sql);
  bind_channel(query, channel);
  query.bind(4, bot::to_unix_micros(at));
  if (!query.executeStep()) return std::nullopt;
  return read_incident(query);
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::optional<bot::incident> sqlite_store::find_latest_incident(
    const bot::channel_ref& channel) try {
  std::lock_guard lock(mutex_);
  // The open incident first (at most one per channel), then the last closed; NULL closed_at only
  // belongs to the open one.
  static const std::string query_sql =
      std::string("SELECT ") + incident_columns +
      " FROM incidents WHERE platform = ?1 AND workspace = ?2 AND "
      "channel = ?3 ORDER BY status = 'open' DESC, closed_at DESC, "
      "id DESC LIMIT 1";
  auto query = db_->statement(query_sql);
  bind_channel(query, channel);
  if (!query.executeStep()) return std::nullopt;
  return read_incident(query);
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::vector<bot::incident> sqlite_store::find_incidents_by_number(std::int64_t number) try {
  std::lock_guard lock(mutex_);
  static const std::string query_sql =
      std::string("SELECT ") + incident_columns + " FROM incidents WHERE number = ? ORDER BY id";
  auto query = db_->statement(query_sql);
  query.bind(1, number);
  std::vector<bot::incident> found;
  while (query.executeStep()) found.push_back(read_incident(query));
  return found;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::vector<bot::incident> sqlite_store::list_incidents(const bot::incident_filter& filter) try {
  std::lock_guard lock(mutex_);
  static const std::string query_sql = std::string("SELECT ") + incident_columns +
                                       " FROM incidents WHERE (?1 IS NULL OR status = ?1) AND "
                                       "(opened_at, id) < (?3, ?4) "
                                       "ORDER BY opened_at DESC, id DESC LIMIT ?2";
  auto query = db_->statement(query_sql);
  if (filter.status) query.bind(1, std::string(bot::to_string(*filter.status)));
  query.bind(2, static_cast<std::int64_t>(filter.limit));
  query.bind(3, filter.before ? bot::to_unix_micros(filter.before->at)
                              : std::numeric_limits<std::int64_t>::max());
  query.bind(4, filter.before ? filter.before->id : std::numeric_limits<std::int64_t>::max());
  std::vector<bot::incident> found;
  while (query.executeStep()) found.push_back(read_incident(query));
  return found;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

bot::result<bot::incident> sqlite_store::apply_to_open_incident(SQLite::Statement& update,
                                                                std::int64_t id,
                                                                const bot::entry_draft& entry) {
  if (update.exec() == 0) {
    return load_incident(id) ? errc::no_open_incident : errc::incident_not_found;
  }
  insert_entry(id, entry);
  return std::move(*load_incident(id));
}

bot::result<bot::incident> sqlite_store::set_severity(std::int64_t id, int severity,
                                                      const bot::entry_draft& entry) try {
  if (severity < bot::min_severity || severity > bot::max_severity) return errc::invalid_argument;
  std::lock_guard lock(mutex_);
  write_transaction tx(*db_);
  auto update =
      db_->statement("UPDATE incidents SET severity = ? WHERE id = ? AND status = 'open'");
  update.bind(1, severity);
  update.bind(2, id);
  auto changed = apply_to_open_incident(update, id, entry);
  if (changed) tx.commit();
  return changed;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

bot::result<bot::incident> sqlite_store::close_incident(std::int64_t id,
                                                        const bot::incident_closure& closure) try {
  std::lock_guard lock(mutex_);
  write_transaction tx(*db_);
  // Conditional on 'open': of two concurrent closes exactly one changes the row, and only that
  // one goes on to store questions and follow-ups.
  auto update = db_->statement(
      "UPDATE incidents SET status = 'closed', summary = ?, closed_by_id = ?, "
      "closed_by_name = ?, closed_at = ? WHERE id = ? AND status = 'open'");
  update.bind(1, closure.summary);
  update.bind(2, closure.closed_by.id);
  update.bind(3, closure.closed_by.name);
  update.bind(4, bot::to_unix_micros(closure.closed_at));
  update.bind(5, id);
  auto closed = apply_to_open_incident(update, id, closure.entry);
  if (!closed) return closed;

  // A question id given twice is a configuration error; the primary key refuses it by throwing,
  // and the close is rolled back with it.
  auto ask = db_->statement(
      "INSERT INTO postmortem_questions (incident_id, position, question_id, "
      "text, message_ref) VALUES (?, ?, ?, ?, ?)");
  std::int64_t position = 0;
  for (const auto& question : closure.questions) {
    ask.bind(1, id);
    ask.bind(2, position++);
    ask.bind(3, question.id);
    ask.bind(4, question.text);
    if (question.message_ref) {
      ask.bind(5, *question.message_ref);
    } else {
      ask.bind(5);
    }
    ask.exec();
    ask.reset();
  }
  // In this transaction, so a crash cannot leave a closed incident whose postmortem never starts,
  // nor an "ask" job for an incident that is still open.
  for (const auto& job : closure.follow_ups) insert_job(*db_, job, closure.closed_at);
  tx.commit();
  return closed;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

bot::result<bot::recorded_entry> sqlite_store::add_entry(std::int64_t incident_id,
                                                         const bot::entry_draft& entry) try {
  std::lock_guard lock(mutex_);
  write_transaction tx(*db_);
  if (!incident_exists(incident_id)) return errc::incident_not_found;
  auto recorded = insert_entry(incident_id, entry);
  tx.commit();
  return recorded;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::vector<bot::timeline_entry> sqlite_store::timeline_page(
    std::int64_t incident_id, const std::optional<bot::page_cursor>& after, std::size_t limit) try {
  std::lock_guard lock(mutex_);
  // The row value walks the (incident_id, occurred_at, id) index from the cursor on.
  static const std::string query_sql = std::string("SELECT ") + entry_columns +
                                       " FROM timeline_entries WHERE incident_id = ?1 AND "
                                       "(occurred_at, id) > (?2, ?3) ORDER BY occurred_at, id "
                                       "LIMIT ?4";
  auto query = db_->statement(query_sql);
  query.bind(1, incident_id);
  query.bind(2, after ? bot::to_unix_micros(after->at) : std::numeric_limits<std::int64_t>::min());
  query.bind(3, after ? after->id : std::numeric_limits<std::int64_t>::min());
  query.bind(4, static_cast<std::int64_t>(limit));
  std::vector<bot::timeline_entry> entries;
  while (query.executeStep()) entries.push_back(read_entry(query));
  return entries;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::vector<bot::timeline_entry> sqlite_store::timeline_tail(std::int64_t incident_id,
                                                             std::size_t limit) try {
  std::lock_guard lock(mutex_);
  static const std::string query_sql = std::string("SELECT ") + entry_columns +
                                       " FROM timeline_entries WHERE incident_id = ? "
                                       "ORDER BY occurred_at DESC, id DESC LIMIT ?";
  auto query = db_->statement(query_sql);
  query.bind(1, incident_id);
  query.bind(2, static_cast<std::int64_t>(limit));
  std::vector<bot::timeline_entry> entries;
  while (query.executeStep()) entries.push_back(read_entry(query));
  std::reverse(entries.begin(), entries.end());
  return entries;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::vector<std::string> sqlite_store::timeline_authors(std::int64_t incident_id) try {
  std::lock_guard lock(mutex_);
  auto query = db_->statement(
      "SELECT DISTINCT author_id FROM timeline_entries WHERE incident_id = ? AND author_id <> ''");
  query.bind(1, incident_id);
  std::vector<std::string> authors;
  while (query.executeStep()) authors.push_back(query.getColumn(0).getString());
  return authors;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

bot::timeline_shape sqlite_store::shape(std::int64_t incident_id, bot::timestamp from,
                                        bot::timestamp to, std::size_t columns,
                                        std::chrono::microseconds min_quiet,
                                        std::size_t max_quiet) try {
  std::lock_guard lock(mutex_);
  bot::timeline_shape out;
  out.counts.assign(columns, 0);
  if (columns == 0) return out;
  auto counts = db_->statement(shared_sql::shape_counts);
  counts.bind("$1", incident_id);
  counts.bind("$2", bot::to_unix_micros(from));
  counts.bind("$3", std::max<std::int64_t>((to - from).count(), 1));
  counts.bind("$4", static_cast<std::int64_t>(columns));
  while (counts.executeStep()) {
    const auto column = std::clamp<std::int64_t>(counts.getColumn(0).getInt64(), 0,
                                                 static_cast<std::int64_t>(columns) - 1);
    out.counts[static_cast<std::size_t>(column)] += counts.getColumn(1).getInt64();
  }
  if (max_quiet == 0) return out;
  auto quiet = db_->statement(shared_sql::quiet_stretches);
  quiet.bind("$1", incident_id);
  quiet.bind("$2", min_quiet.count());
  quiet.bind("$3", static_cast<std::int64_t>(max_quiet));
  while (quiet.executeStep()) {
    out.quiet.push_back({bot::from_unix_micros(quiet.getColumn(0).getInt64()),
                         bot::from_unix_micros(quiet.getColumn(1).getInt64())});
  }
  std::sort(
      out.quiet.begin(), out.quiet.end(),
      [](const bot::quiet_stretch& a, const bot::quiet_stretch& b) { return a.from < b.from; });
  return out;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::int64_t sqlite_store::timeline_size(std::int64_t incident_id) try {
  std::lock_guard lock(mutex_);
  auto query = db_->statement("SELECT COUNT(*) FROM timeline_entries WHERE incident_id = ?");
  query.bind(1, incident_id);
  query.executeStep();
  return query.getColumn(0).getInt64();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

bot::result<bot::recorded_entry> sqlite_store::flag_entry(std::int64_t incident_id,
                                                          const bot::entry_draft& entry,
                                                          const std::string& flagged_by) try {
  std::lock_guard lock(mutex_);
  write_transaction tx(*db_);
  if (!incident_exists(incident_id)) return errc::incident_not_found;
  auto recorded = insert_entry(incident_id, entry);
  auto flag = db_->statement(
      "INSERT INTO entry_flags (entry_id, flagged_by) VALUES (?, ?) "
      "ON CONFLICT DO NOTHING");
  flag.bind(1, recorded.entry.id);
  flag.bind(2, flagged_by);
  flag.exec();
  tx.commit();
  return recorded;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::optional<std::int64_t> sqlite_store::add_flag(std::int64_t incident_id,
                                                   const std::string& message_ref,
                                                   const std::string& flagged_by) try {
  std::lock_guard lock(mutex_);
  // One transaction: the entry cannot vanish between finding it and flagging it.
  write_transaction tx(*db_);
  auto find =
      db_->statement("SELECT id FROM timeline_entries WHERE incident_id = ? AND message_ref = ?");
  find.bind(1, incident_id);
  find.bind(2, message_ref);
  if (!find.executeStep()) return std::nullopt;
  const std::int64_t entry_id = find.getColumn(0).getInt64();
  auto flag = db_->statement(
      "INSERT INTO entry_flags (entry_id, flagged_by) VALUES (?, ?) "
      "ON CONFLICT DO NOTHING");
  flag.bind(1, entry_id);
  flag.bind(2, flagged_by);
  flag.exec();
  tx.commit();
  return entry_id;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::vector<bot::timeline_entry> sqlite_store::entries_for_message(const bot::channel_ref& channel,
                                                                   const std::string& message_ref) {
  auto query = db_->statement(
      std::string("SELECT ") + entry_columns +
      " FROM timeline_entries WHERE message_ref = ? AND incident_id IN (SELECT id FROM "
      "incidents WHERE platform = ? AND workspace = ? AND channel = ?) ORDER BY id");
  query.bind(1, message_ref);
  query.bind(2, channel.platform);
  query.bind(3, channel.workspace);
  query.bind(4, channel.channel);
  std::vector<bot::timeline_entry> entries;
  while (query.executeStep()) entries.push_back(read_entry(query));
  return entries;
}

void sqlite_store::delete_entry(std::int64_t entry_id) {
  auto remove = db_->statement("DELETE FROM timeline_entries WHERE id = ?");
  remove.bind(1, entry_id);
  remove.exec();
}

bot::result<std::optional<bot::timeline_entry>> sqlite_store::unflag_entry(
    const bot::channel_ref& channel, const std::string& message_ref,
    const std::string& flagged_by) try {
  std::lock_guard lock(mutex_);
  write_transaction tx(*db_);
  bool had_flag = false;
  std::optional<bot::timeline_entry> removed;
  for (const auto& entry : entries_for_message(channel, message_ref)) {
    auto unflag = db_->statement("DELETE FROM entry_flags WHERE entry_id = ? AND flagged_by = ?");
    unflag.bind(1, entry.id);
    unflag.bind(2, flagged_by);
    if (unflag.exec() == 0) continue;
    had_flag = true;
    auto left = db_->statement("SELECT COUNT(*) FROM entry_flags WHERE entry_id = ?");
    left.bind(1, entry.id);
    left.executeStep();
    if (left.getColumn(0).getInt64() == 0) {
      delete_entry(entry.id);
      removed = entry;
    }
  }
  if (!had_flag) return errc::entry_not_found;
  tx.commit();
  return removed;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::optional<std::string> sqlite_store::find_flagged_message(const bot::channel_ref& channel,
                                                              const std::string& flagged_by) try {
  std::lock_guard lock(mutex_);
  auto query = db_->statement(
      "SELECT e.message_ref FROM entry_flags f JOIN timeline_entries e ON e.id = f.entry_id "
      "JOIN incidents i ON i.id = e.incident_id WHERE f.flagged_by = ? AND i.platform = ? AND "
      "i.workspace = ? AND i.channel = ? AND e.message_ref IS NOT NULL LIMIT 1");
  query.bind(1, flagged_by);
  query.bind(2, channel.platform);
  query.bind(3, channel.workspace);
  query.bind(4, channel.channel);
  if (!query.executeStep()) return std::nullopt;
  return query.getColumn(0).getString();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::int64_t sqlite_store::update_entry_text(const bot::channel_ref& channel,
                                             const std::string& message_ref,
                                             const std::string& text) try {
  std::lock_guard lock(mutex_);
  auto update = db_->statement(
      "UPDATE timeline_entries SET text = ? WHERE message_ref = ? AND "
      "incident_id IN (SELECT id FROM incidents WHERE platform = ? AND "
      "workspace = ? AND channel = ?)");
  update.bind(1, text);
  update.bind(2, message_ref);
  update.bind(3, channel.platform);
  update.bind(4, channel.workspace);
  update.bind(5, channel.channel);
  return update.exec();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::vector<bot::timeline_entry> sqlite_store::remove_entries(const bot::channel_ref& channel,
                                                              const std::string& message_ref) try {
  std::lock_guard lock(mutex_);
  write_transaction tx(*db_);
  auto entries = entries_for_message(channel, message_ref);
  for (const auto& entry : entries) delete_entry(entry.id);
  tx.commit();
  return entries;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

}  // namespace scribe::storage
