#include "bot/action_items.hpp"

#include "text/text.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace scribe::bot;
using namespace std::chrono;

namespace {

constexpr year_month_day today_default = 2026y / November / 21d;

std::vector<action_item> parse(std::string_view answer, year_month_day today = today_default) {
  return parse_action_items(answer, today);
}

// The one item `answer` must produce; fails the test if there are none or several.
action_item only_item(std::string_view answer, year_month_day today = today_default) {
  const auto items = parse(answer, today);
  INFO(answer);
  REQUIRE(items.size() == 1);
  return items[0];
}

void check_item(const action_item& item, std::string_view text, std::string_view owner,
                std::optional<year_month_day> due) {
  CHECK(item.text == text);
  CHECK(item.owner == owner);
  CHECK(item.due == due);
}

}  // namespace

TEST_CASE("a bulleted answer from a postmortem becomes one item per line", "[unit][actions]") {
  const auto items = parse(
      "Actions:\n"
      "- Add an alert on queue depth @alice by 2026-12-05\n"
      "- @bob: document the failover runbook (due Dec 12)\n"
      "- Load-test the payment gateway before Black Friday\n"
      "* Rotate the TLS certificates \u2014 owner: @carol, by 15 January\n");
  REQUIRE(items.size() == 4);
  check_item(items[0], "Add an alert on queue depth", "@alice", 2026y / December / 5d);
  check_item(items[1], "document the failover runbook", "@bob", 2026y / December / 12d);
  check_item(items[2], "Load-test the payment gateway before Black Friday", "", std::nullopt);
  check_item(items[3], "Rotate the TLS certificates", "@carol", 2027y / January / 15d);
}

TEST_CASE("numbered lists, check boxes and mixed markers are stripped", "[unit][actions]") {
  const auto items = parse(
      "Follow-ups:\r\n"
      "1. Page the secondary on-call when the primary does not ack @dana\r\n"
      "2) Add a canary stage to the deploy pipeline, due 2027-01-10\r\n"
      "\r\n"
      "  [ ] Review alert thresholds for the search cluster (owner @erin)\r\n"
      "- [x] Write the customer update @frank until Nov 25\r\n"
      "\u2022 Cap retries in the billing client @U024BE7LH\r\n"
      "10. Check the 1.5x capacity headroom\r\n");
  REQUIRE(items.size() == 6);
  check_item(items[0], "Page the secondary on-call when the primary does not ack", "@dana",
             std::nullopt);
  check_item(items[1], "Add a canary stage to the deploy pipeline", "", 2027y / January / 10d);
  check_item(items[2], "Review alert thresholds for the search cluster", "@erin", std::nullopt);
  check_item(items[3], "Write the customer update", "@frank", 2026y / November / 25d);
  check_item(items[4], "Cap retries in the billing client", "@U024BE7LH", std::nullopt);
  check_item(items[5], "Check the 1.5x capacity headroom", "", std::nullopt);
}

TEST_CASE("each mention form is an owner", "[unit][actions]") {
  check_item(only_item("Fix the health check @alice"), "Fix the health check", "@alice",
             std::nullopt);
  check_item(only_item("Fix the health check @alice.smith-2"), "Fix the health check",
             "@alice.smith-2", std::nullopt);
  check_item(only_item("Fix the health check @U024BE7LH."), "Fix the health check.", "@U024BE7LH",
             std::nullopt);
  check_item(only_item("@alice:example.org fix the health check"), "fix the health check",
             "@alice:example.org", std::nullopt);
  check_item(only_item("@U024BE7LH to fix the health check"), "fix the health check",
             "@U024BE7LH", std::nullopt);
  check_item(only_item("@alice will fix the health check"), "fix the health check", "@alice",
             std::nullopt);
  check_item(only_item("Fix the health check, owner: @alice"), "Fix the health check", "@alice",
             std::nullopt);
  check_item(only_item("Fix the health check - owner @alice"), "Fix the health check", "@alice",
             std::nullopt);
  check_item(only_item("Owners: @alice, fix the health check"), "fix the health check", "@alice",
             std::nullopt);
  // "@alice:" followed by a word is the mention and a colon, not a Matrix id.
  check_item(only_item("@alice: fix the health check"), "fix the health check", "@alice",
             std::nullopt);
}

TEST_CASE("a mention inside a sentence is the owner but stays in the text", "[unit][actions]") {
  check_item(only_item("Ask @bob to review the runbook"), "Ask @bob to review the runbook", "@bob",
             std::nullopt);
  // Only the first mention is the owner; later ones stay.
  check_item(only_item("@alice: pair with @bob on the runbook"), "pair with @bob on the runbook",
             "@alice", std::nullopt);
}

TEST_CASE("an email address is not a mention", "[unit][actions]") {
  check_item(only_item("Add bob@example.com to the escalation list"),
             "Add bob@example.com to the escalation list", "", std::nullopt);
  check_item(only_item("Add bob@example.com to the escalation list @carol"),
             "Add bob@example.com to the escalation list", "@carol", std::nullopt);
}

TEST_CASE("each date form is read and taken out of the text", "[unit][actions]") {
  const auto check_due = [](std::string_view answer, year_month_day due) {
    INFO(answer);
    check_item(only_item(answer), "Add a runbook", "", due);
  };
  check_due("Add a runbook 2026-12-05", 2026y / December / 5d);
  check_due("Add a runbook by 2026-12-05", 2026y / December / 5d);
  check_due("Add a runbook, due 2026-12-05", 2026y / December / 5d);
  check_due("Add a runbook (due: 2026-12-05)", 2026y / December / 5d);
  check_due("Add a runbook \u2014 due by Dec 5", 2026y / December / 5d);
  check_due("Add a runbook - due date: December 5th", 2026y / December / 5d);
  check_due("Add a runbook until Dec. 5", 2026y / December / 5d);
  check_due("Add a runbook before 5 Dec", 2026y / December / 5d);
  check_due("Add a runbook by 5th of December 2027", 2027y / December / 5d);
  check_due("Add a runbook by December 5, 2027", 2027y / December / 5d);
  check_due("Add a runbook by 5 December 2026", 2026y / December / 5d);
  check_due("Add a runbook by sept 1", 2027y / September / 1d);
}

TEST_CASE("a date at the start drops its separator", "[unit][actions]") {
  check_item(only_item("By Dec 5: add a runbook"), "add a runbook", "", 2026y / December / 5d);
}

TEST_CASE("a date in the middle keeps the sentence together", "[unit][actions]") {
  check_item(only_item("Add a runbook, by Dec 5, for the failover"),
             "Add a runbook, for the failover", "", 2026y / December / 5d);
  check_item(only_item("Add a runbook by Dec 5."), "Add a runbook.", "", 2026y / December / 5d);
}

TEST_CASE("a due phrase wins over an earlier bare date", "[unit][actions]") {
  check_item(only_item("Fix the 2026-11-03 regression test by 2026-12-01"),
             "Fix the 2026-11-03 regression test", "", 2026y / December / 1d);
}

TEST_CASE("dates without a year are the next such date", "[unit][actions]") {
  const year_month_day late_december = 2026y / December / 20d;
  CHECK(only_item("Rotate keys by Jan 5", late_december).due == 2027y / January / 5d);
  CHECK(only_item("Rotate keys by Dec 20", late_december).due == 2026y / December / 20d);
  CHECK(only_item("Rotate keys by Dec 19", late_december).due == 2027y / December / 19d);
  CHECK(only_item("Rotate keys by 31 Dec", late_december).due == 2026y / December / 31d);
  // The next leap day.
  CHECK(only_item("Rotate keys by Feb 29", late_december).due == 2028y / February / 29d);
}

TEST_CASE("impossible dates are not dates", "[unit][actions]") {
  check_item(only_item("Rotate keys by 2026-02-30"), "Rotate keys by 2026-02-30", "", std::nullopt);
  check_item(only_item("Rotate keys 2026-13-01"), "Rotate keys 2026-13-01", "", std::nullopt);
  check_item(only_item("Rotate keys by Feb 30"), "Rotate keys by Feb 30", "", std::nullopt);
  check_item(only_item("Rotate keys by 31 April 2027"), "Rotate keys by 31 April 2027", "",
             std::nullopt);
  check_item(only_item("Rotate keys by Dec 32"), "Rotate keys by Dec 32", "", std::nullopt);
}

TEST_CASE("ambiguous numeric dates and non-dates are left alone", "[unit][actions]") {
  check_item(only_item("Rotate keys by 12/05"), "Rotate keys by 12/05", "", std::nullopt);
  check_item(only_item("Rotate keys by 05.12.2026"), "Rotate keys by 05.12.2026", "", std::nullopt);
  check_item(only_item("Rotate keys by hand"), "Rotate keys by hand", "", std::nullopt);
  check_item(only_item("Stop the maybe-cron job"), "Stop the maybe-cron job", "", std::nullopt);
  check_item(only_item("Alert on 2026-12-05T10:00 style timestamps"),
             "Alert on 2026-12-05T10:00 style timestamps", "", std::nullopt);
}

TEST_CASE("items without owner or date are kept", "[unit][actions]") {
  check_item(only_item("Write a runbook for the cache failover"),
             "Write a runbook for the cache failover", "", std::nullopt);
}

TEST_CASE("headings are skipped, but not a colon item with an owner", "[unit][actions]") {
  CHECK(parse("Action items:").empty());
  CHECK(parse("## Follow-ups for the payments team:\n").empty());
  check_item(only_item("Actions:\nAdd an alert on lag @alice"), "Add an alert on lag", "@alice",
             std::nullopt);
  check_item(only_item("Decide who owns the queue @alice:"), "Decide who owns the queue", "@alice",
             std::nullopt);
}

TEST_CASE("a line with semicolons holds several items", "[unit][actions]") {
  const auto items =
      parse("- Add an alert @alice; fix the dashboard by Dec 1 ; ;document R&D access @bob");
  REQUIRE(items.size() == 3);
  check_item(items[0], "Add an alert", "@alice", std::nullopt);
  check_item(items[1], "fix the dashboard", "", 2026y / December / 1d);
  check_item(items[2], "document R&D access", "@bob", std::nullopt);
}

TEST_CASE("empty, blank and divider input gives no items", "[unit][actions]") {
  CHECK(parse("").empty());
  CHECK(parse("   \n\t\n\r\n").empty());
  CHECK(parse("\u00a0\u00a0").empty());
  CHECK(parse("-\n---\n;;").empty());
  CHECK(parse("@alice").empty());
}

TEST_CASE("unicode text is preserved", "[unit][actions]") {
  check_item(only_item("\u2022 R\u00e9duire les d\u00e9lais d\u2019alerte \u2014 @alice"),
             "R\u00e9duire les d\u00e9lais d\u2019alerte", "@alice", std::nullopt);
  // Mentions are ASCII: "@jörg" is not read as "@j".
  check_item(only_item("Fix the alert @j\u00f6rg"), "Fix the alert @j\u00f6rg", "", std::nullopt);
  check_item(only_item("Fix the alert \u2014@alice\u2014"), "Fix the alert", "@alice",
             std::nullopt);
  check_item(only_item("- \u76e3\u8996\u3092\u8ffd\u52a0\u3059\u308b @kenji by 2026-12-01"),
             "\u76e3\u8996\u3092\u8ffd\u52a0\u3059\u308b", "@kenji", 2026y / December / 1d);
  // "by" glued to a non-ASCII letter is not the keyword.
  check_item(only_item("Fix caf\u00e9by 2026-12-01"), "Fix caf\u00e9by", "", 2026y / December / 1d);
}

TEST_CASE("odd input does not throw and keeps text valid", "[unit][actions]") {
  const std::string invalid = "- Fix \xff\xfe the \xc3 alert @alice by Dec 5\n<@U1|\n@\n<@";
  std::vector<action_item> items;
  REQUIRE_NOTHROW(items = parse(invalid));
  REQUIRE_FALSE(items.empty());
  CHECK(items[0].owner == "@alice");
  CHECK(items[0].due == 2026y / December / 5d);

  std::string long_line(200000, 'a');
  long_line += " @alice by 2026-12-05 ";
  long_line += std::string(100000, '@');
  long_line += std::string(100000, '<');
  REQUIRE_NOTHROW(items = parse(long_line));
  REQUIRE(items.size() == 1);
  CHECK(items[0].owner == "@alice");
  CHECK(items[0].due == 2026y / December / 5d);

  for (const auto& item : parse("- Fix the \u00e9t\u00e9 alert \u2014 by Dec 5 \u2014 @al")) {
    CHECK(scribe::text::is_valid_utf8(item.text));
  }
}
