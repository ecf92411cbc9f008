#pragma once
// Chooses and opens the store that `storage.url` names.

#include "bot/chat_log.hpp"
#include "bot/group_commit.hpp"
#include "bot/incident_store.hpp"
#include "bot/job_queue.hpp"
#include "config/options.hpp"

#include <cstddef>
#include <memory>
#include <stdexcept>

namespace scribe::storage {

// The ports of one database: incidents, postmortems and the job queue share its transactions and
// file.
struct opened_store {
  std::shared_ptr<bot::incident_store> incidents;
  std::shared_ptr<bot::postmortem_store> postmortems;
  std::shared_ptr<bot::job_queue> jobs;
  std::shared_ptr<bot::chat_log> chats;      // the playground's channel
  std::shared_ptr<bot::group_commit> group;  // null when the store commits each call alone
  // How many store calls may run at once: 1 for SQLite (one writer, group commit), the
  // connection pool's size for PostgreSQL.
  std::size_t concurrency = 1;
};

// Whether opening may create the database: `serve` does, commands that only read do not.
enum class open_mode { create, existing };

// Thrown by open_store in open_mode::existing when there is no database at the configured place.
class no_database : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "sqlite:<path>" or "postgresql://...". Throws std::runtime_error (or bot::storage_unavailable
// for a database server that cannot be reached, or no_database) naming the problem, never the
// password; the caller stops start-up with it. A PostgreSQL database is never created (the server
// does that), only its schema.
opened_store open_store(const config::storage_options& options, open_mode mode = open_mode::create);

}  // namespace scribe::storage
