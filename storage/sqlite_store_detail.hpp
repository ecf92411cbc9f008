#pragma once
// What the files of sqlite_store share (sqlite_incidents.cpp, sqlite_postmortems.cpp,
// sqlite_jobs.cpp): private to storage/. Each function runs inside the caller's call, which holds
// the store's mutex and, when it writes, its transaction.

#include "bot/incident.hpp"
#include "bot/postmortem.hpp"
#include "bot/time.hpp"

#include <SQLiteCpp/Statement.h>

#include <string_view>

namespace scribe::storage {

class sqlite_connection;

namespace sqlite_detail {

// Scopes a statement to the incidents of one channel; binds ?1..?3 with bind_channel.
inline constexpr const char* in_channel_incidents =
    "incident_id IN (SELECT id FROM incidents WHERE platform = ?1 AND workspace = ?2 AND "
    "channel = ?3)";

inline void bind_channel(SQLite::Statement& statement, const bot::channel_ref& channel) {
  statement.bind(1, channel.platform);
  statement.bind(2, channel.workspace);
  statement.bind(3, channel.channel);
}

// The one way a job row is written (storage/sqlite_jobs.cpp), so that a follow-up stored with
// another change (closing an incident, the answer that completes a postmortem) is the same job
// as one enqueued alone, and de-duplicates against it. False: the job was there already.
bool insert_job(sqlite_connection& db, std::string_view queue, std::string_view key,
                std::string_view payload, bot::timestamp run_after, bot::timestamp created_at);
bool insert_job(sqlite_connection& db, const bot::follow_up& job, bot::timestamp created_at);

}  // namespace sqlite_detail
}  // namespace scribe::storage
