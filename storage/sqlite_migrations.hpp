#pragma once
// The SQLite schema, as numbered migrations applied in order at start-up.

#include <SQLiteCpp/Database.h>

namespace scribe::storage {

// Applies every migration the database has not seen, each in its own IMMEDIATE transaction that
// re-checks the version, so two processes starting on one file at once apply each step once.
// Throws SQLite::Exception on failure, and std::runtime_error when the database was written by a
// newer Scribe (it has migrations this build does not know).
void apply_sqlite_migrations(SQLite::Database& db);

// The highest migration number this build knows.
int latest_sqlite_schema_version();

}  // namespace scribe::storage
