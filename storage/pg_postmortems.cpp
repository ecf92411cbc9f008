// pg_store's postmortems: the questions asked, their answers, the drafts
// (bot::postmortem_store).
#include "storage/pg_store.hpp"

#include "storage/pg_connection.hpp"
#include "storage/pg_store_detail.hpp"
#include "storage/shared_sql.hpp"

#include <stdexcept>

namespace scribe::storage {
namespace {

using bot::errc;
using pg_detail::channel_params;
using pg_detail::in_channel_incidents;
using pg_detail::insert_job;
using pg_detail::select_from;
using shared_sql::answer_columns;
using shared_sql::draft_columns;

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

// Locks the incident's row for the rest of the transaction (false: no such incident). Calls that
// read and then write what depends on the read take this first, so that under READ COMMITTED a
// concurrent call on the same incident waits for our commit and then sees our change. NO KEY: the
// lock an UPDATE of the incident takes too, which leaves alone the inserts of timeline entries
// (their foreign key only needs the row to stay), so notes keep flowing meanwhile.
bool lock_incident(pg_connection& db, std::int64_t id) {
  return !db.exec("SELECT 1 FROM incidents WHERE id = $1 FOR NO KEY UPDATE", pg_params().add(id))
              .empty();
}

std::optional<bot::stored_draft> load_draft(pg_connection& db, std::int64_t incident_id,
                                            const std::string& request_key) {
  static const std::string sql = select_from(
      draft_columns, "FROM postmortem_drafts WHERE incident_id = $1 AND request_key = $2");
  return first_draft(db.exec(sql, pg_params().add(incident_id).add(request_key)));
}

}  // namespace

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

}  // namespace scribe::storage
