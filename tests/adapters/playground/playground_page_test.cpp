// The playground page's markup: escaping, threads, who sees what, the pin's state.
#include "adapters/playground/playground_page.hpp"
#include "adapters/playground/playground_channel.hpp"

#include <catch2/catch.hpp>

using namespace scribe;
using namespace scribe::bot;
using namespace scribe::playground;

namespace {

const timestamp t0 = from_unix_micros(1'795'255'200'000'000);

chat_message message(std::int64_t id, std::string author, std::string text,
                     std::optional<std::int64_t> thread = std::nullopt) {
  chat_message m;
  m.id = id;
  m.channel = std::string(channel_name);
  m.thread_id = thread;
  m.author = {author, author};
  m.text = std::move(text);
  m.posted_at = t0;
  return m;
}

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("playground page: whatever people wrote is text, never markup", "[unit][playground]") {
  auto hostile = message(1, "<img src=x onerror=alert(1)>", "<script>alert(1)</script> & \"q\"");
  const auto html = render_messages({hostile}, "");
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;") !=
        std::string::npos);
  CHECK(html.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);

  page_state state{"\"><script>", hostile, "", "</textarea><script>"};
  const auto page = render_page({hostile}, state);
  CHECK(page.find("<script>") == std::string::npos);
  CHECK(page.find("</textarea><script>") == std::string::npos);
  CHECK(page.find("value=\"&quot;&gt;&lt;script&gt;\"") != std::string::npos);
}

TEST_CASE("playground page: Scribe's drafts render from Markdown, replies keep code spans",
          "[unit][playground]") {
  auto draft = message(1, "Scribe", "# Postmortem\n\n- **bold** <b>x</b>");
  draft.from_bot = true;
  draft.format = chat_format::markdown;
  const auto html = render_messages({draft}, "");
  CHECK(html.find("<h1>Postmortem</h1>") != std::string::npos);
  CHECK(html.find("<strong>bold</strong>") != std::string::npos);
  CHECK(html.find("&lt;b&gt;x&lt;/b&gt;") != std::string::npos);
  CHECK(html.find("class=\"message bot\"") != std::string::npos);
  CHECK(html.find("form class=\"pin\"") == std::string::npos);  // Scribe's own: no pin

  CHECK(text_to_html("use `/incident open <t>`\nthen `x") ==
        "use <code>/incident open &lt;t&gt;</code><br>then `x");
  CHECK(text_to_html("`a` and `b`") == "<code>a</code> and <code>b</code>");
}

TEST_CASE("playground page: replies sit under their thread, private replies only for their reader",
          "[unit][playground]") {
  auto root = message(1, "ann", "root");
  auto reply = message(2, "bob", "in thread", 1);
  auto later = message(3, "ann", "later");
  auto secret = message(4, "Scribe", "only for ann");
  secret.from_bot = true;
  secret.visible_to = "ann";
  root.reactions = {{std::string(flag_emoji), "ann"}, {std::string(flag_emoji), "bob"}};
  const std::vector<chat_message> all{root, reply, later, secret};

  const auto for_ann = render_messages(all, "ann");
  CHECK(for_ann.find("only for ann") != std::string::npos);
  CHECK(for_ann.find("only visible to you") != std::string::npos);
  // The reply is inside the root's <li>, before the next message.
  const auto root_at = for_ann.find("id=\"m1\"");
  const auto reply_at = for_ann.find("id=\"m2\"");
  const auto later_at = for_ann.find("id=\"m3\"");
  CHECK((root_at < reply_at && reply_at < later_at));
  CHECK(for_ann.find("<ol class=\"thread\">") < reply_at);
  CHECK(for_ann.find("class=\"pin pinned\"") != std::string::npos);
  CHECK(for_ann.find("title=\"ann, bob\"") != std::string::npos);

  const auto for_bob = render_messages(all, "bob");
  CHECK(for_bob.find("only for ann") == std::string::npos);
  const auto for_carol = render_messages(all, "carol");
  CHECK(for_carol.find("class=\"pin pinned\"") == std::string::npos);

  page_state in_thread{"ann", root, "", ""};
  const auto page = render_page(all, in_thread);
  CHECK(page.find("id=\"replying-to\"") != std::string::npos);
  CHECK(page.find("name=\"thread\" value=\"1\"") != std::string::npos);
  const auto channel_page = render_page(all, page_state{"ann", std::nullopt, "nope", ""});
  CHECK(channel_page.find("name=\"thread\"") == std::string::npos);
  CHECK(channel_page.find("id=\"error\">nope<") != std::string::npos);
}

TEST_CASE("playground page: only Scribe's questions offer their thread, where a reply answers",
          "[unit][playground]") {
  auto scribe_post = [](std::int64_t id, std::string text, std::string key) {
    auto m = message(id, "Scribe", std::move(text));
    m.from_bot = true;
    m.post_key = std::move(key);
    return m;
  };
  const std::vector<chat_message> all{
      message(1, "ann", "/incident close"),
      scribe_post(2, "INC-1 closed by ann after 5m: db down", ""),
      scribe_post(3, "Postmortem of INC-1 · db down\n2 questions follow", "ask 1#0"),
      scribe_post(4, "Question 1 of 2 · impact\nWhat was the impact?", "ask 1#1"),
      scribe_post(5, "Question 2 of 2 · lucky\nWhere did we get lucky?", "ask 1#2"),
      scribe_post(6, "Reminder: ...", "remind 1#0"),
      scribe_post(7, "# Postmortem draft", "draft 1 timer#0"),
      message(8, "bob", "an answer", 4),
  };
  CHECK(asks_question(all[3]));
  CHECK_FALSE(asks_question(all[2]));  // the introduction
  CHECK_FALSE(asks_question(all[5]));
  CHECK_FALSE(asks_question(all[0]));
  const auto html = render_messages(all, "ann");
  CHECK(count(html, "class=\"reply\"") == 2);
  CHECK_THAT(html, Catch::Contains("<a class=\"reply\" href=\"/playground?thread=4#m4\">Answer in "
                                   "thread</a>"));
  CHECK_THAT(html, Catch::Contains("href=\"/playground?thread=5#m5\""));

  // In a question's thread the composer says that the reply is an answer.
  const auto page = render_page(all, page_state{"bob", all[3], "", ""});
  CHECK_THAT(page, Catch::Contains("<p id=\"replying-to\">Your reply answers <q>Question 1 of 2"));
  CHECK_THAT(page, Catch::Contains("placeholder=\"Your answer. Enter sends; Shift+Enter for a new "
                                   "line\""));
}

TEST_CASE("playground page: the name is asked once, before the composer and the 📌 buttons",
          "[unit][playground]") {
  const std::vector<chat_message> all{message(1, "ann", "db down")};
  const auto stranger = render_page(all, page_state{"", std::nullopt, "", ""});
  CHECK_THAT(stranger, Catch::Contains("<form id=\"name-form\" method=\"post\" "
                                       "action=\"/playground/name\">"));
  CHECK_THAT(stranger, !Catch::Contains("id=\"composer\""));
  CHECK_THAT(stranger, !Catch::Contains("class=\"pin\""));  // nobody to flag as yet
  CHECK_THAT(stranger, Catch::Contains("db down"));         // the channel is there to read

  const auto known = render_page(all, page_state{"ann", std::nullopt, "", ""});
  CHECK_THAT(known, !Catch::Contains("id=\"name-form\""));
  CHECK_THAT(known, Catch::Contains("<input type=\"hidden\" name=\"author\" value=\"ann\">"));
  CHECK_THAT(known, Catch::Contains("<strong id=\"viewer\">ann</strong>"));
  CHECK_THAT(known, Catch::Contains("placeholder=\"A message, or /incident help. Enter sends; "
                                    "Shift+Enter for a new line\""));
  CHECK_THAT(known, Catch::Contains("<form class=\"pin\""));

  // Changing the name shows the form again, filled in, and keeps the thread one was in.
  const auto renaming = render_page(all, page_state{"ann", all[0], "", "", /*changing_name=*/true});
  CHECK_THAT(renaming, Catch::Contains("value=\"ann\" autocomplete=\"nickname\""));
  CHECK_THAT(renaming, Catch::Contains("<input type=\"hidden\" name=\"thread\" value=\"1\">"));
  CHECK_THAT(renaming, !Catch::Contains("id=\"composer\""));
}
