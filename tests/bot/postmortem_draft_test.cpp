// The postmortem draft as Markdown: a pure function of the incident, its timeline and answers.
#include "bot/postmortem_draft.hpp"

#include "bot/markdown.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace scribe::bot;
using namespace std::chrono;
using Catch::Contains;
using Catch::StartsWith;

namespace {

timestamp at(year_month_day day, hours h, minutes m, seconds s = seconds{0}) {
  return timestamp{sys_days{day}.time_since_epoch() + h + m + s};
}

constexpr year_month_day incident_day = 2026y / November / 21d;

const person alice{"U-alice", "alice"};
const person bob{"U-bob", "bob"};
const person carol{"U-carol", "carol"};
const person dave{"U-dave", "dave"};

timeline_entry entry(timestamp when, const person& author, std::string text,
                     entry_source source = entry_source::command, std::string link = {}) {
  timeline_entry e;
  e.occurred_at = when;
  e.recorded_at = when;
  e.author = author;
  e.text = std::move(text);
  e.source = source;
  e.link = std::move(link);
  return e;
}

postmortem_answer answer(std::string question_id, const person& author, timestamp when,
                         std::string text, answer_source source = answer_source::thread) {
  postmortem_answer a;
  a.question_id = std::move(question_id);
  a.author = author;
  a.answered_at = when;
  a.text = std::move(text);
  a.source = source;
  return a;
}

// INC-7, opened 14:05 and closed 15:17 UTC, with a first sign of trouble at 13:58 and a quiet
// stretch of 47 minutes; four people took part (carol both in the timeline and in answers).
draft_input closed_incident() {
  draft_input in;
  in.inc.id = 70;
  in.inc.number = 7;
  in.inc.channel = {"slack", "T1", "C-checkout"};
  in.inc.title = "Checkout returns 502";
  in.inc.severity = 2;
  in.inc.status = incident_status::closed;
  in.inc.summary = "Rolled back deploy 4812.";
  in.inc.opened_by = alice;
  in.inc.opened_at = at(incident_day, 14h, 5min);
  in.inc.closed_by = bob;
  in.inc.closed_at = at(incident_day, 15h, 17min);
  in.timeline = whole_timeline({
      entry(at(incident_day, 13h, 58min), carol, "error rate climbing on eu-west",
            entry_source::reaction, "https://acme.slack.com/archives/C1/p1795276680000100"),
      entry(at(incident_day, 14h, 5min), alice, "Incident opened: Checkout returns 502",
            entry_source::system),
      entry(at(incident_day, 14h, 5min, 12s), bob, "502s on /pay\nonly in eu-west"),
      entry(at(incident_day, 14h, 52min, 12s), alice, "rolled back deploy 4812",
            entry_source::mention),
      entry(at(incident_day, 15h, 17min), bob, "Incident closed", entry_source::system),
  });
  in.questions = {
      {"impact", "What was the impact, on whom, and for how long?", std::nullopt},
      {"detection", "How did we become aware of the problem?", std::nullopt},
      {"went_wrong", "What went wrong? What slowed us down?", std::nullopt},
      {"actions", "What follow-up actions will make this less likely or less harmful?",
       std::nullopt},
  };
  in.answers = {
      answer("impact", dave, at(incident_day, 16h, 2min),
             "About 40% of checkouts failed\nfor 72 minutes."),
      answer("went_wrong", carol, at(incident_day, 16h, 10min),
             "The deploy pipeline let an expired certificate through.", answer_source::form),
      answer("actions", alice, at(incident_day, 16h, 20min),
             "- Add an alert on queue depth @alice by 2026-12-05\n"
             "- Document the failover runbook (due Dec 12)"),
  };
  in.version = 2;
  in.drafted_at = at(incident_day, 16h, 4min);
  return in;
}

std::string content_of(const postmortem_draft& draft) {
  return draft.markdown.substr(draft.content_offset);
}

// The lines of `md` that start with `prefix`, in order.
std::vector<std::string> lines_starting_with(const std::string& md, std::string_view prefix) {
  std::vector<std::string> found;
  std::size_t start = 0;
  while (start < md.size()) {
    auto end = md.find('\n', start);
    if (end == std::string::npos) end = md.size();
    const auto line = md.substr(start, end - start);
    if (line.rfind(prefix, 0) == 0) found.push_back(line);
    start = end + 1;
  }
  return found;
}

// The text of one section: from its "## " heading to the next one, with the blank line before it.
std::string section(const std::string& md, std::string_view heading) {
  const auto begin = md.find("\n## " + std::string(heading) + "\n");
  REQUIRE(begin != std::string::npos);
  const auto end = md.find("\n## ", begin + 1);
  return md.substr(begin + 1, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace

TEST_CASE("a small closed incident drafts exactly this Markdown", "[unit][draft]") {
  draft_input in;
  in.inc.number = 3;
  in.inc.title = "Search is slow";
  in.inc.severity = 3;
  in.inc.status = incident_status::closed;
  in.inc.summary = "Reindexing saturated the disks.";
  in.inc.opened_by = alice;
  in.inc.opened_at = at(incident_day, 9h, 0min);
  in.inc.closed_by = alice;
  in.inc.closed_at = at(incident_day, 9h, 40min);
  in.timeline = whole_timeline({entry(at(incident_day, 8h, 55min), bob, "p99 latency at 4s"),
                                entry(at(incident_day, 9h, 0min), alice,
                                      "Incident opened: Search is slow", entry_source::system)});
  in.questions = {{"impact", "What was the impact?", std::nullopt},
                  {"actions", "What follow-up actions?", std::nullopt}};
  in.answers = {answer("impact", bob, at(incident_day, 10h, 0min), "Slow search for 45 minutes."),
                answer("actions", alice, at(incident_day, 10h, 5min),
                       "Throttle reindexing @bob by 2026-12-01")};
  in.version = 1;
  in.drafted_at = at(incident_day, 10h, 30min);

  const auto draft = compose_postmortem(in);
  CHECK(draft.markdown ==
        "# Postmortem draft: INC-3 · Search is slow\n"
        "\n"
        "*Version 1 · drafted 2026-11-21 10:30 UTC. Blameless: this draft is about systems and "
        "circumstances, not people.*\n"
        "\n"
        "## Summary\n"
        "\n"
        "Reindexing saturated the disks.\n"
        "\n"
        "- **Incident:** INC-3\n"
        "- **Severity:** SEV3\n"
        "- **Opened:** 2026-11-21 09:00 UTC by alice\n"
        "- **Closed:** 2026-11-21 09:40 UTC by alice\n"
        "- **Duration:** 40m\n"
        "\n"
        "## Figures\n"
        "\n"
        "- **Time to detect:** 5m (first entry 08:55 UTC, incident opened 09:00 UTC)\n"
        "- **Time to close:** 40m\n"
        "- **Timeline entries:** 2\n"
        "- **Contributors:** 2 people wrote timeline entries or answers\n"
        "\n"
        "## Timeline\n"
        "\n"
        "### 2026-11-21\n"
        "\n"
        "- **08:55:00 UTC** · bob · command — p99 latency at 4s\n"
        "- **09:00:00 UTC** · alice · system — Incident opened: Search is slow\n"
        "\n"
        "## Questions\n"
        "\n"
        "### What was the impact?\n"
        "\n"
        "- **bob** (thread, 10:00 UTC): Slow search for 45 minutes.\n"
        "\n"
        "### What follow-up actions?\n"
        "\n"
        "- **alice** (thread, 10:05 UTC): Throttle reindexing @bob by 2026-12-01\n"
        "\n"
        "## Action items\n"
        "\n"
        "- Throttle reindexing — owner: @bob, due 2026-12-01\n"
        "\n"
        "## Wording review\n"
        "\n"
        "No blameful wording was found in the summary or the answers.\n");
  CHECK(draft.markdown.substr(draft.content_offset, 12) == "## Summary\n\n");
}

TEST_CASE("every section is there, in order", "[unit][draft]") {
  const auto md = compose_postmortem(closed_incident()).markdown;
  CHECK_THAT(md, StartsWith("# Postmortem draft: INC-7 · Checkout returns 502\n\n*Version 2 · "
                            "drafted 2026-11-21 16:04 UTC. Blameless: this draft is about systems "
                            "and circumstances, not people.*\n\n## Summary\n"));
  CHECK(lines_starting_with(md, "# ").size() == 1);
  CHECK(lines_starting_with(md, "## ") ==
        std::vector<std::string>{"## Summary", "## Figures", "## Timeline", "## Questions",
                                 "## Action items", "## Wording review"});
  // Only the Markdown subset the renderers read: no tables, HTML, numbered lists or setext.
  CHECK(lines_starting_with(md, "|").empty());
  CHECK(lines_starting_with(md, "<").empty());
  CHECK(lines_starting_with(md, "1.").empty());
  CHECK(lines_starting_with(md, "===").empty());
  CHECK(lines_starting_with(md, "---").empty());
}

TEST_CASE("the facts of a closed incident", "[unit][draft]") {
  const auto summary = section(compose_postmortem(closed_incident()).markdown, "Summary");
  CHECK(summary ==
        "## Summary\n\n"
        "Rolled back deploy 4812.\n\n"
        "- **Incident:** INC-7\n"
        "- **Severity:** SEV2\n"
        "- **Opened:** 2026-11-21 14:05 UTC by alice\n"
        "- **Closed:** 2026-11-21 15:17 UTC by bob\n"
        "- **Duration:** 1h 12m\n\n");
}

TEST_CASE("a draft of an open incident says what is not known yet", "[unit][draft]") {
  auto in = closed_incident();
  in.inc.status = incident_status::open;
  in.inc.summary.clear();
  in.inc.severity.reset();
  in.inc.closed_by.reset();
  in.inc.closed_at.reset();
  in.questions.clear();
  in.answers.clear();
  in.drafted_at = at(incident_day, 16h, 6min);
  const auto md = compose_postmortem(in).markdown;

  const auto summary = section(md, "Summary");
  CHECK_THAT(summary, Contains("\nThe incident is still open: its summary is given when it "
                               "closes.\n"));
  CHECK_THAT(summary, Contains("\n- **Severity:** no severity\n"));
  CHECK_THAT(summary, Contains("\n- **Closed:** still open\n"));
  CHECK_THAT(summary, Contains("\n- **Duration:** 2h 1m so far (still open when this draft was "
                               "written)\n"));
  CHECK_THAT(section(md, "Figures"), Contains("\n- **Time to close:** not closed yet\n"));
  CHECK(section(md, "Questions") ==
        "## Questions\n\nThe postmortem questions are asked when the incident closes.\n\n");
  CHECK(section(md, "Action items") ==
        "## Action items\n\nNo follow-up actions were proposed.\n\n");
  CHECK(section(md, "Wording review") ==
        "## Wording review\n\nNo blameful wording was found in the summary or the answers.\n");
}

TEST_CASE("a closed incident without summary or questions says so", "[unit][draft]") {
  auto in = closed_incident();
  in.inc.summary = "  \n ";
  in.questions.clear();
  const auto md = compose_postmortem(in).markdown;
  CHECK_THAT(md, Contains("## Summary\n\nNo summary was given when the incident was closed.\n\n"));
  CHECK_THAT(md, Contains("## Questions\n\nNo postmortem questions were asked for this "
                          "incident.\n\n"));
  // Without the questions, their answers are left out everywhere.
  CHECK_THAT(md, Contains("\n- **Contributors:** 3 people wrote"));
}

TEST_CASE("figures: time to detect, time to close, entries and contributors", "[unit][draft]") {
  const auto figures = section(compose_postmortem(closed_incident()).markdown, "Figures");
  CHECK(figures ==
        "## Figures\n\n"
        "- **Time to detect:** 7m (first entry 13:58 UTC, incident opened 14:05 UTC)\n"
        "- **Time to close:** 1h 12m\n"
        "- **Timeline entries:** 5\n"
        "- **Contributors:** 4 people wrote timeline entries or answers\n\n");
}

TEST_CASE("time to detect cannot be measured without an entry before the opening",
          "[unit][draft]") {
  auto in = closed_incident();
  const std::string not_measurable =
      "\n- **Time to detect:** cannot be measured: nothing was recorded before the incident was "
      "opened\n";

  SECTION("the first entry someone wrote came after the opening") {
    in.timeline = whole_timeline({in.timeline.head.begin() + 1, in.timeline.head.end()});
    CHECK_THAT(compose_postmortem(in).markdown, Contains(not_measurable));
  }
  SECTION("a system entry before the opening is not a sign of trouble") {
    in.timeline.head.front().source = entry_source::system;
    CHECK_THAT(compose_postmortem(in).markdown, Contains(not_measurable));
  }
  SECTION("an entry at the very time of the opening is not before it") {
    in.timeline.head.front().occurred_at = in.inc.opened_at;
    CHECK_THAT(compose_postmortem(in).markdown, Contains(not_measurable));
  }
  SECTION("an empty timeline") {
    in.timeline = whole_timeline({});
    const auto md = compose_postmortem(in).markdown;
    CHECK_THAT(md, Contains(not_measurable));
    CHECK_THAT(md, Contains("\n- **Timeline entries:** 0\n"));
    CHECK(section(md, "Timeline") == "## Timeline\n\nNothing was recorded in the timeline.\n\n");
  }
  SECTION("a first sign on the day before shows its date") {
    in.timeline.head.front().occurred_at = at(2026y / November / 20d, 23h, 50min);
    CHECK_THAT(compose_postmortem(in).markdown,
               Contains("\n- **Time to detect:** 14h 15m (first entry 2026-11-20 23:50 UTC, "
                        "incident opened 14:05 UTC)\n"));
  }
}

TEST_CASE("contributors are distinct people across entries and answers", "[unit][draft]") {
  auto in = closed_incident();
  // The same person under another display name is still one person.
  in.answers.push_back(answer("impact", person{"U-dave", "Dave R."}, at(incident_day, 17h, 0min),
                              "Also the mobile app."));
  CHECK_THAT(compose_postmortem(in).markdown, Contains("\n- **Contributors:** 4 people wrote"));

  in.answers.push_back(answer("impact", person{"U-erin", "erin"}, at(incident_day, 17h, 1min),
                              "And the partner API."));
  CHECK_THAT(compose_postmortem(in).markdown, Contains("\n- **Contributors:** 5 people wrote"));

  in.timeline = whole_timeline({entry(at(incident_day, 14h, 0min), alice, "only me")});
  in.answers.clear();
  CHECK_THAT(compose_postmortem(in).markdown,
             Contains("\n- **Contributors:** 1 person wrote timeline entries or answers\n"));
}

TEST_CASE("the timeline in event order with gap markers, UTC only", "[unit][draft]") {
  const auto timeline = section(compose_postmortem(closed_incident()).markdown, "Timeline");
  CHECK(timeline ==
        "## Timeline\n\n"
        "### 2026-11-21\n\n"
        "- [**13:58:00 UTC**](https://acme.slack.com/archives/C1/p1795276680000100) · carol · "
        "reaction — error rate climbing on eu-west\n"
        "- **14:05:00 UTC** · alice · system — Incident opened: Checkout returns 502\n"
        "- **14:05:12 UTC** · bob · command — 502s on /pay\\\n"
        "  only in eu-west\n"
        "- *… 47m without entries …*\n"
        "- **14:52:12 UTC** · alice · mention — rolled back deploy 4812\n"
        "- **15:17:00 UTC** · bob · system — Incident closed\n\n");
  CHECK_THAT(timeline, !Contains("Times are UTC"));
  CHECK_THAT(timeline, !Contains("CET"));
}

TEST_CASE("a gap is marked only when it exceeds gap_marker", "[unit][draft]") {
  auto in = closed_incident();
  in.gap_marker = minutes(10);
  const auto first = at(incident_day, 14h, 10min);

  SECTION("exactly gap_marker apart: no marker") {
    in.timeline =
        whole_timeline({entry(first, alice, "a"), entry(first + minutes(10), alice, "b")});
    CHECK_THAT(compose_postmortem(in).markdown, !Contains("without entries"));
  }
  SECTION("one second more: a marker between the two entries") {
    in.timeline = whole_timeline(
        {entry(first, alice, "a"), entry(first + minutes(10) + seconds(1), alice, "b")});
    CHECK_THAT(compose_postmortem(in).markdown,
               Contains("— a\n- *… 10m 1s without entries …*\n- **14:20:01 UTC**"));
  }
  SECTION("a gap across midnight is marked before the next day's heading") {
    in.timeline = whole_timeline({entry(at(incident_day, 23h, 50min), alice, "late"),
                                  entry(at(2026y / November / 22d, 0h, 20min), bob, "early")});
    CHECK_THAT(compose_postmortem(in).markdown,
               Contains("### 2026-11-21\n\n- **23:50:00 UTC** · alice · command — late\n"
                        "- *… 30m without entries …*\n\n### 2026-11-22\n\n"
                        "- **00:20:00 UTC** · bob · command — early\n\n## Questions"));
  }
  SECTION("a zero gap_marker marks nothing") {
    in.gap_marker = microseconds{0};
    CHECK_THAT(compose_postmortem(in).markdown, !Contains("without entries"));
  }
}

TEST_CASE("local times in Europe/Berlin across the DST change", "[unit][draft][tz]") {
  auto in = closed_incident();
  in.timezone = "Europe/Berlin";
  // On 2026-03-29 at 01:00 UTC Berlin moves from CET (UTC+1) to CEST (UTC+2).
  const auto day = 2026y / March / 29d;
  in.inc.opened_at = at(day, 0h, 30min);
  in.inc.closed_at = at(day, 1h, 30min);
  in.timeline = whole_timeline({
      entry(at(2026y / March / 28d, 23h, 45min), carol, "disk alerts"),
      entry(at(day, 0h, 30min), alice, "Incident opened", entry_source::system),
      entry(at(day, 0h, 59min, 59s), bob, "still CET"),
      entry(at(day, 1h, 0min), bob, "now CEST"),
      entry(at(day, 1h, 30min), bob, "Incident closed", entry_source::system),
  });
  const auto md = compose_postmortem(in).markdown;
  CHECK(section(md, "Timeline") ==
        "## Timeline\n\n"
        "Times are UTC, with the local time in Europe/Berlin in parentheses.\n\n"
        "### 2026-03-28\n\n"
        "- **23:45:00 UTC** (2026-03-29 00:45 CET) · carol · command — disk alerts\n"
        "- *… 45m without entries …*\n\n"
        "### 2026-03-29\n\n"
        "- **00:30:00 UTC** (01:30 CET) · alice · system — Incident opened\n"
        "- **00:59:59 UTC** (01:59 CET) · bob · command — still CET\n"
        "- **01:00:00 UTC** (03:00 CEST) · bob · command — now CEST\n"
        "- **01:30:00 UTC** (03:30 CEST) · bob · system — Incident closed\n\n");
  CHECK_THAT(md, Contains("\n- **Opened:** 2026-03-29 00:30 UTC (01:30 CET) by alice\n"));
  CHECK_THAT(md, Contains("\n- **Closed:** 2026-03-29 01:30 UTC (03:30 CEST) by bob\n"));
  // One hour of wall-clock time, although the local clocks say two.
  CHECK_THAT(md, Contains("\n- **Duration:** 1h\n"));
}

TEST_CASE("local times in America/New_York", "[unit][draft][tz]") {
  auto in = closed_incident();
  in.timezone = "America/New_York";
  in.timeline = whole_timeline({
      entry(at(incident_day, 14h, 5min), alice, "winter"),
      entry(at(2026y / November / 22d, 2h, 0min), alice, "evening before, local"),
      entry(at(2027y / July / 1d, 14h, 0min), alice, "summer"),
  });
  const auto md = compose_postmortem(in).markdown;
  // The zone's name goes through escaping like everything else ("_" would start emphasis).
  CHECK_THAT(md, Contains("Times are UTC, with the local time in America/New\\_York in "
                          "parentheses.\n"));
  CHECK_THAT(md, Contains("\n- **14:05:00 UTC** (09:05 EST) · alice · command — winter\n"));
  CHECK_THAT(md, Contains("\n- **02:00:00 UTC** (2026-11-21 21:00 EST) · alice · command — "
                          "evening before, local\n"));
  CHECK_THAT(md, Contains("\n- **14:00:00 UTC** (10:00 EDT) · alice · command — summer\n"));
  CHECK_THAT(md, Contains("\n- **Opened:** 2026-11-21 14:05 UTC (09:05 EST) by alice\n"));
}

TEST_CASE("an unknown time zone throws", "[unit][draft][tz]") {
  auto in = closed_incident();
  in.timezone = "Mars/Olympus_Mons";
  CHECK_THROWS_AS(compose_postmortem(in), std::runtime_error);
}

TEST_CASE("answers are listed under their question with author, source and time", "[unit][draft]") {
  auto in = closed_incident();
  in.answers.push_back(answer("impact", bob, at(2026y / November / 22d, 9h, 10min),
                              "Partners saw\n\ntimeouts too.", answer_source::form));
  const auto questions = section(compose_postmortem(in).markdown, "Questions");
  CHECK(questions ==
        "## Questions\n\n"
        "### What was the impact, on whom, and for how long?\n\n"
        "- **dave** (thread, 16:02 UTC): About 40% of checkouts failed\\\n"
        "  for 72 minutes.\n"
        "- **bob** (form, 2026-11-22 09:10 UTC): Partners saw\\\n"
        "  timeouts too.\n\n"
        "### How did we become aware of the problem?\n\n"
        "No answers yet.\n\n"
        "### What went wrong? What slowed us down?\n\n"
        "- **carol** (form, 16:10 UTC): The deploy pipeline let an expired certificate through.\n\n"
        "### What follow-up actions will make this less likely or less harmful?\n\n"
        "- **alice** (thread, 16:20 UTC): \\- Add an alert on queue depth @alice by 2026-12-05\\\n"
        "  \\- Document the failover runbook (due Dec 12)\n\n");
}

TEST_CASE("action items come from the answers to the actions question", "[unit][draft]") {
  auto in = closed_incident();
  in.answers.push_back(answer("actions", carol, at(2026y / December / 20d, 10h, 0min),
                              "Rotate certificates automatically - @carol, by Jan 5; "
                              "Review alert routing"));
  // Answers to other questions are not actions, even when they read like one.
  in.answers.push_back(answer("went_wrong", bob, at(incident_day, 17h, 0min),
                              "Add more dashboards @bob by 2026-12-24"));
  const auto draft = compose_postmortem(in);

  REQUIRE(draft.actions.size() == 4);
  CHECK(draft.actions[0].text == "Add an alert on queue depth");
  CHECK(draft.actions[0].owner == "@alice");
  CHECK(draft.actions[0].due == 2026y / December / 5d);
  CHECK(draft.actions[1].owner.empty());
  CHECK(draft.actions[1].due == 2026y / December / 12d);
  // "Jan 5" without a year: the next one after the answer was written.
  CHECK(draft.actions[2].due == 2027y / January / 5d);
  CHECK_FALSE(draft.actions[3].due);

  CHECK(section(draft.markdown, "Action items") ==
        "## Action items\n\n"
        "- Add an alert on queue depth — owner: @alice, due 2026-12-05\n"
        "- Document the failover runbook — owner: none given, due 2026-12-12\n"
        "- Rotate certificates automatically — owner: @carol, due 2027-01-05\n"
        "- Review alert routing — owner: none given\n\n");
}

TEST_CASE("no action items without answers to the actions question", "[unit][draft]") {
  auto in = closed_incident();
  in.answers.pop_back();
  const auto draft = compose_postmortem(in);
  CHECK(draft.actions.empty());
  CHECK(section(draft.markdown, "Action items") ==
        "## Action items\n\nNo follow-up actions were proposed.\n\n");
}

TEST_CASE("the wording review lists blameful wording with where it was found",
          "[unit][draft][wording]") {
  auto in = closed_incident();
  in.inc.summary = "Bob forgot to renew the certificate.";
  in.answers.push_back(answer("went_wrong", dave, at(incident_day, 16h, 30min),
                              "In short, the root cause was a careless change."));
  const auto draft = compose_postmortem(in);

  REQUIRE(draft.review.size() == 3);
  CHECK(draft.review[0].where == "the summary");
  CHECK(draft.review[0].finding.quote == "Bob forgot to renew");
  CHECK(draft.review[0].finding.rule == "counterfactual");
  CHECK(draft.review[0].finding.kind == finding_kind::blame);
  CHECK(draft.review[1].where == "dave's answer to went_wrong");
  CHECK(draft.review[1].finding.rule == "root_cause");
  CHECK(draft.review[1].finding.kind == finding_kind::advice);
  CHECK(draft.review[2].where == "dave's answer to went_wrong");
  CHECK(draft.review[2].finding.quote == "careless");
  CHECK(draft.review[2].finding.rule == "judgement");

  const auto review = section(draft.markdown, "Wording review");
  CHECK_THAT(review, StartsWith("## Wording review\n\nScribe points at wording that can read as "
                                "blame or judgement and suggests what to write instead; it "
                                "changes nothing that people wrote.\n\n- “Bob forgot to renew” "
                                "in the summary (blame, counterfactual) — "));
  // Each finding with a rewrite shows it under the finding.
  CHECK_THAT(review, Contains("\n  *Rewrite:* The certificate was not renewed. What would have "
                              "made the step hard to miss?\n"));
  CHECK_THAT(review, Contains("\n- “" + draft.review[1].finding.quote +
                              "” in dave's answer to went\\_wrong (advice, root\\_cause) — "));
  CHECK_THAT(review, Contains("\n- “careless” in dave's answer to went\\_wrong (blame, "
                              "judgement) — This judges a person: describe what made the step "
                              "easy to miss or get wrong.\n"));
  CHECK(lines_starting_with(review, "- ").size() == 3);
  // The review points; it does not edit what people wrote.
  CHECK_THAT(draft.markdown, Contains("Bob forgot to renew the certificate."));
}

TEST_CASE("blameless text about systems gets no findings", "[unit][draft][wording]") {
  auto in = closed_incident();
  in.inc.summary = "The deploy pipeline allowed an expired certificate to reach production.";
  in.answers.push_back(answer("went_wrong", bob, at(incident_day, 16h, 30min),
                              "Alerting failed to page because the rotation had a gap."));
  const auto draft = compose_postmortem(in);
  CHECK(draft.review.empty());
  CHECK(section(draft.markdown, "Wording review") ==
        "## Wording review\n\nNo blameful wording was found in the summary or the answers.\n");
}

TEST_CASE("escape_markdown keeps people's text literal", "[unit][draft][escape]") {
  CHECK(escape_markdown("plain text, 100% fine!") == "plain text, 100% fine!");
  CHECK(escape_markdown("**bold** _it_ [x](y) <b> a\\b #tag") ==
        "\\*\\*bold\\*\\* \\_it\\_ \\[x\\](y) \\<b\\> a\\\\b \\#tag");
  CHECK(escape_markdown("# heading") == "\\# heading");
  CHECK(escape_markdown("> quote") == "\\> quote");
  CHECK(escape_markdown("- item\n+ item\n  - nested\n2026. a year\n12) paren\n===") ==
        "\\- item\n\\+ item\n  \\- nested\n2026\\. a year\n12\\) paren\n\\===");
  // Entities, GFM's table cells and strikethrough.
  CHECK(escape_markdown("AT&amp;T | a ~~b~~") == "AT\\&amp;T \\| a \\~\\~b\\~\\~");
  // Only at a line start: a hyphen or a number inside a line is text already.
  CHECK(escape_markdown("a - b + c 1. d") == "a - b + c 1. d");
  CHECK(escape_markdown("\n\n") == "\n\n");
  CHECK(escape_markdown("") == "");
}

TEST_CASE("escape_markdown keeps inline code as code", "[unit][draft][escape]") {
  // Nothing inside a code span is read as Markdown, so it goes through as written.
  CHECK(escape_markdown("ran `kubectl rollout undo` at *10:02*") ==
        "ran `kubectl rollout undo` at \\*10:02\\*");
  CHECK(escape_markdown("``a`` and `x_y < z`") == "``a`` and `x_y < z`");
  CHECK(escape_markdown("`code` first on a line") == "`code` first on a line");
  // Backticks that do not make a span on one line are text.
  CHECK(escape_markdown("a lone ` tick") == "a lone \\` tick");
  CHECK(escape_markdown("`open\nclose`") == "\\`open\nclose\\`");
  // A backtick inside is not kept: the run that would open the span is text, all of it.
  CHECK(escape_markdown("``a`b``") == "\\`\\`a\\`b\\`\\`");
  CHECK(escape_markdown("`a``b`") == "\\`a\\`\\`b\\`");
  CHECK(escape_markdown("``mismatched`") == "\\`\\`mismatched\\`");
  // Three backticks could open a fenced code block: never kept.
  CHECK(escape_markdown("```sh```") == "\\`\\`\\`sh\\`\\`\\`");
}

TEST_CASE("the lines of a multi-line answer or summary end in hard breaks", "[unit][draft]") {
  auto in = closed_incident();
  in.inc.summary = "Rolled back.\nThen scaled up.\n\nA second paragraph.";
  in.answers = {
      answer("went_wrong", bob, at(incident_day, 16h, 30min),
             "The pool was too small.\n  Nobody was paged.\n\n\nRan `kubectl get pods`.")};
  const auto md = compose_postmortem(in).markdown;
  CHECK_THAT(md,
             Contains("## Summary\n\nRolled back.\\\nThen scaled up.\n\nA second paragraph.\n"));
  CHECK_THAT(md, Contains("\n- **bob** (thread, 16:30 UTC): The pool was too small.\\\n"
                          "  Nobody was paged.\\\n  Ran `kubectl get pods`.\n"));
}

TEST_CASE("people's text never becomes markup in the draft", "[unit][draft][escape]") {
  auto in = closed_incident();
  in.inc.title = "*Checkout* <b>down</b>";
  in.inc.opened_by = person{"U-x", "x_man [admin]"};
  in.answers.push_back(answer("went_wrong", bob, at(incident_day, 16h, 30min),
                              "<script>alert(1)</script> **loud**\n# heading\n- not a list"));
  const auto md = compose_postmortem(in).markdown;
  CHECK_THAT(md, StartsWith("# Postmortem draft: INC-7 · \\*Checkout\\* \\<b\\>down\\</b\\>\n"));
  CHECK_THAT(md, Contains("\n- **Opened:** 2026-11-21 14:05 UTC by x\\_man \\[admin\\]\n"));
  CHECK_THAT(md, Contains("\n- **bob** (thread, 16:30 UTC): \\<script\\>alert(1)\\</script\\> "
                          "\\*\\*loud\\*\\*\\\n  \\# heading\\\n  \\- not a list\n"));
  CHECK_THAT(md, !Contains("<script>"));
  CHECK(lines_starting_with(md, "# ").size() == 1);
}

TEST_CASE("links are http(s) only and cannot break out of the destination",
          "[unit][draft][escape]") {
  auto in = closed_incident();
  in.timeline = whole_timeline(
      {entry(at(incident_day, 14h, 0min), alice, "a", entry_source::mention,
             "https://example.org/a (b)/c"),
       entry(at(incident_day, 14h, 1min), alice, "b", entry_source::mention, "javascript:alert(1)"),
       entry(at(incident_day, 14h, 2min), alice, "c", entry_source::mention,
             "HTTPS://matrix.to/#/!room:example.org/$event?via=example.org")});
  const auto md = compose_postmortem(in).markdown;
  CHECK_THAT(md, Contains("\n- [**14:00:00 UTC**](https://example.org/a%20%28b%29/c) · alice"));
  CHECK_THAT(md, Contains("\n- **14:01:00 UTC** · alice · mention — b\n"));
  CHECK_THAT(md, !Contains("javascript"));
  CHECK_THAT(md, Contains("\n- [**14:02:00 UTC**](HTTPS://matrix.to/#/!room:example.org/"
                          "$event?via=example.org) · alice"));
}

TEST_CASE("the content after content_offset depends only on the data", "[unit][draft]") {
  auto first_in = closed_incident();
  auto second_in = closed_incident();
  second_in.version = 5;
  second_in.drafted_at = at(2026y / November / 23d, 8h, 0min);
  second_in.timezone = "";
  const auto first = compose_postmortem(first_in);
  const auto second = compose_postmortem(second_in);

  CHECK(first.markdown != second.markdown);
  CHECK_THAT(second.markdown, Contains("*Version 5 · drafted 2026-11-23 08:00 UTC."));
  CHECK(content_of(first) == content_of(second));
  CHECK(content_digest(content_of(first)) == content_digest(content_of(second)));
  CHECK_THAT(content_of(first), StartsWith("## Summary\n"));

  // A new answer changes the content, and so the digest.
  second_in.answers.push_back(answer("detection", bob, at(incident_day, 18h, 0min), "A page."));
  const auto third = compose_postmortem(second_in);
  CHECK(content_digest(content_of(third)) != content_digest(content_of(first)));
}

TEST_CASE("content_digest is FNV-1a 64 as 16 lower-case hex digits", "[unit][draft]") {
  CHECK(content_digest("") == "cbf29ce484222325");
  CHECK(content_digest("a") == "af63dc4c8601ec8c");
  CHECK(content_digest("foobar") == "85944171f73967e8");
  CHECK(content_digest(std::string("a\0b", 3)) != content_digest("ab"));
}

namespace {

// What `renderer` (a command line) prints for the Markdown file `input`; fails the test when it
// cannot run, naming the package that provides it.
std::string rendered_by(const std::string& renderer, const std::filesystem::path& input) {
  const std::string program = renderer.substr(0, renderer.find(' '));
  if (std::system(("command -v " + program + " >/dev/null").c_str()) != 0) {
    FAIL(program << " is missing: scripts/install-deps --tests installs it (Debian's " << program
                 << ")");
  }
  FILE* pipe = popen((renderer + " '" + input.string() + "'").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  REQUIRE(pclose(pipe) == 0);
  return out;
}

// HTML without the line ends the renderers put between elements, and with one spelling of <br>.
// A soft line break (a bare newline inside a paragraph, which CommonMark shows as a space) would
// vanish here and no longer match Scribe's <br>: the comparison catches lines run together.
std::string comparable(std::string html) {
  for (auto at = html.find("<br />\n"); at != std::string::npos; at = html.find("<br />\n", at)) {
    html.replace(at, 7, "<br>");
  }
  std::erase(html, '\n');
  return html;
}

}  // namespace

TEST_CASE("the draft renders in cmark and cmark-gfm as Scribe's own pages render it",
          "[integration][draft]") {
  auto in = closed_incident();
  in.inc.summary = "Rolled back deploy 4812.\nThen raised the pool size.";
  in.answers = {
      answer("impact", alice, at(incident_day, 16h, 0min),
             "Checkout failed for 40 minutes.\nMostly in eu-west."),
      answer("went_wrong", bob, at(incident_day, 16h, 30min),
             "We ran `kubectl rollout undo` late.\n# not a heading\n1) not a list\n===\n"
             "AT&amp;T | a ~~b~~ <b>x</b> *y* [z](y) C:\\"),
      answer("actions", carol, at(incident_day, 17h, 0min), "Alert on pool saturation @carol"),
  };
  const auto md = compose_postmortem(in).markdown;
  scribe::test_support::temp_dir dir;
  const auto file = dir / "draft.md";
  std::ofstream(file) << md;
  INFO(md);

  const std::string ours = comparable(markdown::to_html(markdown::parse(md)));
  // What the web page shows: lines as written, code as code, the rest as text.
  CHECK_THAT(ours, Contains("Checkout failed for 40 minutes.<br>Mostly in eu-west."));
  CHECK_THAT(ours,
             Contains("We ran <code>kubectl rollout undo</code> late.<br># not a heading<br>"
                      "1) not a list<br>===<br>AT&amp;amp;T | a ~~b~~ &lt;b&gt;x&lt;/b&gt; *y* "
                      "[z](y) C:\\</li>"));
  CHECK_THAT(ours, Contains("<p>Rolled back deploy 4812.<br>Then raised the pool size.</p>"));
  // CommonMark, and GitHub's flavour with the extensions github.com turns on. (The fixture has no
  // bare URL in people's text: GFM would make it a link, which Scribe's renderer does not.)
  for (const std::string renderer :
       {"cmark", "cmark-gfm -e table -e strikethrough -e autolink -e tagfilter"}) {
    INFO(renderer);
    CHECK(comparable(rendered_by(renderer, file)) == ours);
  }
}
