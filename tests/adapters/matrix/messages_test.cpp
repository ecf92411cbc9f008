// What Scribe sends into Matrix rooms: notices, drafts within the event size limit, threads,
// reactions and transaction ids (PROTOCOLS.md 8; the m.room.message and m.reaction examples in
// tests/fixtures/spec/matrix-event-examples).
#include "adapters/matrix/messages.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace scribe::matrix;
using nlohmann::json;

TEST_CASE("a bot reply is an m.notice with escaped HTML beside the plain body", "[unit][matrix]") {
  const json n =
      notice("INC-7 opened: <b>Checkout</b> & co\nAdd notes with `!incident note <text>`.");
  CHECK(n.at("msgtype") == "m.notice");
  CHECK(n.at("body") ==
        "INC-7 opened: <b>Checkout</b> & co\nAdd notes with `!incident note <text>`.");
  CHECK(n.at("format") == "org.matrix.custom.html");
  CHECK(n.at("formatted_body") ==
        "INC-7 opened: &lt;b&gt;Checkout&lt;/b&gt; &amp; co<br>Add notes with "
        "<code>!incident note &lt;text&gt;</code>.");
  CHECK(notice("a lone ` stays").at("formatted_body") == "a lone ` stays");
  CHECK(notice("bad \xff byte").at("body") == "bad \xEF\xBF\xBD byte");
  CHECK_NOTHROW(notice("bad \xff byte").dump());
}

TEST_CASE("a long draft becomes several notices, each within the event limit, nothing lost",
          "[unit][matrix]") {
  std::string markdown = "# Postmortem draft: INC-7\n\n## Timeline\n\n";
  for (int i = 0; i < 3000; ++i) {
    markdown += "- [**10:00:" + std::to_string(i % 60) + " UTC**](https://x.test/" +
                std::to_string(i) + ") · alice · reaction — entry " + std::to_string(i) +
                " <with> & markup\n";
  }
  markdown += "\n## Wording review\n\nNo blameful wording found.\n";
  const auto parts = draft_notices(markdown);
  CHECK(parts.size() > 5);
  std::string bodies;
  for (const auto& part : parts) {
    CHECK(part.at("msgtype") == "m.notice");
    CHECK(part.at("format") == "org.matrix.custom.html");
    CHECK(part.dump().size() < 24000);
    const std::string html = part.at("formatted_body");
    CHECK(html.find("<with>") == std::string::npos);  // escaped
    // Every part is whole HTML: each list opened is closed.
    auto count = [&](std::string_view tag) {
      std::size_t n = 0;
      for (auto p = html.find(tag); p != std::string::npos; p = html.find(tag, p + 1)) ++n;
      return n;
    };
    CHECK(count("<ul>") == count("</ul>"));
    CHECK(count("<li>") == count("</li>"));
    bodies += part.at("body").get<std::string>();
  }
  CHECK(bodies == markdown);  // cut only between lines, in order
  CHECK_THAT(parts.front().at("formatted_body").get<std::string>(),
             Catch::StartsWith("<h1>Postmortem draft: INC-7</h1><h2>Timeline</h2><ul><li>"));
  CHECK_THAT(parts.back().at("formatted_body").get<std::string>(),
             Catch::EndsWith("<h2>Wording review</h2><p>No blameful wording found.</p>"));

  // One line longer than a part is cut within it rather than sent too large.
  const auto huge = draft_notices(std::string(100'000, 'x'));
  for (const auto& part : huge) CHECK(part.dump().size() < 24000);
  CHECK(draft_notices("").size() == 1);
}

TEST_CASE("threads, replies and reactions relate to their event as the spec shapes them",
          "[unit][matrix]") {
  json content = notice("Question 1 of 8");
  in_thread(content, "$root");
  CHECK(content.at("m.relates_to") ==
        json::parse(R"({"rel_type":"m.thread","event_id":"$root","is_falling_back":true,
                        "m.in_reply_to":{"event_id":"$root"}})"));
  // A reply to one message of the thread is no fallback: clients show it as that reply.
  json answer = notice("A thought on the wording");
  in_thread(answer, "$root", "$answer");
  CHECK(answer.at("m.relates_to") ==
        json::parse(R"({"rel_type":"m.thread","event_id":"$root","is_falling_back":false,
                        "m.in_reply_to":{"event_id":"$answer"}})"));
  json reply = notice("Noted");
  in_reply_to(reply, "$cmd");
  CHECK(reply.at("m.relates_to") == json::parse(R"({"m.in_reply_to":{"event_id":"$cmd"}})"));
  CHECK(reaction("$msg", "📝") ==
        json::parse(R"({"m.relates_to":{"rel_type":"m.annotation","event_id":"$msg","key":"📝"}})"));
}

TEST_CASE("transaction ids: stable per job and place, distinct otherwise, path-safe",
          "[unit][matrix]") {
  CHECK(transaction_id("ask 12", 3) == transaction_id("ask 12", 3));
  std::set<std::string> ids;
  for (const char* key : {"ask 12", "ask_12", "ask 1", "ask 12 ", "draft 12 command:1:@a:x"}) {
    for (std::size_t i : {0U, 1U, 12U}) ids.insert(transaction_id(key, i));
  }
  CHECK(ids.size() == 15);
  for (const auto& id : ids) {
    CHECK(
        id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
        std::string::npos);
  }
}
