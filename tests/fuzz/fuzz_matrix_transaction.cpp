// What a Matrix homeserver PUTs to /_matrix/app/v1/transactions/{txnId}
// (adapters/matrix/payloads.hpp): the transaction body, then each client event in it, as the
// Matrix adapter reads them; and the two reply-fallback strippers on the raw text.

#include "adapters/matrix/payloads.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace {

namespace fuzz = scribe::fuzz;
namespace matrix = scribe::matrix;

// How deeply arrays and objects nest in `value` (a scalar is 0), without recursion, so that a
// failure of parse_transaction's pruning shows as a broken invariant rather than a stack overflow.
std::size_t nesting_of(const nlohmann::json& value) {
  std::size_t deepest = 0;
  std::vector<std::pair<const nlohmann::json*, std::size_t>> pending{{&value, 0}};
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const auto& child : *node) pending.emplace_back(&child, depth + 1);
  }
  return deepest;
}

bool has_sigils(const std::string& event_id, const std::string& room_id,
                const std::string& sender) {
  return event_id.starts_with('$') && room_id.starts_with('!') && sender.starts_with('@');
}

void check_event(const nlohmann::json& event) {
  SCRIBE_FUZZ_CHECK(nesting_of(event) <= matrix::max_json_depth);
  (void)event.dump();  // the adapter logs and stores events as text
  const auto parsed = matrix::parse_event(event);
  if (const auto* message = std::get_if<matrix::room_message>(&parsed)) {
    SCRIBE_FUZZ_CHECK(has_sigils(message->event_id, message->room_id, message->sender));
    if (message->relation.kind != matrix::relation_kind::none) {
      SCRIBE_FUZZ_CHECK(!message->relation.event_id.empty());
    }
  } else if (const auto* reaction = std::get_if<matrix::reaction_event>(&parsed)) {
    SCRIBE_FUZZ_CHECK(has_sigils(reaction->event_id, reaction->room_id, reaction->sender));
  } else if (const auto* redaction = std::get_if<matrix::redaction_event>(&parsed)) {
    SCRIBE_FUZZ_CHECK(has_sigils(redaction->event_id, redaction->room_id, redaction->sender));
    SCRIBE_FUZZ_CHECK(!redaction->redacts.empty());
  } else if (const auto* invite = std::get_if<matrix::invite_event>(&parsed)) {
    SCRIBE_FUZZ_CHECK(has_sigils(invite->event_id, invite->room_id, invite->sender));
    SCRIBE_FUZZ_CHECK(invite->invitee.starts_with('@'));
  } else {
    SCRIBE_FUZZ_CHECK(!std::get<matrix::ignored_event>(parsed).why.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = fuzz::as_text(data, size);
  if (const auto events = matrix::parse_transaction(body)) {
    for (const auto& event : *events) check_event(event);
  }
  SCRIBE_FUZZ_CHECK(fuzz::is_within(matrix::strip_reply_fallback(body), body));
  SCRIBE_FUZZ_CHECK(fuzz::is_within(matrix::strip_html_reply_fallback(body), body));
  return 0;
}
