#pragma once
// Scribe's metrics: the families the HTTP server, the chat platforms' API clients and the job
// workers update, all in one process-wide registry that GET /metrics renders. One function per
// family, so a name, its help text and its labels are written once; the family is registered on
// first use (thread-safe).
//
// Label values must stay bounded and never carry secrets or message text: routes are patterns,
// methods are API method names, codes are the platforms' error codes.

#include "metrics/registry.hpp"

namespace scribe::metrics {

// The process-wide registry. Lives until the process exits.
registry& default_registry();

// scribe_http_requests_total{route,method,status}: requests answered, by matched route pattern
// ("/incidents/{id}"; "unmatched" when none), method and status code.
family<counter>& http_requests();
// scribe_http_request_duration_seconds{route}: time from routing to the response being ready.
family<histogram>& http_request_duration();
// scribe_chat_api_calls_total{platform,method,outcome}: calls to Slack's or Matrix's API;
// outcome is ok, failed (retrying will not help) or retry.
family<counter>& chat_api_calls();
// scribe_chat_api_errors_total{platform,method,code}: the failed and retried calls among those,
// by the platform's error code ("ratelimited", "M_FORBIDDEN") or the transport's ("http_500",
// "timeout", "tls").
family<counter>& chat_api_errors();
// scribe_jobs_done_total{queue}, scribe_job_retries_total{queue},
// scribe_jobs_given_up_total{queue}: what came of the job runs of each queue.
family<counter>& jobs_done();
family<counter>& job_retries();
family<counter>& jobs_given_up();
// scribe_queue_rejected_total{queue}: webhooks refused (503) because their inbox was full.
family<counter>& queue_rejected();

// Adds scribe_process_start_time_seconds and, where /proc/self/statm can be read,
// scribe_process_resident_memory_bytes to `snapshot`, a registry filled per scrape. Reads a small
// file under /proc: a few microseconds, fine on any thread.
void add_process_metrics(registry& snapshot);

}  // namespace scribe::metrics
