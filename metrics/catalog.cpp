#include "metrics/catalog.hpp"

#include <unistd.h>

#include <chrono>
#include <fstream>

namespace scribe::metrics {
namespace {

// Taken while the program's statics are initialised, before main: close enough to the process's
// start for a metric read in seconds (Prometheus uses it to tell restarts apart).
const double process_start_seconds =
    std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();

}  // namespace

registry& default_registry() {
  static registry instance;
  return instance;
}

family<counter>& http_requests() {
  static auto& f = default_registry().counter_family(
      "scribe_http_requests_total",
      "HTTP requests answered, by matched route pattern, method and status code.",
      {"route", "method", "status"});
  return f;
}

family<histogram>& http_request_duration() {
  // From half a millisecond (a health check) to 10 s (a request that waited on a busy store).
  static auto& f = default_registry().histogram_family(
      "scribe_http_request_duration_seconds",
      "Time from routing an HTTP request to its response being ready, by route pattern.", {"route"},
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  return f;
}

family<counter>& chat_api_calls() {
  static auto& f = default_registry().counter_family(
      "scribe_chat_api_calls_total",
      "Calls to a chat platform's API, by platform, API method and outcome (ok, failed, retry).",
      {"platform", "method", "outcome"});
  return f;
}

family<counter>& chat_api_errors() {
  static auto& f = default_registry().counter_family(
      "scribe_chat_api_errors_total",
      "Chat platform API calls that failed or will be retried, by platform, API method and error "
      "code.",
      {"platform", "method", "code"});
  return f;
}

family<counter>& jobs_done() {
  static auto& f = default_registry().counter_family("scribe_jobs_done_total",
                                                     "Jobs completed, by queue.", {"queue"});
  return f;
}

family<counter>& job_retries() {
  static auto& f = default_registry().counter_family(
      "scribe_job_retries_total", "Job runs that failed and were scheduled again, by queue.",
      {"queue"});
  return f;
}

family<counter>& jobs_given_up() {
  static auto& f = default_registry().counter_family(
      "scribe_jobs_given_up_total", "Jobs given up (kept, marked failed), by queue.", {"queue"});
  return f;
}

family<counter>& queue_rejected() {
  static auto& f = default_registry().counter_family(
      "scribe_queue_rejected_total",
      "Webhook deliveries refused with 503 because their inbox queue was full, by queue.",
      {"queue"});
  return f;
}

void add_process_metrics(registry& snapshot) {
  snapshot
      .gauge_family("scribe_process_start_time_seconds",
                    "Start time of the process since the Unix epoch, in seconds.")
      .with({})
      .set(process_start_seconds);
  // statm's second field is the resident set in pages (proc(5)).
  std::ifstream statm("/proc/self/statm");
  unsigned long long size_pages = 0;
  unsigned long long resident_pages = 0;
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (!(statm >> size_pages >> resident_pages) || page_size <= 0) return;
  snapshot.gauge_family("scribe_process_resident_memory_bytes", "Resident memory size in bytes.")
      .with({})
      .set(static_cast<double>(resident_pages) * static_cast<double>(page_size));
}

}  // namespace scribe::metrics
