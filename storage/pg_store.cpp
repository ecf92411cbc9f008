#include "storage/pg_store.hpp"

#include "storage/pg_connection.hpp"
#include "storage/pg_migrations.hpp"
#include "storage/shared_sql.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <tuple>

namespace scribe::storage {
namespace {

using bot::errc;

using shared_sql::answer_columns;
using shared_sql::draft_columns;
using shared_sql::entry_columns;
using shared_sql::incident_columns;

bot::incident read_incident(const pg_rows& rows, int r) {
  bot::incident inc;
  inc.id = rows.int64(r, 0);
  inc.number = rows.int64(r, 1);
  inc.channel = {rows.text(r, 2), rows.text(r, 3), rows.text(r, 4)};
  inc.title = rows.text(r, 5);
  if (!rows.is_null(r, 6)) inc.severity = rows.int32(r, 6);
  // The CHECK constraint admits only these two values.
  inc.status = bot::parse_incident_status(rows.text(r, 7)).value();
  inc.summary = rows.text(r, 8);
  inc.opened_by = {rows.text(r, 9), rows.text(r, 10)};
  inc.opened_at = bot::from_unix_micros(rows.int64(r, 11));
  if (!rows.is_null(r, 12)) inc.closed_by = bot::person{rows.text(r, 12), rows.text(r, 13)};
  if (!rows.is_null(r, 14)) inc.closed_at = bot::from_unix_micros(rows.int64(r, 14));
  return inc;
}

std::vector<bot::incident> read_incidents(const pg_rows& rows) {
  std::vector<bot::incident> found;
  for (int r = 0; r < rows.size(); ++r) found.push_back(read_incident(rows, r));
  return found;
}

std::optional<bot::incident> first_incident(const pg_rows& rows) {
  if (rows.empty()) return std::nullopt;
  return read_incident(rows, 0);
}

bot::timeline_entry read_entry(const pg_rows& rows, int r) {
  bot::timeline_entry e;
  e.id = rows.int64(r, 0);
  e.incident_id = rows.int64(r, 1);
  e.occurred_at = bot::from_unix_micros(rows.int64(r, 2));
  e.recorded_at = bot::from_unix_micros(rows.int64(r, 3));
  e.author = {rows.text(r, 4), rows.text(r, 5)};
  e.text = rows.text(r, 6);
  e.source = bot::parse_entry_source(rows.text(r, 7)).value();
  e.message_ref = rows.optional_text(r, 8);
  e.link = rows.text(r, 9);
  return e;
}

std::vector<bot::timeline_entry> read_entries(const pg_rows& rows) {
  std::vector<bot::timeline_entry> found;
  for (int r = 0; r < rows.size(); ++r) found.push_back(read_entry(rows, r));
  return found;
}

bot::postmortem_answer read_answer(const pg_rows& rows, int r) {
  bot::postmortem_answer a;
  a.id = rows.int64(r, 0);
  a.incident_id = rows.int64(r, 1);
  a.question_id = rows.text(r, 2);
  a.author = {rows.text(r, 3), rows.text(r, 4)};
  a.answered_at = bot::from_unix_micros(rows.int64(r, 5));
  a.text = rows.text(r, 6);
  a.source = bot::parse_answer_source(rows.text(r, 7)).value();
  a.answer_ref = rows.text(r, 8);
  return a;
}

bot::stored_draft read_draft(const pg_rows& rows, int r) {
  bot::stored_draft d;
  d.incident_id = rows.int64(r, 0);
  d.version = rows.int32(r, 1);
  d.drafted_at = bot::from_unix_micros(rows.int64(r, 2));
  d.request_key = rows.text(r, 3);
  d.markdown = rows.text(r, 4);
  d.content_digest = rows.text(r, 5);
  return d;
}

std::optional<bot::stored_draft> first_draft(const pg_rows& rows) {
  if (rows.empty()) return std::nullopt;
  return read_draft(rows, 0);
}

std::string select_from(const char* columns, const char* rest) {
  return std::string("SELECT ") + columns + " " + rest;
}

// Scopes a statement to the incidents of one channel: $1..$3, bound by add_channel.
constexpr const char* in_channel_incidents =
    "incident_id IN (SELECT id FROM incidents WHERE platform = $1 AND workspace = $2 AND "
    "channel = $3)";

pg_params channel_params(const bot::channel_ref& channel) {
  pg_params params;
  params.add(channel.platform).add(channel.workspace).add(channel.channel);
  return params;
}

std::optional<bot::incident> load_incident(pg_connection& db, std::int64_t id) {
  static const std::string sql = select_from(incident_columns, "FROM incidents WHERE id = $1");
  return first_incident(db.exec(sql, pg_params().add(id)));
}

bool incident_exists(pg_connection& db, std::int64_t id) {
  return !db.exec("SELECT 1 FROM incidents WHERE id = $1", pg_params().add(id)).empty();
}

// Locks the incident's row for the rest of the transaction (false: no such incident). Calls that
// read and then write what depends on the read take this first, so that under READ COMMITTED a
// concurrent call on the same incident waits for our commit and then sees our change. NO KEY: the
// lock an UPDATE of the incident takes too, which leaves alone the inserts of timeline entries
// (their foreign key only needs the row to stay), so notes keep flowing meanwhile.
bool lock_incident(pg_connection& db, std::int64_t id) {
  return !db.exec("SELECT 1 FROM incidents WHERE id = $1 FOR NO KEY UPDATE", pg_params().add(id))
              .empty();
}

// The one way a job row is written (see sqlite_store's insert_job).
bool insert_job(pg_connection& db, std::string_view queue, std::string_view key,
                std::string_view payload, bot::timestamp run_after, bot::timestamp created_at) {
  return db.exec(
               "INSERT INTO jobs (queue, key, payload, run_after, created_at) "
               "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (queue, key) DO NOTHING",
               pg_params()
                   .add(queue)
                   .add(key)
                   .add(payload)
                   .add(bot::to_unix_micros(run_after))
                   .add(bot::to_unix_micros(created_at)))
             .affected() == 1;
}

bool insert_job(pg_connection& db, const bot::follow_up& job, bot::timestamp created_at) {
  return insert_job(db, job.queue, job.key, job.payload, job.run_after, created_at);
}

bot::recorded_entry insert_entry(pg_connection& db, std::int64_t incident_id,
                                 const bot::entry_draft& entry) {
  // ON CONFLICT on the unique key: a flag delivered to two replicas at once is stored once. The
  // second insert waits for the first's commit and then does nothing.
  //
  // The entry found instead is locked (KEY SHARE) until we commit, so that a flag added to it
  // cannot meet its foreign key gone. If the last flag was being taken back meanwhile, the lock
  // waits for that and finds the entry deleted; the message is then recorded anew.
  //
  // The entry is looked up before the insert too: an insert that conflicts still takes a value
  // of the id sequence, which counts() reads as the number of entries ever recorded. Only two
  // replicas recording the same message at the same moment still use up an id.
  static const std::string existing_sql =
      select_from(entry_columns,
                  "FROM timeline_entries WHERE incident_id = $1 AND message_ref = $2 "
                  "FOR KEY SHARE");
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (entry.message_ref) {
      auto existing = db.exec(existing_sql, pg_params().add(incident_id).add(entry.message_ref));
      if (!existing.empty()) return {read_entry(existing, 0), false};
    }
    auto inserted = db.exec(
        "INSERT INTO timeline_entries (incident_id, occurred_at, recorded_at, author_id, "
        "author_name, text, source, message_ref, link) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (incident_id, message_ref) DO NOTHING RETURNING id",
        pg_params()
            .add(incident_id)
            .add(bot::to_unix_micros(entry.occurred_at))
            .add(bot::to_unix_micros(entry.recorded_at))
            .add(entry.author.id)
            .add(entry.author.name)
            .add(entry.text)
            .add(bot::to_string(entry.source))
            .add(entry.message_ref)
            .add(entry.link));
    if (!inserted.empty()) {
      bot::timeline_entry stored;
      static_cast<bot::entry_draft&>(stored) = entry;
      stored.id = inserted.int64(0, 0);
      stored.incident_id = incident_id;
      return {std::move(stored), true};
    }
    auto existing = db.exec(existing_sql, pg_params().add(incident_id).add(entry.message_ref));
    if (!existing.empty()) return {read_entry(existing, 0), false};
  }
  // Each round, another transaction deleted the entry we clashed with: give up for now.
  throw bot::storage_unavailable("the timeline entry kept being removed while it was recorded");
}

void insert_flag(pg_connection& db, std::int64_t entry_id, const std::string& flagged_by) {
  db.exec("INSERT INTO entry_flags (entry_id, flagged_by) VALUES ($1, $2) ON CONFLICT DO NOTHING",
          pg_params().add(entry_id).add(flagged_by));
}

// Runs `update` (a statement that changes incident `id` only while it is open) and records
// `entry`, inside the caller's transaction. Nothing is recorded when the incident is closed or
// unknown.
bot::result<bot::incident> apply_to_open_incident(pg_connection& db, std::string_view update,
                                                  const pg_params& params, std::int64_t id,
                                                  const bot::entry_draft& entry) {
  if (db.exec(update, params).affected() == 0) {
    return load_incident(db, id) ? errc::no_open_incident : errc::incident_not_found;
  }
  insert_entry(db, id, entry);
  return std::move(*load_incident(db, id));
}

// The entries for a chat message in the channel's incidents, locked for the transaction.
std::vector<bot::timeline_entry> entries_for_message(pg_connection& db,
                                                     const bot::channel_ref& channel,
                                                     const std::string& message_ref) {
  static const std::string sql =
      select_from(entry_columns, "FROM timeline_entries WHERE message_ref = $4 AND ") +
      in_channel_incidents + " ORDER BY id FOR UPDATE";
  return read_entries(db.exec(sql, channel_params(channel).add(message_ref)));
}

std::optional<bot::stored_draft> load_draft(pg_connection& db, std::int64_t incident_id,
                                            const std::string& request_key) {
  static const std::string sql = select_from(
      draft_columns, "FROM postmortem_drafts WHERE incident_id = $1 AND request_key = $2");
  return first_draft(db.exec(sql, pg_params().add(incident_id).add(request_key)));
}

}  // namespace

pg_store::pg_store(const std::string& url, std::size_t connections)
    : pool_(std::make_unique<pg_pool>(url, connections)) {
  auto db = pool_->acquire();
  apply_pg_migrations(*db);
}

pg_store::~pg_store() = default;

bot::result<bot::incident> pg_store::open_incident(const bot::new_incident& fields,
                                                   const bot::entry_draft& opened_entry) {
  auto db = pool_->acquire();
  pg_transaction tx(*db);
  // The workspace's counter row is locked until we commit; a failed open rolls the number back.
  const std::int64_t number =
      db->exec(
            "INSERT INTO incident_numbers (platform, workspace, last_number) VALUES ($1, $2, 1) "
            "ON CONFLICT (platform, workspace) DO UPDATE SET last_number = "
            "incident_numbers.last_number + 1 RETURNING last_number",
            pg_params().add(fields.channel.platform).add(fields.channel.workspace))
          .int64(0, 0);
  std::int64_t id = 0;
  try {
    id = db->exec(
               "INSERT INTO incidents (platform, workspace, channel, number, title, severity, "
               "status, opened_by_id, opened_by_name, opened_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9) RETURNING id",
               pg_params()
                   .add(fields.channel.platform)
                   .add(fields.channel.workspace)
                   .add(fields.channel.channel)
                   .add(number)
                   .add(fields.title)
                   .add(fields.severity)
                   .add(fields.opened_by.id)
                   .add(fields.opened_by.name)
                   .add(bot::to_unix_micros(fields.opened_at)))
             .int64(0, 0);
  } catch (const pg_error& e) {
    if (e.unique_violation() && e.constraint() == "incidents_one_open_per_channel") {
      return errc::incident_already_open;
    }
    throw;
  }
  insert_entry(*db, id, opened_entry);
  auto inc = load_incident(*db, id);
  tx.commit();
  return std::move(*inc);
}

std::optional<bot::incident> pg_store::find_open_incident(const bot::channel_ref& channel) {
  static const std::string sql =
      select_from(incident_columns,
                  "FROM incidents WHERE platform = $1 AND workspace = $2 AND channel = $3 AND "
                  "status = 'open'");
  return first_incident(pool_->acquire()->exec(sql, channel_params(channel)));
}

std::optional<bot::incident> pg_store::find_incident_open_at(const bot::channel_ref& channel,
                                                             bot::timestamp at) {
  static const std::string sql = select_from(
      incident_columns,
      "FROM incidents WHERE platform = $1 AND workspace = $2 AND channel = $3 AND opened_at <= $4 "
      "AND (closed_at IS NULL OR closed_at > $4) ORDER BY opened_at DESC, id DESC LIMIT 1");
  return first_incident(
      pool_->acquire()->exec(sql, channel_params(channel).add(bot::to_unix_micros(at))));
}

std::optional<bot::incident> pg_store::find_incident(std::int64_t id) {
  auto db = pool_->acquire();
  return load_incident(*db, id);
}

std::optional<bot::incident> pg_store::find_latest_incident(const bot::channel_ref& channel) {
  // The open incident first, then the last closed (NULLS LAST: PostgreSQL sorts NULL first in
  // DESC, SQLite last).
  static const std::string sql =
      select_from(incident_columns,
                  "FROM incidents WHERE platform = $1 AND workspace = $2 AND channel = $3 "
                  "ORDER BY status = 'open' DESC, closed_at DESC NULLS LAST, id DESC LIMIT 1");
  return first_incident(pool_->acquire()->exec(sql, channel_params(channel)));
}

std::vector<bot::incident> pg_store::find_incidents_by_number(std::int64_t number) {
  static const std::string sql =
      select_from(incident_columns, "FROM incidents WHERE number = $1 ORDER BY id");
  return read_incidents(pool_->acquire()->exec(sql, pg_params().add(number)));
}

std::vector<bot::incident> pg_store::list_incidents(const bot::incident_filter& filter) {
  static const std::string sql =
      select_from(incident_columns,
                  "FROM incidents WHERE ($1::text IS NULL OR status = $1) AND "
                  "(opened_at, id) < ($3, $4) ORDER BY opened_at DESC, id DESC LIMIT $2");
  pg_params params;
  if (filter.status) {
    params.add(bot::to_string(*filter.status));
  } else {
    params.add_null();
  }
  params.add(static_cast<std::int64_t>(filter.limit));
  params.add(filter.before ? bot::to_unix_micros(filter.before->at)
                           : std::numeric_limits<std::int64_t>::max());
  params.add(filter.before ? filter.before->id : std::numeric_limits<std::int64_t>::max());
  return read_incidents(pool_->acquire()->exec(sql, params));
}

bot::result<bot::incident> pg_store::set_severity(std::int64_t id, int severity,
                                                  const bot::entry_draft& entry) {
  if (severity < bot::min_severity || severity > bot::max_severity) return errc::invalid_argument;
  auto db = pool_->acquire();
  pg_transaction tx(*db);
  auto changed = apply_to_open_incident(
      *db, "UPDATE incidents SET severity = $1 WHERE id = $2 AND status = 'open'",
      pg_params().add(severity).add(id), id, entry);
  if (changed) tx.commit();
  return changed;
}

bot::result<bot::incident> pg_store::close_incident(std::int64_t id,
                                                    const bot::incident_closure& closure) {
  auto db = pool_->acquire();
  pg_transaction tx(*db);
  // Conditional on 'open': a concurrent close waits for our row lock, re-reads the row, finds it
  // closed and changes nothing.
  auto closed = apply_to_open_incident(
      *db,
      "UPDATE incidents SET status = 'closed', summary = $1, closed_by_id = $2, "
      "closed_by_name = $3, closed_at = $4 WHERE id = $5 AND status = 'open'",
      pg_params()
          .add(closure.summary)
          .add(closure.closed_by.id)
          .add(closure.closed_by.name)
          .add(bot::to_unix_micros(closure.closed_at))
          .add(id),
      id, closure.entry);
  if (!closed) return closed;
  std::int64_t position = 0;
  for (const auto& question : closure.questions) {
    db->exec(
        "INSERT INTO postmortem_questions (incident_id, position, question_id, text, "
        "message_ref) VALUES ($1, $2, $3, $4, $5)",
        pg_params()
            .add(id)
            .add(position++)
            .add(question.id)
            .add(question.text)
            .add(question.message_ref));
  }
  for (const auto& job : closure.follow_ups) insert_job(*db, job, closure.closed_at);
  tx.commit();
  return closed;
}

bot::result<bot::recorded_entry> pg_store::add_entry(std::int64_t incident_id,
                                                     const bot::entry_draft& entry) {
  auto db = pool_->acquire();
  pg_transaction tx(*db);
  if (!incident_exists(*db, incident_id)) return errc::incident_not_found;
  auto recorded = insert_entry(*db, incident_id, entry);
  tx.commit();
  return recorded;
}

std::vector<bot::timeline_entry> pg_store::timeline_page(
    std::int64_t incident_id, const std::optional<bot::page_cursor>& after, std::size_t limit) {
  // The row value walks the (incident_id, occurred_at, id) index from the cursor on.
  static const std::string sql =
      select_from(entry_columns,
                  "FROM timeline_entries WHERE incident_id = $1 AND (occurred_at, id) > ($2, $3) "
                  "ORDER BY occurred_at, id LIMIT $4");
  return read_entries(pool_->acquire()->exec(
      sql,
      pg_params()
          .add(incident_id)
          .add(after ? bot::to_unix_micros(after->at) : std::numeric_limits<std::int64_t>::min())
          .add(after ? after->id : std::numeric_limits<std::int64_t>::min())
          .add(static_cast<std::int64_t>(limit))));
}

std::vector<bot::timeline_entry> pg_store::timeline_tail(std::int64_t incident_id,
                                                         std::size_t limit) {
  static const std::string sql = select_from(
      entry_columns,
      "FROM timeline_entries WHERE incident_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2");
  auto entries = read_entries(pool_->acquire()->exec(
      sql, pg_params().add(incident_id).add(static_cast<std::int64_t>(limit))));
  std::reverse(entries.begin(), entries.end());
  return entries;
}

std::vector<std::string> pg_store::timeline_authors(std::int64_t incident_id) {
  const auto rows = pool_->acquire()->exec(
      "SELECT DISTINCT author_id FROM timeline_entries WHERE incident_id = $1 AND author_id <> ''",
      pg_params().add(incident_id));
  std::vector<std::string> authors;
  for (int row = 0; row < rows.size(); ++row) authors.push_back(rows.text(row, 0));
  return authors;
}

bot::timeline_shape pg_store::shape(std::int64_t incident_id, bot::timestamp from,
                                    bot::timestamp to, std::size_t columns,
                                    std::chrono::microseconds min_quiet, std::size_t max_quiet) {
  bot::timeline_shape out;
  out.counts.assign(columns, 0);
  if (columns == 0) return out;
  auto db = pool_->acquire();
  const auto counts =
      db->exec(shared_sql::shape_counts, pg_params()
                                             .add(incident_id)
                                             .add(bot::to_unix_micros(from))
                                             .add(std::max<std::int64_t>((to - from).count(), 1))
                                             .add(static_cast<std::int64_t>(columns)));
  for (int row = 0; row < counts.size(); ++row) {
    const auto column =
        std::clamp<std::int64_t>(counts.int64(row, 0), 0, static_cast<std::int64_t>(columns) - 1);
    out.counts[static_cast<std::size_t>(column)] += counts.int64(row, 1);
  }
  if (max_quiet == 0) return out;
  const auto quiet =
      db->exec(shared_sql::quiet_stretches, pg_params()
                                                .add(incident_id)
                                                .add(min_quiet.count())
                                                .add(static_cast<std::int64_t>(max_quiet)));
  for (int row = 0; row < quiet.size(); ++row) {
    out.quiet.push_back(
        {bot::from_unix_micros(quiet.int64(row, 0)), bot::from_unix_micros(quiet.int64(row, 1))});
  }
  std::sort(
      out.quiet.begin(), out.quiet.end(),
      [](const bot::quiet_stretch& a, const bot::quiet_stretch& b) { return a.from < b.from; });
  return out;
}

std::int64_t pg_store::timeline_size(std::int64_t incident_id) {
  return pool_->acquire()
      ->exec("SELECT COUNT(*) FROM timeline_entries WHERE incident_id = $1",
             pg_params().add(incident_id))
      .int64(0, 0);
}

bot::result<bot::recorded_entry> pg_store::flag_entry(std::int64_t incident_id,
                                                      const bot::entry_draft& entry,
                                                      const std::string& flagged_by) {
  auto db = pool_->acquire();
  pg_transaction tx(*db);
  if (!incident_exists(*db, incident_id)) return errc::incident_not_found;
  auto recorded = insert_entry(*db, incident_id, entry);
  insert_flag(*db, recorded.entry.id, flagged_by);
  tx.commit();
  return recorded;
}

std::optional<std::int64_t> pg_store::add_flag(std::int64_t incident_id,
                                               const std::string& message_ref,
                                               const std::string& flagged_by) {
  auto db = pool_->acquire();
  pg_transaction tx(*db);
  // KEY SHARE: the entry cannot lose its last flag (and go) between finding it and flagging it,
  // and other flaggers are not held up.
  auto found = db->exec(
      "SELECT id FROM timeline_entries WHERE incident_id = $1 AND message_ref = $2 "
      "FOR KEY SHARE",
      pg_params().add(incident_id).add(message_ref));
  if (found.empty()) return std::nullopt;
  const std::int64_t entry_id = found.int64(0, 0);
  insert_flag(*db, entry_id, flagged_by);
  tx.commit();
  return entry_id;
}

bot::result<std::optional<bot::timeline_entry>> pg_store::unflag_entry(
    const bot::channel_ref& channel, const std::string& message_ref,
    const std::string& flagged_by) {
  auto db = pool_->acquire();
  pg_transaction tx(*db);
  bool had_flag = false;
  std::optional<bot::timeline_entry> removed;
  // The entries are locked: two people taking back the last two flags at once take turns, and the
  // second sees that no flag is left.
  for (const auto& entry : entries_for_message(*db, channel, message_ref)) {
    if (db->exec("DELETE FROM entry_flags WHERE entry_id = $1 AND flagged_by = $2",
                 pg_params().add(entry.id).add(flagged_by))
            .affected() == 0) {
      continue;
    }
    had_flag = true;
    if (db->exec("SELECT 1 FROM entry_flags WHERE entry_id = $1 LIMIT 1", pg_params().add(entry.id))
            .empty()) {
      db->exec("DELETE FROM timeline_entries WHERE id = $1", pg_params().add(entry.id));
      removed = entry;
    }
  }
  if (!had_flag) return errc::entry_not_found;
  tx.commit();
  return removed;
}

std::optional<std::string> pg_store::find_flagged_message(const bot::channel_ref& channel,
                                                          const std::string& flagged_by) {
  auto found = pool_->acquire()->exec(
      "SELECT e.message_ref FROM entry_flags f JOIN timeline_entries e ON e.id = f.entry_id "
      "JOIN incidents i ON i.id = e.incident_id WHERE i.platform = $1 AND i.workspace = $2 AND "
      "i.channel = $3 AND f.flagged_by = $4 AND e.message_ref IS NOT NULL LIMIT 1",
      channel_params(channel).add(flagged_by));
  if (found.empty()) return std::nullopt;
  return found.text(0, 0);
}

std::int64_t pg_store::update_entry_text(const bot::channel_ref& channel,
                                         const std::string& message_ref, const std::string& text) {
  static const std::string sql =
      std::string("UPDATE timeline_entries SET text = $5 WHERE message_ref = $4 AND ") +
      in_channel_incidents;
  return pool_->acquire()->exec(sql, channel_params(channel).add(message_ref).add(text)).affected();
}

std::vector<bot::timeline_entry> pg_store::remove_entries(const bot::channel_ref& channel,
                                                          const std::string& message_ref) {
  auto db = pool_->acquire();
  pg_transaction tx(*db);
  auto entries = entries_for_message(*db, channel, message_ref);
  for (const auto& entry : entries) {
    db->exec("DELETE FROM timeline_entries WHERE id = $1", pg_params().add(entry.id));
  }
  tx.commit();
  return entries;
}

void pg_store::ping() {
  // A write, as in sqlite_store: a read-only standby or a full disk still answers reads.
  pool_->acquire()->exec(
      "INSERT INTO health_checks (id, checked_at) VALUES (1, $1) "
      "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
      pg_params().add(bot::to_unix_micros(std::chrono::time_point_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now()))));
}

std::vector<bot::asked_question> pg_store::questions(std::int64_t incident_id) {
  auto rows = pool_->acquire()->exec(
      "SELECT question_id, text, message_ref FROM postmortem_questions WHERE incident_id = $1 "
      "ORDER BY position",
      pg_params().add(incident_id));
  std::vector<bot::asked_question> asked;
  for (int r = 0; r < rows.size(); ++r) {
    asked.push_back({rows.text(r, 0), rows.text(r, 1), rows.optional_text(r, 2)});
  }
  return asked;
}

bot::result<void> pg_store::set_question_message(std::int64_t incident_id,
                                                 const std::string& question_id,
                                                 const std::string& message_ref) {
  if (pool_->acquire()
          ->exec("UPDATE postmortem_questions SET message_ref = $1 WHERE incident_id = $2 AND "
                 "question_id = $3",
                 pg_params().add(message_ref).add(incident_id).add(question_id))
          .affected() == 0) {
    return errc::entry_not_found;
  }
  return {};
}

std::optional<bot::postmortem_store::question_ref> pg_store::find_question_by_message(
    const bot::channel_ref& channel, const std::string& message_ref) {
  static const std::string sql =
      std::string(
          "SELECT incident_id, question_id FROM postmortem_questions WHERE message_ref = $4 "
          "AND ") +
      in_channel_incidents + " ORDER BY incident_id DESC LIMIT 1";
  auto found = pool_->acquire()->exec(sql, channel_params(channel).add(message_ref));
  if (found.empty()) return std::nullopt;
  return question_ref{found.int64(0, 0), found.text(0, 1)};
}

bot::result<bot::recorded_answer> pg_store::add_answer(
    std::int64_t incident_id, const bot::answer_draft& answer,
    const std::optional<bot::follow_up>& when_complete) {
  auto db = pool_->acquire();
  pg_transaction tx(*db);
  // The incident's row lock makes concurrent answers take turns: of two that finish the set, the
  // second counts after the first committed, so exactly one of them sees it complete.
  if (!lock_incident(*db, incident_id)) return errc::incident_not_found;
  if (db->exec("SELECT 1 FROM postmortem_questions WHERE incident_id = $1 AND question_id = $2",
               pg_params().add(incident_id).add(answer.question_id))
          .empty()) {
    return errc::entry_not_found;
  }
  const bool inserted =
      db->exec(
            "INSERT INTO postmortem_answers (incident_id, question_id, author_id, author_name, "
            "answered_at, text, source, answer_ref) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
            "ON CONFLICT (incident_id, answer_ref) DO NOTHING",
            pg_params()
                .add(incident_id)
                .add(answer.question_id)
                .add(answer.author.id)
                .add(answer.author.name)
                .add(bot::to_unix_micros(answer.answered_at))
                .add(answer.text)
                .add(bot::to_string(answer.source))
                .add(answer.answer_ref))
          .affected() == 1;
  static const std::string select_sql = select_from(
      answer_columns, "FROM postmortem_answers WHERE incident_id = $1 AND answer_ref = $2");
  auto stored = db->exec(select_sql, pg_params().add(incident_id).add(answer.answer_ref));
  if (stored.empty()) throw std::logic_error("answer vanished inside its transaction");
  bot::recorded_answer recorded{read_answer(stored, 0), inserted, false};
  if (!inserted) return recorded;
  auto progress = db->exec(
      "SELECT (SELECT COUNT(*) FROM postmortem_answers WHERE incident_id = $1 AND "
      "question_id = $2), (SELECT COUNT(*) FROM postmortem_questions q WHERE q.incident_id = $1 "
      "AND NOT EXISTS (SELECT 1 FROM postmortem_answers a WHERE a.incident_id = q.incident_id AND "
      "a.question_id = q.question_id))",
      pg_params().add(incident_id).add(answer.question_id));
  recorded.completed = progress.int64(0, 0) == 1 && progress.int64(0, 1) == 0;
  if (recorded.completed && when_complete) insert_job(*db, *when_complete, answer.answered_at);
  tx.commit();
  return recorded;
}

std::int64_t pg_store::update_answer_text(const bot::channel_ref& channel,
                                          const std::string& answer_ref, const std::string& text) {
  static const std::string sql =
      std::string("UPDATE postmortem_answers SET text = $5 WHERE answer_ref = $4 AND ") +
      in_channel_incidents;
  return pool_->acquire()->exec(sql, channel_params(channel).add(answer_ref).add(text)).affected();
}

std::int64_t pg_store::remove_answers(const bot::channel_ref& channel,
                                      const std::string& answer_ref) {
  static const std::string sql =
      std::string("DELETE FROM postmortem_answers WHERE answer_ref = $4 AND ") +
      in_channel_incidents;
  return pool_->acquire()->exec(sql, channel_params(channel).add(answer_ref)).affected();
}

std::vector<bot::postmortem_answer> pg_store::answers(std::int64_t incident_id) {
  static const std::string sql = select_from(
      answer_columns, "FROM postmortem_answers WHERE incident_id = $1 ORDER BY answered_at, id");
  auto rows = pool_->acquire()->exec(sql, pg_params().add(incident_id));
  std::vector<bot::postmortem_answer> found;
  for (int r = 0; r < rows.size(); ++r) found.push_back(read_answer(rows, r));
  return found;
}

bot::result<bot::stored_draft> pg_store::save_draft(const bot::stored_draft& draft) {
  auto db = pool_->acquire();
  pg_transaction tx(*db);
  // The incident's row lock: two replicas drafting at once take turns, so the second reads the
  // first's version (or finds its own request's draft) instead of taking the same number.
  if (!lock_incident(*db, draft.incident_id)) {
    throw std::logic_error("no incident " + std::to_string(draft.incident_id) +
                           " to store a draft for");
  }
  if (auto existing = load_draft(*db, draft.incident_id, draft.request_key)) return *existing;
  const auto latest =
      db->exec("SELECT COALESCE(MAX(version), 0) FROM postmortem_drafts WHERE incident_id = $1",
               pg_params().add(draft.incident_id))
          .int64(0, 0);
  if (latest + 1 != draft.version) return errc::not_ready_yet;
  db->exec(
      "INSERT INTO postmortem_drafts (incident_id, version, drafted_at, request_key, markdown, "
      "content_digest) VALUES ($1, $2, $3, $4, $5, $6)",
      pg_params()
          .add(draft.incident_id)
          .add(draft.version)
          .add(bot::to_unix_micros(draft.drafted_at))
          .add(draft.request_key)
          .add(draft.markdown)
          .add(draft.content_digest));
  tx.commit();
  return draft;
}

std::optional<bot::stored_draft> pg_store::latest_draft(std::int64_t incident_id) {
  static const std::string sql = select_from(
      draft_columns, "FROM postmortem_drafts WHERE incident_id = $1 ORDER BY version DESC LIMIT 1");
  return first_draft(pool_->acquire()->exec(sql, pg_params().add(incident_id)));
}

std::optional<bot::stored_draft> pg_store::find_draft(std::int64_t incident_id,
                                                      const std::string& request_key) {
  auto db = pool_->acquire();
  return load_draft(*db, incident_id, request_key);
}

bool pg_store::enqueue(std::string_view queue, std::string_view key, std::string_view payload,
                       bot::timestamp now) {
  auto db = pool_->acquire();
  return insert_job(*db, queue, key, payload, now, now);
}

std::vector<bot::job> pg_store::claim_batch(std::string_view queue, bot::timestamp now,
                                            std::chrono::microseconds lease, std::size_t limit) {
  // SKIP LOCKED: replicas claiming at once each take different jobs instead of queueing behind
  // one another; a row locked by a claim in flight is simply someone else's. The lease check is
  // re-evaluated on the row as it is once locked, so a job just claimed elsewhere is left alone.
  auto rows = pool_->acquire()->exec(
      "WITH due AS (SELECT id FROM jobs WHERE queue = $2 AND state = 'pending' AND "
      "run_after <= $3 AND (lease_until IS NULL OR lease_until <= $3) "
      "ORDER BY run_after, id LIMIT $4 FOR UPDATE SKIP LOCKED) "
      "UPDATE jobs SET lease_until = $1, attempts = jobs.attempts + 1 FROM due "
      "WHERE jobs.id = due.id "
      "RETURNING jobs.id, jobs.queue, jobs.key, jobs.payload, jobs.attempts, jobs.created_at, "
      "jobs.run_after",
      pg_params()
          .add(bot::to_unix_micros(now + lease))
          .add(queue)
          .add(bot::to_unix_micros(now))
          .add(static_cast<std::int64_t>(limit)));
  std::vector<std::pair<std::int64_t, bot::job>> claimed;
  for (int r = 0; r < rows.size(); ++r) {
    claimed.emplace_back(
        rows.int64(r, 6),
        bot::job{rows.int64(r, 0), rows.text(r, 1), rows.text(r, 2), rows.text(r, 3),
                 rows.int32(r, 4), bot::from_unix_micros(rows.int64(r, 5))});
  }
  // RETURNING gives rows in no promised order.
  std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.id) < std::tie(b.first, b.second.id);
  });
  std::vector<bot::job> jobs;
  jobs.reserve(claimed.size());
  for (auto& [run_after, job] : claimed) jobs.push_back(std::move(job));
  return jobs;
}

void pg_store::complete(std::int64_t id, bot::timestamp now) {
  pool_->acquire()->exec(
      "UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = $1 WHERE id = $2",
      pg_params().add(bot::to_unix_micros(now)).add(id));
}

void pg_store::retry_later(std::int64_t id, bot::timestamp run_after, std::string_view error) {
  pool_->acquire()->exec(
      "UPDATE jobs SET run_after = $1, lease_until = NULL, last_error = $2 "
      "WHERE id = $3 AND state = 'pending'",
      pg_params().add(bot::to_unix_micros(run_after)).add(error).add(id));
}

void pg_store::release(std::int64_t id) {
  pool_->acquire()->exec(
      "UPDATE jobs SET lease_until = NULL, attempts = GREATEST(attempts - 1, 0) "
      "WHERE id = $1 AND state = 'pending' AND lease_until IS NOT NULL",
      pg_params().add(id));
}

void pg_store::give_up(std::int64_t id, bot::timestamp now, std::string_view error) {
  pool_->acquire()->exec(
      "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = $1, finished_at = $2 "
      "WHERE id = $3",
      pg_params().add(error).add(bot::to_unix_micros(now)).add(id));
}

std::int64_t pg_store::pending(std::string_view queue) {
  return pool_->acquire()
      ->exec("SELECT COUNT(*) FROM jobs WHERE queue = $1 AND state = 'pending'",
             pg_params().add(queue))
      .int64(0, 0);
}

}  // namespace scribe::storage
