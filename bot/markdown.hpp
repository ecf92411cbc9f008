#pragma once
// Reads the Markdown Scribe writes (bot/postmortem_draft.hpp) into blocks and spans, so that each
// chat adapter and the web page render the one stored draft in their own format.
//
// The subset: ATX headings (`#` to `######`), paragraphs, `- `/`* ` bullet items with two-space
// continuation lines, `**bold**`, `*italic*`/`_italic_`, `` `code` ``, `[text](url)`, backslash
// escapes of ASCII punctuation and hard line breaks (a backslash at a line's end). Every line
// break inside a paragraph or item is kept, soft or hard. Anything else is text as written: the
// parser never fails, so a draft edited by hand still renders, only more plainly. Pure functions,
// safe from any thread.

#include <string>
#include <string_view>
#include <vector>

namespace scribe::bot::markdown {

// A run of text with one set of styles. `url` is set for link text.
struct span {
  std::string text;  // literal: escapes resolved
  bool bold = false;
  bool italic = false;
  bool code = false;
  std::string url;
  friend bool operator==(const span&, const span&) = default;
};

enum class block_kind { heading, paragraph, list_item };

struct block {
  block_kind kind = block_kind::paragraph;
  int level = 0;  // headings: 1 to 6
  // Lines of the block; a paragraph's or item's line breaks are kept as "\n" in span text.
  std::vector<span> spans;
  friend bool operator==(const block&, const block&) = default;
};

std::vector<block> parse(std::string_view text);

// The spans of one line or paragraph of inline Markdown.
std::vector<span> parse_inline(std::string_view text);

// The text of the spans without styles: what a plain-text body shows.
std::string plain_text(const std::vector<span>& spans);

// `text` with &, <, > and " escaped for HTML text and attribute values.
std::string escape_html(std::string_view text);

// The blocks as HTML using only elements every Matrix client and browser renders (Matrix's
// allow-list, client-server API "m.room.message msgtypes"): h1-h6, p, ul/li, strong, em, code,
// a href and br. Text is escaped; links other than http(s) are shown as their text only.
std::string to_html(const std::vector<block>& blocks);

}  // namespace scribe::bot::markdown
