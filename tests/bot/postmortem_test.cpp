#include "bot/postmortem.hpp"

#include <catch2/catch.hpp>

using namespace scribe::bot;

TEST_CASE("postmortem jobs: encoded payloads read back, anything else does not") {
  for (const postmortem_job& job :
       {postmortem_job{postmortem_step::ask, 7, {}},
        postmortem_job{postmortem_step::remind, 12, {}},
        postmortem_job{postmortem_step::draft, 3, "timer"},
        postmortem_job{postmortem_step::draft, 3, "command:1795255300000000:U1"}}) {
    const auto decoded = decode_postmortem_job(encode(job));
    REQUIRE(decoded);
    CHECK(decoded->step == job.step);
    CHECK(decoded->incident_id == job.incident_id);
    CHECK(decoded->reason == job.reason);
  }
  CHECK(encode({postmortem_step::draft, 42, "complete"}) == "draft 42 complete");
  for (std::string_view bad : {"", "draft", "draft x", "draft 0", "draft -1", "post 1", "ask 1x"}) {
    CHECK_FALSE(decode_postmortem_job(bad));
  }
}

TEST_CASE("postmortem jobs: only drafts nobody asked for are automatic") {
  CHECK(postmortem_job{postmortem_step::draft, 1, "timer"}.automatic());
  CHECK(postmortem_job{postmortem_step::draft, 1, "complete"}.automatic());
  CHECK_FALSE(postmortem_job{postmortem_step::draft, 1, "command:1:U1"}.automatic());
  CHECK_FALSE(postmortem_job{postmortem_step::remind, 1, {}}.automatic());
}

TEST_CASE("postmortem jobs: follow-ups go to the incident's platform queue") {
  incident inc;
  inc.id = 9;
  inc.channel = {"slack", "T1", "C1"};
  const auto at = from_unix_micros(1'000'000);
  const follow_up f = schedule(inc, {postmortem_step::remind, 9, {}}, at);
  CHECK(f.queue == "slack.postmortem");
  CHECK(f.key == "remind 9");
  CHECK(f.payload == "remind 9");
  CHECK(f.run_after == at);
  CHECK(to_string(answer_source::form) == "form");
  CHECK(parse_answer_source("thread") == answer_source::thread);
  CHECK_FALSE(parse_answer_source("email"));
}

TEST_CASE("the ask step posts an introduction, then each question numbered", "[unit]") {
  incident inc;
  inc.number = 7;
  inc.title = "checkout down";
  const std::vector<asked_question> questions{{"impact", "Who was hurt?", std::nullopt},
                                              {"lucky", "Where did we get lucky?", std::nullopt}};
  const auto plain = question_messages(inc, questions, "", "!incident");
  REQUIRE(plain.size() == 3);
  CHECK(plain[0].starts_with("Postmortem of INC-7 · checkout down\n2 questions follow"));
  CHECK(plain[0].find("blameless") != std::string::npos);
  CHECK(plain[0].find("now with `!incident draft`") != std::string::npos);
  CHECK(plain[0].find("  ") == std::string::npos);
  CHECK(plain[1] == "Question 1 of 2 · impact\nWho was hurt?");
  CHECK(plain[2] == "Question 2 of 2 · lucky\nWhere did we get lucky?");
  const auto slack = question_messages(inc, questions, "Or answer them all in a form.", "/inc");
  CHECK(slack[0].find("welcome. Or answer them all in a form. The draft follows") !=
        std::string::npos);
  CHECK(slack[0].find("now with `/inc draft`") != std::string::npos);
  CHECK(slack[2] == plain[2]);
}
