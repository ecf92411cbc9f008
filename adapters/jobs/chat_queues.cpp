#include "adapters/jobs/chat_queues.hpp"

#include "runtime/offload.hpp"

namespace scribe::jobs {

chat_inbox::chat_inbox(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                       bot::job_queue& jobs, const bot::clock& clock, std::string queue,
                       bot::chat_flows& flows, legacy_reader legacy,
                       const config::jobs_options& limits)
    : store_thread_(store_thread),
      clock_(clock),
      flows_(flows),
      legacy_(std::move(legacy)),
      limit_(jobs, queue, limits.max_pending),
      worker_(
          ioc, store_thread, jobs, clock, std::move(queue),
          [this](bot::job job) { return process(std::move(job)); },
          worker_options{.lease = limits.lease}) {}

inbox_limit::admission chat_inbox::store(const std::vector<delivery>& events) {
  // The limit is checked for the delivery as a whole, by its first event: the platform is
  // acknowledged for all of it or for none, so the rest is stored even when that overshoots the
  // bound (a soft one anyway, see inbox_limit.hpp) by a transaction's few events.
  inbox_limit::admission admitted;
  const auto now = clock_.now();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::string payload = bot::encode_chat_event(events[i].event);
    if (i == 0) {
      admitted = limit_.enqueue(events[i].key, payload, now);
      if (admitted.full) return admitted;
    } else if (limit_.enqueue_admitted(events[i].key, payload, now)) {
      admitted.added = true;
    }
  }
  return admitted;
}

boost::asio::awaitable<inbox_limit::admission> chat_inbox::admit(std::vector<delivery> events) {
  auto stored = [this, &events] { return store(events); };
  const auto admitted = co_await runtime::offload(store_thread_, std::move(stored));
  if (admitted.added) worker_.notify();
  co_return admitted;
}

std::unique_ptr<std::vector<bot::chat_event>> chat_inbox::read(const bot::job& job) const {
  auto events = std::make_unique<std::vector<bot::chat_event>>();
  if (auto event = bot::decode_chat_event(job.payload)) {
    events->push_back(std::move(*event));
  } else {
    *events = legacy_(job);
  }
  return events;
}

boost::asio::awaitable<bot::job_outcome> chat_inbox::process(bot::job job) {
  const auto events = read(job);
  // A legacy job may hold several events (a whole transaction). Running one again after a retry
  // is harmless: the workflows are idempotent.
  bot::job_outcome last = bot::job_outcome::done();
  for (auto& event : *events) {
    auto outcome = co_await flows_.handle(std::move(event));
    if (outcome.what == bot::job_outcome::kind::retry) co_return outcome;
    if (outcome.what == bot::job_outcome::kind::give_up) last = std::move(outcome);
  }
  co_return last;
}

chat_outbox::chat_outbox(boost::asio::io_context& ioc, runtime::store_thread& store_thread,
                         bot::job_queue& jobs, const bot::clock& clock, std::string queue,
                         deliverer deliver, const config::jobs_options& limits)
    : store_thread_(store_thread),
      jobs_(jobs),
      clock_(clock),
      queue_(queue),
      worker_(ioc, store_thread, jobs, clock, std::move(queue), std::move(deliver),
              worker_options{.lease = limits.lease}) {}

boost::asio::awaitable<void> chat_outbox::send(std::string key, std::string payload) {
  auto store = [this, &key, &payload] { return jobs_.enqueue(queue_, key, payload, clock_.now()); };
  if (co_await runtime::offload(store_thread_, std::move(store))) worker_.notify();
}

}  // namespace scribe::jobs
