#include "adapters/jobs/inbox_limit.hpp"

#include "config/log.hpp"
#include "metrics/catalog.hpp"

#include <utility>

namespace scribe::jobs {

inbox_limit::inbox_limit(bot::job_queue& jobs, std::string queue, std::int64_t max_pending)
    : jobs_(jobs), queue_(std::move(queue)), max_pending_(max_pending) {}

inbox_limit::admission inbox_limit::enqueue(std::string_view key, std::string_view payload,
                                            bot::timestamp now) {
  admission result;
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(count_mutex_);
    const auto checked = std::chrono::steady_clock::now();
    if (!counted_at_ || checked - *counted_at_ >= recount_interval ||
        counted_ + added_since_count_ >= max_pending_) {
      counted_ = jobs_.pending(queue_);
      added_since_count_ = 0;
      counted_at_ = checked;
      ++count_generation_;
    }
    result.pending = counted_ + added_since_count_;
    if (result.pending >= max_pending_) {
      result.full = true;
      return result;
    }
    // Counted before it is stored, so that the estimate stays high while the store works.
    ++added_since_count_;
    generation = count_generation_;
  }
  // Outside the lock: with a store that runs calls at once (PostgreSQL), deliveries are stored
  // side by side rather than one after another.
  try {
    result.added = jobs_.enqueue(queue_, key, payload, now);
  } catch (...) {
    forget_reserved(generation);
    throw;
  }
  if (!result.added) forget_reserved(generation);
  return result;
}

bool inbox_limit::enqueue_admitted(std::string_view key, std::string_view payload,
                                   bot::timestamp now) {
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(count_mutex_);
    ++added_since_count_;
    generation = count_generation_;
  }
  bool added = false;
  try {
    added = jobs_.enqueue(queue_, key, payload, now);
  } catch (...) {
    forget_reserved(generation);
    throw;
  }
  if (!added) forget_reserved(generation);
  return added;
}

void inbox_limit::forget_reserved(std::uint64_t generation) {
  std::lock_guard lock(count_mutex_);
  if (generation == count_generation_ && added_since_count_ > 0) --added_since_count_;
}

void inbox_limit::note_refused(std::int64_t pending, std::string_view request_id) {
  metrics::queue_rejected().with({queue_}).inc();
  std::int64_t refused = 0;
  {
    std::lock_guard lock(mutex_);
    ++refused_since_warning_;
    const auto now = std::chrono::steady_clock::now();
    if (last_warned_ && now - *last_warned_ < warn_interval) return;
    last_warned_ = now;
    refused = std::exchange(refused_since_warning_, 0);
  }
  log::warn("inbox full", {{"queue", queue_},
                           {"pending", std::to_string(pending)},
                           {"limit", std::to_string(max_pending_)},
                           {"refused", std::to_string(refused)},
                           {"request_id", std::string(request_id)}});
}

std::string inbox_limit::reason() const {
  return "inbox full: " + std::to_string(max_pending_) +
         " deliveries wait to be handled; try again later";
}

}  // namespace scribe::jobs
