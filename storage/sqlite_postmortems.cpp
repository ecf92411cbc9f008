// sqlite_store's postmortems: the questions asked, their answers, the drafts
// (bot::postmortem_store).
#include "storage/sqlite_store.hpp"

#include "storage/shared_sql.hpp"
#include "storage/sqlite_connection.hpp"
#include "storage/sqlite_errors.hpp"
#include "storage/sqlite_store_detail.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <stdexcept>

namespace scribe::storage {
namespace {

using bot::errc;
using shared_sql::answer_columns;
using shared_sql::draft_columns;
using sqlite_detail::bind_channel;
using sqlite_detail::in_channel_incidents;
using sqlite_detail::insert_job;

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

}  // namespace

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
