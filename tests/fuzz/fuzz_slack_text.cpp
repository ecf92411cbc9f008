// Slack's mrkdwn text (adapters/slack/text.hpp): what people wrote, as it arrives in events, made
// readable for the timeline; and text Scribe sends, escaped so that it cannot form mentions.

#include "adapters/slack/text.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace {

namespace fuzz = scribe::fuzz;
namespace slack = scribe::slack;

void check_escaping(std::string_view text) {
  const std::string escaped = slack::escape_text(text);
  SCRIBE_FUZZ_CHECK(escaped.find_first_of("<>") == std::string::npos);
  // Escaped text forms no reference, so reading it gives back what was escaped.
  SCRIBE_FUZZ_CHECK(slack::plain_text(escaped) == text);
  SCRIBE_FUZZ_CHECK(slack::unlabelled_mentions(escaped).empty());
}

void check_mentions(std::string_view text) {
  const auto ids = slack::unlabelled_mentions(text);
  std::map<std::string, std::string> names;
  for (const auto& id : ids) {
    SCRIBE_FUZZ_CHECK(!id.empty() && id.find_first_of("|<>") == std::string::npos);
    names.emplace(id, "name");
  }
  // Once every unlabelled mention has a name, none is left without one.
  SCRIBE_FUZZ_CHECK(slack::unlabelled_mentions(slack::label_mentions(text, names)).empty());
  // With no names known, nothing changes.
  SCRIBE_FUZZ_CHECK(slack::label_mentions(text, {}) == text);
}

void check_leading_mention(std::string_view text) {
  SCRIBE_FUZZ_CHECK(fuzz::is_within(slack::strip_leading_mention(text), text));
  SCRIBE_FUZZ_CHECK(fuzz::is_within(slack::strip_leading_mention(text, "U0BOT"), text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  (void)slack::plain_text(text);
  check_escaping(text);
  check_mentions(text);
  check_leading_mention(text);
  return 0;
}
