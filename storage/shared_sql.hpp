#pragma once
// SQL that the SQLite and PostgreSQL stores share word for word: their tables have the same
// columns (storage/sqlite_migrations.cpp, storage/pg_migrations.cpp), and each store reads them in
// this order.

namespace scribe::storage::shared_sql {

inline constexpr const char* incident_columns =
    "id, number, platform, workspace, channel, title, severity, status, summary, opened_by_id, "
    "opened_by_name, opened_at, closed_by_id, closed_by_name, closed_at";

inline constexpr const char* entry_columns =
    "id, incident_id, occurred_at, recorded_at, author_id, author_name, text, source, message_ref, "
    "link";

inline constexpr const char* answer_columns =
    "id, incident_id, question_id, author_id, author_name, answered_at, text, source, answer_ref";

inline constexpr const char* draft_columns =
    "incident_id, version, drafted_at, request_key, markdown, content_digest";

inline constexpr const char* message_columns =
    "id, channel, thread_id, author_id, author_name, from_bot, visible_to, format, text, "
    "posted_at, post_key";

// Every queue that ever held a job. Done jobs stay in the table for de-duplication, so it grows
// for ever and must not be scanned: this probes the (queue, key) unique index once per queue (a
// "loose index scan" written as a recursive CTE, which neither database does on its own).
inline constexpr const char* queue_names =
    "WITH RECURSIVE q(name) AS ("
    "  SELECT MIN(queue) FROM jobs"
    "  UNION ALL"
    "  SELECT (SELECT MIN(queue) FROM jobs WHERE queue > q.name) FROM q"
    "  WHERE q.name IS NOT NULL"
    ") SELECT name FROM q WHERE name IS NOT NULL";

}  // namespace scribe::storage::shared_sql
