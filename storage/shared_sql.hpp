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

// A timeline's entries counted per slice of [from, from + span), for incident_store::shape: $1 the
// incident, $2 from, $3 span, $4 slices. Integer division in both databases; the caller clamps
// entries outside the span into the first or last slice. (SQLite binds $N by name.)
inline constexpr const char* shape_counts =
    "SELECT ((occurred_at - $2) * $4) / $3 AS slice, COUNT(*) FROM timeline_entries "
    "WHERE incident_id = $1 GROUP BY slice";

// The longest stretches between consecutive entries (in event order) longer than $2, at most $3
// of them, longest first: $1 the incident.
inline constexpr const char* quiet_stretches =
    "SELECT previous, occurred_at FROM (SELECT occurred_at, LAG(occurred_at) OVER "
    "(ORDER BY occurred_at, id) AS previous FROM timeline_entries WHERE incident_id = $1) AS t "
    "WHERE occurred_at - previous > $2 ORDER BY occurred_at - previous DESC, occurred_at LIMIT $3";

}  // namespace scribe::storage::shared_sql
