#pragma once
// A bound on an inbox queue (see bot/job_queue.hpp). A webhook stores what a chat platform
// delivers in its inbox before acknowledging it; while the platform's API is down the inbox cannot
// drain, and without a bound it would grow until the disk is full. Once the inbox holds
// jobs.max_pending pending jobs, a delivery is refused with 503 and Retry-After instead: Slack and
// Matrix homeservers deliver again later, and nothing acknowledged is lost.
//
// The bound is soft: the count and the enqueue are two store calls, so concurrent deliveries may
// each see room and overshoot it by at most their number.
//
// Counting is not free (it reads every pending job's index entry), and it costs most when the
// inbox is long, which is when deliveries come fastest. So the count is taken again only every
// recount_interval; in between, the last count plus the jobs stored since is an estimate that can
// only be too high, and one that reaches the limit is checked with a fresh count before refusing.
//
// Thread-safety: every member may be called from any thread. Lifetime: `jobs` must outlive this.

#include "bot/job_queue.hpp"
#include "bot/time.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace scribe::jobs {

class inbox_limit {
 public:
  // What a platform is told to wait before delivering again (Retry-After). Slack and Synapse keep
  // their own retry schedules, so this is advice for whatever else sends.
  static constexpr std::chrono::seconds retry_after{30};
  // "inbox full" is logged at most this often per queue; the refusals in between are counted in
  // the next line and in scribe_queue_rejected_total.
  static constexpr std::chrono::seconds warn_interval{10};
  static constexpr std::chrono::milliseconds recount_interval{100};

  inbox_limit(bot::job_queue& jobs, std::string queue, std::int64_t max_pending);

  struct admission {
    bool full = false;         // refused: the queue held max_pending pending jobs already
    bool added = false;        // stored; false with !full: the key was known (a redelivery)
    std::int64_t pending = 0;  // pending jobs before storing (counted, or estimated from above)
  };

  // Stores the job unless the inbox is full. Blocks on the store: run it on the store thread.
  // Throws what the store throws.
  admission enqueue(std::string_view key, std::string_view payload, bot::timestamp now);
  // Stores a further job of a delivery whose first job enqueue() admitted, whatever the count:
  // the platform is acknowledged for the whole delivery and will not send any of it again, so a
  // delivery is admitted or refused whole. Counted as enqueue() counts. True when stored (false:
  // the key was known). Blocks on the store; throws what the store throws.
  bool enqueue_admitted(std::string_view key, std::string_view payload, bot::timestamp now);

  // Records a refusal: counts it in scribe_queue_rejected_total{queue} and logs warn "inbox full"
  // (queue, pending, limit, request_id) unless it did so less than warn_interval ago.
  void note_refused(std::int64_t pending, std::string_view request_id);

  // "inbox full: <max_pending> deliveries wait to be handled; try again later", for the 503.
  std::string reason() const;

  const std::string& queue() const { return queue_; }
  std::int64_t max_pending() const { return max_pending_; }

 private:
  // Takes back a job counted before it was stored, when it was not (a redelivery, a failure), if
  // no count was taken since.
  void forget_reserved(std::uint64_t generation);

  bot::job_queue& jobs_;
  const std::string queue_;
  const std::int64_t max_pending_;
  std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> last_warned_;  // guarded by mutex_
  std::int64_t refused_since_warning_ = 0;                            // guarded by mutex_
  // Held across the count's store call (not the enqueue's), so never taken on a network thread
  // (note_refused uses mutex_).
  std::mutex count_mutex_;
  std::optional<std::chrono::steady_clock::time_point> counted_at_;  // guarded by count_mutex_
  std::int64_t counted_ = 0;                                         // guarded by count_mutex_
  std::int64_t added_since_count_ = 0;                               // guarded by count_mutex_
  std::uint64_t count_generation_ = 0;  // which count added_since_count_ adds to; count_mutex_
};

}  // namespace scribe::jobs
