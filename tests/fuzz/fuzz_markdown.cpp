// Markdown and HTML (bot/markdown.hpp, bot/postmortem_draft.hpp's escape_markdown,
// adapters/playground/playground_page.hpp's text_to_html): drafts hold what people wrote, and
// the web pages, Matrix and the playground show them as HTML. Whatever the text, the HTML may only
// hold the tags the renderer writes, balanced, and every other byte of it must read back as text.

#include "adapters/playground/playground_page.hpp"
#include "bot/markdown.hpp"
#include "bot/postmortem_draft.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace bot = scribe::bot;
namespace fuzz = scribe::fuzz;
namespace markdown = scribe::bot::markdown;
namespace playground = scribe::playground;

// Undoes escape_html.
std::string unescape_html(std::string_view html) {
  std::string out;
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (html[i] != '&') {  // the common case, kept cheap: this runs on every byte of every input
      out += html[i];
      continue;
    }
    bool replaced = false;
    for (const auto& [entity, c] : {std::pair<std::string_view, char>{"&amp;", '&'},
                                    {"&lt;", '<'},
                                    {"&gt;", '>'},
                                    {"&quot;", '"'}}) {
      if (html.substr(i).starts_with(entity)) {
        out += c;
        i += entity.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += html[i];
  }
  return out;
}

// Checks that `html` holds only `allowed` elements (and <a href="..."> when `links`), properly
// nested, with no '>' or '"' outside a tag; returns its text, <br> read as a line break.
std::string text_of_html(std::string_view html, std::initializer_list<std::string_view> allowed,
                         bool links) {
  std::string text;
  std::vector<std::string> open;
  std::size_t i = 0;
  while (i < html.size()) {
    if (html[i] != '<') {
      SCRIBE_FUZZ_CHECK(html[i] != '>' && html[i] != '"');
      text += html[i++];
      continue;
    }
    const auto end = html.find('>', i);
    SCRIBE_FUZZ_CHECK(end != std::string_view::npos);
    std::string_view tag = html.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag == "br") {
      text += '\n';
    } else if (tag.starts_with('/')) {
      SCRIBE_FUZZ_CHECK(!open.empty() && open.back() == tag.substr(1));
      open.pop_back();
    } else if (links && tag.starts_with("a href=\"")) {
      const auto url = tag.substr(8);
      // The URL is escaped: its only '"' is the closing one.
      SCRIBE_FUZZ_CHECK(url.ends_with('"') && url.find('"') == url.size() - 1);
      SCRIBE_FUZZ_CHECK(url.find('<') == std::string_view::npos);
      open.emplace_back("a");
    } else {
      SCRIBE_FUZZ_CHECK(std::find(allowed.begin(), allowed.end(), tag) != allowed.end());
      open.emplace_back(tag);
    }
  }
  SCRIBE_FUZZ_CHECK(open.empty());
  return unescape_html(text);
}

void check_markdown(std::string_view text) {
  const auto blocks = markdown::parse(text);
  std::string expected;
  for (const auto& b : blocks) {
    if (b.kind == markdown::block_kind::heading) SCRIBE_FUZZ_CHECK(b.level >= 1 && b.level <= 6);
    expected += markdown::plain_text(b.spans);
  }
  const std::string html = markdown::to_html(blocks);
  const std::string shown = text_of_html(
      html, {"p", "ul", "li", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code"}, true);
  // Every character of the text is shown as text: none became markup.
  SCRIBE_FUZZ_CHECK(shown == expected);
  (void)markdown::parse_inline(text);
}

void check_escape_html(std::string_view text) {
  const std::string escaped = markdown::escape_html(text);
  SCRIBE_FUZZ_CHECK(escaped.find_first_of("<>\"") == std::string::npos);
  SCRIBE_FUZZ_CHECK(unescape_html(escaped) == text);
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

std::string without_backticks(std::string text) {
  std::erase(text, '`');
  return text;
}

// escape_markdown promises Markdown "that shows `text` as written", inline code kept as code: no
// emphasis or link comes out, and every byte but the backticks around code reads back as text.
void check_escape_markdown(std::string_view text) {
  const std::string escaped = bot::escape_markdown(text);
  const auto spans = markdown::parse_inline(escaped);
  SCRIBE_FUZZ_CHECK(without_backticks(markdown::plain_text(spans)) ==
                    without_backticks(std::string(text)));
  for (const auto& s : spans) {
    SCRIBE_FUZZ_CHECK(!s.bold && !s.italic && s.url.empty());
  }
  // As a block: one plain paragraph, unless blank lines or '\r' (which the block parser reads as
  // paragraph breaks and line ends) are part of the text.
  const auto lines = fuzz::split(text, '\n');
  if (text.find('\r') == std::string_view::npos &&
      std::none_of(lines.begin(), lines.end(), is_blank)) {
    const auto blocks = markdown::parse(escaped);
    SCRIBE_FUZZ_CHECK(blocks.size() == 1);
    SCRIBE_FUZZ_CHECK(blocks.front().kind == markdown::block_kind::paragraph);
    SCRIBE_FUZZ_CHECK(without_backticks(markdown::plain_text(blocks.front().spans)) ==
                      without_backticks(std::string(text)));
  }
}

// The playground's message text: only <code> and <br>, and every byte but the backticks that
// delimit code shows as text.
void check_playground_text(std::string_view text) {
  const std::string shown = text_of_html(playground::text_to_html(text), {"code"}, false);
  SCRIBE_FUZZ_CHECK(without_backticks(shown) == without_backticks(std::string(text)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  check_markdown(text);
  check_escape_html(text);
  check_escape_markdown(text);
  check_playground_text(text);
  return 0;
}
