#pragma once
// Runs the jobs of one queue (an inbox or an outbox, see bot/job_queue.hpp) one at a time, in
// order, on the io_context: claims the due jobs in batches, hands each to a coroutine, and records
// what came of them together with the next claim.
//
// A job whose handler throws, or says "retry", becomes due again after a backoff that grows with
// its attempts (or after the delay the handler asks for, such as a 429's Retry-After). A job that
// cannot succeed is given up and logged. The worker polls the queue every poll_interval, and
// notify() wakes it at once after an enqueue, so new work does not wait for the next poll.
//
// What came of each job is counted once recorded in the store: scribe_jobs_done_total,
// scribe_job_retries_total and scribe_jobs_given_up_total, labelled with the queue's name.
//
// Lifetime: the io_context, the store thread, the queue and the clock must outlive the worker.
// stop() ends the loop after the current job, records what came of the batch and hands its unrun
// jobs back; a job cut short by the process's end keeps its lease until the lease expires and
// then runs again, so handlers must be idempotent.

#include "adapters/http/api_call.hpp"
#include "bot/job_queue.hpp"
#include "bot/time.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include "runtime/store_thread.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace scribe::jobs {

// A job's outcome after a call to a chat platform's API failed: a retry (after the delay the
// platform asked for, if any) or, for what retrying cannot fix, giving up; `what` names the call.
bot::job_outcome outcome_of(const http::call_result& call, std::string_view what);

using job_handler = std::function<boost::asio::awaitable<bot::job_outcome>(bot::job)>;

struct worker_options {
  std::chrono::milliseconds lease{std::chrono::minutes(2)};  // longer than any one job takes
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
  std::chrono::milliseconds min_backoff{std::chrono::seconds(1)};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
  int max_attempts = 50;    // then the job is given up: about four hours at the maximum backoff
  std::size_t batch = 128;  // jobs claimed at once
};

// The delay before attempt `attempts + 1`: min_backoff doubled per attempt, capped at max_backoff.
std::chrono::milliseconds backoff_delay(const worker_options& options, int attempts);

namespace detail {
struct worker_state;
}

class job_worker {
 public:
  job_worker(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
             bot::job_queue& queue, const bot::clock& clock, std::string queue_name,
             job_handler handler, worker_options options = {});
  ~job_worker();
  job_worker(const job_worker&) = delete;
  job_worker& operator=(const job_worker&) = delete;

  void start();
  // Thread-safe.
  void notify();
  void stop();

 private:
  std::shared_ptr<detail::worker_state> state_;
};

}  // namespace scribe::jobs
