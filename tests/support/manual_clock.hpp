#pragma once
// The clock port under the test's control: time moves only when the test says so.

#include "bot/time.hpp"

#include <atomic>
#include <chrono>

namespace scribe::test_support {

class manual_clock final : public bot::clock {
 public:
  // 2026-11-21T10:00:00Z unless told otherwise.
  explicit manual_clock(bot::timestamp start = bot::from_unix_micros(1'795'255'200'000'000))
      : now_(bot::to_unix_micros(start)) {}
  bot::timestamp now() const override { return bot::from_unix_micros(now_.load()); }
  void advance(std::chrono::microseconds by) { now_ += by.count(); }
  void set(bot::timestamp t) { now_ = bot::to_unix_micros(t); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace scribe::test_support
