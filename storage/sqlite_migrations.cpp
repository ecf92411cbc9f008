#include "storage/sqlite_migrations.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <chrono>
#include <stdexcept>
#include <string>

namespace scribe::storage {
namespace {

// Append only: a released migration is never edited, a change is a new migration.
constexpr const char* migrations[] = {
    // 1: incidents and their timelines. Times are UTC microseconds since the Unix epoch.
    R"sql(
    -- AUTOINCREMENT: ids are never reused after a deletion; they key outbox jobs and links.
    CREATE TABLE incidents (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      platform    TEXT    NOT NULL,
      workspace   TEXT    NOT NULL,
      channel     TEXT    NOT NULL,
      number      INTEGER NOT NULL,
      title       TEXT    NOT NULL,
      severity    INTEGER CHECK (severity BETWEEN 1 AND 5),
      status      TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
      summary     TEXT    NOT NULL DEFAULT '',
      opened_by_id   TEXT    NOT NULL,
      opened_by_name TEXT    NOT NULL,
      opened_at      INTEGER NOT NULL,
      closed_by_id   TEXT,
      closed_by_name TEXT,
      closed_at      INTEGER,
      UNIQUE (platform, workspace, number)
    );
    -- At most one open incident per channel, enforced by the database for every writer.
    CREATE UNIQUE INDEX incidents_one_open_per_channel
      ON incidents (platform, workspace, channel) WHERE status = 'open';
    CREATE INDEX incidents_by_opened_at ON incidents (opened_at);

    CREATE TABLE timeline_entries (
      id           INTEGER PRIMARY KEY AUTOINCREMENT,
      incident_id  INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
      occurred_at  INTEGER NOT NULL,
      recorded_at  INTEGER NOT NULL,
      author_id    TEXT    NOT NULL,
      author_name  TEXT    NOT NULL,
      text         TEXT    NOT NULL,
      source       TEXT    NOT NULL CHECK (source IN ('command', 'reaction', 'mention', 'system')),
      message_ref  TEXT,
      link         TEXT    NOT NULL DEFAULT '',
      -- A platform message is recorded once per incident; NULL references never clash.
      UNIQUE (incident_id, message_ref)
    );
    CREATE INDEX timeline_entries_by_time ON timeline_entries (incident_id, occurred_at, id);
    )sql",

    // 2: who flagged which entry (the entry goes when the last flag does), lookups of entries by
    // chat message (edits, deletions), and the durable job queue behind the inbox and outbox.
    R"sql(
    CREATE TABLE entry_flags (
      entry_id    INTEGER NOT NULL REFERENCES timeline_entries (id) ON DELETE CASCADE,
      flagged_by  TEXT    NOT NULL,
      PRIMARY KEY (entry_id, flagged_by)
    ) WITHOUT ROWID;
    CREATE INDEX timeline_entries_by_message ON timeline_entries (message_ref)
      WHERE message_ref IS NOT NULL;

    CREATE TABLE jobs (
      id          INTEGER PRIMARY KEY,
      queue       TEXT    NOT NULL,
      key         TEXT    NOT NULL,
      payload     TEXT    NOT NULL,
      state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
      attempts    INTEGER NOT NULL DEFAULT 0,
      run_after   INTEGER NOT NULL,
      lease_until INTEGER,
      last_error  TEXT    NOT NULL DEFAULT '',
      created_at  INTEGER NOT NULL,
      finished_at INTEGER,
      -- A platform's retry of the same event or a repeated send is the same job.
      UNIQUE (queue, key)
    );
    CREATE INDEX jobs_due ON jobs (queue, run_after, id) WHERE state = 'pending';
    )sql",

    // 3: the postmortem: the questions copied when an incident closes, the answers given to them,
    // and the numbered drafts; lookups of incidents by channel (the latest one) and by number
    // (INC-42 in any workspace).
    R"sql(
    CREATE INDEX incidents_by_channel ON incidents (platform, workspace, channel, closed_at);
    CREATE INDEX incidents_by_number ON incidents (number);

    CREATE TABLE postmortem_questions (
      incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
      position    INTEGER NOT NULL,
      question_id TEXT    NOT NULL,
      text        TEXT    NOT NULL,
      -- The chat message that asked it, once posted; replies in its thread are answers.
      message_ref TEXT,
      PRIMARY KEY (incident_id, question_id)
    ) WITHOUT ROWID;
    CREATE INDEX postmortem_questions_by_message ON postmortem_questions (message_ref)
      WHERE message_ref IS NOT NULL;

    -- AUTOINCREMENT: the id orders answers given at the same instant by when they were stored.
    CREATE TABLE postmortem_answers (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      incident_id INTEGER NOT NULL,
      question_id TEXT    NOT NULL,
      author_id   TEXT    NOT NULL,
      author_name TEXT    NOT NULL,
      answered_at INTEGER NOT NULL,
      text        TEXT    NOT NULL,
      source      TEXT    NOT NULL CHECK (source IN ('thread', 'form')),
      answer_ref  TEXT    NOT NULL,
      -- A thread reply or a form field delivered twice is one answer.
      UNIQUE (incident_id, answer_ref),
      -- Only questions that were asked can be answered; the answers go with their incident.
      FOREIGN KEY (incident_id, question_id)
        REFERENCES postmortem_questions (incident_id, question_id) ON DELETE CASCADE
    );
    CREATE INDEX postmortem_answers_by_question ON postmortem_answers (incident_id, question_id);
    CREATE INDEX postmortem_answers_by_ref ON postmortem_answers (answer_ref);

    CREATE TABLE postmortem_drafts (
      incident_id    INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
      version        INTEGER NOT NULL CHECK (version >= 1),
      drafted_at     INTEGER NOT NULL,
      -- The job that asked for it: running the same job again stores no second version.
      request_key    TEXT    NOT NULL,
      markdown       TEXT    NOT NULL,
      content_digest TEXT    NOT NULL,
      PRIMARY KEY (incident_id, version),
      UNIQUE (incident_id, request_key)
    );
    )sql",

    // 4: the playground's chat (bot/chat_log.hpp).
    R"sql(
    CREATE TABLE chat_messages (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      channel     TEXT    NOT NULL,
      thread_id   INTEGER REFERENCES chat_messages (id),
      author_id   TEXT    NOT NULL,
      author_name TEXT    NOT NULL,
      from_bot    INTEGER NOT NULL CHECK (from_bot IN (0, 1)),
      visible_to  TEXT    NOT NULL DEFAULT '',
      format      TEXT    NOT NULL CHECK (format IN ('text', 'markdown')),
      text        TEXT    NOT NULL,
      posted_at   INTEGER NOT NULL,
      -- A bot's post, stored once per key however often its job runs.
      post_key    TEXT    UNIQUE
    );
    CREATE INDEX chat_messages_by_channel ON chat_messages (channel, id);

    CREATE TABLE chat_reactions (
      message_id INTEGER NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
      emoji      TEXT    NOT NULL,
      by_id      TEXT    NOT NULL,
      added      INTEGER PRIMARY KEY AUTOINCREMENT,
      UNIQUE (message_id, emoji, by_id)
    );
    )sql",

    // 5: what the health check writes, to prove that the database takes writes.
    R"sql(
    CREATE TABLE health_checks (
      id         INTEGER PRIMARY KEY CHECK (id = 1),
      checked_at INTEGER NOT NULL
    );
    )sql",
};

constexpr int migration_count = static_cast<int>(std::size(migrations));

int current_version(SQLite::Database& db) {
  return db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").getInt();
}

}  // namespace

int latest_sqlite_schema_version() {
  return migration_count;
}

void apply_sqlite_migrations(SQLite::Database& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  for (int version = 1; version <= migration_count; ++version) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int current = current_version(db);
    if (current > migration_count) {
      throw std::runtime_error("the database has schema version " + std::to_string(current) +
                               " but this Scribe knows only up to " +
                               std::to_string(migration_count) + ": upgrade Scribe");
    }
    if (current >= version) continue;  // another process applied it first
    db.exec(migrations[version - 1]);
    SQLite::Statement record(db,
                             "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
    record.bind(1, version);
    record.bind(2, static_cast<int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count()));
    record.exec();
    tx.commit();
  }
}

}  // namespace scribe::storage
