// Every JSON body Slack sends Scribe (adapters/slack/payloads.hpp): Events API envelopes and their
// inner events, interactivity payloads (the JSON of a form's `payload` field, given here directly
// so that the fuzzer works on JSON rather than on its percent-encoding), and Web API responses.

#include "adapters/http/form.hpp"
#include "adapters/slack/payloads.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace {

namespace fuzz = scribe::fuzz;
namespace http = scribe::http;
namespace slack = scribe::slack;

void check_event_envelope(std::string_view body) {
  const auto envelope = slack::parse_event_envelope(body);
  if (!envelope) return;
  SCRIBE_FUZZ_CHECK(!envelope->type.empty());
  if (envelope->type == "event_callback") {
    SCRIBE_FUZZ_CHECK(!envelope->event_id.empty() && !envelope->team_id.empty());
    SCRIBE_FUZZ_CHECK(envelope->event.is_object());
  }
  // The adapter stores events as text: dumping what was accepted must be safe (it recurses).
  (void)envelope->event.dump();
  const auto event = slack::parse_event(envelope->event);
  if (const auto* reaction = std::get_if<slack::reaction_event>(&event)) {
    const auto base = slack::reaction_base_name(reaction->reaction);
    SCRIBE_FUZZ_CHECK(fuzz::is_within(base, reaction->reaction));
  }
  if (const auto* ignored = std::get_if<slack::ignored_event>(&event)) {
    SCRIBE_FUZZ_CHECK(!ignored->why.empty());
  }
}

void check_interaction(std::string_view payload) {
  http::form_fields form;
  form.entries.emplace_back("payload", std::string(payload));
  const auto parsed = slack::parse_interaction(form);
  if (!parsed) return;
  if (const auto* shortcut = std::get_if<slack::message_shortcut>(&*parsed)) {
    SCRIBE_FUZZ_CHECK(!shortcut->callback_id.empty() && !shortcut->channel_id.empty());
    SCRIBE_FUZZ_CHECK(!shortcut->user_id.empty() && !shortcut->message_ts.empty());
  } else if (const auto* actions = std::get_if<slack::block_action>(&*parsed)) {
    SCRIBE_FUZZ_CHECK(!actions->user_id.empty());
  } else if (const auto* submission = std::get_if<slack::view_submission>(&*parsed)) {
    SCRIBE_FUZZ_CHECK(!submission->user_id.empty() && !submission->view_id.empty());
  }
}

// api_reply's promise: `value` is set if and only if `status.ok`.
template <class T>
void check_reply(const scribe::bot::result<slack::api_reply<T>>& reply) {
  if (reply) SCRIBE_FUZZ_CHECK(reply->status.ok == reply->value.has_value());
}

void check_web_api(std::string_view body) {
  const auto status = slack::parse_api_result(body);
  const auto message = slack::parse_history_message(body, "1482960137.003543");
  check_reply(message);
  if (message && message->value) SCRIBE_FUZZ_CHECK(message->value->ts == "1482960137.003543");
  check_reply(slack::parse_permalink(body));
  const auto names = slack::parse_user_name(body);
  check_reply(names);
  if (names && names->value) SCRIBE_FUZZ_CHECK(!names->value->display.empty());
  check_reply(slack::parse_posted_ts(body));
  check_reply(slack::parse_posted_page(body));
  // Every response parser reads the same envelope first.
  if (!status) SCRIBE_FUZZ_CHECK(!slack::parse_permalink(body));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = fuzz::as_text(data, size);
  check_event_envelope(body);
  check_interaction(body);
  check_web_api(body);
  return 0;
}
