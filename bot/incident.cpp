#include "bot/incident.hpp"

#include <charconv>

namespace scribe::bot {

std::string_view to_string(incident_status status) {
  return status == incident_status::open ? "open" : "closed";
}

std::optional<incident_status> parse_incident_status(std::string_view text) {
  if (text == "open") return incident_status::open;
  if (text == "closed") return incident_status::closed;
  return std::nullopt;
}

std::optional<std::int64_t> parse_incident_label(std::string_view label) {
  if (label.size() < 5 || label.size() > 22 || label[3] != '-') return std::nullopt;
  for (std::size_t i = 0; i < 3; ++i) {
    if ((label[i] | 0x20) != "inc"[i]) return std::nullopt;
  }
  std::int64_t number = 0;
  const auto digits = label.substr(4);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc{} || end != digits.data() + digits.size() || number <= 0) return std::nullopt;
  return number;
}

std::string incident_label(const incident& inc) {
  return "INC-" + std::to_string(inc.number);
}

std::string severity_label(std::optional<int> severity) {
  return severity ? "SEV" + std::to_string(*severity) : "no severity";
}

std::string_view to_string(entry_source source) {
  switch (source) {
    case entry_source::command: return "command";
    case entry_source::reaction: return "reaction";
    case entry_source::mention: return "mention";
    case entry_source::system: return "system";
  }
  return "system";
}

std::optional<entry_source> parse_entry_source(std::string_view text) {
  for (auto s : {entry_source::command, entry_source::reaction, entry_source::mention,
                 entry_source::system}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

page_cursor cursor_of(const timeline_entry& entry) {
  return {entry.occurred_at, entry.id};
}

page_cursor cursor_of(const incident& inc) {
  return {inc.opened_at, inc.id};
}

std::string format_cursor(const page_cursor& cursor) {
  return std::to_string(to_unix_micros(cursor.at)) + "-" + std::to_string(cursor.id);
}

std::optional<page_cursor> parse_cursor(std::string_view text) {
  // The time may be negative (before 1970); the id never is.
  const auto dash = text.find('-', 1);
  if (dash == std::string_view::npos || dash + 1 >= text.size()) return std::nullopt;
  std::int64_t micros = 0;
  std::int64_t id = 0;
  const auto time = text.substr(0, dash);
  const auto number = text.substr(dash + 1);
  const auto [time_end, time_ec] = std::from_chars(time.data(), time.data() + time.size(), micros);
  const auto [id_end, id_ec] = std::from_chars(number.data(), number.data() + number.size(), id);
  if (time_ec != std::errc{} || time_end != time.data() + time.size() || id_ec != std::errc{} ||
      id_end != number.data() + number.size() || id < 0 || number.front() == '+') {
    return std::nullopt;
  }
  return page_cursor{from_unix_micros(micros), id};
}

}  // namespace scribe::bot
