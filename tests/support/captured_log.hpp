#pragma once
// Captures Scribe's log records for the duration of a test (at debug level unless the test sets
// another), and restores the stderr sink and the previous level afterwards.

#include "config/log.hpp"

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::test_support {

class captured_log {
 public:
  captured_log() : previous_(log::current_level()) {
    log::set_level(log::level::debug);
    log::set_sink([this](log::level, std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    });
  }
  ~captured_log() {
    log::set_sink({});
    log::set_level(previous_);
  }
  captured_log(const captured_log&) = delete;
  captured_log& operator=(const captured_log&) = delete;

  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  std::vector<std::string> containing(std::string_view text) const {
    std::vector<std::string> found;
    for (auto& line : lines()) {
      if (line.find(text) != std::string::npos) found.push_back(line);
    }
    return found;
  }

 private:
  log::level previous_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace scribe::test_support
