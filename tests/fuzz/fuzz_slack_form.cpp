// Slack's form bodies as they arrive (adapters/slack/payloads.hpp): a slash command, Slack's
// ssl_check probe, or an interactivity request whose `payload` field holds percent-encoded JSON.

#include "adapters/http/form.hpp"
#include "adapters/slack/payloads.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <variant>

namespace {

namespace fuzz = scribe::fuzz;
namespace http = scribe::http;
namespace slack = scribe::slack;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto form = http::parse_form(fuzz::as_text(data, size));
  if (!form) return 0;
  (void)slack::is_ssl_check(*form);
  if (const auto command = slack::parse_slash_command(*form)) {
    // The fields parse_slash_command promises.
    SCRIBE_FUZZ_CHECK(!command->team_id.empty() && !command->channel_id.empty());
    SCRIBE_FUZZ_CHECK(!command->user_id.empty() && !command->command.empty());
  }
  const auto interaction = slack::parse_interaction(*form);
  if (!form->get("payload")) SCRIBE_FUZZ_CHECK(!interaction);
  return 0;
}
