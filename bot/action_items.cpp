#include "bot/action_items.hpp"

#include "text/text.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace scribe::bot {
namespace {

namespace chrono = std::chrono;
constexpr std::size_t npos = std::string_view::npos;

// A byte range [begin, end) of the text being parsed.
struct span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

unsigned char byte_at(std::string_view s, std::size_t i) {
  return static_cast<unsigned char>(s[i]);
}
bool is_ascii_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool is_ascii_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_alnum(unsigned char c) {
  return is_ascii_digit(c) || is_ascii_alpha(c);
}
// Non-ASCII bytes count as word characters so that no keyword matches inside "éby" or "byé".
bool is_word_byte(unsigned char c) {
  return is_ascii_alnum(c) || c == '_' || c >= 0x80;
}
bool word_starts_at(std::string_view s, std::size_t i) {
  return i == 0 || !is_word_byte(byte_at(s, i - 1));
}
bool word_ends_at(std::string_view s, std::size_t i) {
  return i >= s.size() || !is_word_byte(byte_at(s, i));
}

// Whitespace inside a line: ASCII blanks and U+00A0, which chat clients insert on shift-space.
std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    const unsigned char c = byte_at(s, i);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
      ++i;
    } else if (c == 0xC2 && i + 1 < s.size() && byte_at(s, i + 1) == 0xA0) {
      i += 2;
    } else {
      break;
    }
  }
  return i;
}
std::size_t skip_space_back(std::string_view s, std::size_t i) {
  while (i > 0) {
    const unsigned char c = byte_at(s, i - 1);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
      --i;
    } else if (c == 0xA0 && i >= 2 && byte_at(s, i - 2) == 0xC2) {
      i -= 2;
    } else {
      break;
    }
  }
  return i;
}

// Separators people put between an action and its owner or date: , : - – —.
constexpr std::array<std::string_view, 5> separators{",", ":", "-", "\u2013", "\u2014"};

std::size_t separator_length_at(std::string_view s, std::size_t i) {
  for (const auto sep : separators) {
    if (s.substr(i, sep.size()) == sep) return sep.size();
  }
  return 0;
}
std::size_t separator_length_before(std::string_view s, std::size_t i) {
  for (const auto sep : separators) {
    if (i >= sep.size() && s.substr(i - sep.size(), sep.size()) == sep) return sep.size();
  }
  return 0;
}

// The end of `word` (ASCII, lower case) when the text has it as a whole word at `i`, else npos.
std::size_t match_word(std::string_view s, std::size_t i, std::string_view word) {
  if (i > s.size() || !text::iequals(s.substr(i, word.size()), word)) return npos;
  return word_ends_at(s, i + word.size()) ? i + word.size() : npos;
}

// ---- Dates ----

struct date_match {
  chrono::year_month_day date;
  std::size_t end = 0;
};

// "2026-12-05". Returns the end, or npos; validity is checked by the caller.
std::size_t match_iso(std::string_view s, std::size_t i, chrono::year_month_day& out) {
  static constexpr std::string_view shape = "dddd-dd-dd";
  if (s.size() - i < shape.size()) return npos;
  int fields[3] = {0, 0, 0};
  int field = 0;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    const unsigned char c = byte_at(s, i + k);
    if (shape[k] == '-') {
      if (c != '-') return npos;
      ++field;
    } else {
      if (!is_ascii_digit(c)) return npos;
      fields[field] = fields[field] * 10 + (c - '0');
    }
  }
  const std::size_t end = i + shape.size();
  // "2026-12-05T10:00" or "2026-12-051" is not a plain date.
  if (end < s.size() && (is_word_byte(byte_at(s, end)) || s[end] == '-')) return npos;
  out = chrono::year{fields[0]} / chrono::month{static_cast<unsigned>(fields[1])} /
        chrono::day{static_cast<unsigned>(fields[2])};
  return end;
}

// A month name, full or abbreviated, with an optional full stop after an abbreviation.
std::size_t match_month(std::string_view s, std::size_t i, unsigned& month) {
  static constexpr std::array<std::array<std::string_view, 3>, 12> names{{
      {"january", "jan", ""},
      {"february", "feb", ""},
      {"march", "mar", ""},
      {"april", "apr", ""},
      {"may", "", ""},
      {"june", "jun", ""},
      {"july", "jul", ""},
      {"august", "aug", ""},
      {"september", "sept", "sep"},
      {"october", "oct", ""},
      {"november", "nov", ""},
      {"december", "dec", ""},
  }};
  for (std::size_t m = 0; m < names.size(); ++m) {
    for (std::size_t form = 0; form < names[m].size(); ++form) {
      const auto name = names[m][form];
      if (name.empty()) continue;
      auto end = match_word(s, i, name);
      if (end == npos) continue;
      if (form > 0 && end < s.size() && s[end] == '.') ++end;
      month = static_cast<unsigned>(m + 1);
      return end;
    }
  }
  return npos;
}

// A day of the month, 1 to 31, with an optional ordinal suffix ("5th").
std::size_t match_day(std::string_view s, std::size_t i, unsigned& day) {
  std::size_t end = i;
  unsigned value = 0;
  while (end < s.size() && end - i < 2 && is_ascii_digit(byte_at(s, end))) {
    value = value * 10 + static_cast<unsigned>(byte_at(s, end) - '0');
    ++end;
  }
  if (end == i || value == 0 || value > 31) return npos;
  if (end < s.size() && is_ascii_digit(byte_at(s, end))) return npos;
  for (const std::string_view suffix : {"st", "nd", "rd", "th"}) {
    if (const auto after = match_word(s, end, suffix); after != npos) {
      day = value;
      return after;
    }
  }
  if (!word_ends_at(s, end)) return npos;
  day = value;
  return end;
}

// An optional year after a day or month: " 2026" or ", 2026". Returns the end, or `i` if none.
std::size_t match_year_suffix(std::string_view s, std::size_t i, std::optional<int>& year) {
  std::size_t j = i;
  if (j < s.size() && s[j] == ',') ++j;
  const std::size_t k = skip_space(s, j);
  if (k == j) return i;
  if (s.size() - k < 4) return i;
  int value = 0;
  for (std::size_t d = 0; d < 4; ++d) {
    if (!is_ascii_digit(byte_at(s, k + d))) return i;
    value = value * 10 + (byte_at(s, k + d) - '0');
  }
  if (!word_ends_at(s, k + 4)) return i;
  year = value;
  return k + 4;
}

// The next valid month/day on or after `today`; nullopt for days no month has ("Feb 30").
std::optional<chrono::year_month_day> next_date(unsigned month, unsigned day,
                                                chrono::year_month_day today) {
  const int this_year = static_cast<int>(today.year());
  // Eight years always reach a leap year, so "Feb 29" resolves too.
  for (int y = this_year; y <= this_year + 8; ++y) {
    const chrono::year_month_day candidate{chrono::year{y}, chrono::month{month}, chrono::day{day}};
    if (candidate.ok() && chrono::sys_days{candidate} >= chrono::sys_days{today}) {
      return candidate;
    }
  }
  return std::nullopt;
}

std::optional<date_match> resolve(unsigned month, unsigned day, std::optional<int> year,
                                  std::size_t end, chrono::year_month_day today) {
  if (year) {
    const chrono::year_month_day date{chrono::year{*year}, chrono::month{month}, chrono::day{day}};
    if (!date.ok()) return std::nullopt;
    return date_match{date, end};
  }
  if (const auto date = next_date(month, day, today)) return date_match{*date, end};
  return std::nullopt;
}

// A date at `i` in any accepted form, if it is a real date.
std::optional<date_match> parse_date_at(std::string_view s, std::size_t i,
                                        chrono::year_month_day today) {
  if (i >= s.size()) return std::nullopt;
  chrono::year_month_day iso;
  if (const auto end = match_iso(s, i, iso); end != npos) {
    if (!iso.ok()) return std::nullopt;
    return date_match{iso, end};
  }
  unsigned month = 0;
  unsigned day = 0;
  std::optional<int> year;
  // "Dec 5", "December 5th, 2026".
  if (auto end = match_month(s, i, month); end != npos) {
    const auto day_begin = skip_space(s, end);
    if (day_begin == end) return std::nullopt;
    end = match_day(s, day_begin, day);
    if (end == npos) return std::nullopt;
    end = match_year_suffix(s, end, year);
    return resolve(month, day, year, end, today);
  }
  // "5 Dec", "5th of December 2026".
  if (auto end = match_day(s, i, day); end != npos) {
    auto month_begin = skip_space(s, end);
    if (month_begin == end) return std::nullopt;
    if (const auto of = match_word(s, month_begin, "of"); of != npos) {
      month_begin = skip_space(s, of);
    }
    end = match_month(s, month_begin, month);
    if (end == npos) return std::nullopt;
    end = match_year_suffix(s, end, year);
    return resolve(month, day, year, end, today);
  }
  return std::nullopt;
}

// Where the date starts after a due keyword at `i` ("by ", "due: ", "due date: ", "due by "),
// or npos if there is no keyword at `i`.
std::size_t match_due_keyword(std::string_view s, std::size_t i) {
  if (auto end = match_word(s, i, "due"); end != npos) {
    auto next = skip_space(s, end);
    if (const auto date_word = match_word(s, next, "date"); date_word != npos) {
      next = skip_space(s, date_word);
    }
    if (next < s.size() && s[next] == ':') next = skip_space(s, next + 1);
    for (const std::string_view word : {"by", "on", "before"}) {
      if (const auto after = match_word(s, next, word); after != npos) {
        return skip_space(s, after);
      }
    }
    return next;
  }
  for (const std::string_view word : {"by", "until", "till", "before", "deadline"}) {
    if (const auto end = match_word(s, i, word); end != npos) {
      auto next = skip_space(s, end);
      if (next < s.size() && s[next] == ':') next = skip_space(s, next + 1);
      return next;
    }
  }
  return npos;
}

struct found_date {
  span phrase;
  chrono::year_month_day date;
};

std::optional<found_date> find_due_date(std::string_view s, chrono::year_month_day today) {
  // A keyword phrase wins over an earlier bare date: in "Fix the 2026-01-03 regression test by
  // 2026-02-01" the first date names the incident, the second the deadline.
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!is_ascii_alpha(byte_at(s, i)) || !word_starts_at(s, i)) continue;
    const auto date_begin = match_due_keyword(s, i);
    if (date_begin == npos) continue;
    if (const auto date = parse_date_at(s, date_begin, today)) {
      return found_date{{i, date->end}, date->date};
    }
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!is_ascii_digit(byte_at(s, i)) || !word_starts_at(s, i)) continue;
    chrono::year_month_day iso;
    if (const auto end = match_iso(s, i, iso); end != npos && iso.ok()) {
      return found_date{{i, end}, iso};
    }
  }
  return std::nullopt;
}

// ---- Mentions ----

struct found_mention {
  span where;
  std::string owner;
};

bool is_name_byte(unsigned char c) {
  return is_ascii_alnum(c) || c == '.' || c == '_' || c == '-';
}

// Non-ASCII punctuation that people glue to a mention: – — ’ … and U+00A0.
constexpr std::array<std::string_view, 5> glued_punctuation{"\u2013", "\u2014", "\u2019", "\u2026",
                                                            "\u00a0"};
std::size_t glued_punctuation_at(std::string_view s, std::size_t i) {
  for (const auto p : glued_punctuation) {
    if (s.substr(i, p.size()) == p) return p.size();
  }
  return 0;
}
std::size_t glued_punctuation_before(std::string_view s, std::size_t i) {
  for (const auto p : glued_punctuation) {
    if (i >= p.size() && s.substr(i - p.size(), p.size()) == p) return p.size();
  }
  return 0;
}

// A plain or Matrix mention: @alice, @U024BE7LH, @alice:example.org.
std::optional<found_mention> match_at_mention(std::string_view s, std::size_t i) {
  if (s[i] != '@') return std::nullopt;
  // bob@example.com: an '@' glued to a word is an email address.
  if (i > 0 &&
      (is_word_byte(byte_at(s, i - 1)) || s[i - 1] == '.' || s[i - 1] == '-' || s[i - 1] == '+') &&
      glued_punctuation_before(s, i) == 0) {
    return std::nullopt;
  }
  std::size_t end = i + 1;
  if (end >= s.size() || !is_ascii_alnum(byte_at(s, end))) return std::nullopt;
  while (end < s.size() && is_name_byte(byte_at(s, end))) ++end;
  // Names are ASCII; "@jörg" would read as "@j", and no owner is better than a wrong one.
  // Punctuation glued to a mention ("@alice—", "@alice’s") still ends it.
  if (end < s.size() && byte_at(s, end) >= 0x80 && glued_punctuation_at(s, end) == 0) {
    return std::nullopt;
  }
  // "ask @alice." ends the mention before the full stop.
  while (s[end - 1] == '.' || s[end - 1] == '-') --end;
  if (end + 1 < s.size() && s[end] == ':' && is_ascii_alnum(byte_at(s, end + 1))) {
    std::size_t server_end = end + 1;
    while (server_end < s.size() && (is_ascii_alnum(byte_at(s, server_end)) ||
                                     s[server_end] == '.' || s[server_end] == '-')) {
      ++server_end;
    }
    while (s[server_end - 1] == '.' || s[server_end - 1] == '-') --server_end;
    // "@alice: add alerting" is a mention and a colon; a server name has a dot.
    if (s.substr(end + 1, server_end - end - 1).find('.') != npos) end = server_end;
  }
  return found_mention{{i, end}, std::string{s.substr(i, end - i)}};
}

std::optional<found_mention> find_first_mention(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '@') continue;
    if (auto mention = match_at_mention(s, i)) return mention;
  }
  return std::nullopt;
}

// ---- Taking phrases out of the text ----

// Widens `where` over surrounding parentheses: "(due Dec 5)", "(@alice)".
bool widen_over_parentheses(std::string_view s, span& where) {
  const auto left = skip_space_back(s, where.begin);
  const auto right = skip_space(s, where.end);
  if (left == 0 || s[left - 1] != '(' || right >= s.size() || s[right] != ')') return false;
  where = {left - 1, right + 1};
  return true;
}

bool starts_with_closing_punctuation(std::string_view s) {
  return !s.empty() && std::string_view{",.;:!?)]"}.find(s.front()) != npos;
}

// The text without `where`, and without the separator that tied the removed phrase to the rest:
// "Fix X — by Dec 5" is "Fix X", "@alice: fix X" is "fix X", "Fix X, by Dec 5, then Y" is
// "Fix X, then Y".
std::string remove_span(std::string_view s, span where) {
  auto left = skip_space_back(s, where.begin);
  auto right = skip_space(s, where.end);
  if (left == 0) {
    while (const auto n = separator_length_at(s, right)) right = skip_space(s, right + n);
  } else if (right == s.size() || s[right] == ')' || separator_length_at(s, right) != 0) {
    while (const auto n = separator_length_before(s, left)) left = skip_space_back(s, left - n);
  }
  const auto before = s.substr(0, left);
  const auto after = s.substr(right);
  std::string text{before};
  if (!before.empty() && !after.empty() && !starts_with_closing_punctuation(after)) text += ' ';
  text += after;
  return text;
}

// Widens the owner mention over what belongs to it, or returns false when it is part of a
// sentence and must stay in the text.
bool owner_phrase(std::string_view s, span& where) {
  // "owner: @alice", "owners @alice", "assignee: @alice".
  auto left = skip_space_back(s, where.begin);
  if (left > 0 && s[left - 1] == ':') left = skip_space_back(s, left - 1);
  for (const std::string_view word : {"owner", "owners", "assignee"}) {
    if (left >= word.size() && word_starts_at(s, left - word.size()) &&
        match_word(s, left - word.size(), word) == left) {
      where.begin = left - word.size();
      widen_over_parentheses(s, where);
      return true;
    }
  }
  if (widen_over_parentheses(s, where)) return true;
  if (skip_space_back(s, where.begin) == 0) {
    // "@alice to add alerting", "@alice will add alerting", "@alice: add alerting".
    auto next = skip_space(s, where.end);
    while (const auto n = separator_length_at(s, next)) next = skip_space(s, next + n);
    for (const std::string_view word : {"to", "will"}) {
      const auto after = match_word(s, next, word);
      if (after != npos && skip_space(s, after) < s.size()) {
        where.end = after;
        break;
      }
    }
    return true;
  }
  // At the end, before at most punctuation: "Add alerting - @alice.", "Fix it —@alice—".
  auto next = skip_space(s, where.end);
  while (next < s.size()) {
    if (s[next] == '.' || s[next] == '!') {
      next = skip_space(s, next + 1);
    } else if (const auto n = separator_length_at(s, next)) {
      next = skip_space(s, next + n);
    } else {
      break;
    }
  }
  if (next != s.size()) return false;
  // Take trailing separators too, but keep a full stop that ends the sentence.
  if (s.find_first_of(".!", where.end) == npos) where.end = s.size();
  return true;
}

// ---- Lines and items ----

// Drops a list marker: a bullet, a number, a check box, or a bullet and a check box.
std::string_view strip_list_marker(std::string_view line) {
  const auto followed_by_space = [&](std::size_t length) {
    return line.size() > length && skip_space(line, length) > length;
  };
  for (const std::string_view bullet : {"-", "*", "+", "\u2022", "\u2013", "\u2014"}) {
    if (line.substr(0, bullet.size()) == bullet && followed_by_space(bullet.size())) {
      line = text::trim(line.substr(bullet.size()));
      break;
    }
  }
  std::size_t digits = 0;
  while (digits < line.size() && digits < 3 && is_ascii_digit(byte_at(line, digits))) ++digits;
  if (digits > 0 && digits < line.size() && (line[digits] == '.' || line[digits] == ')') &&
      followed_by_space(digits + 1)) {
    line = text::trim(line.substr(digits + 1));
  }
  for (const std::string_view box : {"[ ]", "[x]", "[X]"}) {
    if (line.substr(0, box.size()) == box && followed_by_space(box.size())) {
      line = text::trim(line.substr(box.size()));
      break;
    }
  }
  return line;
}

// Splits a line at ';'.
std::vector<std::string_view> split_items(std::string_view line) {
  std::vector<std::string_view> parts;
  std::size_t begin = 0;
  for (auto at = line.find(';'); at != npos; at = line.find(';', begin)) {
    parts.push_back(line.substr(begin, at - begin));
    begin = at + 1;
  }
  parts.push_back(line.substr(begin));
  return parts;
}

std::optional<action_item> parse_item(std::string_view part, chrono::year_month_day today) {
  part = text::trim(part);
  if (part.empty()) return std::nullopt;
  action_item item;
  std::string text{part};
  if (auto found = find_due_date(text, today)) {
    widen_over_parentheses(text, found->phrase);
    item.due = found->date;
    text = remove_span(text, found->phrase);
  }
  if (auto mention = find_first_mention(text)) {
    item.owner = std::move(mention->owner);
    if (owner_phrase(text, mention->where)) text = remove_span(text, mention->where);
  }
  // A heading ("Actions:", "Follow-ups for the payments team:") introduces items but is none.
  if (!item.due && item.owner.empty() && part.back() == ':') return std::nullopt;
  item.text = std::string{text::trim(text)};
  // A part of only punctuation ("-", "--") is a divider, not an action.
  bool has_word = false;
  for (const char c : item.text) has_word = has_word || is_word_byte(static_cast<unsigned char>(c));
  if (!has_word) return std::nullopt;
  return item;
}

}  // namespace

std::vector<action_item> parse_action_items(std::string_view answer, chrono::year_month_day today) {
  std::vector<action_item> items;
  std::size_t begin = 0;
  while (begin <= answer.size()) {
    auto end = answer.find('\n', begin);
    if (end == npos) end = answer.size();
    const auto line = strip_list_marker(text::trim(answer.substr(begin, end - begin)));
    for (const auto part : split_items(line)) {
      if (auto item = parse_item(part, today)) items.push_back(std::move(*item));
    }
    begin = end + 1;
  }
  return items;
}

}  // namespace scribe::bot
