// `scribe review`: what it prints and the exit codes scripts rely on.
#include "app/review.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace scribe::app;

namespace {

struct run_result {
  int code;
  std::string out;
  std::string err;
};

run_result review(invocation inv, const std::string& input = "") {
  inv.command = sub_command::review;
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  const int code = review_text(inv, in, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("review prints each finding with where, sentence, why and rewrite", "[unit][review]") {
  const auto r = review({}, "The pool was small.\nKevin ignored the alerts for two hours.\n");
  CHECK(r.code == exit_findings);
  CHECK_THAT(r.out, Catch::StartsWith("<stdin>:2:1: blame (judgement): \"Kevin ignored\"\n"
                                      "  sentence: Kevin ignored the alerts for two hours.\n"
                                      "  why: "));
  CHECK_THAT(r.out, Catch::Contains("  rewrite: The alerts went unanswered for two hours. What "
                                    "made them easy to miss?\n"));
  CHECK_THAT(r.out, Catch::EndsWith("1 finding: 1 blame, 0 advice\n"));
  CHECK(r.err.empty());
}

TEST_CASE("review exits 0 for blameless text", "[unit][review]") {
  const auto r = review({}, "The cache forgot its keys on restart.");
  CHECK(r.code == exit_ok);
  CHECK(r.out == "No blameful or unhelpful wording found.\n");
}

TEST_CASE("review --json prints the findings as the API does", "[unit][review]") {
  invocation inv;
  inv.json = true;
  inv.people = "vik";
  const auto r = review(inv, "the canary was skipped by vik");
  CHECK(r.code == exit_findings);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["findings"].size() == 1);
  const auto& f = j["findings"][0];
  CHECK(f["quote"] == "by vik");
  CHECK(f["offset"] == 23);
  CHECK(f["kind"] == "blame");
  CHECK(f["rule"] == "passive_blame");
  CHECK(f["sentence"] == "the canary was skipped by vik");
  CHECK(f["rewrite"] ==
        "The canary was skipped. What made that possible, and what would have "
        "stopped it?");
  CHECK(f["suggestion"].is_string());
  inv.people.clear();
  const auto empty = review(inv, "All good.");
  CHECK(empty.code == exit_ok);
  CHECK(nlohmann::json::parse(empty.out) == nlohmann::json{{"findings", nlohmann::json::array()}});
}

TEST_CASE("review reads a file, and exits 66 when there is none", "[unit][review]") {
  const auto path = std::filesystem::temp_directory_path() / "scribe-review-test.md";
  {
    std::ofstream f(path);
    f << "# Impact\n\nIn hindsight, the TTL was too long.\n";
  }
  invocation inv;
  inv.file = path.string();
  const auto r = review(inv);
  CHECK(r.code == exit_findings);
  CHECK_THAT(r.out,
             Catch::StartsWith(path.string() + ":3:1: advice (hindsight): \"In hindsight\""));
  std::filesystem::remove(path);
  const auto missing = review(inv);
  CHECK(missing.code == exit_no_input);
  CHECK(missing.out.empty());
  CHECK_THAT(missing.err, Catch::Contains("no such file: " + path.string()));
  inv.file = std::filesystem::temp_directory_path().string();  // a folder is not a text
  CHECK(review(inv).code == exit_no_input);
}
