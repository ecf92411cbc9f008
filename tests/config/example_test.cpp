#include "config/loader.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
namespace config = scribe::config;

namespace {

const std::filesystem::path example_path =
    std::filesystem::path(SCRIBE_SOURCE_DIR) / "config/scribe.example.yaml";

}  // namespace

TEST_CASE("the example configuration is valid and gives exactly the defaults", "[unit]") {
  auto opts = config::load(example_path, {});
  CHECK(config::describe(opts) == config::describe(config::options{}));
}

TEST_CASE("the example writes out the default postmortem questions, word for word", "[unit]") {
  // describe() compares them too; this says which question differs when one does.
  auto questions = config::load(example_path, {}).postmortem.questions;
  auto defaults = config::default_postmortem_questions();
  REQUIRE(questions.size() == defaults.size());
  for (std::size_t i = 0; i < defaults.size(); ++i) {
    INFO(defaults[i].id);
    CHECK(questions[i].id == defaults[i].id);
    CHECK(questions[i].text == defaults[i].text);
  }
}

TEST_CASE("the example configuration documents every key", "[unit]") {
  // Wrapping every row's parser records which keys the example sets.
  std::set<std::string> set_in_example;
  std::vector<config::key_spec> recording = config::key_table();
  for (auto& key : recording) {
    key.parse = [&set_in_example, name = key.name, parse = key.parse](std::string_view text,
                                                                      config::options& opts) {
      set_in_example.insert(name);
      parse(text, opts);
    };
  }
  config::load(example_path, {}, recording);

  std::ifstream in(example_path);
  std::ostringstream text;
  text << in.rdbuf();
  for (const auto& key : config::key_table()) {
    INFO(key.name);
    // Secrets are documented but left out: they belong in the environment.
    CHECK(set_in_example.contains(key.name) != key.secret);
    CHECK_THAT(text.str(), Contains("(" + key.env_name() + ")"));
  }
}
