#include "bot/markdown.hpp"

#include <catch2/catch.hpp>

using namespace scribe::bot::markdown;

namespace {

span text(std::string t) {
  return {std::move(t), false, false, false, {}};
}
span bold(std::string t) {
  return {std::move(t), true, false, false, {}};
}

}  // namespace

TEST_CASE("markdown: headings, paragraphs and list items become blocks") {
  const auto blocks = parse(
      "# Postmortem draft\n"
      "*Version 2*\n"
      "\n"
      "## Timeline\n"
      "- first item\n"
      "  continued\n"
      "- second\n"
      "\n"
      "A paragraph\n"
      "over two lines\n");
  REQUIRE(blocks.size() == 6);
  CHECK(blocks[0].kind == block_kind::heading);
  CHECK(blocks[0].level == 1);
  CHECK(plain_text(blocks[0].spans) == "Postmortem draft");
  CHECK(blocks[1].kind == block_kind::paragraph);
  CHECK(blocks[1].spans.at(0).italic);
  CHECK(blocks[2].level == 2);
  CHECK(blocks[3].kind == block_kind::list_item);
  CHECK(plain_text(blocks[3].spans) == "first item\ncontinued");
  CHECK(plain_text(blocks[4].spans) == "second");
  CHECK(blocks[5].kind == block_kind::paragraph);
  CHECK(plain_text(blocks[5].spans) == "A paragraph\nover two lines");
}

TEST_CASE("markdown: inline styles, links and escapes") {
  CHECK(parse_inline("plain **bold** end") ==
        std::vector<span>{text("plain "), bold("bold"), text(" end")});
  const auto link = parse_inline("see [**14:05 UTC**](https://x.test/a?b=1) now");
  REQUIRE(link.size() == 3);
  CHECK(link[1].text == "14:05 UTC");
  CHECK(link[1].bold);
  CHECK(link[1].url == "https://x.test/a?b=1");
  const auto code = parse_inline("run `kubectl get *` first");
  REQUIRE(code.size() == 3);
  CHECK(code[1].code);
  CHECK(code[1].text == "kubectl get *");
  CHECK(parse_inline("\\*not italic\\* \\<script\\> \\# \\[x\\](y)") ==
        std::vector<span>{text("*not italic* <script> # [x](y)")});
  CHECK(parse_inline("snake_case_name stays") == std::vector<span>{text("snake_case_name stays")});
  CHECK(parse_inline("_italic_").at(0).italic);
}

TEST_CASE("markdown: what is not markup stays text and nothing fails") {
  CHECK(plain_text(parse_inline("a ** b")) == "a ** b");
  CHECK(plain_text(parse_inline("2 * 3 = 6")) == "2 * 3 = 6");
  CHECK(plain_text(parse_inline("[unclosed link")) == "[unclosed link");
  CHECK(plain_text(parse_inline("[label](has space)")) == "[label](has space)");
  CHECK(plain_text(parse_inline("`open code")) == "`open code");
  CHECK(plain_text(parse_inline("trailing \\")) == "trailing \\");
  CHECK(parse("#not a heading").at(0).kind == block_kind::paragraph);
  CHECK(parse("").empty());
  CHECK(parse("\n\n  \n").empty());
  const auto escaped_heading = parse("\\# literal");
  REQUIRE(escaped_heading.size() == 1);
  CHECK(escaped_heading[0].kind == block_kind::paragraph);
  CHECK(plain_text(escaped_heading[0].spans) == "# literal");
}

TEST_CASE("markdown: HTML with everything from people escaped", "[unit][markdown]") {
  CHECK(
      to_html(parse("# Draft: INC-7\n\n*Version 2*\n\n## Timeline\n"
                    "- [**14:05 UTC**](https://x.test/a?b=1&c=\"2\") · a <b>\n  second\n"
                    "- `x<y`\n\nafter")) ==
      "<h1>Draft: INC-7</h1><p><em>Version 2</em></p><h2>Timeline</h2>"
      "<ul><li><a href=\"https://x.test/a?b=1&amp;c=&quot;2&quot;\"><strong>14:05 UTC</strong></a>"
      " · a &lt;b&gt;<br>second</li><li><code>x&lt;y</code></li></ul><p>after</p>");
  // Escaped Markdown stays text, and only web links become links.
  CHECK(to_html(parse("\\<script\\>alert(1)\\</script\\>")) ==
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
  CHECK(to_html(parse("[click](javascript:alert%281%29)")) == "<p>click</p>");
  CHECK(to_html({}) == "");
  CHECK(escape_html("a&b<c>\"d\"") == "a&amp;b&lt;c&gt;&quot;d&quot;");
}

TEST_CASE("markdown: a backslash at a line's end is a hard line break", "[unit][markdown]") {
  const auto blocks = parse("- first\\\n  second\n\nend with a backslash\\\n");
  REQUIRE(blocks.size() == 2);
  CHECK(plain_text(blocks[0].spans) == "first\nsecond");
  CHECK(to_html({blocks[0]}) == "<ul><li>first<br>second</li></ul>");
  // At the very end of a block there is no line to break to: the backslash is text.
  CHECK(plain_text(blocks[1].spans) == "end with a backslash\\");
}
