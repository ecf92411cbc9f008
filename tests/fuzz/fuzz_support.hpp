#pragma once
// What every fuzz target shares: the input as text, splitting it into fields, and an invariant
// check that stays on in release builds (the fuzz build is RelWithDebInfo, so assert() is off).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string_view>
#include <vector>

namespace scribe::fuzz {

// libFuzzer's bytes as text. The view is valid for one LLVMFuzzerTestOneInput call.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A broken invariant: print it and abort, which libFuzzer reports as a crash with a reproducer.
[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", file, line, what);
  std::abort();
}

// `text` split at every `separator`: n separators give n + 1 fields (empty ones included), so a
// seed file's lines map to fields one to one.
inline std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto at = text.find(separator);
    fields.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return fields;
    text.remove_prefix(at + 1);
  }
}

// Whether `inner` is a view into `outer` (for functions whose result "points into" their input).
inline bool is_within(std::string_view inner, std::string_view outer) {
  if (inner.empty()) return true;
  // std::less_equal: a total order even for pointers into different objects.
  const std::less_equal<const char*> not_after;
  return not_after(outer.data(), inner.data()) &&
         not_after(inner.data() + inner.size(), outer.data() + outer.size());
}

}  // namespace scribe::fuzz

// A macro so that the message names the failed expression and the line.
#define SCRIBE_FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::scribe::fuzz::fail(#condition, __FILE__, __LINE__))
