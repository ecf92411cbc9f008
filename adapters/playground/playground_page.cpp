#include "adapters/playground/playground_page.hpp"

#include "adapters/playground/playground_channel.hpp"
#include "adapters/site/html.hpp"
#include "bot/markdown.hpp"
#include "text/text.hpp"

#include <algorithm>
#include <map>

namespace scribe::playground {
namespace {

using site::escape_html;

std::string body_html(const bot::chat_message& message) {
  if (message.format == bot::chat_format::markdown) {
    return bot::markdown::to_html(bot::markdown::parse(message.text));
  }
  return "<p>" + text_to_html(message.text) + "</p>";
}

// "📌 2" per emoji, naming who in the title.
std::string reactions_html(const bot::chat_message& message) {
  std::vector<std::pair<std::string, std::vector<std::string>>> grouped;
  for (const auto& reaction : message.reactions) {
    auto it = std::find_if(grouped.begin(), grouped.end(),
                           [&](const auto& g) { return g.first == reaction.emoji; });
    if (it == grouped.end()) it = grouped.insert(grouped.end(), {reaction.emoji, {}});
    it->second.push_back(reaction.by);
  }
  std::string out = "<span class=\"reactions\">";
  for (const auto& [emoji, people] : grouped) {
    std::string names;
    for (const auto& name : people) names += (names.empty() ? "" : ", ") + name;
    out += "<span class=\"reaction\" title=\"" + escape_html(names) + "\">" + escape_html(emoji) +
           " " + std::to_string(people.size()) + "</span>";
  }
  return out + "</span>";
}

bool flagged_by(const bot::chat_message& message, const std::string& viewer) {
  return std::any_of(message.reactions.begin(), message.reactions.end(),
                     [&](const auto& r) { return r.emoji == flag_emoji && r.by == viewer; });
}

std::string message_html(const bot::chat_message& message, const std::string& viewer,
                         const std::vector<const bot::chat_message*>& replies) {
  const std::string id = std::to_string(message.id);
  std::string out = "<li class=\"message" + std::string(message.from_bot ? " bot" : "") +
                    "\" id=\"m" + id + "\" data-id=\"" + id + "\">";
  out += "<div class=\"meta\"><span class=\"author\">" + escape_html(message.author.name) +
         "</span> <time datetime=\"" + bot::format_rfc3339(message.posted_at) + "\">" +
         bot::format_utc_clock(message.posted_at) + " UTC</time>";
  if (!message.visible_to.empty()) {
    out += " <span class=\"only-you\">only visible to you</span>";
  }
  out += "</div><div class=\"body\">" + body_html(message) + "</div><div class=\"actions\">";
  out += reactions_html(message);
  if (!message.from_bot && !viewer.empty()) {
    const bool pinned = flagged_by(message, viewer);
    out += "<form class=\"pin\" method=\"post\" action=\"/playground/messages/" + id +
           "/pin\"><button class=\"pin" + std::string(pinned ? " pinned" : "") +
           "\" type=\"submit\" title=\"" +
           (pinned ? "Take your flag back" : "Flag into the incident's timeline") + "\">" +
           flag_emoji + "</button></form>";
  }
  if (!message.thread_id && asks_question(message)) {
    out += "<a class=\"reply\" href=\"/playground?thread=" + id + "#m" + id +
           "\">Answer in thread</a>";
  }
  out += "</div>";
  if (!replies.empty()) {
    out += "<ol class=\"thread\">";
    for (const auto* reply : replies) out += message_html(*reply, viewer, {});
    out += "</ol>";
  }
  return out + "</li>\n";
}

bool visible(const bot::chat_message& message, const std::string& viewer) {
  return message.visible_to.empty() || message.visible_to == viewer;
}

constexpr std::string_view keys_hint = "Enter sends; Shift+Enter for a new line";

// Asked once, before the composer: every message and 📌 goes under this name, so a flag pressed
// before writing anything is never lost for want of one.
std::string name_form(const page_state& state) {
  std::string out = "<form id=\"name-form\" method=\"post\" action=\"/playground/name\">\n";
  if (!state.error.empty()) {
    out += "<p class=\"error\" id=\"error\">" + escape_html(state.error) + "</p>\n";
  }
  if (state.thread) {
    out += "<input type=\"hidden\" name=\"thread\" value=\"" + std::to_string(state.thread->id) +
           "\">\n";
  }
  out +=
      "<div class=\"row\"><label for=\"author\">Your name</label> <input id=\"author\" "
      "name=\"author\" required maxlength=\"" +
      std::to_string(max_name_bytes) + "\" value=\"" + escape_html(state.viewer) +
      "\" autocomplete=\"nickname\" placeholder=\"what others see\"> <button id=\"start\" "
      "type=\"submit\">" +
      (state.viewer.empty() ? "Start" : "Change") +
      "</button></div>\n<p class=\"as\">Your messages and flags (📌) go under this name; "
      "anyone may write under any name here.</p>\n</form>\n";
  return out;
}

std::string composer(const page_state& state) {
  std::string out = "<form id=\"composer\" method=\"post\" action=\"/playground/messages\">\n";
  if (!state.error.empty()) {
    out += "<p class=\"error\" id=\"error\">" + escape_html(state.error) + "</p>\n";
  }
  if (state.thread) {
    const std::string id = std::to_string(state.thread->id);
    const std::string quote = text::utf8_prefix(state.thread->text, 200);
    out += "<p id=\"replying-to\">" +
           (asks_question(*state.thread)
                ? std::string("Your reply answers ")
                : "Replying in the thread of " + escape_html(state.thread->author.name) + ": ") +
           "<q>" + text_to_html(quote) +
           "</q> <a href=\"/playground\">Back to the channel</a></p>\n"
           "<input type=\"hidden\" name=\"thread\" value=\"" +
           id + "\">\n";
  }
  out += "<input type=\"hidden\" name=\"author\" value=\"" + escape_html(state.viewer) +
         "\">\n<div class=\"row\"><label for=\"text\" class=\"visually-hidden\">Message</label>"
         "<textarea id=\"text\" name=\"text\" required rows=\"2\" maxlength=\"" +
         std::to_string(max_text_bytes) + "\" placeholder=\"" +
         (state.thread ? "Your answer. " : "A message, or /incident help. ") +
         std::string(keys_hint) + "\">" + escape_html(state.draft_text) +
         "</textarea><button id=\"send\" type=\"submit\">Send</button></div>\n"
         "<p class=\"as\">Writing as <strong id=\"viewer\">" +
         escape_html(state.viewer) + "</strong> · <a id=\"rename\" href=\"/playground?rename=1" +
         (state.thread ? "&amp;thread=" + std::to_string(state.thread->id) : std::string()) +
         "\">Change name</a></p>\n</form>\n";
  return out;
}

}  // namespace

std::string text_to_html(std::string_view text) {
  std::string out;
  bool in_code = false;
  std::size_t start = 0;
  auto flush = [&](std::size_t end) {
    const std::string escaped = escape_html(text.substr(start, end - start));
    for (char c : escaped) {
      if (c == '\n')
        out += "<br>";
      else
        out += c;
    }
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '`') continue;
    // An opening backtick needs a closing one on the same message; a lone one is text.
    if (!in_code && text.find('`', i + 1) == std::string_view::npos) break;
    flush(i);
    out += in_code ? "</code>" : "<code>";
    in_code = !in_code;
    start = i + 1;
  }
  flush(text.size());
  if (in_code) out += "</code>";
  return out;
}

std::string render_messages(const std::vector<bot::chat_message>& messages,
                            const std::string& viewer) {
  std::map<std::int64_t, std::vector<const bot::chat_message*>> replies;
  for (const auto& message : messages) {
    if (message.thread_id && visible(message, viewer)) {
      replies[*message.thread_id].push_back(&message);
    }
  }
  std::string out;
  for (const auto& message : messages) {
    if (message.thread_id || !visible(message, viewer)) continue;
    out += message_html(message, viewer, replies[message.id]);
  }
  return out;
}

std::string render_page(const std::vector<bot::chat_message>& messages, const page_state& state) {
  std::string out =
      "<h1>Playground</h1>\n<p class=\"hint\">A chat channel to try Scribe in. Open an incident "
      "with <code>/incident open &lt;title&gt;</code>, write what you see, flag messages with "
      "&#x1F4CC; (or mention <code>@scribe</code>), add <code>/incident note &lt;text&gt;</code>, "
      "then <code>/incident close</code>: Scribe asks the postmortem questions, and a reply in a "
      "question's thread (<em>Answer in thread</em>) is an answer. "
      "<code>/incident help</code> lists every command. Timelines and drafts are under "
      "<a href=\"/\">Incidents</a>.</p>\n";
  out += "<ol id=\"messages\">\n" + render_messages(messages, state.viewer) + "</ol>\n";
  out += state.viewer.empty() || state.changing_name ? name_form(state) : composer(state);
  return out;
}

}  // namespace scribe::playground
