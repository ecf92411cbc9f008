#include "app/migrate.hpp"

#include "app/cli.hpp"
#include "bot/error.hpp"
#include "storage/sqlite_to_pg.hpp"

#include <stdexcept>

namespace scribe::app {

int migrate(const config::options& options, const std::filesystem::path& sqlite_file,
            std::ostream& out, std::ostream& err) {
  if (!options.storage.url.starts_with("postgresql://")) {
    err << "scribe: migrate copies into PostgreSQL: set storage.url (SCRIBE_STORAGE_URL) to "
           "postgresql://user:password@host:port/database\n";
    return exit_config;
  }
  try {
    const auto summary = storage::copy_sqlite_to_pg(sqlite_file, options.storage.url);
    std::int64_t total = 0;
    for (const auto& [table, rows] : summary) {
      out << table << ": " << rows << " rows\n";
      total += rows;
    }
    out << "copied " << total << " rows from " << sqlite_file.string()
        << " to PostgreSQL; start Scribe with the same storage.url\n";
    return exit_ok;
  } catch (const storage::copy_refused& e) {
    err << "scribe: migrate: " << e.what() << '\n';
    return exit_data;
  } catch (const bot::storage_unavailable& e) {
    err << "scribe: migrate: " << e.what() << '\n';
    return exit_unavailable;
  } catch (const std::exception& e) {
    err << "scribe: migrate: " << e.what() << "; nothing was copied\n";
    return exit_software;
  }
}

}  // namespace scribe::app
