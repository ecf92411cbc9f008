#pragma once
// What the files of pg_store share (pg_incidents.cpp, pg_postmortems.cpp, pg_jobs.cpp): private
// to storage/. Each function runs on the connection, and in the transaction, of the caller's call.

#include "bot/incident.hpp"
#include "bot/postmortem.hpp"
#include "bot/time.hpp"
#include "storage/pg_connection.hpp"

#include <string>
#include <string_view>

namespace scribe::storage::pg_detail {

inline std::string select_from(const char* columns, const char* rest) {
  return std::string("SELECT ") + columns + " " + rest;
}

// Scopes a statement to the incidents of one channel: $1..$3, bound by channel_params.
inline constexpr const char* in_channel_incidents =
    "incident_id IN (SELECT id FROM incidents WHERE platform = $1 AND workspace = $2 AND "
    "channel = $3)";

inline pg_params channel_params(const bot::channel_ref& channel) {
  pg_params params;
  params.add(channel.platform).add(channel.workspace).add(channel.channel);
  return params;
}

// The one way a job row is written (storage/pg_jobs.cpp; see sqlite_detail::insert_job). False:
// the job was there already.
bool insert_job(pg_connection& db, std::string_view queue, std::string_view key,
                std::string_view payload, bot::timestamp run_after, bot::timestamp created_at);
bool insert_job(pg_connection& db, const bot::follow_up& job, bot::timestamp created_at);

}  // namespace scribe::storage::pg_detail
