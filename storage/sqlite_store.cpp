#include "storage/sqlite_store.hpp"

#include "storage/sqlite_migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <stdexcept>

namespace scribe::storage {
namespace {

using bot::errc;

// Long enough to ride out another process's write, short enough that a stuck lock is reported.
constexpr int busy_timeout_ms = 5000;

constexpr const char* incident_columns =
    "id, number, platform, workspace, channel, title, severity, status, summary, opened_by_id, "
    "opened_by_name, opened_at, closed_by_id, closed_by_name, closed_at";

constexpr const char* entry_columns =
    "id, incident_id, occurred_at, recorded_at, author_id, author_name, text, source, message_ref, "
    "link";

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

sqlite_store::sqlite_store(const std::filesystem::path& file) {
  try {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    db_ = std::make_unique<SQLite::Database>(
        file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, busy_timeout_ms);
  } catch (const std::exception& e) {
    // SQLite's own message ("unable to open database file") does not say which file.
    throw std::runtime_error(file.string() + ": " + e.what());
  }
  db_->exec("PRAGMA foreign_keys = ON");
  const std::string mode = db_->execAndGet("PRAGMA journal_mode = WAL").getString();
  if (mode != "wal") {
    throw std::runtime_error(file.string() + ": cannot switch to WAL mode (got " + mode + ")");
  }
  // FULL: a transaction acknowledged to a chat platform must survive power loss, not just a crash.
  db_->exec("PRAGMA synchronous = FULL");
  apply_sqlite_migrations(*db_);
}

sqlite_store::~sqlite_store() = default;

std::optional<bot::incident> sqlite_store::load_incident(std::int64_t id) {
  SQLite::Statement query(
      *db_, std::string("SELECT ") + incident_columns + " FROM incidents WHERE id = ?");
  query.bind(1, id);
  if (!query.executeStep()) return std::nullopt;
  return read_incident(query);
}

bot::recorded_entry sqlite_store::insert_entry(std::int64_t incident_id,
                                               const bot::entry_draft& entry) {
  // ON CONFLICT on the unique key: a flag delivered twice, even by two processes at once, is
  // stored once, and the first one wins.
  SQLite::Statement insert(*db_,
                           "INSERT INTO timeline_entries (incident_id, occurred_at, recorded_at, "
                           "author_id, author_name, text, source, message_ref, link) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT (incident_id, message_ref) DO NOTHING");
  insert.bind(1, incident_id);
  insert.bind(2, bot::to_unix_micros(entry.occurred_at));
  insert.bind(3, bot::to_unix_micros(entry.recorded_at));
  insert.bind(4, entry.author.id);
  insert.bind(5, entry.author.name);
  insert.bind(6, entry.text);
  insert.bind(7, std::string(bot::to_string(entry.source)));
  if (entry.message_ref) insert.bind(8, *entry.message_ref);
  insert.bind(9, entry.link);
  const bool inserted = insert.exec() == 1;

  SQLite::Statement select(*db_, std::string("SELECT ") + entry_columns +
                                     (inserted ? " FROM timeline_entries WHERE id = ?"
                                               : " FROM timeline_entries WHERE incident_id = ? "
                                                 "AND message_ref = ?"));
  if (inserted) {
    select.bind(1, db_->getLastInsertRowid());
  } else {
    select.bind(1, incident_id);
    select.bind(2, *entry.message_ref);  // only a reference can conflict
  }
  if (!select.executeStep())
    throw std::logic_error("timeline entry vanished inside its transaction");
  return {read_entry(select), inserted};
}

bot::result<bot::incident> sqlite_store::open_incident(const bot::new_incident& fields,
                                                       const bot::entry_draft& opened_entry) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  // The next number is computed inside the write transaction: no other writer can take it.
  SQLite::Statement insert(
      *db_,
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
  const std::int64_t id = db_->getLastInsertRowid();
  insert_entry(id, opened_entry);
  auto inc = load_incident(id);
  tx.commit();
  return std::move(*inc);
}

std::optional<bot::incident> sqlite_store::find_open_incident(const bot::channel_ref& channel) {
  std::lock_guard lock(mutex_);
  SQLite::Statement query(*db_, std::string("SELECT ") + incident_columns +
                                    " FROM incidents WHERE platform = ? AND workspace = ? AND "
                                    "channel = ? AND status = 'open'");
  query.bind(1, channel.platform);
  query.bind(2, channel.workspace);
  query.bind(3, channel.channel);
  if (!query.executeStep()) return std::nullopt;
  return read_incident(query);
}

std::optional<bot::incident> sqlite_store::find_incident(std::int64_t id) {
  std::lock_guard lock(mutex_);
  return load_incident(id);
}

bot::result<bot::incident> sqlite_store::apply_to_open_incident(SQLite::Transaction& tx,
                                                                SQLite::Statement& update,
                                                                std::int64_t id,
                                                                const bot::entry_draft& entry) {
  if (update.exec() == 0) {
    return load_incident(id) ? errc::no_open_incident : errc::incident_not_found;
  }
  insert_entry(id, entry);
  auto inc = load_incident(id);
  tx.commit();
  return std::move(*inc);
}

bot::result<bot::incident> sqlite_store::set_severity(std::int64_t id, int severity,
                                                      const bot::entry_draft& entry) {
  if (severity < bot::min_severity || severity > bot::max_severity) return errc::invalid_argument;
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  SQLite::Statement update(*db_,
                           "UPDATE incidents SET severity = ? WHERE id = ? AND status = 'open'");
  update.bind(1, severity);
  update.bind(2, id);
  return apply_to_open_incident(tx, update, id, entry);
}

bot::result<bot::incident> sqlite_store::close_incident(std::int64_t id,
                                                        const bot::person& closed_by,
                                                        bot::timestamp closed_at,
                                                        const std::string& summary,
                                                        const bot::entry_draft& entry) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  // Conditional on 'open': of two concurrent closes exactly one changes the row.
  SQLite::Statement update(*db_,
                           "UPDATE incidents SET status = 'closed', summary = ?, closed_by_id = ?, "
                           "closed_by_name = ?, closed_at = ? WHERE id = ? AND status = 'open'");
  update.bind(1, summary);
  update.bind(2, closed_by.id);
  update.bind(3, closed_by.name);
  update.bind(4, bot::to_unix_micros(closed_at));
  update.bind(5, id);
  return apply_to_open_incident(tx, update, id, entry);
}

bot::result<bot::recorded_entry> sqlite_store::add_entry(std::int64_t incident_id,
                                                         const bot::entry_draft& entry) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  if (!load_incident(incident_id)) return errc::incident_not_found;
  auto recorded = insert_entry(incident_id, entry);
  tx.commit();
  return recorded;
}

std::vector<bot::timeline_entry> sqlite_store::timeline(std::int64_t incident_id) {
  std::lock_guard lock(mutex_);
  SQLite::Statement query(*db_, std::string("SELECT ") + entry_columns +
                                    " FROM timeline_entries WHERE incident_id = ? "
                                    "ORDER BY occurred_at, id");
  query.bind(1, incident_id);
  std::vector<bot::timeline_entry> entries;
  while (query.executeStep()) entries.push_back(read_entry(query));
  return entries;
}

std::int64_t sqlite_store::timeline_size(std::int64_t incident_id) {
  std::lock_guard lock(mutex_);
  SQLite::Statement query(*db_, "SELECT COUNT(*) FROM timeline_entries WHERE incident_id = ?");
  query.bind(1, incident_id);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

bot::result<bot::recorded_entry> sqlite_store::flag_entry(std::int64_t incident_id,
                                                          const bot::entry_draft& entry,
                                                          const std::string& flagged_by) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  if (!load_incident(incident_id)) return errc::incident_not_found;
  auto recorded = insert_entry(incident_id, entry);
  SQLite::Statement flag(*db_,
                         "INSERT INTO entry_flags (entry_id, flagged_by) VALUES (?, ?) "
                         "ON CONFLICT DO NOTHING");
  flag.bind(1, recorded.entry.id);
  flag.bind(2, flagged_by);
  flag.exec();
  tx.commit();
  return recorded;
}

bool sqlite_store::add_flag(std::int64_t incident_id, const std::string& message_ref,
                            const std::string& flagged_by) {
  std::lock_guard lock(mutex_);
  // One statement: the entry cannot vanish between finding it and flagging it.
  SQLite::Statement flag(*db_,
                         "INSERT INTO entry_flags (entry_id, flagged_by) SELECT id, ? FROM "
                         "timeline_entries WHERE incident_id = ? AND message_ref = ? "
                         "ON CONFLICT DO NOTHING");
  flag.bind(1, flagged_by);
  flag.bind(2, incident_id);
  flag.bind(3, message_ref);
  if (flag.exec() == 1) return true;
  SQLite::Statement exists(
      *db_, "SELECT 1 FROM timeline_entries WHERE incident_id = ? AND message_ref = ?");
  exists.bind(1, incident_id);
  exists.bind(2, message_ref);
  return exists.executeStep();
}

std::vector<bot::timeline_entry> sqlite_store::entries_for_message(const bot::channel_ref& channel,
                                                                   const std::string& message_ref) {
  SQLite::Statement query(
      *db_, std::string("SELECT ") + entry_columns +
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
  SQLite::Statement remove(*db_, "DELETE FROM timeline_entries WHERE id = ?");
  remove.bind(1, entry_id);
  remove.exec();
}

bot::result<std::optional<bot::timeline_entry>> sqlite_store::unflag_entry(
    const bot::channel_ref& channel, const std::string& message_ref,
    const std::string& flagged_by) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  bool had_flag = false;
  std::optional<bot::timeline_entry> removed;
  for (const auto& entry : entries_for_message(channel, message_ref)) {
    SQLite::Statement unflag(*db_, "DELETE FROM entry_flags WHERE entry_id = ? AND flagged_by = ?");
    unflag.bind(1, entry.id);
    unflag.bind(2, flagged_by);
    if (unflag.exec() == 0) continue;
    had_flag = true;
    SQLite::Statement left(*db_, "SELECT COUNT(*) FROM entry_flags WHERE entry_id = ?");
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
}

std::int64_t sqlite_store::update_entry_text(const bot::channel_ref& channel,
                                             const std::string& message_ref,
                                             const std::string& text) {
  std::lock_guard lock(mutex_);
  SQLite::Statement update(*db_,
                           "UPDATE timeline_entries SET text = ? WHERE message_ref = ? AND "
                           "incident_id IN (SELECT id FROM incidents WHERE platform = ? AND "
                           "workspace = ? AND channel = ?)");
  update.bind(1, text);
  update.bind(2, message_ref);
  update.bind(3, channel.platform);
  update.bind(4, channel.workspace);
  update.bind(5, channel.channel);
  return update.exec();
}

std::vector<bot::timeline_entry> sqlite_store::remove_entries(const bot::channel_ref& channel,
                                                              const std::string& message_ref) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  auto entries = entries_for_message(channel, message_ref);
  for (const auto& entry : entries) delete_entry(entry.id);
  tx.commit();
  return entries;
}

void sqlite_store::ping() {
  std::lock_guard lock(mutex_);
  // A real table rather than a constant, so the check goes through the pager to the file.
  db_->execAndGet("SELECT MAX(version) FROM schema_migrations");
}

}  // namespace scribe::storage

namespace scribe::storage {

bool sqlite_store::enqueue(std::string_view queue, std::string_view key, std::string_view payload,
                           bot::timestamp now) {
  std::lock_guard lock(mutex_);
  SQLite::Statement insert(*db_,
                           "INSERT INTO jobs (queue, key, payload, run_after, created_at) "
                           "VALUES (?, ?, ?, ?, ?) ON CONFLICT (queue, key) DO NOTHING");
  insert.bind(1, std::string(queue));
  insert.bind(2, std::string(key));
  insert.bind(3, std::string(payload));
  insert.bind(4, bot::to_unix_micros(now));
  insert.bind(5, bot::to_unix_micros(now));
  return insert.exec() == 1;
}

std::optional<bot::job> sqlite_store::claim(std::string_view queue, bot::timestamp now,
                                            std::chrono::microseconds lease) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  // One statement picks and leases, so two claimers can never take the same job.
  SQLite::Statement take(*db_,
                         "UPDATE jobs SET lease_until = ?1, attempts = attempts + 1 WHERE id = ("
                         "SELECT id FROM jobs WHERE queue = ?2 AND state = 'pending' AND "
                         "run_after <= ?3 AND (lease_until IS NULL OR lease_until <= ?3) "
                         "ORDER BY run_after, id LIMIT 1) "
                         "RETURNING id, queue, key, payload, attempts, created_at");
  take.bind(1, bot::to_unix_micros(now + lease));
  take.bind(2, std::string(queue));
  take.bind(3, bot::to_unix_micros(now));
  std::optional<bot::job> claimed;
  if (take.executeStep()) {
    claimed = bot::job{
        take.getColumn(0).getInt64(),  take.getColumn(1).getString(),
        take.getColumn(2).getString(), take.getColumn(3).getString(),
        take.getColumn(4).getInt(),    bot::from_unix_micros(take.getColumn(5).getInt64())};
  }
  take.reset();
  tx.commit();
  return claimed;
}

void sqlite_store::complete(std::int64_t id, bot::timestamp now) {
  std::lock_guard lock(mutex_);
  SQLite::Statement done(*db_,
                         "UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = ? "
                         "WHERE id = ?");
  done.bind(1, bot::to_unix_micros(now));
  done.bind(2, id);
  done.exec();
}

void sqlite_store::retry_later(std::int64_t id, bot::timestamp run_after, std::string_view error) {
  std::lock_guard lock(mutex_);
  SQLite::Statement later(*db_,
                          "UPDATE jobs SET run_after = ?, lease_until = NULL, last_error = ? "
                          "WHERE id = ? AND state = 'pending'");
  later.bind(1, bot::to_unix_micros(run_after));
  later.bind(2, std::string(error));
  later.bind(3, id);
  later.exec();
}

void sqlite_store::give_up(std::int64_t id, bot::timestamp now, std::string_view error) {
  std::lock_guard lock(mutex_);
  SQLite::Statement failed(*db_,
                           "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = ?, "
                           "finished_at = ? WHERE id = ?");
  failed.bind(1, std::string(error));
  failed.bind(2, bot::to_unix_micros(now));
  failed.bind(3, id);
  failed.exec();
}

std::int64_t sqlite_store::pending(std::string_view queue) {
  std::lock_guard lock(mutex_);
  SQLite::Statement count(*db_, "SELECT COUNT(*) FROM jobs WHERE queue = ? AND state = 'pending'");
  count.bind(1, std::string(queue));
  count.executeStep();
  return count.getColumn(0).getInt64();
}

}  // namespace scribe::storage
