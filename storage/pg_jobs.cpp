// pg_store's durable job queue (bot::job_queue), and the one way a job row is written, which the
// incident and postmortem calls use too (pg_store_detail.hpp).
#include "storage/pg_store.hpp"

#include "storage/pg_connection.hpp"
#include "storage/pg_store_detail.hpp"

#include <algorithm>
#include <tuple>

namespace scribe::storage {
namespace pg_detail {

bool insert_job(pg_connection& db, std::string_view queue, std::string_view key,
                std::string_view payload, bot::timestamp run_after, bot::timestamp created_at) {
  return db.exec(
               "INSERT INTO jobs (queue, key, payload, run_after, created_at) "
               "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (queue, key) DO NOTHING",
               pg_params()
                   .add(queue)
                   .add(key)
                   .add(payload)
                   .add(bot::to_unix_micros(run_after))
                   .add(bot::to_unix_micros(created_at)))
             .affected() == 1;
}

bool insert_job(pg_connection& db, const bot::follow_up& job, bot::timestamp created_at) {
  return insert_job(db, job.queue, job.key, job.payload, job.run_after, created_at);
}

}  // namespace pg_detail

using pg_detail::insert_job;

bool pg_store::enqueue(std::string_view queue, std::string_view key, std::string_view payload,
                       bot::timestamp now) {
  auto db = pool_->acquire();
  return insert_job(*db, queue, key, payload, now, now);
}

std::vector<bot::job> pg_store::claim_batch(std::string_view queue, bot::timestamp now,
                                            std::chrono::microseconds lease, std::size_t limit) {
  // SKIP LOCKED: replicas claiming at once each take different jobs instead of queueing behind
  // one another; a row locked by a claim in flight is simply someone else's. The lease check is
  // re-evaluated on the row as it is once locked, so a job just claimed elsewhere is left alone.
  auto rows = pool_->acquire()->exec(
      "WITH due AS (SELECT id FROM jobs WHERE queue = $2 AND state = 'pending' AND "
      "run_after <= $3 AND (lease_until IS NULL OR lease_until <= $3) "
      "ORDER BY run_after, id LIMIT $4 FOR UPDATE SKIP LOCKED) "
      "UPDATE jobs SET lease_until = $1, attempts = jobs.attempts + 1 FROM due "
      "WHERE jobs.id = due.id "
      "RETURNING jobs.id, jobs.queue, jobs.key, jobs.payload, jobs.attempts, jobs.created_at, "
      "jobs.run_after",
      pg_params()
          .add(bot::to_unix_micros(now + lease))
          .add(queue)
          .add(bot::to_unix_micros(now))
          .add(static_cast<std::int64_t>(limit)));
  std::vector<std::pair<std::int64_t, bot::job>> claimed;
  for (int r = 0; r < rows.size(); ++r) {
    claimed.emplace_back(
        rows.int64(r, 6),
        bot::job{rows.int64(r, 0), rows.text(r, 1), rows.text(r, 2), rows.text(r, 3),
                 rows.int32(r, 4), bot::from_unix_micros(rows.int64(r, 5))});
  }
  // RETURNING gives rows in no promised order.
  std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.id) < std::tie(b.first, b.second.id);
  });
  std::vector<bot::job> jobs;
  jobs.reserve(claimed.size());
  for (auto& [run_after, job] : claimed) jobs.push_back(std::move(job));
  return jobs;
}

void pg_store::complete(std::int64_t id, bot::timestamp now) {
  pool_->acquire()->exec(
      "UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = $1 WHERE id = $2",
      pg_params().add(bot::to_unix_micros(now)).add(id));
}

void pg_store::retry_later(std::int64_t id, bot::timestamp run_after, std::string_view error) {
  pool_->acquire()->exec(
      "UPDATE jobs SET run_after = $1, lease_until = NULL, last_error = $2 "
      "WHERE id = $3 AND state = 'pending'",
      pg_params().add(bot::to_unix_micros(run_after)).add(error).add(id));
}

void pg_store::release(std::int64_t id) {
  pool_->acquire()->exec(
      "UPDATE jobs SET lease_until = NULL, attempts = GREATEST(attempts - 1, 0) "
      "WHERE id = $1 AND state = 'pending' AND lease_until IS NOT NULL",
      pg_params().add(id));
}

void pg_store::give_up(std::int64_t id, bot::timestamp now, std::string_view error) {
  pool_->acquire()->exec(
      "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = $1, finished_at = $2 "
      "WHERE id = $3",
      pg_params().add(error).add(bot::to_unix_micros(now)).add(id));
}

std::int64_t pg_store::pending(std::string_view queue) {
  return pool_->acquire()
      ->exec("SELECT COUNT(*) FROM jobs WHERE queue = $1 AND state = 'pending'",
             pg_params().add(queue))
      .int64(0, 0);
}

}  // namespace scribe::storage
