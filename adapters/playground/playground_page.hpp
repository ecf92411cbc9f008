#pragma once
// The playground's page: the channel's messages with their threads and reactions, and the box to
// write in. Pure functions from messages to HTML, so tests check the markup without a server.
//
// Everything people wrote is escaped; Scribe's drafts are rendered from their Markdown by
// bot::markdown::to_html, which escapes too. The element ids and classes are what
// /static/playground.js and the browser tests rely on: #messages, li.message#m<id> (with .bot,
// .author, .body, .reactions, form.pin button.pin, a.reply, ol.thread); until the page knows the
// reader's name, form#name-form with #author and #start, and no 📌 buttons; then form#composer
// with #text, #send, #viewer and a#rename, and #replying-to in a thread.

#include "bot/chat_log.hpp"

#include <optional>
#include <string>
#include <vector>

namespace scribe::playground {

// The list items of #messages: messages outside threads in order, each with its thread's replies
// below it. Messages meant for someone else than `viewer` (a person id; may be empty) are left out.
// People's messages get a 📌 button once `viewer` is known (a flag is someone's); only Scribe's
// postmortem questions offer their thread, because a reply there is an answer and anywhere else
// it would be a reply Scribe does nothing with.
std::string render_messages(const std::vector<bot::chat_message>& messages,
                            const std::string& viewer);

struct page_state {
  std::string viewer;                       // the name this browser writes with; empty: unknown
  std::optional<bot::chat_message> thread;  // replying in this message's thread
  std::string error;                        // why the last post was refused; empty: none
  std::string draft_text;                   // what the refused post said, to edit and resend
  bool changing_name = false;               // ask for the name again although it is known
};

// The page's <main> content: the messages, then the form that asks for the reader's name (once,
// before anything else, or again with changing_name) or the composer.
std::string render_page(const std::vector<bot::chat_message>& messages, const page_state& state);

// A message's text as HTML: escaped, `code` spans as <code>, line breaks kept.
std::string text_to_html(std::string_view text);

}  // namespace scribe::playground
