#pragma once
// Chooses and opens the store that `storage.url` names.

#include "bot/chat_log.hpp"
#include "bot/group_commit.hpp"
#include "bot/incident_store.hpp"
#include "bot/job_queue.hpp"
#include "config/options.hpp"

#include <cstddef>
#include <memory>

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

// "sqlite:<path>" or "postgresql://...". Throws std::runtime_error (or bot::storage_unavailable
// for a database server that cannot be reached) naming the problem, never the password; the
// caller stops start-up with it.
opened_store open_store(const config::storage_options& options);

}  // namespace scribe::storage
