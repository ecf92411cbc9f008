#include "bot/time.hpp"

#include <cstdio>

namespace scribe::bot {

timestamp system_clock::now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

namespace {

struct civil_time {
  int year;
  unsigned month, day;
  long hours, minutes, seconds;
  long long micros;
};

civil_time split(timestamp t) {
  auto day_start = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{day_start};
  auto in_day = t - day_start;
  auto micros = in_day.count();
  return {static_cast<int>(ymd.year()),
          static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day()),
          static_cast<long>(micros / 3'600'000'000LL),
          static_cast<long>(micros / 60'000'000LL % 60),
          static_cast<long>(micros / 1'000'000LL % 60),
          static_cast<long long>(micros % 1'000'000LL)};
}

}  // namespace

std::string format_rfc3339(timestamp t) {
  auto c = split(t);
  char buf[48];
  if (c.micros == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", c.year, c.month, c.day,
                  c.hours, c.minutes, c.seconds);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%06lldZ", c.year, c.month,
                  c.day, c.hours, c.minutes, c.seconds, c.micros);
  }
  return buf;
}

std::string format_utc_clock(timestamp t) {
  auto c = split(t);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld", c.hours, c.minutes);
  return buf;
}

std::string format_duration(std::chrono::microseconds span) {
  using namespace std::chrono;
  if (span < microseconds::zero()) span = microseconds::zero();
  const long long total = duration_cast<seconds>(span).count();
  const long long units[] = {total / 86400, total / 3600 % 24, total / 60 % 60, total % 60};
  const char* names[] = {"d", "h", "m", "s"};
  std::size_t first = 0;
  while (first < 3 && units[first] == 0) ++first;
  std::string out = std::to_string(units[first]) + names[first];
  // The next smaller unit only when it says something: "2h", not "2h 0m".
  if (first < 3 && units[first + 1] != 0) {
    out += ' ' + std::to_string(units[first + 1]) + names[first + 1];
  }
  return out;
}

}  // namespace scribe::bot
