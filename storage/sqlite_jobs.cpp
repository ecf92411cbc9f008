// sqlite_store's durable job queue (bot::job_queue), and the one way a job row is written, which
// the incident and postmortem calls use too (sqlite_store_detail.hpp).
#include "storage/sqlite_store.hpp"

#include "storage/sqlite_connection.hpp"
#include "storage/sqlite_errors.hpp"
#include "storage/sqlite_store_detail.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <tuple>

namespace scribe::storage {
namespace sqlite_detail {

bool insert_job(sqlite_connection& db, std::string_view queue, std::string_view key,
                std::string_view payload, bot::timestamp run_after, bot::timestamp created_at) {
  auto insert = db.statement(
      "INSERT INTO jobs (queue, key, payload, run_after, created_at) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (queue, key) DO NOTHING");
  insert.bind(1, std::string(queue));
  insert.bind(2, std::string(key));
  insert.bind(3, std::string(payload));
  insert.bind(4, bot::to_unix_micros(run_after));
  insert.bind(5, bot::to_unix_micros(created_at));
  return insert.exec() == 1;
}

bool insert_job(sqlite_connection& db, const bot::follow_up& job, bot::timestamp created_at) {
  return insert_job(db, job.queue, job.key, job.payload, job.run_after, created_at);
}

}  // namespace sqlite_detail

using sqlite_detail::insert_job;

bool sqlite_store::enqueue(std::string_view queue, std::string_view key, std::string_view payload,
                           bot::timestamp now) try {
  std::lock_guard lock(mutex_);
  return insert_job(*db_, queue, key, payload, now, now);
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::vector<bot::job> sqlite_store::claim_batch(std::string_view queue, bot::timestamp now,
                                                std::chrono::microseconds lease,
                                                std::size_t limit) try {
  std::lock_guard lock(mutex_);
  write_transaction tx(*db_);
  // One statement picks and leases, so two claimers can never take the same job.
  auto take = db_->statement(
      "UPDATE jobs SET lease_until = ?1, attempts = attempts + 1 WHERE id IN ("
      "SELECT id FROM jobs WHERE queue = ?2 AND state = 'pending' AND "
      "run_after <= ?3 AND (lease_until IS NULL OR lease_until <= ?3) "
      "ORDER BY run_after, id LIMIT ?4) "
      "RETURNING id, queue, key, payload, attempts, created_at, run_after");
  take.bind(1, bot::to_unix_micros(now + lease));
  take.bind(2, std::string(queue));
  take.bind(3, bot::to_unix_micros(now));
  take.bind(4, static_cast<std::int64_t>(limit));
  std::vector<std::pair<std::int64_t, bot::job>> claimed;
  while (take.executeStep()) {
    claimed.emplace_back(
        take.getColumn(6).getInt64(),
        bot::job{take.getColumn(0).getInt64(), take.getColumn(1).getString(),
                 take.getColumn(2).getString(), take.getColumn(3).getString(),
                 take.getColumn(4).getInt(), bot::from_unix_micros(take.getColumn(5).getInt64())});
  }
  take.reset();
  tx.commit();
  // RETURNING gives rows in no promised order.
  std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.id) < std::tie(b.first, b.second.id);
  });
  std::vector<bot::job> jobs;
  jobs.reserve(claimed.size());
  for (auto& [run_after, job] : claimed) jobs.push_back(std::move(job));
  return jobs;
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

void sqlite_store::complete(std::int64_t id, bot::timestamp now) try {
  std::lock_guard lock(mutex_);
  auto done = db_->statement(
      "UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = ? "
      "WHERE id = ?");
  done.bind(1, bot::to_unix_micros(now));
  done.bind(2, id);
  done.exec();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

void sqlite_store::retry_later(std::int64_t id, bot::timestamp run_after,
                               std::string_view error) try {
  std::lock_guard lock(mutex_);
  auto later = db_->statement(
      "UPDATE jobs SET run_after = ?, lease_until = NULL, last_error = ? "
      "WHERE id = ? AND state = 'pending'");
  later.bind(1, bot::to_unix_micros(run_after));
  later.bind(2, std::string(error));
  later.bind(3, id);
  later.exec();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

void sqlite_store::release(std::int64_t id) try {
  std::lock_guard lock(mutex_);
  auto release = db_->statement(
      "UPDATE jobs SET lease_until = NULL, attempts = MAX(attempts - 1, 0) "
      "WHERE id = ? AND state = 'pending' AND lease_until IS NOT NULL");
  release.bind(1, id);
  release.exec();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

void sqlite_store::give_up(std::int64_t id, bot::timestamp now, std::string_view error) try {
  std::lock_guard lock(mutex_);
  auto failed = db_->statement(
      "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = ?, "
      "finished_at = ? WHERE id = ?");
  failed.bind(1, std::string(error));
  failed.bind(2, bot::to_unix_micros(now));
  failed.bind(3, id);
  failed.exec();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

std::int64_t sqlite_store::pending(std::string_view queue) try {
  std::lock_guard lock(mutex_);
  auto count = db_->statement("SELECT COUNT(*) FROM jobs WHERE queue = ? AND state = 'pending'");
  count.bind(1, std::string(queue));
  count.executeStep();
  return count.getColumn(0).getInt64();
} catch (const SQLite::Exception& e) {
  rethrow_storage_error(e);
}

}  // namespace scribe::storage
