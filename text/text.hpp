#pragma once
// Unicode-aware helpers for text that came from chat. Chat text is UTF-8 but not always valid
// (a proxy or a client bug can cut a sequence); nothing here throws on bad input.

#include <cstddef>
#include <string>
#include <string_view>

namespace scribe::text {

bool is_valid_utf8(std::string_view text);
// Counts code points; invalid bytes count as one each.
std::size_t code_point_count(std::string_view text);
// Removes leading and trailing whitespace: ASCII spaces, tabs and newlines, and U+00A0 (which
// chat clients insert when people paste or press shift-space).
std::string_view trim(std::string_view text);
// Splits off the first word: returns it and leaves `rest` trimmed.
std::string_view first_word(std::string_view text, std::string_view& rest);
// ASCII-only case-insensitive comparison, enough for command words.
bool iequals(std::string_view a, std::string_view b);
// The longest prefix of at most `max_bytes` bytes that does not cut a UTF-8 sequence.
std::string utf8_prefix(std::string_view text, std::size_t max_bytes);
// Collapses every run of whitespace (including newlines) into one space: for one-line fields.
std::string single_line(std::string_view text);

}  // namespace scribe::text
