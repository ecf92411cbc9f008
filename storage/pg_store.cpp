// pg_store's connection pool, its migration on start-up and its health check
// (incident_store::ping). The ports' calls are in files of their own: pg_incidents.cpp,
// pg_postmortems.cpp, pg_jobs.cpp, pg_chat_log.cpp, and for GET /metrics pg_stats.cpp.
#include "storage/pg_store.hpp"

#include "storage/pg_connection.hpp"
#include "storage/pg_migrations.hpp"

#include <chrono>

namespace scribe::storage {

pg_store::pg_store(const std::string& url, std::size_t connections)
    : pool_(std::make_unique<pg_pool>(url, connections)) {
  auto db = pool_->acquire();
  apply_pg_migrations(*db);
}

pg_store::~pg_store() = default;

void pg_store::ping() {
  // A write, as in sqlite_store: a read-only standby or a full disk still answers reads.
  pool_->acquire()->exec(
      "INSERT INTO health_checks (id, checked_at) VALUES (1, $1) "
      "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
      pg_params().add(bot::to_unix_micros(std::chrono::time_point_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now()))));
}

}  // namespace scribe::storage
