#pragma once
// `scribe migrate`: copies a SQLite database into PostgreSQL, for a team that moves from one
// Scribe to several replicas. A one-off, run while no Scribe uses either database.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace scribe::storage {

// The copy cannot start: the SQLite file does not exist, or the PostgreSQL database holds data.
class copy_refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Rows copied, per table, in copy order.
using copy_summary = std::vector<std::pair<std::string, std::int64_t>>;

// Brings both schemas up to date, then copies every table row for row (ids included, so links and
// jobs keep pointing at the same things) into `pg_url`'s database in one transaction: all of it
// or nothing. The identity sequences and the per-workspace incident counters continue after the
// copied rows. Throws copy_refused when the SQLite file does not exist or the PostgreSQL database
// holds data already (copying into it could clash or mix two histories), and
// bot::storage_unavailable or another std::runtime_error when a database fails.
copy_summary copy_sqlite_to_pg(const std::filesystem::path& sqlite_file, const std::string& pg_url);

}  // namespace scribe::storage
