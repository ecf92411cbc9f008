#include "bot/wording_review.hpp"
#include "bot/wording_text.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace scribe::bot;

namespace {

std::vector<std::string> none_known;

std::vector<wording_finding> review(std::string_view text,
                                    const std::vector<std::string>& people = none_known) {
  auto findings = review_wording(text, people);
  for (const auto& f : findings) {
    INFO(text);
    // The quote is what is written at the offset, so a client can underline it.
    CHECK(text.substr(f.offset, f.quote.size()) == f.quote);
    CHECK(text.substr(f.sentence_offset, f.sentence.size()) == f.sentence);
    CHECK(f.offset >= f.sentence_offset);
    CHECK_FALSE(f.suggestion.empty());
  }
  return findings;
}

bool blames(std::string_view text, const std::vector<std::string>& people = none_known) {
  for (const auto& f : review(text, people)) {
    if (f.kind == finding_kind::blame) return true;
  }
  return false;
}

// The one blame finding of `text`; fails the test if there is not exactly one.
wording_finding only_blame(std::string_view text,
                           const std::vector<std::string>& people = none_known) {
  std::vector<wording_finding> found;
  for (auto& f : review(text, people)) {
    if (f.kind == finding_kind::blame) found.push_back(f);
  }
  INFO(text);
  REQUIRE(found.size() == 1);
  return found.front();
}

std::vector<std::string> sentences_of(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& s : wording::split_sentences(text)) {
    out.emplace_back(text.substr(s.begin, s.end - s.begin));
  }
  return out;
}

}  // namespace

TEST_CASE("the seed essays' blameful example gets both people and the drama, each rewritten",
          "[unit][wording]") {
  // BLAMELESS.md, "The canonical example".
  const std::string text =
      "dylanone@ did not bother to set up alerting for our storage cluster or check our hard "
      "drives manually in case of doubt. Of course we ran out of space and this disaster "
      "ensued! It took hours to fix the service because annatwo@ did not know how to recognize "
      "storage exhaustion and restarted the wrong systems.";
  const auto findings = review(text);
  bool dylan = false, anna = false, drama = false;
  for (const auto& f : findings) {
    INFO(f.quote);
    REQUIRE(f.rewrite);
    CHECK(f.rewrite->find("dylanone") == std::string::npos);
    CHECK(f.rewrite->find("annatwo") == std::string::npos);
    CHECK(review(*f.rewrite).empty());
    if (f.quote.starts_with("dylanone@")) dylan = f.kind == finding_kind::blame;
    if (f.quote.starts_with("annatwo@")) anna = f.kind == finding_kind::blame;
    if (f.rule == "dramatising") drama = f.kind == finding_kind::advice;
  }
  CHECK(dylan);
  CHECK(anna);
  CHECK(drama);
  CHECK(findings[0].rewrite ==
        "Alerting was not set up for our storage cluster and our hard drives were not checked "
        "manually in case of doubt. What would have made the step hard to miss?");
}

TEST_CASE("people are found in every form chat writes them", "[unit][wording]") {
  for (auto text : {
           "@marco broke the build.",
           "<@U024BE7LH> broke the build.",
           "<@U024BE7LH|marco> broke the build.",
           "marco@ broke the build.",
           "@marco:example.org broke the build.",
           "Then Priya broke the build.",
           "Priya Raman broke the build.",
           "The on-call broke the build.",
           "The new hire broke the build.",
           "the release manager broke the build.",
           "The DBA broke the build.",
       }) {
    INFO(text);
    CHECK(only_blame(text).rule == "person_as_cause");
  }
  CHECK(only_blame("The DBAs broke the build.").rule == "team_blame");
  CHECK(only_blame("The platform team broke the build.").rule == "team_blame");
  CHECK(only_blame("Ops never reads the release notes.").rule == "team_blame");
  // A lower-case handle is a person when the incident knows it, or as the subject of a harm.
  CHECK(blames("jsmith pushed the bad config."));
  CHECK(blames("the canary was skipped by vik", {"vik"}));
  CHECK_FALSE(blames("the canary was skipped by vik"));
  // Known people in any form: "@kim" given, "kim" written.
  CHECK(blames("The warning was ignored by kim.", {"@kim"}));
  CHECK(blames("It broke because of Souza.", {"Ana Souza"}));
}

TEST_CASE("a capitalised first word is not a name", "[unit][wording]") {
  for (auto text : {"The migration broke the search index.", "After the deploy, latency spiked.",
                    "Replication failed to catch up.", "Checkout failed for 40 minutes.",
                    "Alerting failed to page anyone.", "Kubernetes killed the pod.",
                    "Terraform deleted the security group because the state was stale.",
                    "Mark the alert as resolved once the queue is empty.",
                    "May traffic was 30% higher than April's."}) {
    INFO(text);
    CHECK_FALSE(blames(text));
  }
}

TEST_CASE("systems fail, break, miss and forget without blame", "[unit][wording]") {
  for (auto text : {
           "The readiness probe failed to notice the deadlocked thread pool.",
           "The cache forgot its keys on restart.",
           "The canary missed the regression because it only got 1% of traffic.",
           "The backup job silently ignored the permission errors.",
           "The load balancer dropped the ball on sticky sessions.",
           "Due to the config change, the queue filled up within ten minutes.",
           "The issue was caused by an expired TLS certificate.",
           "A protection was removed by mistake during a refactoring.",
       }) {
    INFO(text);
    CHECK_FALSE(blames(text));
  }
}

TEST_CASE("should have about systems is an expectation, about people a counterfactual",
          "[unit][wording]") {
  for (auto text : {
           "The job should have retried on timeout, but the retry was disabled.",
           "The nightly backup should have finished by 02:00; it was still running at 06:00.",
           "The certificate should have been renewed automatically.",
           "If the alert had fired earlier, we would have had an hour more.",
           "The circuit breaker should've opened after five failures.",
       }) {
    INFO(text);
    CHECK_FALSE(blames(text));
  }
  CHECK(only_blame("Tom should've run the dry run first.").rule == "counterfactual");
  CHECK(only_blame("The reviewer shouldn't have approved it.").rule == "counterfactual");
  CHECK(only_blame("If Lee had read the runbook, none of this would have happened.").rule ==
        "counterfactual");
  CHECK(only_blame("Had she waited for the canary, we would have caught it.").rule ==
        "counterfactual");
  CHECK(only_blame("Jamie could have rolled back sooner.").rule == "counterfactual");
}

TEST_CASE("people acting well and observations are fine", "[unit][wording]") {
  for (auto text : {
           "Dana saw the error rate climb and paged the team.",
           "Ravi rolled back.",
           "@alice paged the database team at 14:07 and they promoted the replica.",
           "Tom merged the fix at 16:05 after two reviews.",
           "Great job, Dana, on the status page updates.",
           "Thanks to Priya's quick rollback, only 3% of requests failed.",
           "It was clear the queue was growing.",
           "Kevin was handling another incident at the same time.",
           "Nobody is to blame; the process allowed an untested migration to reach prod.",
       }) {
    INFO(text);
    CHECK_FALSE(blames(text));
  }
}

TEST_CASE("lookalikes are fine, or advice at most", "[unit][wording]") {
  for (auto text : {"git blame showed the line was last changed in 2021.",
                    "We burned 40% of the error budget in one hour.",
                    "The disaster recovery runbook did not cover the new region.",
                    "We will add mistake-proofing to the deploy form.",
                    "The fat-finger guard now asks for the cluster name.",
                    "This is not incompetence.", "A blame-free review."}) {
    INFO(text);
    CHECK(review(text).empty());
  }
  const auto template_hint = review("Use the root cause analysis template.");
  REQUIRE(template_hint.size() == 1);
  CHECK(template_hint[0].kind == finding_kind::advice);
}

TEST_CASE("each category of blame has its rule", "[unit][wording]") {
  CHECK(only_blame("Kevin ignored the alerts for two hours.").rule == "judgement");
  CHECK(only_blame("It was a careless change by Mark.").rule == "judgement");
  CHECK(only_blame("Sam dropped the ball on the certificate renewal.").rule == "competence");
  CHECK(only_blame("Any competent engineer would have seen it.").rule == "competence");
  CHECK(only_blame("The on-call was asleep at the wheel.").rule == "competence");
  CHECK(only_blame("The outage was due to operator error.").rule == "human_error");
  CHECK(only_blame("Tom fat-fingered the firewall rule.").rule == "human_error");
  CHECK(only_blame("The migration was started without a dry run by Kim.").rule == "passive_blame");
  for (const auto& f : review("Great job, whoever merged that.")) CHECK(f.rule == "implied_blame");
  CHECK(only_blame("Everyone knows whose change that was.").rule == "implied_blame");
  CHECK(only_blame("My bad, the service was restarted twice.").rule == "self_blame");
  CHECK(only_blame("I should have known the disk would fill up.").rule == "self_blame");
  CHECK(only_blame("Checkout was down because of @dave.").rule == "person_as_cause");
  CHECK(only_blame("It was Li Wei's fault that the certificate expired.").rule ==
        "person_as_cause");
}

TEST_CASE("advice: drama, hindsight and the root cause", "[unit][wording]") {
  const auto drama = review("The launch was a total disaster.");
  REQUIRE(drama.size() == 1);
  CHECK(drama[0].rule == "dramatising");
  CHECK(drama[0].kind == finding_kind::advice);
  CHECK(drama[0].rewrite == "The launch was an incident.");
  const auto hindsight = review("With hindsight, the alert threshold was far too high.");
  REQUIRE(hindsight.size() == 1);
  CHECK(hindsight[0].rule == "hindsight");
  CHECK(hindsight[0].rewrite ==
        "The alert threshold was far too high. What was known at the time?");
  const auto root = review("The root cause was an expired certificate.");
  REQUIRE(root.size() == 1);
  CHECK(root[0].rule == "root_cause");
  CHECK(root[0].rewrite == "A contributing factor was an expired certificate.");
  CHECK(review("We should have seen it coming.")[0].rule == "hindsight");
}

TEST_CASE("rewrites keep the facts and leave the person out", "[unit][wording]") {
  const auto rewrite_of = [](std::string_view text) {
    const auto f = only_blame(text);
    return f.rewrite.value_or("(none)");
  };
  CHECK(rewrite_of("Kevin ignored the alerts for two hours.") ==
        "The alerts went unanswered for two hours. What made them easy to miss?");
  CHECK(rewrite_of("Priya took the API down at 14:02 with a config push.") ==
        "The API went down at 14:02 with a config push. What let the change through, and what "
        "would have caught it earlier?");
  CHECK(rewrite_of("Bob should have checked the config before the deploy.") ==
        "The config was not checked before the deploy. What would have prompted it at the time?");
  CHECK(rewrite_of("The firewall rule was deleted by @oscar at 03:10.") ==
        "The firewall rule was deleted at 03:10. What made that possible, and what would have "
        "stopped it?");
  CHECK(rewrite_of("Checkout was down for 40 minutes because Tom merged it without a review.") ==
        "Checkout was down for 40 minutes because it was merged without a review. What made that "
        "look right at the time?");
  CHECK(rewrite_of("annatwo@ did not know how to recognize storage exhaustion.") ==
        "Storage exhaustion was hard to recognize. What would have made it easier to see?");
  // Nothing but the verdict to keep: no rewrite rather than a made-up one.
  CHECK_FALSE(only_blame("The DBAs screwed up again.").rewrite);
  CHECK_FALSE(only_blame("Pat was incompetent during the whole response.").rewrite);
}

TEST_CASE("review_answer tells in one call whether an answer blames, and its rewrite",
          "[unit][wording]") {
  const auto blameful =
      review_answer("Checkout failed at 10:02. Kevin ignored the alerts for two hours.");
  CHECK(blameful.has_blame);
  CHECK(blameful.rewrite ==
        "Checkout failed at 10:02. The alerts went unanswered for two hours. What made them easy "
        "to miss?");
  const auto fine = review_answer("The retry was disabled. In hindsight, that was risky.");
  CHECK_FALSE(fine.has_blame);
  CHECK_FALSE(fine.rewrite);
  CHECK(fine.findings.size() == 1);
  const auto no_rewrite = review_answer("The DBAs screwed up again.");
  CHECK(no_rewrite.has_blame);
  CHECK_FALSE(no_rewrite.rewrite);
}

TEST_CASE("sentences split on their ends, not on abbreviations, numbers, links or code",
          "[unit][wording]") {
  CHECK(sentences_of("Latency was 1.5 s, e.g. on v2.3.1 hosts. It recovered.") ==
        std::vector<std::string>{"Latency was 1.5 s, e.g. on v2.3.1 hosts.", "It recovered."});
  CHECK(sentences_of("See https://example.org/a.b?c=d. Then `make test. now` ran.") ==
        std::vector<std::string>{"See https://example.org/a.b?c=d.", "Then `make test. now` ran."});
  CHECK(sentences_of("- first item\n- second item\n1. third") ==
        std::vector<std::string>{"first item", "second item", "third"});
  CHECK(sentences_of("kevin ignored the alerts\nthen we restarted the db") ==
        std::vector<std::string>{"kevin ignored the alerts", "then we restarted the db"});
  CHECK(sentences_of("Dr. Smith joined at 14:05! Was it DNS? Yes...") ==
        std::vector<std::string>{"Dr. Smith joined at 14:05!", "Was it DNS?", "Yes..."});
  // Code and links are never read as words.
  CHECK_FALSE(blames("Run `Kevin ignored the alerts` in the shell."));
}

TEST_CASE("findings are in text order and never overlap", "[unit][wording]") {
  const std::string text =
      "In hindsight the root cause was obvious: @bob forgot to run the migration, a disaster.";
  const auto findings = review(text);
  REQUIRE(findings.size() == 4);
  const std::vector<std::string> rules{"hindsight", "root_cause", "counterfactual", "dramatising"};
  std::size_t previous_end = 0;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    CHECK(findings[i].rule == rules[i]);
    CHECK(findings[i].offset >= previous_end);
    previous_end = findings[i].offset + findings[i].quote.size();
  }
}

TEST_CASE("bad UTF-8 and other scripts are reviewed without breaking characters",
          "[unit][wording]") {
  CHECK(review("").empty());
  CHECK(review("Привет, 世界. Der Fehler trat um 14:05 auf.").empty());
  CHECK(review("désastre ädisaster disasterß").empty());
  const auto curly = review("Dave didn\u2019t bother with the canary \u201cdisaster\u201d.");
  REQUIRE_FALSE(curly.empty());
  CHECK(curly[0].quote == "Dave didn\u2019t bother");
  for (const auto& bad :
       {std::string("\xFF\xFE\xE2"), std::string("\xE2\x80 disaster \xC3"), std::string("@\xC3"),
        std::string("<@U1|\xE2\x80"), std::string("`\xC3"), std::string("kim@\xFF broke it"),
        // Found by the fuzzer: stray continuation bytes glued to a name.
        std::string("\x9f\x9f\x9f\x9f\x9f"
                    "Bob forgot to restart it."),
        std::string("The root cause was @Caro\x96\xd8\x8c\xdfmistake.")}) {
    for (const auto& f : review(bad)) {
      const auto end = f.offset + f.quote.size();
      CHECK((static_cast<unsigned char>(f.quote.front()) & 0xC0) != 0x80);
      CHECK((end == bad.size() || (static_cast<unsigned char>(bad[end]) & 0xC0) != 0x80));
    }
  }
}

TEST_CASE("a long text is reviewed whole", "[unit][wording]") {
  std::string text;
  const std::string_view sentence =
      "The deploy pipeline allowed a config change without a canary stage. ";
  while (text.size() < 200 * 1024) text += sentence;
  CHECK(review(text).empty());
  text += "Kevin ignored the alerts.";
  const auto findings = review(text);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].offset == text.size() - 25);
}

TEST_CASE("a run-on sentence is read in pieces, so the review stays linear", "[unit][wording]") {
  // A paragraph without full stops: every piece is still reviewed, and each finding's sentence
  // is the piece it was found in.
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "the queue grew and the cache was cold and ";
  text += "then Kevin ignored the alerts";
  const auto findings = review(text);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "judgement");
  CHECK(findings[0].sentence.size() < 1000);
}

TEST_CASE("causal phrases end in a person or a person's act, in any form", "[unit][wording]") {
  for (auto text :
       {"This incident was precipitated by the actions of a single engineer.",
        "The incident can be attributed to an oversight by the on-call engineer.",
        "The data loss stems from Kenji's decision to run the script.",
        "The checkout outage can be traced directly to the SRE on shift.",
        "This review attributes the interruption to the actions of the network engineer.",
        "Insufficient diligence on the part of the reviewer allowed the defect to ship."}) {
    INFO(text);
    CHECK(blames(text));
  }
  for (auto text : {"The recovery was due to Kim's quick rollback.",
                    "The error stems from a bug in the library the payments team maintains.",
                    "The failure of the primary was due to a disk controller fault.",
                    "It wasn't Priya's fault; the dashboard showed stale data.",
                    "We scaled back to two replicas after the spike."}) {
    INFO(text);
    CHECK_FALSE(blames(text));
  }
}

TEST_CASE("chat answers: subjects left out, questions, sarcasm and pointing", "[unit][wording]") {
  for (auto text : {"shouldve checked the diff before hitting merge, sam",
                    "Never bothered to check the replica lag before failing over.",
                    "who the hell pushed to main without review??",
                    "whoever was on call restarted the wrong cluster",
                    "thanks for the heads up... not", "glad Jamal's 'tiny refactor' went well",
                    "Support keeps escalating non-issues and ignoring the real ones.",
                    "the prod db password was pasted into slack by someone on the data team"}) {
    INFO(text);
    CHECK(blames(text));
  }
  for (auto text : {"Didn't see any errors in the logs until 14:10.",
                    "Failed to start after the reboot, so we rolled back.",
                    "Who restarted the primary at 14:02?",
                    "whoever was on call acked in 2 min and started triage right away",
                    "Thanks to Dimitri for staying on the bridge until 4am.",
                    "Greta looked at the canary at 14:05 and stopped the rollout.",
                    "Sam restarted the pods and the error rate dropped."}) {
    INFO(text);
    CHECK_FALSE(blames(text));
  }
}

TEST_CASE("words the lexicon does not list are read by their shape", "[unit][wording]") {
  // An unknown -ed word after a person is a verb, an unknown -ly word an adverb; neither is a
  // slip by itself.
  CHECK(blames("jess yeeted the feature flag and that's why search died", {"jess"}));
  CHECK(blames("The database administrator evidently did not know how to recognise it."));
  CHECK_FALSE(blames("The on-call engineer identified the faulty node and drained it."));
  CHECK(blames("Data engineering broke the nightly export again."));
}

TEST_CASE("passives, relative clauses and measures name who acted, in any form",
          "[unit][wording]") {
  for (auto text : {"capacity warnings were waved off by Greta for two sprints straight",
                    "the wrong branch was deployed by @tomás, again",
                    "The maintenance flag was left enabled by Pedro after the work had finished.",
                    "The outage was caused by a configuration change that Marcus pushed to the pool.",
                    "A simple check of the replica lag by Ingrid would have avoided the outage.",
                    "Corrective action: Theo will be enrolled in remedial training.",
                    "Had the SRE team done its job, the alert would have been routed in minutes.",
                    "Finding 1: The operator opened a valve, but it was the wrong one.",
                    "In that deployment a technician at Knight forgot to copy the new code."}) {
    INFO(text);
    CHECK(blames(text));
  }
  for (auto text : {"The incident was acknowledged by the primary on-call at 02:16.",
                    "The risk was documented but was not expected by the people who set it up.",
                    "The trigger was a config change that Kim reviewed and approved.",
                    "Kim will run a training session for the on-call engineers before the rotation "
                    "starts again.",
                    "felix ran the migration without a dry run; the tool has no dry-run mode yet",
                    "Kim thought a canary stage was a good idea, and it caught the bug.",
                    "None of this is incompetence.",
                    "Kim opened the ticket, and it was the right call."}) {
    INFO(text);
    CHECK_FALSE(blames(text));
  }
}

TEST_CASE("a rewrite keeps the clause after the object and the act in a relative clause",
          "[unit][wording]") {
  const auto rewrite = [](std::string_view text, std::vector<std::string> people) {
    const auto found = review_wording(text, people);
    REQUIRE_FALSE(found.empty());
    REQUIRE(found.front().rewrite.has_value());
    return *found.front().rewrite;
  };
  CHECK(rewrite("If only @sam had checked the dashboard we would have caught it.", {"sam"}) ==
        "The dashboard was not checked. What would have prompted it at the time?");
  CHECK(rewrite("The outage was caused by a change that Marcus pushed to the pool at 09:42.",
                {"Marcus"}) ==
        "The outage was caused by a change pushed to the pool at 09:42. What made that possible?");
}

TEST_CASE("agents in asides, verbless findings, nominalisations and hypotheses name who acted",
          "[unit][wording]") {
  for (auto text : {"The prod database was dropped at 14:02, by @rohan, for the record.",
                    "The migration got kicked off, by Kim, without any dry run whatsoever.",
                    "- Production credentials pasted into a public channel by @ferdinand",
                    "- Lack of basic Linux knowledge on the part of the support engineer",
                    "- Inexperience of the new hire with our Kafka tooling",
                    "The incident stemmed from a manual mistake during the failover, made by Bruno.",
                    "The whole thing boils down to a mis-click by Tove.",
                    "Jordan might have spotted the bad value if he had diffed the config first.",
                    "With one dry run against the staging snapshot, Pieter would have seen the lock.",
                    "Look, Derek just isn't up to running the on-call rotation yet.",
                    "The SRE group has let this company down twice this quarter."}) {
    INFO(text);
    CHECK(blames(text));
  }
  // The blameless twins on the same words: the same passives with a plain aside, a lack that is
  // the system's, a hypothesis whose condition is the system's, people let down by a tool.
  for (auto text : {"The temporary table was dropped at 14:02, by the cleanup job, as planned.",
                    "The fix was deployed at 16:05, by Tom, after the review.",
                    "- Production credentials rotated by @ferdinand within ten minutes",
                    "- Lack of basic Linux knowledge in the runbook's audience was not assumed",
                    "- Lack of a dry-run mode in the migration tool",
                    "The failover was made by Bruno at 02:10, as the runbook says.",
                    "Jordan might have spotted the bad value if the diff tool had shown it.",
                    "Kim would have seen the alert if the pager had fired.",
                    "Derek is up to date on the on-call handbook.",
                    "The deploy tool let the team down twice this quarter."}) {
    INFO(text);
    CHECK_FALSE(blames(text));
  }
}

TEST_CASE("a relative clause without its 'that' names who made the harm", "[unit][wording]") {
  for (auto text : {"Customers reported the breakage Sven introduced at 09:40.",
                    "fix the mess @zhao left in the retry logic",
                    "the rollout Omar started is why payments went dark"}) {
    INFO(text);
    CHECK(blames(text, {"zhao"}));
  }
  // Twins: a harm someone found or cleaned up, a person's thing that did good.
  for (auto text : {"Customers reported the breakage Sven found at 09:40.",
                    "Kim cleaned up the mess the migration left in the retry logic.",
                    "the rollout Omar started is why payments recovered"}) {
    INFO(text);
    CHECK_FALSE(blames(text));
  }
}

TEST_CASE("a participle that makes a harm is the consequence of the act before it",
          "[unit][wording]") {
  CHECK(blames("Finding 3: @priya.n opened port 22 to the internet, producing the exposure "
               "recorded in SEC-118.",
               {"priya.n"}));
  CHECK_FALSE(blames("Finding 3: @priya.n ran the audit job, producing the report recorded in "
                     "SEC-118.",
                     {"priya.n"}));
}

TEST_CASE("a word not sent, told as what would have spared the harm; an idiom as a gerund",
          "[unit][wording]") {
  CHECK(blames("A single question from Grace to the DBA could have spared us six hours of "
               "downtime."));
  CHECK(blames("Classic case of Arjun dropping the ball on the handover."));
  // Twins: a question that was sent and helped; one that could have come sooner, told with what
  // the dashboard did not show.
  CHECK_FALSE(blames("A single question from Grace to the DBA spared us six hours of downtime."));
  CHECK_FALSE(blames("A single question from Grace to the DBA could have come sooner if the "
                     "dashboard had shown the lag."));
}

TEST_CASE("hindsight in more words: clarity that came with the outcome, inevitability",
          "[unit][wording]") {
  for (auto text : {"Retrospectively, the 3% error rate on the canary was a sign.",
                    "It's plain as day now that the TTL was too short.",
                    "With twenty-twenty vision it's easy to see the DNS change was the trigger.",
                    "It was always going to end this way once the quota crept past 90%.",
                    "The mismatch between the two schema versions should have been evident."}) {
    INFO(text);
    const auto found = review(text);
    REQUIRE_FALSE(found.empty());
    CHECK(found[0].rule == "hindsight");
  }
  // Twins: what was evident at the time, a plan that always runs, plain text.
  for (auto text : {"At 14:10 it was evident from the graphs that only EU traffic was affected.",
                    "The cleanup job was always going to run at 02:00; that is its schedule.",
                    "The token was logged in plain text."}) {
    INFO(text);
    CHECK(review(text).empty());
  }
}

TEST_CASE("a habit pinned on someone blames when it skips something or a cost is laid at it",
          "[unit][wording]") {
  for (auto text : {"- Security team's habit of pushing firewall rules without warning anyone",
                    "Kim's habit of pushing firewall rules without warning anyone hurt us.",
                    "Frontend engineering has a well-known habit of merging on Friday afternoons, "
                    "and this incident is the latest cost of that habit."}) {
    INFO(text);
    CHECK(blames(text, {"Kim"}));
  }
  // Twins: a good habit, one that paid off during the incident, a system's tendency.
  for (auto text : {"Kim's habit of writing the runbook first paid off during the incident.",
                    "The security team's habit of announcing firewall rules in #changes helped.",
                    "The scheduler has a tendency of retrying without backoff."}) {
    INFO(text);
    CHECK_FALSE(blames(text, {"Kim"}));
  }
}

TEST_CASE("harms told first, then handed to a person as their work", "[unit][wording]") {
  CHECK(blames("Checks were skipped and approvals were bypassed, all of it the work of the same "
               "person: Gabe.",
               {"Gabe"}));
  CHECK(blames("The staging bucket got wiped, courtesy of @lena.", {"lena"}));
  // Twins: good work handed to a person; a harm handed to a job.
  CHECK_FALSE(blames("The dashboards were rebuilt and the alerts were tuned, all of it the work "
                     "of the same person: Gabe.",
                     {"Gabe"}));
  CHECK_FALSE(blames("The staging bucket got wiped, courtesy of the retention job."));
}

TEST_CASE("an able someone wished for, with a named person set against them", "[unit][wording]") {
  CHECK(blames("Jira: assigning to someone who actually understands Postgres this time, not "
               "@tbrooks.",
               {"tbrooks"}));
  CHECK(blames("Maybe next time we give the Kafka upgrade to someone who's done one before, no "
               "offence Felipe.",
               {"Felipe"}));
  // Twins: the same wish with no one set against it; an able someone who helped.
  CHECK_FALSE(blames("Jira: assigning to someone who actually understands Postgres this time."));
  CHECK_FALSE(blames("Felipe paired with someone who knows Kafka well for the upgrade.",
                     {"Felipe"}));
}

TEST_CASE("what a person cannot understand, told as a standing fact about them",
          "[unit][wording]") {
  CHECK(blames("Unlike the rest of us, @mirela apparently can't make sense of a flame graph.",
               {"mirela"}));
  CHECK(blames("Kim cannot understand the replication settings.", {"Kim"}));
  // Twins: a cause outside the person, a condition, a tool that cannot.
  CHECK_FALSE(blames("Kim can't make sense of the flame graph because the labels are missing.",
                     {"Kim"}));
  CHECK_FALSE(blames("If you can't make sense of a flame graph, ask in #perf."));
  CHECK_FALSE(blames("The parser cannot understand the new header format."));
}

TEST_CASE("a slip told as the shape of a thing, then handed to its maker", "[unit][wording]") {
  CHECK(blames("Mis-keyed value from @hugo, the TTL landed as 3 seconds instead of 3600.",
               {"hugo"}));
  CHECK(blames("A mistyped command by the on-call removed the volume."));
  // Twins: a slip with no maker named, a value with no slip, a call someone else missed.
  CHECK_FALSE(blames("A misconfigured host dropped the packets."));
  CHECK_FALSE(blames("The value from @hugo landed as 3 seconds instead of 3600.", {"hugo"}));
  CHECK_FALSE(blames("There was a missed call from Kim at 02:14.", {"Kim"}));
}

TEST_CASE("a person's absence told as good fortune", "[unit][wording]") {
  CHECK(blames("Where we got lucky: Leo was on leave that week, so he couldn't touch anything "
               "else.",
               {"Leo"}));
  CHECK(blames("What went well: @bruno went on holiday the next day, so things calmed down.",
               {"bruno"}));
  // Twins: an absence with no luck in it, luck with the person present.
  CHECK_FALSE(blames("Leo was on leave that week, so the handover was done by Kim.", {"Leo"}));
  CHECK_FALSE(blames("Where we got lucky: Leo was on call and saw the alert first.", {"Leo"}));
}

TEST_CASE("a team's name as the first word of a fault", "[unit][wording]") {
  CHECK(blames("Let's not pretend this isn't another QA miss; they waved the build through."));
  CHECK(blames("This was a classic DBA blunder."));
  // Twins: the fault denied, a kind of error, a fault with no team.
  CHECK_FALSE(blames("This wasn't a QA miss: the test matrix had no ARM runners."));
  CHECK_FALSE(blames("A Security error was logged by the WAF at 14:02."));
  CHECK_FALSE(blames("It was a near miss for the payments queue."));
}

TEST_CASE("a term in quotes as the topic of a text or the name of a field", "[unit][wording]") {
  CHECK_FALSE(
      blames("The \"human error\" field in our tracker is being replaced with a "
             "contributing-factors list."));
  CHECK_FALSE(blames("We should read the chapter on 'human error' in the Dekker book."));
  // Twins: the same term used as the explanation, in quotes or not.
  CHECK(blames("The outage was \"human error\" on the on-call's part."));
  CHECK(blames("The root cause was human error."));
}

TEST_CASE("thanks to a person doing something, with no harm after it", "[unit][wording]") {
  CHECK_FALSE(
      blames("Thanks to @lena paging networking early, the BGP issue was found in under "
             "20 minutes.",
             {"lena"}));
  // Twin: the same frame, with a harm after the deed.
  CHECK(blames("Thanks to @lena dropping the table, checkout was down for an hour.", {"lena"}));
}

TEST_CASE("the plural of a known thing opening a sentence is that thing", "[unit][wording]") {
  CHECK_FALSE(
      blames("Certificates should have renewed 30 days before expiry; the renewal cron "
             "had been erroring since March."));
  // Twin: a name opening the same sentence.
  CHECK(blames("Marcus should have renewed the certificates 30 days before expiry.", {"Marcus"}));
}

TEST_CASE("a pronoun's 'd before a past participle is 'had'", "[unit][wording]") {
  const auto found = review(
      "Jordan might have spotted the bad value if he'd diffed the config against prod first.",
      {"Jordan"});
  REQUIRE_FALSE(found.empty());
  for (const auto& f : found) {
    CHECK(f.rule == "counterfactual");
    REQUIRE(f.rewrite);
    CHECK(f.rewrite->find("Jordan") == std::string::npos);
    CHECK(*f.rewrite ==
          "The bad value was not spotted; the config was not diffed. What would have prompted it "
          "at the time?");
    CHECK(review(*f.rewrite).empty());
  }
  // Twins: "'d" as "would", and a thing's condition.
  CHECK_FALSE(blames("We'd have caught it with a canary."));
  CHECK_FALSE(blames("The dashboard might have shown the drift if it'd diffed the config."));
}

TEST_CASE("a short aside between a team and its verb", "[unit][wording]") {
  const auto f = only_blame("Ops, as per usual, sat on the ticket for six hours.");
  CHECK(f.rule == "team_blame");
  REQUIRE(f.rewrite);
  CHECK(*f.rewrite ==
        "The ticket waited for six hours. What would have brought it to someone's attention "
        "sooner?");
  CHECK(review(*f.rewrite).empty());
  CHECK(blames("Ops, as usual, ignored the warnings."));
  // Twins: a list of teams and people, and the same aside with a good act.
  CHECK_FALSE(blames("Ops, Kim and Lee were paged.", {"Kim", "Lee"}));
  CHECK_FALSE(blames("Ops, once paged, restored the replica within minutes."));
}

TEST_CASE("sitting on a piece of work is a delay pinned on whoever sat", "[unit][wording]") {
  const auto f =
      only_blame("The SRE team sat on the ticket for two days while customers couldn't log in.");
  CHECK(f.rule == "team_blame");
  REQUIRE(f.rewrite);
  CHECK(*f.rewrite ==
        "The ticket waited for two days while customers couldn't log in. What would have "
        "brought it to someone's attention sooner?");
  CHECK(review(*f.rewrite).empty());
  CHECK(blames("Kim sat on the review for a week.", {"Kim"}));
  // Twins: a thing that sat somewhere, a person who sat on a call, a request in a queue.
  CHECK_FALSE(blames("The ticket sat on the queue for six hours."));
  CHECK_FALSE(blames("Kim sat on the bridge call all night.", {"Kim"}));
  CHECK_FALSE(blames("The request sat in the queue for two days."));
}

TEST_CASE("a person said to fall short of a quality", "[unit][wording]") {
  CHECK(blames("Sam just isn't careful enough to be trusted with production access.", {"Sam"}));
  CHECK(blames("The on-call was not experienced enough for this."));
  // Twins: a thing that falls short, a person who has the quality.
  CHECK_FALSE(blames("The disk isn't big enough."));
  CHECK_FALSE(blames("Sam is careful enough to double-check every migration.", {"Sam"}));
}

TEST_CASE("disappointment aimed at a person", "[unit][wording]") {
  CHECK(blames("I'm frankly disappointed that Greg treated the capacity warning as noise.",
               {"Greg"}));
  CHECK(blames("Honestly, I'm disappointed in the on-call."));
  // Twins: disappointment aimed at a system, and at ourselves.
  CHECK_FALSE(blames("I was disappointed that the alert never fired."));
  CHECK_FALSE(blames("We were disappointed that the vendor's fix took a week."));
}

TEST_CASE("the act pointed back at as the cause in full words", "[unit][wording]") {
  CHECK(
      blames("dmitri flipped the feature flag for all customers and that is what overloaded the "
             "recommendation service.",
             {"dmitri"}));
  // Twin: the same pointer to something that is no harm.
  CHECK_FALSE(
      blames("dmitri flipped the feature flag for all customers and that is what we "
             "announced.",
             {"dmitri"}));
}

TEST_CASE("reproach of oneself", "[unit][wording]") {
  CHECK(blames("Honestly I'm kicking myself for not paging networking sooner."));
  CHECK(blames("I could kick myself over it."));
  // Twin: kicking oneself into gear is getting started.
  CHECK_FALSE(blames("I kicked myself into gear and paged networking."));
}

TEST_CASE("a slip verb in the present tense of a timeline", "[unit][wording]") {
  CHECK(blames("09:41 — @zoe.m miskeys the retention value, purging 30 days of logs.", {"zoe.m"}));
  // Twin: the value with no one keying it.
  CHECK_FALSE(blames("09:41 — the retention value is applied, purging 30 days of logs."));
}

TEST_CASE("a habit of a plural team in the present", "[unit][wording]") {
  CHECK(blames("The mobile folks keep ignoring our API deprecation emails."));
  // Twins: a habit that is diligence, and the same team told to keep going.
  CHECK_FALSE(blames("The mobile folks keep reading our API deprecation emails."));
  CHECK_FALSE(blames("The mobile folks should keep watching the error budget."));
}
