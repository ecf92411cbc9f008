#pragma once
// Time in Scribe: UTC instants with microsecond precision (Slack's `ts` and Matrix's
// `origin_server_ts` both fit), a clock port so tests control "now", and the renderings shown to
// people (RFC 3339, short durations).

#include <chrono>
#include <cstdint>
#include <string>

namespace scribe::bot {

using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// Microseconds since the Unix epoch: how timestamps are stored.
inline std::int64_t to_unix_micros(timestamp t) {
  return t.time_since_epoch().count();
}
inline timestamp from_unix_micros(std::int64_t us) {
  return timestamp{std::chrono::microseconds{us}};
}

// The clock port. Implementations must be safe to call from any thread.
class clock {
 public:
  virtual ~clock() = default;
  virtual timestamp now() const = 0;
};

// The real clock.
class system_clock final : public clock {
 public:
  timestamp now() const override;
};

// "2026-11-21T05:32:30Z", or with six fraction digits when the instant is not a whole second.
std::string format_rfc3339(timestamp t);
// "14:05" in UTC: the compact form used in chat replies, where the date is usually obvious.
std::string format_utc_clock(timestamp t);
// "2d 3h", "1h 12m", "4m 10s", "12s": at most two units, rounded down; negative spans read as "0s".
std::string format_duration(std::chrono::microseconds span);

}  // namespace scribe::bot
