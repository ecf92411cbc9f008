#include "config/keys.hpp"
#include "config/loader.hpp"
#include "tests/config/key_row.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using Catch::Matchers::Contains;
namespace config = scribe::config;

namespace {

const config::key_spec& row(std::string_view name) {
  return scribe::test_support::key_row(name);
}

std::vector<config::postmortem_question> questions_from(std::string_view text) {
  config::options opts;
  row("postmortem.questions").parse(text, opts);
  return opts.postmortem.questions;
}

// The reason postmortem.questions gives for refusing `text`.
std::string questions_error(std::string_view text) {
  try {
    questions_from(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string timezone_from(std::string_view text) {
  config::options opts;
  row("postmortem.timezone").parse(text, opts);
  return opts.postmortem.timezone;
}

// n questions "q1".."qn", each with the text "Question n?".
std::string numbered_questions(std::size_t n) {
  std::string yaml;
  for (std::size_t i = 1; i <= n; ++i) {
    yaml += "- {id: q" + std::to_string(i) + ", text: \"Question " + std::to_string(i) + "?\"}\n";
  }
  return yaml;
}

}  // namespace

TEST_CASE("every key is section.key in lower case, named once", "[unit]") {
  std::set<std::string> names;
  std::set<std::string> env_names;
  for (const auto& key : config::key_table()) {
    INFO(key.name);
    CHECK(names.insert(key.name).second);
    // Two names mapping to one variable would make the environment ambiguous.
    CHECK(env_names.insert(key.env_name()).second);
    CHECK(!key.section().empty());
    CHECK(!key.leaf().empty());
    CHECK(key.leaf().find('.') == std::string_view::npos);
    for (char c : key.name)
      CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'));
    CHECK(key.parse);
    CHECK(key.show);
  }
}

TEST_CASE("environment names derive from key names", "[unit]") {
  CHECK(config::env_name_for("server.listen") == "SCRIBE_SERVER_LISTEN");
  CHECK(config::env_name_for("server.body_limit") == "SCRIBE_SERVER_BODY_LIMIT");
  CHECK(config::env_name_for("slack.signing_secret") == "SCRIBE_SLACK_SIGNING_SECRET");
}

TEST_CASE("the table lists the keys and defaults of options.hpp, in order", "[unit]") {
  // Pins down what an operator sees in the start-up log; a changed default must be deliberate.
  std::vector<std::pair<std::string, std::string>> expected{
      {"server.listen", "127.0.0.1:8080"},
      {"server.public_url", ""},
      {"server.body_limit", "64KiB"},
      {"server.read_timeout", "10s"},
      {"server.idle_timeout", "1m"},
      {"server.shutdown_timeout", "10s"},
      {"server.threads", "1"},
      {"storage.url", "sqlite:data/scribe.db"},
      {"storage.connections", "4"},
      {"jobs.lease", "2m"},
      {"jobs.max_pending", "10000"},
      {"slack.signing_secret", "(not set)"},
      {"slack.bot_token", "(not set)"},
      {"slack.api_base_url", "https://slack.com/api"},
      {"slack.command", "/incident"},
      {"slack.flag_reaction", "pushpin"},
      {"slack.api_timeout", "10s"},
      {"matrix.homeserver_url", ""},
      {"matrix.server_name", ""},
      {"matrix.as_token", "(not set)"},
      {"matrix.hs_token", "(not set)"},
      {"matrix.sender_localpart", "scribe"},
      {"matrix.command_prefix", "!incident"},
      {"matrix.flag_reaction", "\U0001F4CC"},
      {"matrix.allowed_servers", ""},
      {"matrix.api_timeout", "10s"},
      {"postmortem.questions",
       R"j([{"id": "impact", "text": "What was the impact, on whom, and for how long?"}, )j"
       R"j({"id": "detection", "text": "How did we become aware of the problem?"}, )j"
       R"j({"id": "went_well", "text": "What went well? What helped us?"}, )j"
       R"j({"id": "went_wrong", "text": "What went wrong? What slowed us down?"}, )j"
       R"j({"id": "lucky", "text": "Where did we get lucky?"}, )j"
       R"j({"id": "learned", "text": "What do we know now that we did not know before?"}, )j"
       R"j({"id": "factors", "text": "What contributed to this incident? (There is rarely a )j"
       R"j(single root cause: list the conditions that together made it possible.)"}, )j"
       R"j({"id": "actions", "text": "What follow-up actions will make this less likely or )j"
       R"j(less harmful? Give each an owner (an @mention) and, where you can, a due date."}])j"},
      {"postmortem.remind_after", "4h"},
      {"postmortem.draft_after", "1d"},
      {"postmortem.gap_marker", "30m"},
      {"postmortem.timezone", ""},
      {"postmortem.review_replies", "private"},
      {"web.token", "(not set)"},
      {"web.playground", "auto"},
      {"tls.ca_file", ""},
      {"log.level", "info"},
  };
  CHECK(config::describe(config::options{}) == expected);
}

TEST_CASE("every row reads back what it shows", "[unit]") {
  config::options changed;
  changed.server.listen_host = "::1";
  changed.server.listen_port = 9;
  changed.server.public_url = "https://scribe.example.com/base";
  changed.server.body_limit = 1500;
  changed.server.read_timeout = std::chrono::milliseconds(1500);
  changed.server.idle_timeout = std::chrono::hours(48);
  changed.server.shutdown_timeout = std::chrono::minutes(5);
  changed.server.threads = 64;
  changed.storage.url = "sqlite:/var/lib/scribe/scribe.db";
  changed.storage.connections = 16;
  changed.jobs.max_pending = 250;
  changed.jobs.lease = std::chrono::seconds(45);
  changed.slack.signing_secret = "8f742231b10e8888abcd99yyyzzz85a5";
  changed.slack.bot_token = "xoxb-1-2-abc";
  changed.slack.api_base_url = "https://127.0.0.1:8443/api";
  changed.slack.command = "/inc";
  changed.slack.flag_reaction = "round_pushpin";
  changed.slack.api_timeout = std::chrono::seconds(3);
  changed.matrix.homeserver_url = "https://matrix.example.org:8448/base";
  changed.matrix.server_name = "[2001:db8::1]:8448";
  changed.matrix.as_token = "as-0123456789abcdef";
  changed.matrix.hs_token = "hs-0123456789abcdef";
  changed.matrix.sender_localpart = "scribe.bot+1=/x_-";
  changed.matrix.command_prefix = "!inc";
  changed.matrix.flag_reaction = "\u2764\uFE0F";  // a heart with its emoji variation selector
  changed.matrix.allowed_servers = {"example.org", "10.0.0.1:8448", "[::1]"};
  changed.matrix.api_timeout = std::chrono::milliseconds(2500);
  // Quotes, backslashes, line breaks, tabs, non-ASCII and YAML syntax must all survive the trip.
  changed.postmortem.questions = {
      {"q1", "Say \"why\", not \\who\\:\n- one line\n\t- and # another"},
      {"impact_2", "Quelle était l'impact ? 影響は? {a: [b]} &x *x !tag"},
  };
  changed.postmortem.remind_after = std::chrono::minutes(90);
  changed.postmortem.draft_after = std::chrono::hours(48);
  changed.postmortem.gap_marker = std::chrono::seconds(45);
  changed.postmortem.timezone = "Europe/Berlin";
  changed.postmortem.review_replies = false;
  changed.web.token = "0123456789abcdef";
  changed.web.playground = false;
  changed.tls.ca_file = "/etc/passwd";  // any readable file: the row checks only that
  changed.log.level = scribe::log::level::debug;
  for (const config::options& opts : {config::options{}, changed}) {
    for (const auto& key : config::key_table()) {
      INFO(key.name);
      config::options round_trip;
      key.parse(key.show(opts), round_trip);
      CHECK(key.show(round_trip) == key.show(opts));
      // describe() and the start-up log print one line per key.
      CHECK(key.show(opts).find('\n') == std::string::npos);
    }
  }
  // Beyond showing alike: the questions read back are exactly the ones shown.
  config::options round_trip;
  row("postmortem.questions").parse(row("postmortem.questions").show(changed), round_trip);
  CHECK(round_trip.postmortem.questions == changed.postmortem.questions);
  // The changed values really differ from the defaults, so the loop above tested something.
  auto defaults = config::describe(config::options{});
  auto shown = config::describe(changed);
  for (std::size_t i = 0; i < defaults.size(); ++i) {
    INFO(defaults[i].first);
    CHECK(shown[i].second != defaults[i].second);
  }
}

TEST_CASE("secret() marks a row secret and keeps its behaviour", "[unit]") {
  const auto& plain = config::key_table().front();
  auto hidden = config::secret(plain);
  CHECK_FALSE(plain.secret);
  CHECK(hidden.secret);
  CHECK(hidden.name == plain.name);
  CHECK(hidden.show(config::options{}) == plain.show(config::options{}));
}

TEST_CASE("only postmortem.questions takes a structured value", "[unit]") {
  for (const auto& key : config::key_table()) {
    INFO(key.name);
    CHECK(key.structured == (key.name == "postmortem.questions"));
  }
}

TEST_CASE("postmortem.questions reads block YAML, flow YAML and JSON", "[unit]") {
  const std::vector<config::postmortem_question> expected{
      {"impact", "What was the impact?"},
      {"actions_2", "What will we do?\nWho owns each action?"},
  };
  CHECK(questions_from("- id: impact\n  text: What was the impact?\n"
                       "- text: |\n    What will we do?\n    Who owns each action?\n"
                       "  id: actions_2\n") == expected);
  CHECK(questions_from(R"([{id: impact, text: "What was the impact?"},)"
                       R"( {id: actions_2, text: "What will we do?\nWho owns each action?"}])") ==
        expected);
  CHECK(questions_from(
            R"([{"id": "impact", "text": "  What was the impact?\n"},)"
            R"( {"id": "actions_2", "text": "What will we do?\nWho owns each action?"}])") ==
        expected);
  // The limits themselves are allowed.
  CHECK(questions_from(numbered_questions(20)).size() == 20);
  std::string longest_id(32, 'a');
  CHECK(questions_from("[{id: " + longest_id + ", text: x}]").front().id == longest_id);
  std::string longest_text;
  for (int i = 0; i < 1000; ++i) longest_text += "é?";  // 2000 characters, 3000 bytes
  CHECK(questions_from("[{id: a, text: \"" + longest_text + "\"}]").front().text == longest_text);
}

struct bad_questions {
  std::string yaml;
  std::string reason;
};

TEST_CASE("postmortem.questions refuses what Scribe could not ask, naming the item", "[unit]") {
  auto bad = GENERATE(values<bad_questions>({
      {"", "expected a list of {id, text} maps, got nothing"},
      {"impact", "expected a list of {id, text} maps, got a single value"},
      {"{id: impact, text: x}", "expected a list of {id, text} maps, got a map"},
      {"[]", "got an empty list: at least one question is needed"},
      {"[{id: a, text: b}", "not valid YAML (end of sequence flow not found at line 1, column 1)"},
      {"[{id: a, text: b}]\n---\n[{id: c, text: d}]\n", "got 2 YAML documents"},
      {"- {id: a, text: b}\n- impact\n",
       "item 2: expected a map with id and text, got a single value"},
      {"[[a, b]]", "item 1: expected a map with id and text, got a list"},
      {"[{id: a}]", "item 1: text is missing"},
      {"[{text: \"What?\"}]", "item 1: id is missing"},
      // yaml-cpp 0.7 refuses '?' in an unquoted scalar in flow style: the message shows quotes.
      {"[{id: lucky, text: Where did we get lucky?}]",
       "not valid YAML (unknown token at line 1, column 42); expected a list of {id, text} maps "
       "with each text in double quotes, such as [{id: impact, text: \"What was the impact?\"}]"},
      {"[{id: a, text: b, title: c}]",
       "item 1: unknown key \"title\"; expected exactly id and text"},
      {"[{id: a, text: b, [x]: c}]", "item 1: a key that is not a plain name"},
      {"[{id: a, text: b, id: c}]", "item 1: id is given twice"},
      {"[{id: a, text: [b]}]", "item 1: text must be a single value, got a list"},
      {"[{id: a, text: b}, {id: b, text: c}, {id: Bad Id, text: d}]",
       "item 3: id \"Bad Id\" must be 1-32 lower-case letters, digits or _"},
      {"[{id: ~, text: b}]", "item 1: id \"\" must be 1-32"},
      {"[{id: a-b, text: b}]", "item 1: id \"a-b\" must be 1-32"},
      {"[{id: " + std::string(33, 'a') + ", text: b}]", "must be 1-32"},
      {"[{id: impact, text: a}, {id: impact, text: b}]",
       "item 2: id \"impact\" appears twice (first in item 1)"},
      {"[{id: a, text: b}, {id: c, text: \"  \\n \"}]", "item 2: text is empty"},
      {"[{id: a, text: ~}]", "item 1: text is empty"},
      {"[{id: a, text: \"a\\0b\"}]", "item 1: text contains a control character"},
      {"[{id: a, text: \"caf\xc3\"}]", "item 1: text is not valid UTF-8"},
      {"[{id: a, text: \"\xc0\xaf\"}]", "item 1: text is not valid UTF-8"},      // overlong
      {"[{id: a, text: \"\xed\xa0\x80\"}]", "item 1: text is not valid UTF-8"},  // surrogate
      {"[{id: a, text: " + std::string(2001, 'x') + "}]",
       "item 1: text is 2001 characters long; at most 2000 fit in a Slack form label"},
      {numbered_questions(21), "at most 20 questions, got 21"},
  }));
  INFO(bad.yaml);
  CHECK_THAT(questions_error(bad.yaml), Contains(bad.reason));
}

TEST_CASE("a question id repeated in a message is escaped and cut short", "[unit]") {
  try {
    questions_from("[{id: \"" + std::string(100, 'X') + "\\n\", text: b}]");
    FAIL("a bad id was accepted");
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    CHECK_THAT(what, Contains("\"XXXX"));
    CHECK_THAT(what, Contains("\"..."));
    CHECK(what.find('\n') == std::string::npos);
    CHECK(what.size() < 150);
  }
}

TEST_CASE("postmortem.timezone takes the zones the time zone database knows", "[unit]") {
  CHECK(timezone_from("").empty());
  CHECK(timezone_from("Europe/Berlin") == "Europe/Berlin");
  CHECK(timezone_from("America/New_York") == "America/New_York");
  CHECK(timezone_from("UTC") == "UTC");
  for (std::string_view unknown :
       {"Mars/Olympus", "europe/berlin", "Europe/Berlin ", "../UTC", "/usr/share/zoneinfo/UTC"}) {
    INFO(unknown);
    CHECK_THROWS_WITH(timezone_from(unknown),
                      "unknown time zone; expected an IANA name such as Europe/Berlin or "
                      "America/New_York");
  }
}
