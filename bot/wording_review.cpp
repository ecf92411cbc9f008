#include "bot/wording_review.hpp"

#include <utility>

namespace scribe::bot {
namespace {

// The rules. Each row is a rule id, the phrases it looks for and one suggestion for all of them.
// Phrase syntax: words separated by spaces (any run of whitespace in the text matches a space);
// ' matches ' and U+2019; {mention} is an @mention; {name} is an @mention or a capitalised name;
// text glued to a placeholder ("{name}'s") must follow it without a space.
// Rows with an empty rule id are known-good phrases that contain a flagged word ("disaster
// recovery", "no blame"): matching them, longest first, keeps that word from being reported.
struct rule_row {
  std::string_view rule;
  std::vector<std::string_view> phrases;
  std::string_view suggestion;
};

const std::vector<rule_row>& rule_table() {
  static const std::vector<rule_row> table{
      {"person_as_cause",
       {"{name} forgot", "{name} forgot to", "{name} did not bother", "{name} didn't bother",
        "{name} did not even bother", "{mention} failed to", "{mention} broke",
        "because of {mention}", "because {mention}", "{name}'s mistake", "{name}'s fault",
        "the fault of {mention}"},
       "Describe what made the step easy to miss or what information was missing, not who missed "
       "it."},
      {"person_as_cause",
       {"blame", "blamed", "blaming", "to blame", "human error", "operator error"},
       "Describe what the system allowed and what people knew at the time, instead of assigning "
       "blame."},
      {"judgement",
       {"careless", "carelessly", "carelessness"},
       "Describe what made the step easy to get wrong instead of judging care."},
      {"judgement", {"stupid"}, "Describe the decision and the information available at the time."},
      {"judgement", {"lazy"}, "Describe what the process required and what it left out."},
      {"judgement", {"sloppy"}, "Name the check or safeguard that was missing."},
      {"judgement",
       {"incompetent", "incompetence"},
       "Describe the gap in tooling, training or documentation instead."},
      {"judgement",
       {"obviously", "of course"},
       "Drop it: what is obvious now was not obvious during the incident."},
      {"judgement",
       {"should have"},
       "Describe what would have helped, such as a check or an alert."},
      {"judgement", {"simply"}, "Drop it or explain the steps: it hides how hard the task was."},
      {"judgement",
       {"just had to"},
       "Describe what the step involved and what made it hard at the time."},
      {"dramatising",
       {"disaster", "disasters", "disastrous", "fiasco", "catastrophe", "catastrophic",
        "catastrophically", "nightmare", "meltdown"},
       "State the impact in numbers instead: who was affected, how long, how many errors."},
      {"hindsight",
       {"should have known", "should have seen", "it was clear that", "it was obvious",
        "in hindsight", "could have easily", "could easily have"},
       "Describe what was known at the time and what signals were missing."},
      {"root_cause",
       {"the root cause", "root cause", "root causes", "root-cause"},
       "List the contributing factors instead: incidents rarely have a single cause."},
      // Known-good phrases.
      {"",
       {"disaster recovery", "disaster-recovery", "no blame", "not to blame", "without blame",
        "not about blame", "not assign blame", "not blaming", "nobody is to blame",
        "no one is to blame", "blame-free", "git blame"},
       ""},
  };
  return table;
}

enum class token_kind { word, mention, name };

struct pattern_token {
  token_kind kind = token_kind::word;
  std::string text;    // for words: lower-case ASCII
  bool glued = false;  // follows the previous token without whitespace
};

struct compiled_phrase {
  std::vector<pattern_token> tokens;
  const rule_row* row = nullptr;
};

std::vector<pattern_token> compile(std::string_view phrase) {
  static constexpr std::string_view mention_tag = "{mention}";
  static constexpr std::string_view name_tag = "{name}";
  std::vector<pattern_token> tokens;
  while (!phrase.empty()) {
    const auto space = phrase.find(' ');
    std::string_view chunk = phrase.substr(0, space);
    phrase = space == std::string_view::npos ? std::string_view{} : phrase.substr(space + 1);
    if (chunk.substr(0, mention_tag.size()) == mention_tag) {
      tokens.push_back({token_kind::mention, {}, false});
      chunk.remove_prefix(mention_tag.size());
      if (!chunk.empty()) tokens.push_back({token_kind::word, std::string{chunk}, true});
    } else if (chunk.substr(0, name_tag.size()) == name_tag) {
      tokens.push_back({token_kind::name, {}, false});
      chunk.remove_prefix(name_tag.size());
      if (!chunk.empty()) tokens.push_back({token_kind::word, std::string{chunk}, true});
    } else if (!chunk.empty()) {
      tokens.push_back({token_kind::word, std::string{chunk}, false});
    }
  }
  return tokens;
}

const std::vector<compiled_phrase>& compiled_table() {
  static const std::vector<compiled_phrase> phrases = [] {
    std::vector<compiled_phrase> out;
    for (const auto& row : rule_table()) {
      for (auto phrase : row.phrases) out.push_back({compile(phrase), &row});
    }
    return out;
  }();
  return phrases;
}

constexpr std::size_t no_match = std::string_view::npos;
constexpr char32_t invalid_code_point = 0xFFFD;

unsigned char byte_at(std::string_view text, std::size_t pos) {
  return static_cast<unsigned char>(text[pos]);
}

bool is_ascii_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool is_ascii_alnum(unsigned char c) {
  return is_ascii_alpha(c) || is_ascii_digit(c);
}
char ascii_lower(unsigned char c) {
  return static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
}

// Decodes the code point starting at `pos` and stores its length; bad UTF-8 decodes as one
// invalid byte so scanning always makes progress.
char32_t decode_at(std::string_view text, std::size_t pos, std::size_t& length) {
  const unsigned char c = byte_at(text, pos);
  length = 1;
  if (c < 0x80) return c;
  std::size_t n = 0;
  char32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1Fu;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0Fu;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07u;
  } else {
    return invalid_code_point;
  }
  if (pos + n > text.size()) return invalid_code_point;
  for (std::size_t k = 1; k < n; ++k) {
    const unsigned char next = byte_at(text, pos + k);
    if ((next & 0xC0) != 0x80) return invalid_code_point;
    cp = (cp << 6) | (next & 0x3Fu);
  }
  length = n;
  return cp;
}

// Decodes the code point that ends just before `end` (end > 0).
char32_t decode_before(std::string_view text, std::size_t end) {
  std::size_t start = end - 1;
  while (start > 0 && end - start < 4 && (byte_at(text, start) & 0xC0) == 0x80) --start;
  std::size_t length = 0;
  const char32_t cp = decode_at(text, start, length);
  return start + length == end ? cp : invalid_code_point;
}

// Letters and digits of any script are word characters; so are bad bytes, so that nothing
// matches next to a cut sequence. Spaces and punctuation (ASCII, U+00A0, general punctuation such
// as curly quotes and dashes, CJK punctuation) are not.
bool is_word_code_point(char32_t cp) {
  if (cp < 0x80) return is_ascii_alnum(static_cast<unsigned char>(cp)) || cp == '_';
  if (cp == 0xA0 || cp == 0xFEFF) return false;
  if (cp >= 0x2000 && cp <= 0x206F) return false;
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  return true;
}

bool word_before(std::string_view text, std::size_t pos) {
  return pos > 0 && is_word_code_point(decode_before(text, pos));
}

bool word_at(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return false;
  std::size_t length = 0;
  return is_word_code_point(decode_at(text, pos, length));
}

// Length of one whitespace character at `pos` (ASCII or U+00A0), or 0.
std::size_t whitespace_at(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return 0;
  const unsigned char c = byte_at(text, pos);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return 1;
  if (c == 0xC2 && pos + 1 < text.size() && byte_at(text, pos + 1) == 0xA0) return 2;
  return 0;
}

std::size_t skip_whitespace(std::string_view text, std::size_t pos) {
  while (auto n = whitespace_at(text, pos)) pos += n;
  return pos;
}

// Matches a lower-case pattern word; returns the end or no_match.
std::size_t match_word(std::string_view text, std::size_t pos, std::string_view word) {
  static constexpr std::string_view right_single_quote = "\xE2\x80\x99";
  for (const char p : word) {
    if (pos >= text.size()) return no_match;
    if (p == '\'' && text.substr(pos, right_single_quote.size()) == right_single_quote) {
      pos += right_single_quote.size();
    } else if (ascii_lower(byte_at(text, pos)) == p) {
      ++pos;
    } else {
      return no_match;
    }
  }
  return pos;
}

bool is_localpart_char(unsigned char c) {
  return is_ascii_alnum(c) || c == '.' || c == '_' || c == '=' || c == '-' || c == '/' || c == '+';
}

// Drops trailing '.' and '-' so that "ask @alice." ends the mention before the full stop.
std::size_t trim_punctuation(std::string_view text, std::size_t begin, std::size_t end) {
  while (end > begin && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
  return end;
}

// Slack's escaped mention: <@U024BE7LH> or <@U024BE7LH|alice>.
std::size_t match_slack_mention(std::string_view text, std::size_t pos) {
  if (text.substr(pos, 2) != "<@") return no_match;
  std::size_t i = pos + 2;
  const std::size_t id_begin = i;
  while (i < text.size() && (is_ascii_digit(byte_at(text, i)) ||
                             (byte_at(text, i) >= 'A' && byte_at(text, i) <= 'Z'))) {
    ++i;
  }
  if (i == id_begin || i >= text.size()) return no_match;
  if (text[i] == '|') {
    // A display name is short; bounding it keeps a stray "<@U1|" from scanning the whole text.
    const auto close = text.substr(i, 100).find('>');
    if (close == std::string_view::npos) return no_match;
    i += close;
  }
  return text[i] == '>' ? i + 1 : no_match;
}

// A plain or Matrix mention: @alice, @U024BE7LH, @alice:example.org(:8448).
std::size_t match_at_mention(std::string_view text, std::size_t pos) {
  if (pos >= text.size() || text[pos] != '@' || word_before(text, pos)) return no_match;
  std::size_t i = pos + 1;
  if (i >= text.size() || !is_ascii_alnum(byte_at(text, i))) return no_match;
  while (i < text.size() && is_localpart_char(byte_at(text, i))) ++i;
  i = trim_punctuation(text, pos + 1, i);
  if (i + 1 < text.size() && text[i] == ':' && is_ascii_alnum(byte_at(text, i + 1))) {
    std::size_t server_end = i + 1;
    while (server_end < text.size() &&
           (is_ascii_alnum(byte_at(text, server_end)) || text[server_end] == '.' ||
            text[server_end] == '-' || text[server_end] == ':')) {
      ++server_end;
    }
    server_end = trim_punctuation(text, i + 1, server_end);
    while (server_end > i + 1 && text[server_end - 1] == ':') --server_end;
    // "@alice:" followed by a word is a mention and a colon; a server name has a dot.
    if (text.substr(i + 1, server_end - i - 1).find('.') != std::string_view::npos) {
      i = server_end;
    }
  }
  return i;
}

std::size_t match_mention(std::string_view text, std::size_t pos) {
  const auto slack = match_slack_mention(text, pos);
  return slack != no_match ? slack : match_at_mention(text, pos);
}

// A capitalised name: an upper-case ASCII letter, then letters of any script or inner hyphens.
std::size_t match_capitalised_name(std::string_view text, std::size_t pos) {
  if (pos >= text.size() || !(byte_at(text, pos) >= 'A' && byte_at(text, pos) <= 'Z')) {
    return no_match;
  }
  std::size_t i = pos + 1;
  while (i < text.size()) {
    const unsigned char c = byte_at(text, i);
    std::size_t length = 1;
    if (is_ascii_alpha(c)) {
      ++i;
    } else if (c == '-' && i + 1 < text.size() && is_ascii_alpha(byte_at(text, i + 1))) {
      ++i;
    } else if (c >= 0x80 && is_word_code_point(decode_at(text, i, length))) {
      i += length;
    } else {
      break;
    }
  }
  return word_at(text, i) ? no_match : i;
}

std::size_t match_token(std::string_view text, std::size_t pos, const pattern_token& token) {
  switch (token.kind) {
    case token_kind::word: return match_word(text, pos, token.text);
    case token_kind::mention: return match_mention(text, pos);
    case token_kind::name: {
      const auto mention = match_mention(text, pos);
      return mention != no_match ? mention : match_capitalised_name(text, pos);
    }
  }
  return no_match;
}

// Returns the end of the phrase if it matches at `pos` and ends on a word boundary.
std::size_t match_phrase(std::string_view text, std::size_t pos, const compiled_phrase& phrase) {
  std::size_t i = pos;
  bool first = true;
  for (const auto& token : phrase.tokens) {
    if (!first && !token.glued) {
      const auto after = skip_whitespace(text, i);
      if (after == i) return no_match;
      i = after;
    }
    first = false;
    i = match_token(text, i, token);
    if (i == no_match) return no_match;
  }
  return word_at(text, i) ? no_match : i;
}

// Phrases start with a letter or a mention; checking this first keeps the scan cheap.
bool could_start_phrase(std::string_view text, std::size_t pos) {
  const unsigned char c = byte_at(text, pos);
  return (is_ascii_alpha(c) || c == '@' || c == '<') && !word_before(text, pos);
}

}  // namespace

std::vector<wording_finding> review_wording(std::string_view text) {
  std::vector<wording_finding> findings;
  const auto& phrases = compiled_table();
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!could_start_phrase(text, pos)) {
      ++pos;
      continue;
    }
    // Leftmost-longest: of all phrases matching here, the longest wins and the scan resumes after
    // it, so overlapping phrases are reported once.
    std::size_t best_end = no_match;
    const rule_row* best_row = nullptr;
    for (const auto& phrase : phrases) {
      const auto end = match_phrase(text, pos, phrase);
      if (end != no_match && (best_end == no_match || end > best_end)) {
        best_end = end;
        best_row = phrase.row;
      }
    }
    if (best_row == nullptr) {
      ++pos;
      continue;
    }
    if (!best_row->rule.empty()) {
      findings.push_back({std::string{text.substr(pos, best_end - pos)}, pos,
                          std::string{best_row->rule}, std::string{best_row->suggestion}});
    }
    pos = best_end;
  }
  return findings;
}

}  // namespace scribe::bot
