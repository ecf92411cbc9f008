// The command language people type after /incident (Slack) or !incident (Matrix)
// (bot/command.hpp): whatever the text, parse_command() answers with a command or with advice.

#include "bot/command.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "text/text.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

namespace {

namespace bot = scribe::bot;
namespace fuzz = scribe::fuzz;

void check_command(std::string_view text, std::string_view invoked_as) {
  const auto command = bot::parse_command(text, invoked_as);
  if (const auto* open = std::get_if<bot::open_command>(&command)) {
    SCRIBE_FUZZ_CHECK(!open->title.empty());
    SCRIBE_FUZZ_CHECK(scribe::text::code_point_count(open->title) <= bot::max_title_length);
  } else if (const auto* note = std::get_if<bot::note_command>(&command)) {
    SCRIBE_FUZZ_CHECK(!note->text.empty());
    SCRIBE_FUZZ_CHECK(scribe::text::code_point_count(note->text) <= bot::max_text_length);
  } else if (const auto* severity = std::get_if<bot::severity_command>(&command)) {
    SCRIBE_FUZZ_CHECK(severity->severity >= 1 && severity->severity <= 5);
  } else if (const auto* close = std::get_if<bot::close_command>(&command)) {
    SCRIBE_FUZZ_CHECK(scribe::text::code_point_count(close->summary) <= bot::max_text_length);
  } else if (const auto* bad = std::get_if<bot::bad_command>(&command)) {
    // The reply goes back to the chat as it is: it must say something, in valid UTF-8.
    SCRIBE_FUZZ_CHECK(!bad->reply.empty());
    SCRIBE_FUZZ_CHECK(scribe::text::is_valid_utf8(bad->reply));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  check_command(text, "/incident");
  check_command(text, "!incident");
  return 0;
}
