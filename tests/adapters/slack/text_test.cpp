// Slack mrkdwn: reading event text for the timeline, escaping what Scribe sends, and dropping the
// leading bot mention of an app_mention.

#include "adapters/slack/text.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace scribe::slack {

TEST_CASE("plain_text renders user and channel references", "[unit][text]") {
  CHECK(plain_text("<@U123>") == "@U123");
  CHECK(plain_text("ping <@U123|alice> now") == "ping @alice now");
  CHECK(plain_text("<@W123|@bob>") == "@bob");
  CHECK(plain_text("see <#C123|general>") == "see #general");
  CHECK(plain_text("see <#C123>") == "see #C123");
}

TEST_CASE("plain_text renders special mentions", "[unit][text]") {
  CHECK(plain_text("<!here> db is down") == "@here db is down");
  CHECK(plain_text("<!channel>") == "@channel");
  CHECK(plain_text("<!everyone>") == "@everyone");
  CHECK(plain_text("<!here|here>") == "@here");
  CHECK(plain_text("<!subteam^S123|@oncall>") == "@oncall");
  CHECK(plain_text("<!subteam^S123>") == "@S123");
  CHECK(plain_text("<!date^1392734382^Posted {date_num}|Posted 2014-02-18>") ==
        "Posted 2014-02-18");
}

TEST_CASE("plain_text renders links", "[unit][text]") {
  CHECK(plain_text("<https://grafana.example/d/1|the dashboard>") ==
        "the dashboard (https://grafana.example/d/1)");
  CHECK(plain_text("<https://grafana.example/d/1>") == "https://grafana.example/d/1");
  CHECK(plain_text("<http://example.com|example.com>") == "example.com");
  CHECK(plain_text("<https://example.com|https://example.com>") == "https://example.com");
  CHECK(plain_text("<mailto:oncall@example.com|oncall@example.com>") == "oncall@example.com");
  CHECK(plain_text("<https://x.example/?a=1&amp;b=2>") == "https://x.example/?a=1&b=2");
  CHECK(plain_text("<https://x.example|a &amp; b>") == "a & b (https://x.example)");
}

TEST_CASE("plain_text unescapes exactly Slack's three escapes, once", "[unit][text]") {
  CHECK(plain_text("p99 &lt; 50ms &amp;&amp; errors &gt; 0") == "p99 < 50ms && errors > 0");
  CHECK(plain_text("&amp;lt;") == "&lt;");
  CHECK(plain_text("&quot;x&quot; &#39; &") == "&quot;x&quot; &#39; &");
  CHECK(plain_text("&amp") == "&amp");
}

TEST_CASE("plain_text keeps what is not a reference", "[unit][text]") {
  CHECK(plain_text("") == "");
  CHECK(plain_text("no markup, `code` *bold*\nline two") == "no markup, `code` *bold*\nline two");
  CHECK(plain_text("<@U123") == "<@U123");
  CHECK(plain_text("a <b <@U1> c") == "a <b @U1 c");
  CHECK(plain_text("\xFF<@U1>\xFE") == "\xFF@U1\xFE");  // invalid UTF-8 passes through
  const std::string huge(1 << 20, '<');
  CHECK(plain_text(huge) == huge);
}

TEST_CASE("escape_text escapes &, < and > only", "[unit][text]") {
  CHECK(escape_text("a & b < c > d") == "a &amp; b &lt; c &gt; d");
  CHECK(escape_text("<@U123> <!here>") == "&lt;@U123&gt; &lt;!here&gt;");
  CHECK(escape_text("`code` *bold* \"quoted\" 'x'\n") == "`code` *bold* \"quoted\" 'x'\n");
  CHECK(escape_text("&amp;") == "&amp;amp;");
  for (std::string_view s : {"", "a & b", "<<>>&&", "&lt; literally", "é € 😀"}) {
    INFO(s);
    CHECK(plain_text(escape_text(s)) == s);
  }
}

TEST_CASE("strip_leading_mention drops the bot's leading mention", "[unit][text]") {
  CHECK(strip_leading_mention("<@U111> status") == "status");
  CHECK(strip_leading_mention("<@U111> status", "U111") == "status");
  CHECK(strip_leading_mention("  <@U111|scribe>   open sev2 db-2  ", "U111") == "open sev2 db-2");
  CHECK(strip_leading_mention("<@U111>") == "");
  CHECK(strip_leading_mention("\xC2\xA0<@U111>\xC2\xA0note x") == "note x");
}

TEST_CASE("strip_leading_mention leaves other text alone", "[unit][text]") {
  CHECK(strip_leading_mention("<@U999> status", "U111") == "<@U999> status");
  CHECK(strip_leading_mention("hello <@U111>", "U111") == "hello <@U111>");
  CHECK(strip_leading_mention(" <@U111 status ") == "<@U111 status");
  CHECK(strip_leading_mention("<@> status") == "<@> status");
  CHECK(strip_leading_mention("<#C1> status") == "<#C1> status");
  CHECK(strip_leading_mention("") == "");
}

TEST_CASE("unlabelled mentions are found and named", "[unit][text]") {
  const std::string text = "owner <@U1>, with <@U2|bob> and <@U1> again; <#C1> <@U3";
  CHECK(unlabelled_mentions(text) == std::vector<std::string>{"U1"});
  CHECK(unlabelled_mentions("<@U1><@W2> <@>") == std::vector<std::string>{"U1", "W2"});
  const std::map<std::string, std::string> names{{"U1", "alice"}};
  CHECK(label_mentions(text, names) ==
        "owner <@U1|alice>, with <@U2|bob> and <@U1|alice> again; <#C1> <@U3");
  CHECK(plain_text(label_mentions("ask <@U1> and <@U9>", names)) == "ask @alice and @U9");
  CHECK(label_mentions("no mentions", names) == "no mentions");
}

}  // namespace scribe::slack
