#include "bot/wording_text.hpp"

#include "bot/wording_lexicon.hpp"

#include <array>

namespace scribe::bot::wording {
namespace {

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

// The length of the code point at `pos` and whether it is a letter or digit of any script. A
// bad byte counts as a one-byte letter, so scanning always moves on and never splits a sequence
// next to it.
struct code_point {
  std::size_t length = 1;
  bool word = false;
  bool space = false;
  bool bad = false;  // not valid UTF-8
};

code_point read_code_point(std::string_view text, std::size_t pos) {
  const unsigned char c = byte_at(text, pos);
  if (c < 0x80) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    return {1, is_ascii_alnum(c) || c == '_', space};
  }
  std::size_t n = 0;
  char32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1Fu;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0Fu;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07u;
  } else {
    return {1, true, false, true};
  }
  if (pos + n > text.size()) return {1, true, false, true};
  for (std::size_t k = 1; k < n; ++k) {
    const unsigned char next = byte_at(text, pos + k);
    if ((next & 0xC0) != 0x80) return {1, true, false, true};
    cp = (cp << 6) | (next & 0x3Fu);
  }
  if (cp == 0xA0 || cp == 0x2007 || cp == 0x202F || (cp >= 0x2000 && cp <= 0x200B)) {
    return {n, false, true};
  }
  // General punctuation (dashes, curly quotes, ellipsis), CJK punctuation, symbols and emoji
  // are not letters.
  const bool punctuation = (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
                           (cp >= 0x1F000 && cp <= 0x1FAFF) || cp == 0xFEFF ||
                           (cp >= 0xA1 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7;
  return {n, !punctuation, false};
}

bool starts_with_at(std::string_view text, std::size_t pos, std::string_view prefix) {
  if (pos + prefix.size() > text.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (ascii_lower(byte_at(text, pos + i)) != prefix[i]) return false;
  }
  return true;
}

constexpr std::string_view right_single_quote = "\xE2\x80\x99";

// An apostrophe (' or ’) at `pos`: its length, or 0.
std::size_t apostrophe_at(std::string_view text, std::size_t pos) {
  if (pos < text.size() && text[pos] == '\'') return 1;
  return text.substr(pos, 3) == right_single_quote ? 3 : 0;
}

// A possessive 's right after a name or mention: its length (with the apostrophe), or 0.
std::size_t possessive_at(std::string_view text, std::size_t pos) {
  const auto apostrophe = apostrophe_at(text, pos);
  if (apostrophe == 0 || pos + apostrophe >= text.size()) return 0;
  const auto s = pos + apostrophe;
  if (ascii_lower(byte_at(text, s)) != 's') return 0;
  if (s + 1 < text.size() && read_code_point(text, s + 1).word) return 0;
  return apostrophe + 1;
}

bool is_localpart_char(unsigned char c) {
  return is_ascii_alnum(c) || c == '.' || c == '_' || c == '=' || c == '-' || c == '/' || c == '+';
}

class tokenizer {
 public:
  explicit tokenizer(std::string_view text) : text_(text) {}

  // All tokens, with the number of line breaks before each and where its line started.
  struct placed {
    token tok;
    int newlines_before = 0;
    bool line_start = false;
    std::size_t previous_line_length = 0;  // bytes of the line before, when newlines_before == 1
  };

  std::vector<placed> run() {
    std::vector<placed> out;
    std::size_t pos = 0;
    int newlines = 0;
    bool line_start = true;
    std::size_t line_begin = 0;
    std::size_t previous_line_length = 0;
    bool glued = false;
    while (pos < text_.size()) {
      const auto cp = read_code_point(text_, pos);
      if (cp.space) {
        if (text_[pos] == '\n') {
          ++newlines;
          previous_line_length = pos - line_begin;
          line_begin = pos + 1;
          line_start = true;
        }
        pos += cp.length;
        glued = false;
        continue;
      }
      token tok = next_token(pos, cp);
      tok.glued = glued && !out.empty();
      pos = tok.end;
      out.push_back({std::move(tok), newlines, line_start, previous_line_length});
      newlines = 0;
      line_start = false;
      glued = true;
    }
    return out;
  }

 private:
  token make(token_kind kind, std::size_t begin, std::size_t end, std::string norm) const {
    token t;
    t.kind = kind;
    t.begin = begin;
    t.end = end;
    t.norm = std::move(norm);
    t.capitalised =
        begin < text_.size() && byte_at(text_, begin) >= 'A' && byte_at(text_, begin) <= 'Z';
    std::size_t letters = 0;
    bool lower_case = false;
    for (std::size_t i = begin; i < end; ++i) {
      const auto c = byte_at(text_, i);
      if (is_ascii_alpha(c)) ++letters;
      if (c >= 'a' && c <= 'z') lower_case = true;
    }
    t.all_capitals = letters >= 2 && !lower_case;
    return t;
  }

  std::string lower(std::size_t begin, std::size_t end) const {
    std::string out;
    out.reserve(end - begin);
    for (std::size_t i = begin; i < end;) {
      if (const auto a = apostrophe_at(text_, i); a == 3) {
        out += '\'';
        i += 3;
      } else {
        out += ascii_lower(byte_at(text_, i));
        ++i;
      }
    }
    return out;
  }

  std::size_t until_space(std::size_t pos) const {
    while (pos < text_.size()) {
      const auto cp = read_code_point(text_, pos);
      if (cp.space || text_[pos] == '<' || text_[pos] == '>') break;
      pos += cp.length;
    }
    return pos;
  }

  token next_token(std::size_t pos, code_point cp) const {
    const unsigned char c = byte_at(text_, pos);
    if (c == '`') return code_span(pos);
    if (starts_with_at(text_, pos, "http://") || starts_with_at(text_, pos, "https://") ||
        starts_with_at(text_, pos, "www.")) {
      std::size_t end = until_space(pos);
      // Trailing punctuation ends the sentence, not the URL.
      while (end > pos &&
             std::string_view(".,;:!?)'\"").find(text_[end - 1]) != std::string_view::npos)
        --end;
      return make(token_kind::code, pos, end, "");
    }
    if (c == '<' && text_.substr(pos, 2) == "<@") {
      if (auto t = slack_mention(pos); t.end != 0) return unglued(std::move(t));
    }
    if (c == '@' && pos + 1 < text_.size() && is_ascii_alnum(byte_at(text_, pos + 1))) {
      return unglued(at_mention(pos));
    }
    if (c == '#' && pos + 1 < text_.size() && is_ascii_alnum(byte_at(text_, pos + 1))) {
      std::size_t end = pos + 1;
      while (end < text_.size() &&
             (is_ascii_alnum(byte_at(text_, end)) || text_[end] == '-' || text_[end] == '_')) {
        ++end;
      }
      return make(token_kind::code, pos, end, "");
    }
    if (cp.word) return word(pos);
    // A run of . ! ? is one token: "...", "?!".
    if (c == '.' || c == '!' || c == '?') {
      std::size_t end = pos;
      while (end < text_.size() && (text_[end] == '.' || text_[end] == '!' || text_[end] == '?')) {
        ++end;
      }
      return make(token_kind::punct, pos, end, std::string(text_.substr(pos, end - pos)));
    }
    if (text_.substr(pos, 3) == "\xE2\x80\xA6") return make(token_kind::punct, pos, pos + 3, "...");
    if (apostrophe_at(text_, pos) == 3) return make(token_kind::punct, pos, pos + 3, "'");
    // Stray continuation bytes right after a symbol ("🙃" then a lone 0x93) belong to it, so no
    // quote of the symbol ends where a damaged sequence goes on; the damaged symbol is then
    // read as nothing it names.
    std::size_t end = pos + cp.length;
    while (end < text_.size() && (byte_at(text_, end) & 0xC0) == 0x80) ++end;
    return make(token_kind::punct, pos, end, std::string(text_.substr(pos, end - pos)));
  }

  // A mention with letters or broken bytes glued to its end ("@Caro\x96...") is no mention: it
  // becomes opaque up to the end of the glued run, so no quote ends inside it.
  token unglued(token t) const {
    std::size_t end = t.end;
    while (end < text_.size()) {
      const auto cp = read_code_point(text_, end);
      if (!cp.word) break;
      end += cp.length;
    }
    if (end == t.end) return t;
    return make(token_kind::code, t.begin, end, "");
  }

  token code_span(std::size_t pos) const {
    if (text_.substr(pos, 3) == "```") {
      const auto close = text_.find("```", pos + 3);
      const auto end = close == std::string_view::npos ? text_.size() : close + 3;
      return make(token_kind::code, pos, end, "");
    }
    // Inline code ends on its line; an unmatched backtick is punctuation.
    for (std::size_t i = pos + 1; i < text_.size() && text_[i] != '\n'; ++i) {
      if (text_[i] == '`') return make(token_kind::code, pos, i + 1, "");
    }
    return make(token_kind::punct, pos, pos + 1, "`");
  }

  // <@U024BE7LH> or <@U024BE7LH|alice>; end == 0 when it is neither.
  token slack_mention(std::size_t pos) const {
    std::size_t i = pos + 2;
    const std::size_t id_begin = i;
    while (i < text_.size() && (is_ascii_digit(byte_at(text_, i)) ||
                                (byte_at(text_, i) >= 'A' && byte_at(text_, i) <= 'Z'))) {
      ++i;
    }
    if (i == id_begin || i >= text_.size()) return {};
    std::string name = lower(id_begin, i);
    if (text_[i] == '|') {
      // A display name is short; bounding it keeps a stray "<@U1|" from scanning the whole text.
      const auto close = text_.substr(i, 100).find('>');
      if (close == std::string_view::npos) return {};
      name = lower(i + 1, i + close);
      i += close;
    }
    if (text_[i] != '>') return {};
    auto t = make(token_kind::mention, pos, i + 1, std::move(name));
    with_possessive(t);
    return t;
  }

  // @alice, @U024BE7LH, @alice:example.org(:8448).
  token at_mention(std::size_t pos) const {
    std::size_t i = pos + 1;
    // Handles are written in every script ("@tomás", "@zoë"): a letter that is valid UTF-8
    // continues the handle; a bad byte does not, so the mention never ends inside a sequence.
    while (i < text_.size()) {
      if (is_localpart_char(byte_at(text_, i))) {
        ++i;
        continue;
      }
      const auto cp = read_code_point(text_, i);
      if (byte_at(text_, i) < 0x80 || !cp.word || cp.bad) break;
      i += cp.length;
    }
    while (i > pos + 1 && (text_[i - 1] == '.' || text_[i - 1] == '-')) --i;
    const std::size_t local_end = i;
    if (i + 1 < text_.size() && text_[i] == ':' && is_ascii_alnum(byte_at(text_, i + 1))) {
      std::size_t server_end = i + 1;
      while (server_end < text_.size() &&
             (is_ascii_alnum(byte_at(text_, server_end)) || text_[server_end] == '.' ||
              text_[server_end] == '-' || text_[server_end] == ':')) {
        ++server_end;
      }
      while (server_end > i + 1 && (text_[server_end - 1] == '.' || text_[server_end - 1] == '-' ||
                                    text_[server_end - 1] == ':')) {
        --server_end;
      }
      // "@alice: look" is a mention and a colon; a server name has a dot.
      if (text_.substr(i + 1, server_end - i - 1).find('.') != std::string_view::npos) {
        i = server_end;
      }
    }
    auto t = make(token_kind::mention, pos, i, lower(pos + 1, local_end));
    with_possessive(t);
    return t;
  }

  void with_possessive(token& t) const {
    if (const auto n = possessive_at(text_, t.end); n != 0) {
      t.end += n;
      t.possessive = true;
    }
  }

  token word(std::size_t pos) const {
    std::size_t i = pos;
    bool bad = false;
    while (i < text_.size()) {
      const auto cp = read_code_point(text_, i);
      if (cp.word) {
        bad = bad || cp.bad;
        i += cp.length;
        continue;
      }
      const char c = text_[i];
      const bool next_is_word = [&] {
        const auto skip = apostrophe_at(text_, i) ? apostrophe_at(text_, i) : 1;
        return i + skip < text_.size() && read_code_point(text_, i + skip).word;
      }();
      // Inner hyphens, dots, colons between digits, and apostrophes join: on-call, v2.3,
      // 14:05, didn't.
      if ((c == '-' || c == '.' || apostrophe_at(text_, i)) && next_is_word) {
        i += apostrophe_at(text_, i) ? apostrophe_at(text_, i) : 1;
        continue;
      }
      if (c == ':' && next_is_word && is_ascii_digit(byte_at(text_, i - 1)) &&
          is_ascii_digit(byte_at(text_, i + 1))) {
        ++i;
        continue;
      }
      if (c == '%' && is_ascii_digit(byte_at(text_, i - 1))) {
        ++i;
        continue;
      }
      break;
    }
    // A word with broken bytes is not read as a word: no rule quotes it, so no quote starts or
    // ends inside a damaged sequence.
    if (bad) return make(token_kind::code, pos, i, "");
    // kim@ (the handle@ style) is a mention; kim@example.org an address.
    if (i < text_.size() && text_[i] == '@') {
      const bool address = i + 1 < text_.size() && read_code_point(text_, i + 1).word;
      if (address) {
        return make(token_kind::code, pos, until_space(i), "");
      }
      auto t = make(token_kind::mention, pos, i + 1, lower(pos, i));
      with_possessive(t);
      return t;
    }
    auto t = make(is_ascii_digit(byte_at(text_, pos)) ? token_kind::number : token_kind::word, pos,
                  i, lower(pos, i));
    // "Kim's" reads as Kim, possessive; "it's" and "he's" stay whole (is/has).
    const auto n = t.norm.size();
    if (n > 2 && t.norm[n - 2] == '\'' && t.norm[n - 1] == 's' &&
        (flags_of(t.norm) & (auxiliary | function_word)) == 0 && t.norm != "it's" &&
        t.norm != "he's" && t.norm != "she's" && t.norm != "that's" && t.norm != "what's" &&
        t.norm != "there's" && t.norm != "who's" && t.norm != "let's") {
      t.norm.resize(n - 2);
      t.possessive = true;
    }
    return t;
  }

  std::string_view text_;
};

// Abbreviations after which a full stop does not end a sentence.
constexpr std::array<std::string_view, 28> abbreviations{
    "e.g", "i.e", "etc", "vs",  "approx", "mr",  "mrs",  "ms", "dr",  "prof",
    "inc", "ltd", "no",  "fig", "cf",     "st",  "sr",   "jr", "min", "sec",
    "hrs", "jan", "feb", "mar", "apr",    "aug", "sept", "oct"};

bool is_abbreviation(const token& t) {
  for (const auto a : abbreviations) {
    if (t.norm == a) return true;
  }
  // An initial: "J. Smith".
  return t.kind == token_kind::word && t.end - t.begin == 1 && t.capitalised;
}

bool is_bullet(const token& t) {
  return t.kind == token_kind::punct &&
         (t.norm == "-" || t.norm == "*" || t.norm == "+" || t.norm == ">" || t.norm == "#" ||
          t.norm == "\xE2\x80\xA2");
}

bool ends_sentence(const token& t) {
  return t.kind == token_kind::punct &&
         (t.norm.find_first_of(".!?") != std::string::npos || t.norm == "...");
}

bool is_closer(const token& t) {
  return t.kind == token_kind::punct &&
         (t.norm == ")" || t.norm == "]" || t.norm == "\"" || t.norm == "'" ||
          t.norm == "\xE2\x80\x9D" || t.norm == "*" || t.norm == "_");
}

}  // namespace

std::vector<sentence> split_sentences(std::string_view text) {
  auto placed = tokenizer(text).run();
  // "if he'd diffed the config": a pronoun's 'd before a past participle is "had", and the
  // pronoun is a subject of its own; "he'd have seen" keeps its "would" as one word.
  for (std::size_t i = 0; i + 1 < placed.size(); ++i) {
    auto& t = placed[i].tok;
    if (t.kind != token_kind::word || !t.norm.ends_with("'d")) continue;
    const std::string_view pronoun = std::string_view(t.norm).substr(0, t.norm.size() - 2);
    if (pronoun != "he" && pronoun != "she" && pronoun != "they" && pronoun != "i" &&
        pronoun != "we" && pronoun != "you" && pronoun != "it") {
      continue;
    }
    std::size_t next = i + 1;
    while (next < placed.size() && placed[next].tok.kind == token_kind::word &&
           (placed[next].tok.norm == "never" || placed[next].tok.norm == "just" ||
            placed[next].tok.norm == "already" || placed[next].tok.norm == "actually")) {
      ++next;
    }
    if (next >= placed.size() || placed[next].tok.kind != token_kind::word) continue;
    const auto& after = placed[next].tok.norm;
    const auto* v = verb_of(after);
    // ("diffed", "yolo'd": a verb the lexicon does not know, by its ending.)
    const bool participle =
        v != nullptr ? (v->form == verb_form::participle || v->form == verb_form::past ||
                        v->form == verb_form::past_or_participle)
                     : after.size() >= 5 && after.ends_with("ed") && !after.ends_with("eed");
    if (!participle) continue;
    const std::size_t cut = t.begin + pronoun.size();
    auto had = placed[i];
    had.tok.begin = cut;
    had.tok.norm = "had";
    had.tok.capitalised = false;
    had.tok.all_capitals = false;
    had.tok.glued = true;
    had.newlines_before = 0;
    had.line_start = false;
    t.end = cut;
    t.norm = std::string(pronoun);
    placed.insert(placed.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::move(had));
    ++i;
  }
  std::vector<sentence> out;
  sentence current;
  const auto flush = [&] {
    if (!current.tokens.empty()) {
      current.begin = current.tokens.front().begin;
      current.end = current.tokens.back().end;
      out.push_back(std::move(current));
    }
    current = sentence{};
  };
  for (std::size_t i = 0; i < placed.size(); ++i) {
    auto& p = placed[i];
    if (p.newlines_before >= 2) flush();
    if (p.newlines_before == 1) {
      // A line break ends a sentence unless the next line continues wrapped prose: it starts
      // in lower case after a long line.
      const bool continues =
          p.tok.kind == token_kind::word && !p.tok.capitalised && p.previous_line_length >= 60;
      if (!continues) flush();
    }
    if (p.line_start && current.tokens.empty()) {
      // List markers and Markdown headings are not part of the sentence: "- ", "1. ", "## ".
      if (is_bullet(p.tok)) continue;
      if (p.tok.kind == token_kind::number && i + 1 < placed.size() &&
          (placed[i + 1].tok.norm == "." || placed[i + 1].tok.norm == ")") &&
          placed[i + 1].tok.glued) {
        ++i;
        continue;
      }
    }
    if (current.tokens.empty() && is_bullet(p.tok) && p.tok.norm == "#") continue;
    const bool closes = ends_sentence(p.tok);
    current.tokens.push_back(std::move(p.tok));
    if (!closes) continue;
    // The quotes and brackets right after the full stop belong to this sentence.
    while (i + 1 < placed.size() && placed[i + 1].tok.glued && placed[i + 1].newlines_before == 0 &&
           is_closer(placed[i + 1].tok)) {
      current.tokens.push_back(std::move(placed[++i].tok));
    }
    const bool at_end = i + 1 >= placed.size();
    const bool spaced = at_end || !placed[i + 1].tok.glued;
    const auto& stop = current.tokens.back();
    const token* before =
        current.tokens.size() >= 2 ? &current.tokens[current.tokens.size() - 2] : nullptr;
    const bool abbreviation =
        stop.norm == "." && before != nullptr && stop.glued && is_abbreviation(*before);
    // "thanks for the heads up... not": an ellipsis before a lower-case word on the same line
    // trails off into the same sentence.
    const bool trailing_off = stop.norm == "..." && !at_end && placed[i + 1].newlines_before == 0 &&
                              placed[i + 1].tok.kind == token_kind::word &&
                              !placed[i + 1].tok.capitalised;
    if (spaced && !abbreviation && !trailing_off) flush();
  }
  flush();
  return out;
}

}  // namespace scribe::bot::wording
