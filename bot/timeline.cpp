#include "bot/timeline.hpp"

#include <algorithm>

namespace scribe::bot {
namespace {

bool before(const page_cursor& a, const page_cursor& b) {
  return a.at < b.at || (a.at == b.at && a.id < b.id);
}

// Pages of this size when the whole timeline is wanted: large enough to be few store calls, small
// enough that no single call holds the store for long.
constexpr std::size_t whole_timeline_page = 2000;

}  // namespace

std::vector<timeline_entry> incident_store::timeline(std::int64_t incident_id) {
  std::vector<timeline_entry> all;
  std::optional<page_cursor> after;
  while (true) {
    auto page = timeline_page(incident_id, after, whole_timeline_page);
    const bool last = page.size() < whole_timeline_page;
    if (!page.empty()) after = cursor_of(page.back());
    std::move(page.begin(), page.end(), std::back_inserter(all));
    if (last) return all;
  }
}

timeline_excerpt read_excerpt(incident_store& store, std::int64_t incident_id,
                              const std::optional<page_cursor>& after, std::size_t head,
                              std::size_t tail) {
  head = std::max<std::size_t>(head, 1);
  timeline_excerpt out;
  out.total = store.timeline_size(incident_id);
  // One more than asked for: whether anything follows the head, and what.
  out.head = store.timeline_page(incident_id, after, head + 1);
  if (out.head.size() <= head) return out;  // the head reaches the end
  const page_cursor next = cursor_of(out.head.back());
  out.head.pop_back();
  const page_cursor last_head = cursor_of(out.head.back());
  if (tail > 0) {
    out.tail = store.timeline_tail(incident_id, tail);
    std::erase_if(out.tail,
                  [&](const timeline_entry& e) { return !before(last_head, cursor_of(e)); });
  }
  // Something follows the head: it is left out unless the tail starts right there.
  if (out.tail.empty() || cursor_of(out.tail.front()) != next) out.gap_after = last_head;
  return out;
}

timeline_excerpt whole_timeline(std::vector<timeline_entry> entries) {
  timeline_excerpt out;
  out.total = static_cast<std::int64_t>(entries.size());
  out.head = std::move(entries);
  return out;
}

std::int64_t omitted(const timeline_excerpt& excerpt) {
  return excerpt.total - static_cast<std::int64_t>(excerpt.head.size() + excerpt.tail.size());
}

}  // namespace scribe::bot
