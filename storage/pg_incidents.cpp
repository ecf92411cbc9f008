// pg_store's incidents and their timelines (bot::incident_store).
#include "storage/pg_store.hpp"

#include "storage/pg_connection.hpp"
#include "storage/pg_store_detail.hpp"
#include "storage/shared_sql.hpp"

#include <algorithm>
#include <limits>

namespace scribe::storage {
namespace {

using bot::errc;
using pg_detail::channel_params;
using pg_detail::in_channel_incidents;
using pg_detail::insert_job;
using pg_detail::select_from;
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

std::optional<bot::incident> load_incident(pg_connection& db, std::int64_t id) {
  static const std::string sql = select_from(incident_columns, "FROM incidents WHERE id = $1");
  return first_incident(db.exec(sql, pg_params().add(id)));
}

bool incident_exists(pg_connection& db, std::int64_t id) {
  return !db.exec("SELECT 1 FROM incidents WHERE id = $1", pg_params().add(id)).empty();
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

}  // namespace

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

}  // namespace scribe::storage
