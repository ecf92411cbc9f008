#pragma once
// The PostgreSQL schema, as numbered migrations applied in order at start-up. Migration N holds
// the same tables as SQLite's migration N (storage/sqlite_migrations.cpp), with the same names
// and value types, so that both stores read alike and `scribe migrate` copies rows as they are;
// where PostgreSQL needs more for several writers at once, it is in the same step.

namespace scribe::storage {

class pg_connection;

// Applies every migration the database has not seen, under a session advisory lock, so replicas
// that start together apply each step once (the others wait, then find nothing left to do). Each
// step is one transaction. Throws std::runtime_error when the database was written by a newer
// Scribe, bot::storage_unavailable or pg_error when the database fails.
void apply_pg_migrations(pg_connection& db);

// The highest migration number this build knows.
int latest_pg_schema_version();

}  // namespace scribe::storage
