#pragma once
// Scribe's replies rendered as Slack message bodies: a slash command's response, and
// chat.postMessage calls. Long replies are split into several messages rather than being rejected
// or truncated by Slack (PROTOCOLS.md 5 "Content limits").
// Pure functions, safe from any thread; they never throw for any text (allocation aside).

#include "bot/incident.hpp"
#include "bot/incident_desk.hpp"
#include "bot/postmortem.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::slack {

// Slack's limits, counted in UTF-16 code units (what Slack's JavaScript clients count; an emoji
// outside the BMP counts 2), after escaping. Tests shrink or widen them one at a time; a limit
// under 8 counts as 8 (room for one &amp; escape), and max_blocks 0 as 1.
struct message_limits {
  std::size_t max_blocks = 50;          // blocks per message (DOC:"Blocks")
  std::size_t max_section_text = 3000;  // one section block's text (python-slack-sdk SectionBlock)
  std::size_t max_text = 40000;         // the top-level text; longer is truncated (PYMOD)
  // All block text of one message. Undocumented: chat.postMessage answers msg_blocks_too_long
  // from about 13,200 characters (bolt-js issue #2509), so stay well under it.
  std::size_t max_message_block_text = 12000;
};

// A reply split into Slack messages: `first` answers the request itself, `rest` (usually empty)
// follows in order.
struct rendered {
  nlohmann::json first;
  std::vector<nlohmann::json> rest;
};

// The HTTP 200 body answering a slash command (PROTOCOLS.md 2):
// {"response_type": "in_channel" | "ephemeral", "text": ..., "blocks": [section...]}, in_channel
// if and only if the reply's visibility is channel. `rest` holds the following parts in the same
// shape, to POST in order to the command's response_url. That URL takes 5 posts in 30 minutes
// (PROTOCOLS.md 2), so parts past the fifth must go by chat.postMessage (channel replies) or be
// dropped; with the default limits that takes a reply of over 70,000 characters.
rendered slash_command_response(const bot::bot_reply& reply, const message_limits& limits = {});

// chat.postMessage bodies for `text`, in posting order: {"channel", "text", "blocks",
// "unfurl_links": false, "thread_ts"?}. At least one; more when the text exceeds the limits.
std::vector<nlohmann::json> chat_messages(std::string_view channel, std::string_view text,
                                          std::optional<std::string> thread_ts,
                                          const message_limits& limits = {});

// Markdown as Scribe writes it (bot/markdown.hpp) in Slack's mrkdwn: headings become bold lines,
// list items bullets, **bold** *bold*, *italic* _italic_, [label](url) <url|label>; text is
// escaped as escape_text() does, so nothing in it forms a mention or a link.
std::string markdown_to_mrkdwn(std::string_view markdown);

// chat.postMessage bodies for a postmortem draft (Markdown), in posting order, within the
// limits. When the draft needs more than `max_messages` messages, the last one says where the
// rest is: `full_draft_url` if not empty, else `scribe export`.
std::vector<nlohmann::json> draft_messages(std::string_view channel, std::string_view markdown,
                                           std::size_t max_messages,
                                           std::string_view full_draft_url,
                                           const message_limits& limits = {});

// The action id of the "Answer in a form" button; its value is the incident's id.
inline constexpr std::string_view answer_form_action = "postmortem_answer_form";
// The callback id of the answers modal; its private_metadata is the incident's id.
inline constexpr std::string_view answer_form_callback = "postmortem_answers";
// The action id of each text field in the modal; its block id is the question's id.
inline constexpr std::string_view answer_field_action = "answer";

// A chat.postMessage body: plain `text` (escaped like chat_messages) with an "Answer in a form"
// button for `incident_id` below it.
nlohmann::json message_with_form_button(std::string_view channel, std::string_view text,
                                        std::int64_t incident_id);

// The views.open `view`: a modal with one optional multi-line field per question.
nlohmann::json answer_form_view(const bot::incident& inc,
                                const std::vector<bot::asked_question>& questions);

// How `text` is cut into messages, each a list of section texts (escaped mrkdwn). The building
// block of the two functions above, exposed for tests:
// - '&', '<' and '>' are escaped first (bot replies are plain text with `code` spans and
//   newlines, already valid mrkdwn otherwise), and invalid UTF-8 becomes U+FFFD so the JSON can
//   always be serialized;
// - sections are cut at line ends; a line longer than a section is cut after its last space
//   that fits, else at a code point boundary, never inside a UTF-8 sequence or an &amp; escape;
// - sections fill messages in order while the block count, the message's block text (the sum of
//   its sections) and its `text` fallback (the sections joined by newlines) stay within the
//   limits;
// - blank lines at the edges of a section are dropped; empty or all-blank text gives one message
//   with one section, "(empty)", since Slack rejects a message without text.
std::vector<std::vector<std::string>> split_for_slack(std::string_view text,
                                                      const message_limits& limits = {});

// split_for_slack for text that is mrkdwn already (escaped, with markup and <url|label> links,
// which are never cut).
std::vector<std::vector<std::string>> split_mrkdwn(std::string_view mrkdwn,
                                                   const message_limits& limits = {});

// The length Slack counts: UTF-16 code units of UTF-8 `text` (a 4-byte sequence counts 2).
std::size_t slack_length(std::string_view text);

}  // namespace scribe::slack
