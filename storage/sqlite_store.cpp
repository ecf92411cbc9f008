#include "storage/sqlite_store.hpp"

#include "storage/shared_sql.hpp"
#include "storage/sqlite_connection.hpp"
#include "storage/sqlite_errors.hpp"
#include "storage/sqlite_migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <sqlite3.h>
#include <algorithm>
#include <limits>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <tuple>

namespace scribe::storage {
namespace {

using bot::errc;

// Long enough to ride out another process's write, short enough that a stuck lock is reported.
constexpr int busy_timeout_ms = 5000;

using shared_sql::answer_columns;
using shared_sql::draft_columns;
using shared_sql::entry_columns;
using shared_sql::incident_columns;

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

bot::postmortem_answer read_answer(SQLite::Statement& row) {
  bot::postmortem_answer a;
  a.id = row.getColumn(0).getInt64();
  a.incident_id = row.getColumn(1).getInt64();
  a.question_id = row.getColumn(2).getString();
  a.author = {row.getColumn(3).getString(), row.getColumn(4).getString()};
  a.answered_at = bot::from_unix_micros(row.getColumn(5).getInt64());
  a.text = row.getColumn(6).getString();
  // The CHECK constraint admits only the values parse knows.
  a.source = bot::parse_answer_source(row.getColumn(7).getString()).value();
  a.answer_ref = row.getColumn(8).getString();
  return a;
}

bot::stored_draft read_draft(SQLite::Statement& row) {
  bot::stored_draft d;
  d.incident_id = row.getColumn(0).getInt64();
  d.version = row.getColumn(1).getInt();
  d.drafted_at = bot::from_unix_micros(row.getColumn(2).getInt64());
  d.request_key = row.getColumn(3).getString();
  d.markdown = row.getColumn(4).getString();
  d.content_digest = row.getColumn(5).getString();
  return d;
}

// Scopes a statement to the incidents of one channel; binds ?1..?3 with bind_channel.
constexpr const char* in_channel_incidents =
    "incident_id IN (SELECT id FROM incidents WHERE platform = ?1 AND workspace = ?2 AND "
    "channel = ?3)";

void bind_channel(SQLite::Statement& statement, const bot::channel_ref& channel) {
  statement.bind(1, channel.platform);
  statement.bind(2, channel.workspace);
  statement.bind(3, channel.channel);
}

// The one way a job row is written, so that a follow-up stored with another change is the same
// job as one enqueued alone, and de-duplicates against it.
bool insert_job(sqlite_connection& db, std::string_view queue, std::string_view key,
                std::string_view payload, bot::timestamp run_after, bot::timestamp created_at) {
  auto insert = db.statement(
      "INSERT INTO jobs (queue, key, payload, run_after, created_at) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (queue, key) DO NOTHING");
  insert.bind(1, std::string(queue));
  insert.bind(2, std::string(key));
  insert.bind(3, std::string(payload));
  insert.bind(4, bot::to_unix_micros(run_after));
  insert.bind(5, bot::to_unix_micros(created_at));
  return insert.exec() == 1;
}

bool insert_job(sqlite_connection& db, const bot::follow_up& job, bot::timestamp created_at) {
  return insert_job(db, job.queue, job.key, job.payload, job.run_after, created_at);
}

bool is_unique_violation(const SQLite::Exception& e) {
  return e.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE;
}

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

namespace scribe::storage {

bool sqlite_store::enqueue(std::string_view queue, std::string_view key, std::string_view payload,
                           bot::timestamp now) try {
  std::lock_guard lock(mutex_);
  return insert_job(*db_, queue, key, payload, now, now);
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::vector<bot::job> sqlite_store::claim_batch(std::string_view queue, bot::timestamp now,
                                                std::chrono::microseconds lease,
                                                std::size_t limit) try {
  std::lock_guard lock(mutex_);
  write_transaction tx(*db_);
  // One statement picks and leases, so two claimers can never take the same job.
  auto take = db_->statement(
      "UPDATE jobs SET lease_until = ?1, attempts = attempts + 1 WHERE id IN ("
      "SELECT id FROM jobs WHERE queue = ?2 AND state = 'pending' AND "
      "run_after <= ?3 AND (lease_until IS NULL OR lease_until <= ?3) "
      "ORDER BY run_after, id LIMIT ?4) "
      "RETURNING id, queue, key, payload, attempts, created_at, run_after");
  take.bind(1, bot::to_unix_micros(now + lease));
  take.bind(2, std::string(queue));
  take.bind(3, bot::to_unix_micros(now));
  take.bind(4, static_cast<std::int64_t>(limit));
  std::vector<std::pair<std::int64_t, bot::job>> claimed;
  while (take.executeStep()) {
    claimed.emplace_back(
        take.getColumn(6).getInt64(),
        bot::job{take.getColumn(0).getInt64(), take.getColumn(1).getString(),
                 take.getColumn(2).getString(), take.getColumn(3).getString(),
                 take.getColumn(4).getInt(), bot::from_unix_micros(take.getColumn(5).getInt64())});
  }
  take.reset();
  tx.commit();
  // RETURNING gives rows in no promised order.
  std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.id) < std::tie(b.first, b.second.id);
  });
  std::vector<bot::job> jobs;
  jobs.reserve(claimed.size());
  for (auto& [run_after, job] : claimed) jobs.push_back(std::move(job));
  return jobs;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

void sqlite_store::complete(std::int64_t id, bot::timestamp now) try {
  std::lock_guard lock(mutex_);
  auto done = db_->statement(
      "UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = ? "
      "WHERE id = ?");
  done.bind(1, bot::to_unix_micros(now));
  done.bind(2, id);
  done.exec();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

void sqlite_store::retry_later(std::int64_t id, bot::timestamp run_after,
                               std::string_view error) try {
  std::lock_guard lock(mutex_);
  auto later = db_->statement(
      "UPDATE jobs SET run_after = ?, lease_until = NULL, last_error = ? "
      "WHERE id = ? AND state = 'pending'");
  later.bind(1, bot::to_unix_micros(run_after));
  later.bind(2, std::string(error));
  later.bind(3, id);
  later.exec();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

void sqlite_store::release(std::int64_t id) try {
  std::lock_guard lock(mutex_);
  auto release = db_->statement(
      "UPDATE jobs SET lease_until = NULL, attempts = MAX(attempts - 1, 0) "
      "WHERE id = ? AND state = 'pending' AND lease_until IS NOT NULL");
  release.bind(1, id);
  release.exec();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

void sqlite_store::give_up(std::int64_t id, bot::timestamp now, std::string_view error) try {
  std::lock_guard lock(mutex_);
  auto failed = db_->statement(
      "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = ?, "
      "finished_at = ? WHERE id = ?");
  failed.bind(1, std::string(error));
  failed.bind(2, bot::to_unix_micros(now));
  failed.bind(3, id);
  failed.exec();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::int64_t sqlite_store::pending(std::string_view queue) try {
  std::lock_guard lock(mutex_);
  auto count = db_->statement("SELECT COUNT(*) FROM jobs WHERE queue = ? AND state = 'pending'");
  count.bind(1, std::string(queue));
  count.executeStep();
  return count.getColumn(0).getInt64();
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

std::vector<bot::asked_question> sqlite_store::questions(std::int64_t incident_id) try {
  std::lock_guard lock(mutex_);
  auto query = db_->statement(
      "SELECT question_id, text, message_ref FROM postmortem_questions "
      "WHERE incident_id = ? ORDER BY position");
  query.bind(1, incident_id);
  std::vector<bot::asked_question> asked;
  while (query.executeStep()) {
    bot::asked_question q{query.getColumn(0).getString(), query.getColumn(1).getString(), {}};
    if (!query.getColumn(2).isNull()) q.message_ref = query.getColumn(2).getString();
    asked.push_back(std::move(q));
  }
  return asked;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

bot::result<void> sqlite_store::set_question_message(std::int64_t incident_id,
                                                     const std::string& question_id,
                                                     const std::string& message_ref) try {
  std::lock_guard lock(mutex_);
  auto update = db_->statement(
      "UPDATE postmortem_questions SET message_ref = ? "
      "WHERE incident_id = ? AND question_id = ?");
  update.bind(1, message_ref);
  update.bind(2, incident_id);
  update.bind(3, question_id);
  if (update.exec() == 0) return errc::entry_not_found;
  return {};
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::optional<bot::postmortem_store::question_ref> sqlite_store::find_question_by_message(
    const bot::channel_ref& channel, const std::string& message_ref) try {
  std::lock_guard lock(mutex_);
  // Message references are unique only within a platform's workspace (Slack's ts is per channel),
  // so the channel is part of the key. Newest incident first, should a reference ever repeat.
  auto query = db_->statement(std::string("SELECT incident_id, question_id FROM "
                                          "postmortem_questions WHERE message_ref = ?4 AND ") +
                              in_channel_incidents + " ORDER BY incident_id DESC LIMIT 1");
  bind_channel(query, channel);
  query.bind(4, message_ref);
  if (!query.executeStep()) return std::nullopt;
  return question_ref{query.getColumn(0).getInt64(), query.getColumn(1).getString()};
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

bot::result<bot::recorded_answer> sqlite_store::add_answer(
    std::int64_t incident_id, const bot::answer_draft& answer,
    const std::optional<bot::follow_up>& when_complete) try {
  std::lock_guard lock(mutex_);
  // IMMEDIATE: the write lock is held from the first read, so no other process can add an answer
  // between our insert and our count. Of concurrent answers that finish the set, exactly one sees
  // the count reach the total, and only it enqueues `when_complete`.
  write_transaction tx(*db_);
  if (!incident_exists(incident_id)) return errc::incident_not_found;
  auto asked = db_->statement(
      "SELECT 1 FROM postmortem_questions WHERE incident_id = ? AND question_id = ?");
  asked.bind(1, incident_id);
  asked.bind(2, answer.question_id);
  if (!asked.executeStep()) return errc::entry_not_found;

  auto insert = db_->statement(
      "INSERT INTO postmortem_answers (incident_id, question_id, author_id, "
      "author_name, answered_at, text, source, answer_ref) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (incident_id, answer_ref) DO NOTHING");
  insert.bind(1, incident_id);
  insert.bind(2, answer.question_id);
  insert.bind(3, answer.author.id);
  insert.bind(4, answer.author.name);
  insert.bind(5, bot::to_unix_micros(answer.answered_at));
  insert.bind(6, answer.text);
  insert.bind(7, std::string(bot::to_string(answer.source)));
  insert.bind(8, answer.answer_ref);
  const bool inserted = insert.exec() == 1;

  static const std::string select_sql = std::string("SELECT ") + answer_columns +
                                        " FROM postmortem_answers WHERE incident_id = ? AND "
                                        "answer_ref = ?";
  auto select = db_->statement(select_sql);
  select.bind(1, incident_id);
  select.bind(2, answer.answer_ref);
  if (!select.executeStep()) throw std::logic_error("answer vanished inside its transaction");
  bot::recorded_answer recorded{read_answer(select), inserted, false};
  if (!inserted) return recorded;  // nothing changed: nothing to commit

  // Complete when this is its question's first answer and no question is left without one: the
  // number of answered questions reached the number of questions with this insert.
  auto progress = db_->statement(
      "SELECT (SELECT COUNT(*) FROM postmortem_answers WHERE incident_id = ?1 AND "
      "question_id = ?2), (SELECT COUNT(*) FROM postmortem_questions q WHERE q.incident_id = ?1 "
      "AND NOT EXISTS (SELECT 1 FROM postmortem_answers a WHERE a.incident_id = q.incident_id AND "
      "a.question_id = q.question_id))");
  progress.bind(1, incident_id);
  progress.bind(2, answer.question_id);
  progress.executeStep();
  recorded.completed =
      progress.getColumn(0).getInt64() == 1 && progress.getColumn(1).getInt64() == 0;
  if (recorded.completed && when_complete) insert_job(*db_, *when_complete, answer.answered_at);
  tx.commit();
  return recorded;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::int64_t sqlite_store::update_answer_text(const bot::channel_ref& channel,
                                              const std::string& answer_ref,
                                              const std::string& text) try {
  std::lock_guard lock(mutex_);
  auto update =
      db_->statement(std::string("UPDATE postmortem_answers SET text = ?5 WHERE answer_ref = "
                                 "?4 AND ") +
                     in_channel_incidents);
  bind_channel(update, channel);
  update.bind(4, answer_ref);
  update.bind(5, text);
  return update.exec();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::int64_t sqlite_store::remove_answers(const bot::channel_ref& channel,
                                          const std::string& answer_ref) try {
  std::lock_guard lock(mutex_);
  auto remove =
      db_->statement(std::string("DELETE FROM postmortem_answers WHERE answer_ref = ?4 AND ") +
                     in_channel_incidents);
  bind_channel(remove, channel);
  remove.bind(4, answer_ref);
  return remove.exec();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::vector<bot::postmortem_answer> sqlite_store::answers(std::int64_t incident_id) try {
  std::lock_guard lock(mutex_);
  static const std::string query_sql = std::string("SELECT ") + answer_columns +
                                       " FROM postmortem_answers WHERE incident_id = ? "
                                       "ORDER BY answered_at, id";
  auto query = db_->statement(query_sql);
  query.bind(1, incident_id);
  std::vector<bot::postmortem_answer> found;
  while (query.executeStep()) found.push_back(read_answer(query));
  return found;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::optional<bot::stored_draft> sqlite_store::load_draft(std::int64_t incident_id,
                                                          const std::string& request_key) {
  static const std::string query_sql = std::string("SELECT ") + draft_columns +
                                       " FROM postmortem_drafts WHERE incident_id = ? AND "
                                       "request_key = ?";
  auto query = db_->statement(query_sql);
  query.bind(1, incident_id);
  query.bind(2, request_key);
  if (!query.executeStep()) return std::nullopt;
  return read_draft(query);
}

bot::result<bot::stored_draft> sqlite_store::save_draft(const bot::stored_draft& draft) try {
  std::lock_guard lock(mutex_);
  // IMMEDIATE: the latest version is read and the next taken under the write lock, so two
  // processes never store the same one; a job run twice finds its draft by request_key.
  write_transaction tx(*db_);
  if (auto existing = load_draft(draft.incident_id, draft.request_key)) return *existing;
  auto latest = db_->statement(
      "SELECT COALESCE(MAX(version), 0) FROM postmortem_drafts WHERE incident_id = ?");
  latest.bind(1, draft.incident_id);
  latest.executeStep();
  if (latest.getColumn(0).getInt() + 1 != draft.version) return bot::errc::not_ready_yet;
  auto insert = db_->statement(
      "INSERT INTO postmortem_drafts (incident_id, version, drafted_at, "
      "request_key, markdown, content_digest) VALUES (?, ?, ?, ?, ?, ?)");
  insert.bind(1, draft.incident_id);
  insert.bind(2, draft.version);
  insert.bind(3, bot::to_unix_micros(draft.drafted_at));
  insert.bind(4, draft.request_key);
  insert.bind(5, draft.markdown);
  insert.bind(6, draft.content_digest);
  insert.exec();
  tx.commit();
  return draft;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::optional<bot::stored_draft> sqlite_store::latest_draft(std::int64_t incident_id) try {
  std::lock_guard lock(mutex_);
  static const std::string query_sql = std::string("SELECT ") + draft_columns +
                                       " FROM postmortem_drafts WHERE incident_id = ? "
                                       "ORDER BY version DESC LIMIT 1";
  auto query = db_->statement(query_sql);
  query.bind(1, incident_id);
  if (!query.executeStep()) return std::nullopt;
  return read_draft(query);
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::optional<bot::stored_draft> sqlite_store::find_draft(std::int64_t incident_id,
                                                          const std::string& request_key) try {
  std::lock_guard lock(mutex_);
  return load_draft(incident_id, request_key);
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

}  // namespace scribe::storage
