#include "bot/wording_review.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace scribe::bot;

namespace {

// The one finding `text` must produce; fails the test if there are none or several.
wording_finding only_finding(std::string_view text) {
  const auto findings = review_wording(text);
  INFO(text);
  REQUIRE(findings.size() == 1);
  // The quote is what is written at the offset, so a client can underline it.
  CHECK(text.substr(findings[0].offset, findings[0].quote.size()) == findings[0].quote);
  CHECK_FALSE(findings[0].suggestion.empty());
  return findings[0];
}

void check_finding(std::string_view text, std::string_view quote, std::string_view rule) {
  INFO(text);
  const auto finding = only_finding(text);
  CHECK(finding.quote == quote);
  CHECK(finding.offset == text.find(quote));
  CHECK(finding.rule == rule);
}

}  // namespace

TEST_CASE("a person named or mentioned as the cause is reported", "[unit][wording]") {
  check_finding("Bob forgot to renew the certificate.", "Bob forgot to", "person_as_cause");
  check_finding("The outage started after @alice forgot to drain the node.", "@alice forgot to",
                "person_as_cause");
  check_finding("Carol did not bother to check the dashboard.", "Carol did not bother",
                "person_as_cause");
  check_finding("Dave didn't bother with the canary.", "Dave didn't bother", "person_as_cause");
  check_finding("Dave didn\u2019t bother with the canary.", "Dave didn\u2019t bother",
                "person_as_cause");
  check_finding("@bob failed to follow the runbook.", "@bob failed to", "person_as_cause");
  check_finding("Then @carol broke the build.", "@carol broke", "person_as_cause");
  check_finding("Checkout was down because of @dave.", "because of @dave", "person_as_cause");
  check_finding("It happened because @erin skipped the review.", "because @erin",
                "person_as_cause");
  check_finding("This was Frank's mistake.", "Frank's mistake", "person_as_cause");
  check_finding("Honestly it is @gina's fault.", "@gina's fault", "person_as_cause");
  check_finding("It was the fault of @hank that the queue filled.", "the fault of @hank",
                "person_as_cause");
  check_finding("We should not blame the network team.", "blame", "person_as_cause");
  check_finding("The outage was caused by human error.", "human error", "person_as_cause");
}

TEST_CASE("Slack and Matrix mention forms count as people", "[unit][wording]") {
  check_finding("<@U024BE7LH> forgot to scale the pool.", "<@U024BE7LH> forgot to",
                "person_as_cause");
  check_finding("<@U024BE7LH|alice> failed to page.", "<@U024BE7LH|alice> failed to",
                "person_as_cause");
  check_finding("@U024BE7LH broke staging.", "@U024BE7LH broke", "person_as_cause");
  check_finding("@alice:example.org forgot to rotate the key.", "@alice:example.org forgot to",
                "person_as_cause");
  check_finding("It failed because of @bob.smith:matrix.example.org.",
                "because of @bob.smith:matrix.example.org", "person_as_cause");
  // An e-mail address is not a mention.
  CHECK(review_wording("Mail ops@example.org failed to arrive.").empty());
}

TEST_CASE("systems that fail or break are not people", "[unit][wording]") {
  CHECK(review_wording("Alerting failed to page the on-call engineer.").empty());
  CHECK(review_wording("The migration broke the search index.").empty());
  CHECK(review_wording("Replication failed to catch up because of disk pressure.").empty());
}

TEST_CASE("judgement words are reported with a suggestion each", "[unit][wording]") {
  check_finding("That was a careless change to the firewall.", "careless", "judgement");
  check_finding("A stupid typo in the YAML.", "stupid", "judgement");
  check_finding("The lazy fix was to restart it.", "lazy", "judgement");
  check_finding("Sloppy review of the migration.", "Sloppy", "judgement");
  check_finding("The on-call was incompetent.", "incompetent", "judgement");
  check_finding("Obviously the flag was wrong.", "Obviously", "judgement");
  check_finding("Of course nobody read the alert.", "Of course", "judgement");
  check_finding("The reviewer should have caught it.", "should have", "judgement");
  check_finding("They simply restarted the wrong pod.", "simply", "judgement");
  check_finding("Someone just had to press the button.", "just had to", "judgement");

  const auto careless = only_finding("careless");
  const auto obviously = only_finding("obviously");
  CHECK(careless.suggestion != obviously.suggestion);
}

TEST_CASE("dramatising words are reported", "[unit][wording]") {
  check_finding("The launch was a disaster.", "disaster", "dramatising");
  check_finding("A total fiasco for EU users.", "fiasco", "dramatising");
  check_finding("Catastrophic failure of the primary.", "Catastrophic", "dramatising");
  check_finding("A catastrophe for checkout.", "catastrophe", "dramatising");
  check_finding("Debugging it was a nightmare.", "nightmare", "dramatising");
  check_finding("A full meltdown of the cluster.", "meltdown", "dramatising");
  // Decided: the plural and the adjective dramatise just as much, so the table lists them.
  check_finding("Two disasters in one week.", "disasters", "dramatising");
  check_finding("The rollout was disastrous.", "disastrous", "dramatising");
}

TEST_CASE("hindsight phrasing is reported once, as the most specific rule", "[unit][wording]") {
  check_finding("We should have known the disk was full.", "should have known", "hindsight");
  check_finding("It was clear that the cache was stale.", "It was clear that", "hindsight");
  check_finding("It was obvious the queue would fill.", "It was obvious", "hindsight");
  check_finding("In hindsight, the alert was too quiet.", "In hindsight", "hindsight");
  check_finding("We could have easily added a canary.", "could have easily", "hindsight");
}

TEST_CASE("root cause wording suggests contributing factors", "[unit][wording]") {
  check_finding("The root cause was a bad config.", "The root cause", "root_cause");
  check_finding("Root cause: expired certificate.", "Root cause", "root_cause");
  check_finding("We found two root causes.", "root causes", "root_cause");
  check_finding("A root-cause analysis follows.", "root-cause", "root_cause");
  CHECK_THAT(only_finding("the root cause").suggestion, Catch::Contains("contributing factors"));
}

TEST_CASE("matching ignores ASCII case and keeps the quote as written", "[unit][wording]") {
  check_finding("IN HINDSIGHT the TTL was too long.", "IN HINDSIGHT", "hindsight");
  check_finding("a DiSaStEr", "DiSaStEr", "dramatising");
  check_finding("Bob FORGOT TO deploy", "Bob FORGOT TO", "person_as_cause");
  // A lower-case word before "forgot" is not taken for a name.
  CHECK(review_wording("bob forgot to deploy").empty());
}

TEST_CASE("matching respects word boundaries", "[unit][wording]") {
  for (auto text :
       {"Justice for the on-call.", "The rootcause field is empty.", "The overshould flag",
        "Blameless review of the outage.", "The nightmares module", "simplyfied",
        "carelessness_metric", "meltdowns_total rose", "disaster2"}) {
    INFO(text);
    CHECK(review_wording(text).empty());
  }
}

TEST_CASE("findings come in text order with exact offsets", "[unit][wording]") {
  const std::string text =
      "In hindsight the root cause was obvious: @bob forgot to run the migration, a disaster.";
  const auto findings = review_wording(text);
  REQUIRE(findings.size() == 4);
  const std::vector<std::string> quotes{"In hindsight", "the root cause", "@bob forgot to",
                                        "disaster"};
  const std::vector<std::string> rules{"hindsight", "root_cause", "person_as_cause", "dramatising"};
  for (std::size_t i = 0; i < findings.size(); ++i) {
    CHECK(findings[i].quote == quotes[i]);
    CHECK(findings[i].rule == rules[i]);
    CHECK(findings[i].offset == text.find(quotes[i]));
  }
}

TEST_CASE("known-good phrases with a flagged word are not reported", "[unit][wording]") {
  CHECK(review_wording("The disaster recovery runbook did not cover failover.").empty());
  CHECK(review_wording("This review assigns no blame.").empty());
  CHECK(review_wording("Nobody is to blame; we do not assign blame.").empty());
  CHECK(review_wording("A blame-free review. `git blame` showed the commit from 2021.").empty());
  // The exemption covers only its own words: a later "blame" is still reported.
  const auto later = only_finding("No blame here, but we blame the vendor.");
  CHECK(later.quote == "blame");
  CHECK(later.offset == 22);
}

TEST_CASE("blameless text about systems produces no finding", "[unit][wording]") {
  const std::vector<std::string_view> corpus{
      "The deploy pipeline allowed a config change without a canary.",
      "Alerting fired 12 minutes after the error rate rose.",
      "We did not know the cache had no TTL.",
      "Bob rolled back the deploy at 14:05.",
      "@alice paged the database team at 14:07 and they promoted the replica.",
      "Contributing factors: a missing canary stage, a dashboard without the EU region, and an "
      "alert threshold tuned for peak traffic.",
      "The runbook did not cover failover.",
      "Health checks passed while the service returned 502 for half of the requests.",
      "The certificate expired because renewal ran on a host that had been decommissioned.",
      "Carol noticed the spike on the latency dashboard and opened the incident.",
      "The feature flag defaulted to on in the new region.",
      "During the incident we did not have a way to see which tenants were affected.",
      "The migration locked the orders table for 9 minutes.",
      "Retries from the mobile client tripled the load on the API.",
      "What would have helped: an alert on queue depth and a dry-run mode for the script.",
      "The on-call rotation had one person covering two services that night.",
      "Dave and Erin wrote a fix, reviewed it together, and deployed it at 15:20.",
      "The release checklist does not mention the schema version.",
      "We will add a canary stage and an automated check for TTLs.",
      "Zoë restarted the worker pool after confirming the backlog was draining.",
  };
  for (auto text : corpus) {
    INFO(text);
    CHECK(review_wording(text).empty());
  }
}

TEST_CASE("unicode text is reviewed without breaking characters", "[unit][wording]") {
  CHECK(review_wording("").empty());
  CHECK(review_wording("Привет, 世界. Der Fehler trat um 14:05 auf.").empty());
  // Non-ASCII letters glued to a word make it a different word.
  CHECK(review_wording("désastre ädisaster disasterß").empty());
  // Curly quotes, a no-break space and CJK punctuation are boundaries.
  check_finding("It was a \u201cdisaster\u201d.", "disaster", "dramatising");
  check_finding("Ein\u00a0disaster", "disaster", "dramatising");
  check_finding("\u3002disaster\u3001", "disaster", "dramatising");
  check_finding("root\u00a0cause", "root\u00a0cause", "root_cause");
  // A cut sequence next to a word does not crash, and the word stays a word of its own.
  check_finding(std::string{"\xE2\x80 disaster \xC3"}, "disaster", "dramatising");
  CHECK(review_wording("\xC3").empty());
  const std::string bad{"\xFF\xFE\xE2"};
  CHECK(review_wording(bad).empty());
}

TEST_CASE("long text is reviewed in one linear pass", "[unit][wording]") {
  std::string text;
  const std::string_view sentence =
      "The deploy pipeline allowed a config change without a canary stage. ";
  while (text.size() < 200 * 1024) text += sentence;
  CHECK(review_wording(text).empty());
  text += "In hindsight";
  const auto findings = review_wording(text);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].offset == text.size() - 12);
}
