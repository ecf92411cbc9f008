#pragma once
// The queues a chat platform's adapter runs around the workflows (bot/chat_flows.hpp):
//
// - chat_inbox: what the platform delivered, stored as typed events (bot/chat_event.hpp) before
//   the delivery is acknowledged, then handed to the workflows by a worker, in order, also after
//   a restart. Bounded by an inbox_limit: a full inbox refuses deliveries (the webhook answers
//   503) rather than filling the disk.
// - chat_outbox: what Scribe must send (a notice, a raw API call), stored, then delivered by a
//   worker with retries; one job per key, so nothing goes twice.
//
// Lifetime: everything passed to a constructor must outlive the queue; stop() before the
// io_context stops. Thread-safety: admit(), send() and notify() may be called from any coroutine.

#include "adapters/jobs/inbox_limit.hpp"
#include "adapters/jobs/job_worker.hpp"
#include "bot/chat_event.hpp"
#include "bot/chat_flows.hpp"
#include "bot/job_queue.hpp"
#include "config/options.hpp"
#include "runtime/store_thread.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scribe::jobs {

class chat_inbox {
 public:
  // Reads an inbox job that an earlier version of Scribe stored in its own form (a platform's raw
  // delivery): the events it holds, in order (none when there is nothing to do).
  using legacy_reader = std::function<std::vector<bot::chat_event>(const bot::job&)>;

  chat_inbox(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
             bot::job_queue& jobs, const bot::clock& clock, std::string queue,
             bot::chat_flows& flows, legacy_reader legacy, const config::jobs_options& limits);

  struct delivery {
    std::string key;  // the platform's id for it: a redelivery is stored once
    bot::chat_event event;
  };
  // Stores the events, in one store call, unless the inbox is full: then none is stored. The
  // admission says whether it was full and whether anything new was stored. Throws what the
  // store throws.
  boost::asio::awaitable<inbox_limit::admission> admit(std::vector<delivery> events);
  // The inbox's limit, for the webhook's refusal (inbox_limit::note_refused, reason).
  inbox_limit& limit() { return limit_; }

  void start() { worker_.start(); }
  void stop() { worker_.stop(); }

 private:
  // admit()'s store call. Blocks on the store.
  inbox_limit::admission store(const std::vector<delivery>& events);
  // The events of an inbox job: one typed event, or those of a legacy form. On the heap, not in
  // the worker's coroutine frame: GCC 12 miscompiles large frames (see process()).
  std::unique_ptr<std::vector<bot::chat_event>> read(const bot::job& job) const;
  boost::asio::awaitable<bot::job_outcome> process(bot::job job);

  runtime::store_thread& store_thread_;
  const bot::clock& clock_;
  bot::chat_flows& flows_;
  legacy_reader legacy_;
  inbox_limit limit_;
  job_worker worker_;
};

class chat_outbox {
 public:
  using deliverer = std::function<boost::asio::awaitable<bot::job_outcome>(bot::job)>;

  chat_outbox(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
              bot::job_queue& jobs, const bot::clock& clock, std::string queue, deliverer deliver,
              const config::jobs_options& limits);

  // Stores `payload` for delivery unless `key` was sent before. Returns once it is durable.
  boost::asio::awaitable<void> send(std::string key, std::string payload);

  void start() { worker_.start(); }
  void stop() { worker_.stop(); }

 private:
  runtime::store_thread& store_thread_;
  bot::job_queue& jobs_;
  const bot::clock& clock_;
  const std::string queue_;
  job_worker worker_;
};

}  // namespace scribe::jobs
