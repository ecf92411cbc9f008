#include "adapters/jobs/job_worker.hpp"

#include "config/log.hpp"
#include "metrics/catalog.hpp"
#include "runtime/offload.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <exception>

namespace scribe::jobs {

using bot::job_outcome;

namespace asio = boost::asio;

std::chrono::milliseconds backoff_delay(const worker_options& options, int attempts) {
  auto delay = options.min_backoff;
  for (int i = 1; i < attempts && delay < options.max_backoff; ++i) delay *= 2;
  return std::min(delay, options.max_backoff);
}

namespace detail {

struct worker_state {
  worker_state(asio::io_context& ioc, runtime::store_thread& t, bot::job_queue& q,
               const bot::clock& c, std::string name, job_handler h, worker_options o)
      : strand(asio::make_strand(ioc)),
        store_thread(t),
        queue(q),
        clock(c),
        queue_name(std::move(name)),
        handler(std::move(h)),
        options(o),
        wake(strand) {}

  asio::strand<asio::io_context::executor_type> strand;
  runtime::store_thread& store_thread;
  bot::job_queue& queue;
  const bot::clock& clock;
  const std::string queue_name;
  const job_handler handler;
  const worker_options options;
  asio::steady_timer wake;  // on strand
  std::atomic<bool> stopped{false};
  bool notified = false;  // on strand: work arrived while a job ran
};

}  // namespace detail

namespace {

using state_ptr = std::shared_ptr<detail::worker_state>;

// The store calls below are handed to offload() as named locals, never as temporaries inside the
// co_await expression: GCC 12 destroys such temporaries twice when they own memory.

// What came of one job, to be recorded with the next claim.
struct finished_job {
  std::int64_t id = 0;
  job_outcome outcome;
  bot::timestamp at;      // done or given up at; for a retry, when it is due again
  bool released = false;  // claimed but not run: handed back, due at once, not an attempt
};

// Runs the handler. Exceptions from the handler are a retry.
asio::awaitable<finished_job> run_job(const state_ptr& st, bot::job job) {
  job_outcome outcome;
  try {
    outcome = co_await st->handler(job);
  } catch (const std::exception& e) {
    outcome = job_outcome::retry(std::string("handler failed: ") + e.what());
  }
  if (outcome.what == job_outcome::kind::retry && job.attempts >= st->options.max_attempts) {
    outcome = job_outcome::give_up("gave up after " + std::to_string(job.attempts) +
                                   " attempts: " + outcome.error);
  }
  auto at = st->clock.now();
  if (outcome.what == job_outcome::kind::retry) {
    const auto delay = outcome.retry_after.count() > 0 ? outcome.retry_after
                                                       : backoff_delay(st->options, job.attempts);
    at += std::chrono::duration_cast<std::chrono::microseconds>(delay);
    log::warn("job will be retried", {{"queue", st->queue_name},
                                      {"key", job.key},
                                      {"attempt", std::to_string(job.attempts)},
                                      {"delay_ms", std::to_string(delay.count())},
                                      {"error", outcome.error}});
  } else if (outcome.what == job_outcome::kind::give_up) {
    log::error("job given up",
               {{"queue", st->queue_name}, {"key", job.key}, {"error", outcome.error}});
  }
  co_return finished_job{job.id, std::move(outcome), at};
}

// Stores what came of `finished` (on the store thread).
void record(bot::job_queue& queue, const std::vector<finished_job>& finished) {
  for (const auto& f : finished) {
    if (f.released) {
      queue.release(f.id);
      continue;
    }
    switch (f.outcome.what) {
      case job_outcome::kind::done: queue.complete(f.id, f.at); break;
      case job_outcome::kind::retry: queue.retry_later(f.id, f.at, f.outcome.error); break;
      case job_outcome::kind::give_up: queue.give_up(f.id, f.at, f.outcome.error); break;
    }
  }
}

void count(const state_ptr& st, const std::vector<finished_job>& finished) {
  for (const auto& f : finished) {
    if (f.released) continue;
    switch (f.outcome.what) {
      case job_outcome::kind::done: metrics::jobs_done().with({st->queue_name}).inc(); break;
      case job_outcome::kind::retry: metrics::job_retries().with({st->queue_name}).inc(); break;
      case job_outcome::kind::give_up: metrics::jobs_given_up().with({st->queue_name}).inc(); break;
    }
  }
}

// Claims jobs in batches and runs them one at a time, in order. What came of a batch is recorded
// in the same store call that claims the next one, so a burst of small jobs (most inbox events
// need nothing from the chat platform) costs a store round trip per batch, not two per job.
asio::awaitable<void> work_loop(state_ptr st) {
  const auto lease = std::chrono::duration_cast<std::chrono::microseconds>(st->options.lease);
  std::vector<finished_job> finished;
  auto& queue = st->queue;
  for (;;) {
    const bool stopping = st->stopped.load();
    std::vector<bot::job> jobs;
    try {
      const auto now = st->clock.now();
      const std::size_t limit = stopping ? 0 : st->options.batch;
      auto record_and_claim = [&queue, &finished, &name = st->queue_name, now, lease, limit] {
        record(queue, finished);
        return limit == 0 ? std::vector<bot::job>{} : queue.claim_batch(name, now, lease, limit);
      };
      jobs = co_await runtime::offload(st->store_thread, std::move(record_and_claim));
      count(st, finished);
    } catch (const std::exception& e) {
      // The store failed; the jobs keep their leases and come back later.
      log::error("job queue unavailable", {{"queue", st->queue_name}, {"error", e.what()}});
    }
    finished.clear();
    if (stopping) co_return;
    if (!jobs.empty()) {
      const auto claimed_at = st->clock.now();
      for (auto& job : jobs) {
        // Once the worker stops, or the batch's lease is half gone (slow calls to a chat
        // platform), the rest is handed back rather than run late: a lease that expires during a
        // run lets another claimer run the same job at once.
        const auto now = st->clock.now();
        if (st->stopped || now - claimed_at > lease / 2) {
          finished.push_back({job.id, job_outcome::retry("handed back unrun"), now, true});
          continue;
        }
        finished.push_back(co_await run_job(st, std::move(job)));
      }
      continue;  // there may be more due right away
    }
    if (st->notified) {
      st->notified = false;
      continue;
    }
    st->wake.expires_after(st->options.poll_interval);
    co_await st->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

struct loop_finished {
  std::string queue_name;
  void operator()(std::exception_ptr failure) const {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      log::error("job worker stopped by an error", {{"queue", queue_name}, {"error", e.what()}});
    }
  }
};

}  // namespace

job_worker::job_worker(asio::io_context& ioc, runtime::store_thread& store_thread,
                       bot::job_queue& queue, const bot::clock& clock, std::string queue_name,
                       job_handler handler, worker_options options)
    : state_(std::make_shared<detail::worker_state>(
          ioc, store_thread, queue, clock, std::move(queue_name), std::move(handler), options)) {}

job_worker::~job_worker() {
  stop();
}

void job_worker::start() {
  asio::co_spawn(state_->strand, work_loop(state_), loop_finished{state_->queue_name});
}

void job_worker::notify() {
  asio::post(state_->strand, [st = state_] {
    st->notified = true;
    st->wake.cancel();
  });
}

void job_worker::stop() {
  state_->stopped = true;
  asio::post(state_->strand, [st = state_] { st->wake.cancel(); });
}

job_outcome outcome_of(const http::call_result& call, std::string_view what) {
  if (call.what == http::call_result::kind::retry) {
    return job_outcome::retry(std::string(what) + ": " + call.error, call.retry_after);
  }
  return job_outcome::give_up(std::string(what) + ": " + call.error);
}

}  // namespace scribe::jobs
