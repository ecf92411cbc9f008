#pragma once
// What Scribe sends into Matrix rooms: m.notice messages (bots send notices so that no client
// ever answers them automatically, PROTOCOLS.md 8) with an HTML rendering beside the plain body,
// threads, replies and reactions, and the transaction ids that make a resent PUT harmless.
// Pure functions, safe from any thread; they never throw for any text (allocation aside).

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::matrix {

// An m.notice for a bot reply: plain text with `code` spans and newlines. The body is the text;
// formatted_body escapes it and renders code spans and line breaks.
nlohmann::json notice(std::string_view text);

// m.notice contents for a postmortem draft (Markdown): the Markdown as body, its HTML as
// formatted_body. Split between Markdown blocks so that each content stays under `max_bytes`
// (Matrix caps a whole event at 65,535 bytes: the default leaves room for the envelope and the
// JSON escaping); a single block longer than that is cut between lines, or within one.
std::vector<nlohmann::json> draft_notices(std::string_view markdown, std::size_t max_bytes = 24000);

// Makes `content` part of the thread rooted at `root_event_id` (PROTOCOLS.md 8 "Thread"): a
// reply to `reply_to` within the thread, or, when that is empty, with the reply fallback to the
// root for clients without threads.
void in_thread(nlohmann::json& content, std::string_view root_event_id,
               std::string_view reply_to = {});

// Makes `content` a reply to `event_id`.
void in_reply_to(nlohmann::json& content, std::string_view event_id);

// An m.reaction's content: the annotation `key` on `event_id`.
nlohmann::json reaction(std::string_view event_id, std::string_view key);

// The transaction id of the `index`th event sent for `job_key`: equal inputs give equal ids, so a
// PUT resent after a failure or a crash is recognised by the homeserver and creates nothing new
// (PROTOCOLS.md 8 "Send"). Only [A-Za-z0-9._-], safe in a path segment.
std::string transaction_id(std::string_view job_key, std::size_t index);

}  // namespace scribe::matrix
