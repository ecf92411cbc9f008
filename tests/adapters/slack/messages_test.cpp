// Rendering Scribe's replies for Slack and splitting long ones within Slack's limits.

#include "adapters/slack/messages.hpp"
#include "adapters/slack/text.hpp"
#include "text/text.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

namespace scribe::slack {
namespace {

using nlohmann::json;

constexpr std::size_t unlimited = 1'000'000'000;

std::string without_whitespace(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\n') out += c;
  }
  return out;
}

// Checks one message body against `limits` and returns its section texts.
std::vector<std::string> check_message(const json& body, const message_limits& limits) {
  REQUIRE(body.is_object());
  REQUIRE(body.at("text").is_string());
  REQUIRE(body.at("blocks").is_array());
  const auto& blocks = body.at("blocks");
  CHECK(!blocks.empty());
  CHECK(blocks.size() <= limits.max_blocks);
  std::vector<std::string> sections;
  std::size_t block_text = 0;
  for (const auto& block : blocks) {
    CHECK(block.at("type") == "section");
    CHECK(block.at("text").at("type") == "mrkdwn");
    const auto& text = block.at("text").at("text").get_ref<const std::string&>();
    CHECK(!text::trim(text).empty());
    CHECK(slack_length(text) <= limits.max_section_text);
    CHECK(text::is_valid_utf8(text));
    block_text += slack_length(text);
    sections.push_back(text);
  }
  std::string joined;
  for (const auto& s : sections) joined += (joined.empty() ? "" : "\n") + s;
  CHECK(body.at("text") == joined);
  CHECK(slack_length(joined) <= limits.max_text);
  CHECK(block_text <= limits.max_message_block_text);
  CHECK_NOTHROW(body.dump());
  return sections;
}

// Splits through chat_messages, checks every message, and returns all sections in order.
std::vector<std::string> split_checked(std::string_view text, const message_limits& limits,
                                       std::size_t expected_messages = 0) {
  const auto messages = chat_messages("C1", text, std::nullopt, limits);
  if (expected_messages != 0) CHECK(messages.size() == expected_messages);
  std::vector<std::string> all;
  std::string content;
  for (const auto& message : messages) {
    for (auto& section : check_message(message, limits)) {
      content += section;
      all.push_back(std::move(section));
    }
  }
  // Nothing lost or added but whitespace at the cuts.
  CHECK(without_whitespace(content) == without_whitespace(escape_text(text)));
  return all;
}

std::string lines(std::size_t count, std::size_t width) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    std::string line = "line " + std::to_string(i) + " ";
    line.resize(width, 'x');
    text += line + "\n";
  }
  return text;
}

}  // namespace

TEST_CASE("slash_command_response: visibility and escaping", "[unit][messages]") {
  const auto channel = slash_command_response(
      {"Incident `#12` opened: db-2 <primary> & replica down", bot::reply_visibility::channel});
  CHECK(channel.first.at("response_type") == "in_channel");
  CHECK(channel.first.at("text") ==
        "Incident `#12` opened: db-2 &lt;primary&gt; &amp; replica down");
  CHECK(channel.first.at("blocks") == json::parse(R"([{"type":"section","text":{"type":"mrkdwn",
                        "text":"Incident `#12` opened: db-2 &lt;primary&gt; &amp; replica down"}}])"));
  CHECK(channel.rest.empty());

  const auto author = slash_command_response({"Usage: `/incident open <title>`"});
  CHECK(author.first.at("response_type") == "ephemeral");
  CHECK(author.first.at("text") == "Usage: `/incident open &lt;title&gt;`");
}

TEST_CASE("slash_command_response splits a long reply into first and rest", "[unit][messages]") {
  const std::string text = lines(100, 500);  // 50,000 characters
  const auto out = slash_command_response({text, bot::reply_visibility::channel});
  REQUIRE_FALSE(out.rest.empty());
  check_message(out.first, {});
  for (const auto& part : out.rest) {
    check_message(part, {});
    CHECK(part.at("response_type") == "in_channel");
  }
  CHECK(out.first.at("text").get_ref<const std::string&>().starts_with("line 0 "));
}

TEST_CASE("chat_messages builds chat.postMessage bodies", "[unit][messages]") {
  const auto top = chat_messages("C111", "Timeline:\n14:02 rollback", std::nullopt);
  REQUIRE(top.size() == 1);
  CHECK(top[0] == json::parse(R"({"channel":"C111","text":"Timeline:\n14:02 rollback",
      "unfurl_links":false,"blocks":[{"type":"section",
      "text":{"type":"mrkdwn","text":"Timeline:\n14:02 rollback"}}]})"));

  const auto threaded = chat_messages("C111", "noted", std::string{"1610241700.000100"});
  CHECK(threaded.at(0).at("thread_ts") == "1610241700.000100");
  const auto empty_thread = chat_messages("C111", "noted", std::string{});
  CHECK_FALSE(empty_thread.at(0).contains("thread_ts"));

  const auto split = chat_messages("C111", lines(100, 500), std::string{"1.2"});
  REQUIRE(split.size() > 1);
  for (const auto& body : split) {
    CHECK(body.at("channel") == "C111");
    CHECK(body.at("thread_ts") == "1.2");
    CHECK(body.at("unfurl_links") == false);
  }
}

TEST_CASE("empty text still makes a valid message", "[unit][messages]") {
  for (std::string_view text : {"", "\n\n", "   \n \t \n"}) {
    const auto messages = chat_messages("C1", text, std::nullopt);
    REQUIRE(messages.size() == 1);
    CHECK(messages[0].at("text") == "(empty)");
    check_message(messages[0], {});
  }
}

TEST_CASE("sections hold at most 3000 characters, cut at line ends", "[unit][messages]") {
  const message_limits limits{.max_blocks = 50,
                              .max_section_text = 3000,
                              .max_text = unlimited,
                              .max_message_block_text = unlimited};
  const auto sections = split_checked(lines(20, 400), limits, 1);
  CHECK(sections.size() == 3);  // 7 lines of 400 (+6 newlines) fit in 3000
  for (const auto& section : sections) {
    CHECK(section.size() % 401 == 400);  // whole lines only
  }
  // Exactly 3000 fits; one more character does not.
  CHECK(split_checked(std::string(3000, 'a'), limits).size() == 1);
  CHECK(split_checked(std::string(3001, 'a'), limits).size() == 2);
}

TEST_CASE("a long line is cut at a space, else anywhere but inside a character or escape",
          "[unit][messages]") {
  const message_limits limits{.max_blocks = 50,
                              .max_section_text = 3000,
                              .max_text = unlimited,
                              .max_message_block_text = unlimited};
  SECTION("words") {
    std::string words;
    while (words.size() < 10000) words += "rollback ";
    for (const auto& section : split_checked(words, limits)) {
      CHECK((section.starts_with("rollback") || section.empty()));
      CHECK(section.back() != ' ');
    }
  }
  SECTION("no spaces") {
    const auto sections = split_checked(std::string(10000, 'x'), limits);
    CHECK(sections.size() == 4);
  }
  SECTION("two-byte characters") {
    std::string text;
    for (int i = 0; i < 5000; ++i) text += "\xC3\xA9";  // é
    CHECK(split_checked(text, limits).size() == 2);
  }
  SECTION("emoji outside the BMP count 2") {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "\xF0\x9F\x94\xA5";  // U+1F525
    const auto sections = split_checked(text, limits);
    CHECK(sections.size() == 2);
    CHECK(slack_length(sections[0]) == 3000);
  }
  SECTION("escapes stay whole") {
    // "a&" escapes to "a&amp;", 6 characters: 3000 is not a multiple, so a naive cut would split
    // an escape.
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "a&";
    for (const auto& section : split_checked(text, limits)) {
      std::string_view rest = section;
      while (!rest.empty()) {
        const std::string_view unit = rest.substr(0, rest.front() == 'a' ? 1 : 5);
        REQUIRE((unit == "a" || unit == "&amp;"));
        rest.remove_prefix(unit.size());
      }
    }
  }
}

TEST_CASE("a message holds at most 50 blocks", "[unit][messages]") {
  const message_limits limits{.max_blocks = 50,
                              .max_section_text = 3000,
                              .max_text = unlimited,
                              .max_message_block_text = unlimited};
  const auto messages = chat_messages("C1", lines(120, 2990), std::nullopt, limits);
  REQUIRE(messages.size() == 3);
  CHECK(messages[0].at("blocks").size() == 50);
  CHECK(messages[1].at("blocks").size() == 50);
  CHECK(messages[2].at("blocks").size() == 20);
  split_checked(lines(120, 2990), limits, 3);
  split_checked(lines(500, 10), {.max_blocks = 50,
                                 .max_section_text = 10,
                                 .max_text = unlimited,
                                 .max_message_block_text = unlimited});
}

TEST_CASE("a message's text stays within 40000 characters", "[unit][messages]") {
  const message_limits limits{.max_blocks = 50,
                              .max_section_text = 3000,
                              .max_text = 40000,
                              .max_message_block_text = unlimited};
  // 2990 + newline per section: 13 sections make 38,882 characters, 14 would make 41,874.
  const auto messages = chat_messages("C1", lines(30, 2990), std::nullopt, limits);
  REQUIRE(messages.size() == 3);
  CHECK(messages[0].at("blocks").size() == 13);
  split_checked(lines(30, 2990), limits, 3);
  split_checked(std::string(100000, 'z'), limits);
}

TEST_CASE("message limits are exact", "[unit][messages]") {
  const std::string two_sections = std::string(3000, 'a') + "\n" + std::string(3000, 'b');
  const auto messages_for = [&](message_limits limits) {
    return split_checked(two_sections, limits).size() == 2
               ? chat_messages("C1", two_sections, std::nullopt, limits).size()
               : 0;
  };
  // The fallback text joins the two sections with a newline: 6001 characters.
  CHECK(messages_for({.max_text = 6001, .max_message_block_text = unlimited}) == 1);
  CHECK(messages_for({.max_text = 6000, .max_message_block_text = unlimited}) == 2);
  // The blocks alone hold 6000 characters.
  CHECK(messages_for({.max_text = unlimited, .max_message_block_text = 6000}) == 1);
  CHECK(messages_for({.max_text = unlimited, .max_message_block_text = 5999}) == 2);
  CHECK(messages_for(
            {.max_blocks = 1, .max_text = unlimited, .max_message_block_text = unlimited}) == 2);
}

TEST_CASE("default limits keep each message under Slack's aggregate block cap",
          "[unit][messages]") {
  const message_limits defaults;
  const auto sections = split_checked(lines(200, 120), defaults);
  CHECK(chat_messages("C1", lines(200, 120), std::nullopt).size() == 3);  // 24,200 characters
  CHECK(sections.size() >= 9);
}

TEST_CASE("blank lines at section edges are dropped, inner ones kept", "[unit][messages]") {
  const auto messages = chat_messages("C1", "\n\nfirst\n\nsecond\n\n\n", std::nullopt);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].at("text") == "first\n\nsecond");
}

TEST_CASE("invalid UTF-8 in a reply becomes U+FFFD and serializes", "[unit][messages]") {
  const auto out = slash_command_response({"bad \xFF byte and cut \xE2\x82"});
  CHECK(out.first.at("text") == "bad \xEF\xBF\xBD byte and cut \xEF\xBF\xBD");
  CHECK_NOTHROW(out.first.dump());
  CHECK_NOTHROW(chat_messages("C\xFF", "x", std::string{"1.\xFE"}).at(0).dump());
}

TEST_CASE("tiny limits still terminate", "[unit][messages]") {
  const message_limits tiny{
      .max_blocks = 0, .max_section_text = 0, .max_text = 0, .max_message_block_text = 0};
  const auto messages =
      chat_messages("C1", "hello world & more \xF0\x9F\x94\xA5", std::nullopt, tiny);
  CHECK(messages.size() > 1);
  for (const auto& message : messages) {
    CHECK(message.at("blocks").size() == 1);
    CHECK(slack_length(message.at("text").get<std::string>()) <= 8);
  }
}

TEST_CASE("a huge single line is split in linear time", "[unit][messages]") {
  // One space at the very start: a backward search for a space from every cut would be quadratic.
  const std::string text = " " + std::string(4 << 20, 'y');
  const auto messages = chat_messages("C1", text, std::nullopt);
  CHECK(messages.size() == (text.size() - 1 + 11'999) / 12'000);
}

TEST_CASE("slack_length counts UTF-16 code units", "[unit][messages]") {
  CHECK(slack_length("") == 0);
  CHECK(slack_length("abc") == 3);
  CHECK(slack_length("\xC3\xA9") == 1);          // é
  CHECK(slack_length("\xE2\x82\xAC") == 1);      // €
  CHECK(slack_length("\xF0\x9F\x94\xA5") == 2);  // U+1F525
}

// ---- postmortem drafts -----------------------------------------------------------------------

TEST_CASE("markdown becomes mrkdwn: headings, bullets, styles, links, escaped text",
          "[unit][messages]") {
  CHECK(markdown_to_mrkdwn("# Postmortem draft: INC-7\n\n*Version 2*\n\n## Timeline\n"
                           "- [**14:05 UTC**](https://x.test/a?b=1&c=2) · alice — a <b> & c\n"
                           "  second line\n- **bold** and `co<de>`\n") ==
        "*Postmortem draft: INC-7*\n\n_Version 2_\n\n*Timeline*\n"
        "• <https://x.test/a?b=1&amp;c=2|*14:05 UTC*> · alice — a &lt;b&gt; &amp; c\n"
        "    second line\n• *bold* and `co&lt;de&gt;`");
  // People's text cannot form mentions or links: escaped Markdown stays literal, then escaped.
  CHECK(markdown_to_mrkdwn("\\<!channel\\> \\<@U1\\> \\*x\\*") ==
        "&lt;!channel&gt; &lt;@U1&gt; *x*");
  // Markers hug the text; a '|' in a link label would end the URL.
  CHECK(markdown_to_mrkdwn("** spaced **") == " *spaced* ");
  CHECK(markdown_to_mrkdwn("[a|b](https://x.test)") == "<https://x.test|a/b>");
}

TEST_CASE("a long draft is split within Slack's limits, links whole, nothing lost",
          "[unit][messages]") {
  std::string markdown = "# Postmortem draft: INC-7 · long\n\n## Timeline\n\n";
  for (int i = 0; i < 2000; ++i) {
    markdown += "- [**10:" + std::to_string(10 + i % 50) + ":00 UTC**](https://x.test/p" +
                std::to_string(i) + ") · alice · reaction — entry " + std::to_string(i) +
                " with some words about the load balancer\n";
  }
  const message_limits limits;
  const auto messages = draft_messages("C1", markdown, 1000, "");
  CHECK(messages.size() > 5);
  std::string all;
  for (const auto& m : messages) {
    CHECK(m.at("channel") == "C1");
    CHECK(m.at("unfurl_links") == false);
    for (const auto& section : check_message(m, limits)) {
      // Every link arrives whole: as many '<' as '>' in each section.
      CHECK(std::count(section.begin(), section.end(), '<') ==
            std::count(section.begin(), section.end(), '>'));
      all += section + "\n";
    }
  }
  for (int i : {0, 999, 1999}) {
    CHECK_THAT(all, Catch::Contains("|*10:" + std::to_string(10 + i % 50) +
                                    ":00 UTC*> · alice · "
                                    "reaction — entry " +
                                    std::to_string(i) + " with"));
  }

  // Past max_messages, the last message says where the rest is.
  const auto capped = draft_messages("C1", markdown, 3, "https://scribe.test/incidents/INC-7/x.md");
  REQUIRE(capped.size() == 3);
  const std::string last = capped.back().at("text");
  CHECK_THAT(last, Catch::Contains("The draft continues beyond what fits in chat"));
  CHECK_THAT(last, Catch::Contains("<https://scribe.test/incidents/INC-7/x.md>"));
  CHECK_THAT(draft_messages("C1", markdown, 2, "").back().at("text").get<std::string>(),
             Catch::Contains("`scribe export` prints it"));
}

TEST_CASE("a line longer than a section is never cut inside a link", "[unit][messages]") {
  message_limits limits;
  limits.max_section_text = 60;
  std::string mrkdwn;
  for (int i = 0; i < 10; ++i) mrkdwn += "word <https://x.test/" + std::to_string(i) + "|link> ";
  for (const auto& message : split_mrkdwn(mrkdwn, limits)) {
    for (const auto& section : message) {
      CHECK(slack_length(section) <= 60);
      CHECK(std::count(section.begin(), section.end(), '<') ==
            std::count(section.begin(), section.end(), '>'));
    }
  }
}

TEST_CASE("the form button and the answers modal", "[unit][messages]") {
  const auto body = message_with_form_button("C1", "Postmortem of INC-7 <now>", 42);
  CHECK(body.at("channel") == "C1");
  CHECK(body.at("text") == "Postmortem of INC-7 &lt;now&gt;");
  const auto& actions = body.at("blocks").back();
  CHECK(actions.at("type") == "actions");
  CHECK(actions.at("elements").at(0).at("action_id") == answer_form_action);
  CHECK(actions.at("elements").at(0).at("value") == "42");

  bot::incident inc;
  inc.id = 42;
  inc.number = 7;
  inc.title = "Checkout <502>";
  const auto view = answer_form_view(
      inc, {{"impact", "What was the impact?", std::nullopt}, {"actions", "What now?", "C1/1.2"}});
  CHECK(view.at("type") == "modal");
  CHECK(view.at("callback_id") == answer_form_callback);
  CHECK(view.at("private_metadata") == "42");
  CHECK(view.at("title").at("text").get<std::string>().size() <= 24);
  const auto& blocks = view.at("blocks");
  REQUIRE(blocks.size() == 3);
  CHECK_THAT(blocks[0].at("text").at("text").get<std::string>(),
             Catch::Contains("Checkout &lt;502&gt;"));
  CHECK(blocks[1].at("type") == "input");
  CHECK(blocks[1].at("block_id") == "impact");
  CHECK(blocks[1].at("optional") == true);
  CHECK(blocks[1].at("label").at("text") == "What was the impact?");
  CHECK(blocks[1].at("element").at("action_id") == answer_field_action);
  CHECK(blocks[1].at("element").at("multiline") == true);
  CHECK(blocks[2].at("block_id") == "actions");
  inc.number = 123456789012345;
  CHECK(answer_form_view(inc, {}).at("title").at("text").get<std::string>().size() <= 24);
}

}  // namespace scribe::slack
