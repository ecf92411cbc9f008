#pragma once
// The job queue port: durable work that must survive a crash between "accepted" and "done".
//
// Scribe uses it twice. As an inbox: a chat platform's event is stored here before it is
// acknowledged, and a worker processes it afterwards (Slack allows 3 seconds for the ack; the work
// needs Slack's API). As an outbox: a message or reaction Scribe must send is stored here, and a
// sender delivers it with retries.
//
// Contract for every implementation (see also incident_store.hpp):
// - enqueue is durable on return, and de-duplicates on (queue, key) for as long as the job is kept:
//   a platform's retry of the same event is a no-op.
// - claim hands a job to exactly one worker for the lease; a worker that dies loses its lease and
//   the job becomes claimable again when the lease expires. So a job may run more than once, and
//   its processing must be idempotent (the timeline's unique keys make it so).
// - Calls block; call them off network threads.

#include "bot/time.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::bot {

struct job {
  std::int64_t id = 0;
  std::string queue;
  std::string key;
  std::string payload;
  int attempts = 0;  // including the current one
  timestamp created_at;
};

// What came of running a job, as its handler tells the worker that ran it.
struct job_outcome {
  enum class kind { done, retry, give_up };
  kind what = kind::done;
  std::chrono::milliseconds retry_after{0};  // for retry; 0 means "use the backoff"
  std::string error;                         // for retry and give_up: logged and stored

  static job_outcome done() { return {}; }
  static job_outcome retry(std::string why, std::chrono::milliseconds after = {}) {
    return {kind::retry, after, std::move(why)};
  }
  static job_outcome give_up(std::string why) { return {kind::give_up, {}, std::move(why)}; }
};

// What one queue holds, for monitoring (GET /metrics).
struct queue_stats {
  std::string queue;
  std::int64_t pending = 0;                 // jobs not yet done or given up
  std::optional<timestamp> oldest_pending;  // when the oldest of them was enqueued; none: empty
};

class job_queue {
 public:
  virtual ~job_queue() = default;

  // Adds a job unless (queue, key) is known already. Returns whether it was added.
  virtual bool enqueue(std::string_view queue, std::string_view key, std::string_view payload,
                       timestamp now) = 0;

  // The oldest `limit` jobs of `queue` that are due and not leased, oldest first, leased to the
  // caller until now + lease.
  virtual std::vector<job> claim_batch(std::string_view queue, timestamp now,
                                       std::chrono::microseconds lease, std::size_t limit) = 0;
  // The oldest such job, if any.
  std::optional<job> claim(std::string_view queue, timestamp now, std::chrono::microseconds lease) {
    auto jobs = claim_batch(queue, now, lease, 1);
    if (jobs.empty()) return std::nullopt;
    return std::move(jobs.front());
  }

  // The job is done (at `now`); it stays known for de-duplication.
  virtual void complete(std::int64_t id, timestamp now) = 0;
  // The job failed for a reason that may pass: it becomes due again at `run_after`.
  virtual void retry_later(std::int64_t id, timestamp run_after, std::string_view error) = 0;
  // The job was claimed but not run (handed back): its lease ends now, and the claim does not
  // count as an attempt, so a job handed back often is not given up for that.
  virtual void release(std::int64_t id) = 0;
  // The job cannot succeed: it is kept, marked failed (at `now`), and never claimed again.
  virtual void give_up(std::int64_t id, timestamp now, std::string_view error) = 0;

  // Jobs of `queue` not yet done or given up.
  virtual std::int64_t pending(std::string_view queue) = 0;

  // Every queue that has ever held a job (an empty one too, so that a monitor sees it drain to
  // 0), in name order. Costs about what pending() costs for each queue.
  virtual std::vector<queue_stats> stats() = 0;
};

}  // namespace scribe::bot
