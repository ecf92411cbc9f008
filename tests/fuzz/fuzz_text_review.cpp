// The readers of free text in postmortem answers (bot/action_items.hpp, bot/wording_review.hpp):
// answers come from chat as people typed them, any length, any bytes.

#include "bot/action_items.hpp"
#include "bot/wording_review.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "text/text.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace bot = scribe::bot;
namespace fuzz = scribe::fuzz;
namespace text = scribe::text;

bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

void check_action_items(std::string_view answer) {
  // A fixed day near a year's end, so that dates without a year roll over.
  constexpr std::chrono::year_month_day today{std::chrono::year{2026}, std::chrono::month{12},
                                              std::chrono::day{20}};
  const bool valid_answer = scribe::text::is_valid_utf8(answer);
  for (const auto& item : bot::parse_action_items(answer, today)) {
    SCRIBE_FUZZ_CHECK(!item.text.empty());
    SCRIBE_FUZZ_CHECK(item.owner.empty() || item.owner.starts_with('@'));
    SCRIBE_FUZZ_CHECK(!item.due || item.due->ok());
    // Only ASCII bytes and whole UTF-8 sequences are taken out.
    if (valid_answer) SCRIBE_FUZZ_CHECK(scribe::text::is_valid_utf8(item.text));
  }
}

void check_wording(std::string_view text) {
  std::size_t previous_end = 0;
  // The fuzzer's bytes also stand for a known person, so that those paths run too.
  const std::vector<std::string> people{std::string(text.substr(0, 12))};
  const auto review = bot::review_answer(text, people);
  SCRIBE_FUZZ_CHECK(!review.rewrite || review.has_blame);
  for (const auto& finding : review.findings) {
    SCRIBE_FUZZ_CHECK(!finding.quote.empty() && !finding.rule.empty());
    SCRIBE_FUZZ_CHECK(!finding.suggestion.empty());
    SCRIBE_FUZZ_CHECK(finding.offset <= text.size());
    SCRIBE_FUZZ_CHECK(text.substr(finding.offset, finding.quote.size()) == finding.quote);
    // The quote lies in its sentence, as written.
    SCRIBE_FUZZ_CHECK(text.substr(finding.sentence_offset, finding.sentence.size()) ==
                      finding.sentence);
    SCRIBE_FUZZ_CHECK(finding.offset >= finding.sentence_offset &&
                      finding.offset + finding.quote.size() <=
                          finding.sentence_offset + finding.sentence.size());
    // A rewrite passes the review itself.
    if (finding.rewrite) SCRIBE_FUZZ_CHECK(bot::review_wording(*finding.rewrite, people).empty());
    // In text order, each reported once.
    SCRIBE_FUZZ_CHECK(finding.offset >= previous_end);
    previous_end = finding.offset + finding.quote.size();
    // No match starts or ends inside a multi-byte sequence.
    SCRIBE_FUZZ_CHECK(!is_continuation_byte(finding.quote.front()));
    SCRIBE_FUZZ_CHECK(previous_end == text.size() || !is_continuation_byte(text[previous_end]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  check_action_items(text);
  check_wording(text);
  return 0;
}
