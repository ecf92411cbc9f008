#pragma once
// "Did you mean ...?" for a name someone mistyped: configuration keys, sections and SCRIBE_*
// variables (config/loader.cpp), and the command line's commands and options (app/cli.cpp).
// Pure functions, safe from any thread.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace scribe::config {

// The Levenshtein distance between `a` and `b`: insertions, deletions and substitutions of bytes.
std::size_t edit_distance(std::string_view a, std::string_view b);

// "; did you mean X?" for the candidate closest to `wrong` within a few typos (2, or a fifth of
// the candidate's length for long names), or "" when none is that close. `candidates` is any
// range of things that convert to std::string_view.
template <class Range>
std::string suggestion(std::string_view wrong, const Range& candidates) {
  std::string best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(wrong, candidate);
    if (best.empty() || distance < best_distance) {
      best = std::string(candidate);
      best_distance = distance;
    }
  }
  const std::size_t allowed = std::max<std::size_t>(2, best.size() / 5);
  return !best.empty() && best_distance <= allowed ? "; did you mean " + best + "?" : "";
}

}  // namespace scribe::config
