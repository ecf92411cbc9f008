#include "bot/markdown.hpp"

#include <cctype>
#include <optional>

namespace scribe::bot::markdown {
namespace {

bool is_ascii_punct(char c) {
  return std::ispunct(static_cast<unsigned char>(c)) != 0;
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || static_cast<unsigned char>(c) >= 0x80;
}

// Whether an unescaped `marker` occurs in text[from..].
bool closes_later(std::string_view text, std::size_t from, std::string_view marker) {
  for (std::size_t i = from; i + marker.size() <= text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
      continue;
    }
    if (text.substr(i, marker.size()) == marker) return true;
  }
  return false;
}

class inline_parser {
 public:
  std::vector<span> run(std::string_view text, span style) {
    style_ = std::move(style);
    std::size_t i = 0;
    while (i < text.size()) {
      const char c = text[i];
      if (c == '\\' && i + 1 < text.size() &&
          (is_ascii_punct(text[i + 1]) || text[i + 1] == '\n')) {
        // An escaped punctuation character is itself; a backslash at a line's end is a hard line
        // break, which is the line break itself here.
        append(text.substr(i + 1, 1));
        i += 2;
      } else if (c == '`') {
        i = code_span(text, i);
      } else if (text.substr(i, 2) == "**") {
        // Unpaired, the two stars are text (and not an italic marker and a star).
        if (style_.bold || closes_later(text, i + 2, "**")) {
          style_.bold = !style_.bold;
        } else {
          append("**");
        }
        i += 2;
      } else if ((c == '*' || c == '_') && emphasis_marker(text, i)) {
        style_.italic = !style_.italic;
        i += 1;
      } else if (c == '[') {
        i = link(text, i);
      } else {
        append(text.substr(i, 1));
        ++i;
      }
    }
    return std::move(out_);
  }

 private:
  bool emphasis_marker(std::string_view text, std::size_t i) const {
    const char c = text[i];
    if (c == '_') {
      // snake_case words are not emphasis: an underscore between word characters is text.
      const bool inside_word =
          i > 0 && i + 1 < text.size() && is_word_char(text[i - 1]) && is_word_char(text[i + 1]);
      if (inside_word) return false;
    }
    if (style_.italic) return true;
    return i + 1 < text.size() && text[i + 1] != ' ' &&
           closes_later(text, i + 1, std::string_view(&text[i], 1));
  }

  std::size_t code_span(std::string_view text, std::size_t start) {
    std::size_t ticks = 0;
    while (start + ticks < text.size() && text[start + ticks] == '`') ++ticks;
    const std::string fence(ticks, '`');
    const auto close = text.find(fence, start + ticks);
    if (close == std::string_view::npos) {
      append(text.substr(start, ticks));
      return start + ticks;
    }
    span code = style_;
    code.code = true;
    code.text = std::string(text.substr(start + ticks, close - start - ticks));
    push(std::move(code));
    return close + ticks;
  }

  std::size_t link(std::string_view text, std::size_t start) {
    // [label](url) with a label that may hold styles but no nested brackets.
    std::size_t i = start + 1;
    while (i < text.size() && text[i] != ']' && text[i] != '[') {
      if (text[i] == '\\') ++i;
      ++i;
    }
    if (i + 1 >= text.size() || text[i] != ']' || text[i + 1] != '(') {
      append("[");
      return start + 1;
    }
    const auto url_end = text.find(')', i + 2);
    const auto url = url_end == std::string_view::npos ? std::string_view{}
                                                       : text.substr(i + 2, url_end - i - 2);
    if (url.empty() || url.find(' ') != std::string_view::npos) {
      append("[");
      return start + 1;
    }
    span inner_style = style_;
    inner_style.url = std::string(url);
    for (auto& s : inline_parser().run(text.substr(start + 1, i - start - 1), inner_style)) {
      push(std::move(s));
    }
    return url_end + 1;
  }

  void append(std::string_view literal) {
    if (!out_.empty()) {
      span& last = out_.back();
      if (!last.code && last.bold == style_.bold && last.italic == style_.italic &&
          last.url == style_.url) {
        last.text += literal;
        return;
      }
    }
    span s = style_;
    s.text = std::string(literal);
    out_.push_back(std::move(s));
  }

  void push(span s) {
    if (s.text.empty()) return;
    out_.push_back(std::move(s));
  }

  span style_;
  std::vector<span> out_;
};

// "## Title" -> level 2 and "Title"; nullopt when the line is not a heading.
std::optional<std::pair<int, std::string_view>> heading(std::string_view line) {
  int level = 0;
  while (static_cast<std::size_t>(level) < line.size() &&
         line[static_cast<std::size_t>(level)] == '#')
    ++level;
  if (level == 0 || level > 6) return std::nullopt;
  const auto rest = line.substr(static_cast<std::size_t>(level));
  if (!rest.empty() && rest.front() != ' ') return std::nullopt;
  auto title = rest;
  while (!title.empty() && title.front() == ' ') title.remove_prefix(1);
  while (!title.empty() && (title.back() == ' ' || title.back() == '#')) {
    if (title.back() == '#' && title.size() >= 2 && title[title.size() - 2] == '\\') break;
    title.remove_suffix(1);
  }
  return std::pair{level, title};
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

std::vector<span> parse_inline(std::string_view text) {
  return inline_parser().run(text, {});
}

std::vector<block> parse(std::string_view text) {
  std::vector<block> blocks;
  std::string raw;  // the inline text of the block being read
  std::optional<block> current;
  auto finish = [&] {
    if (current) {
      current->spans = parse_inline(raw);
      blocks.push_back(std::move(*current));
    }
    current.reset();
    raw.clear();
  };
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (is_blank(line)) {
      finish();
    } else if (auto h = heading(line)) {
      finish();
      current = block{block_kind::heading, h->first, {}};
      raw = std::string(h->second);
      finish();
    } else if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') &&
               line[1] == ' ') {
      finish();
      current = block{block_kind::list_item, 0, {}};
      raw = std::string(line.substr(2));
    } else if (current) {
      const auto indent = line.find_first_not_of(' ');
      raw += '\n';
      raw += line.substr(current->kind == block_kind::list_item ? indent : 0);
    } else {
      current = block{block_kind::paragraph, 0, {}};
      raw = std::string(line);
    }
  }
  finish();
  return blocks;
}

std::string plain_text(const std::vector<span>& spans) {
  std::string out;
  for (const auto& s : spans) out += s.text;
  return out;
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

bool is_web_link(std::string_view url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

// Line breaks inside a paragraph or item are kept as <br>.
std::string html_text(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const auto newline = text.find('\n', start);
    out += escape_html(
        text.substr(start, newline == std::string_view::npos ? newline : newline - start));
    if (newline == std::string_view::npos) return out;
    out += "<br>";
    start = newline + 1;
  }
}

std::string spans_html(const std::vector<span>& spans) {
  std::string out;
  for (const auto& s : spans) {
    std::string inner = s.code ? "<code>" + escape_html(s.text) + "</code>" : html_text(s.text);
    if (s.italic) inner = "<em>" + inner + "</em>";
    if (s.bold) inner = "<strong>" + inner + "</strong>";
    if (!s.url.empty() && is_web_link(s.url)) {
      inner = "<a href=\"" + escape_html(s.url) + "\">" + inner + "</a>";
    }
    out += inner;
  }
  return out;
}

}  // namespace

std::string to_html(const std::vector<block>& blocks) {
  std::string out;
  bool in_list = false;
  for (const auto& b : blocks) {
    const bool item = b.kind == block_kind::list_item;
    if (item && !in_list) out += "<ul>";
    if (!item && in_list) out += "</ul>";
    in_list = item;
    switch (b.kind) {
      case block_kind::heading: {
        const std::string tag = "h" + std::to_string(b.level);
        out += "<" + tag + ">" + spans_html(b.spans) + "</" + tag + ">";
        break;
      }
      case block_kind::list_item: out += "<li>" + spans_html(b.spans) + "</li>"; break;
      case block_kind::paragraph: out += "<p>" + spans_html(b.spans) + "</p>"; break;
    }
  }
  if (in_list) out += "</ul>";
  return out;
}

}  // namespace scribe::bot::markdown
