#pragma once
// `scribe migrate --from sqlite:<path>`: moves a SQLite database to the PostgreSQL database that
// storage.url names, once, before a team starts several replicas.

#include "config/options.hpp"

#include <filesystem>
#include <ostream>

namespace scribe::app {

// Prints what was copied (rows per table) to `out`, or why nothing was to `err`. Returns an exit
// code (cli.hpp): exit_config when storage.url is not PostgreSQL, exit_data when the SQLite file is
// missing or PostgreSQL holds data already, exit_unavailable when a database cannot be reached,
// exit_software when the copy fails (nothing of it is kept).
int migrate(const config::options& options, const std::filesystem::path& sqlite_file,
            std::ostream& out, std::ostream& err);

}  // namespace scribe::app
