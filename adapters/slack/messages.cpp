#include "adapters/slack/messages.hpp"

#include "adapters/http/form.hpp"
#include "adapters/slack/text.hpp"
#include "bot/markdown.hpp"

#include <algorithm>
#include <utility>

namespace scribe::slack {
namespace {

using json = nlohmann::json;

// Below this a section could not hold one &amp; escape or a surrogate pair; smaller limits are
// raised to it so that splitting always makes progress.
constexpr std::size_t min_limit = 8;

constexpr std::string_view empty_placeholder = "(empty)";

bool is_blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// The bytes of the code point starting at `pos` (1 for a stray continuation byte; the text was
// made valid UTF-8 before, so that does not happen).
std::size_t code_point_size(std::string_view text, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  std::size_t size = 1;
  if (lead >= 0xF0) {
    size = 4;
  } else if (lead >= 0xE0) {
    size = 3;
  } else if (lead >= 0xC0) {
    size = 2;
  }
  return std::min(size, text.size() - pos);
}

// Bytes of the escape starting at `pos` ("&amp;" or "&lt;"/"&gt;"): every '&' in escaped text
// starts one.
std::size_t escape_size(std::string_view text, std::size_t pos) {
  return text.substr(pos).starts_with("&amp;") ? 5 : 4;
}

// Cuts one line longer than `limit` into pieces of at most `limit`: after the last space in the
// second half of a piece, else at the last code point that fits, and never inside an escape.
std::vector<std::string_view> cut_long_line(std::string_view line, std::size_t limit) {
  std::vector<std::string_view> pieces;
  std::size_t pos = 0;
  std::size_t remaining = slack_length(line);
  while (remaining > limit) {
    // The longest prefix of line[pos..] within the limit, ending on a code point boundary.
    std::size_t end = pos;
    std::size_t units = 0;
    while (end < line.size()) {
      const std::size_t size = code_point_size(line, end);
      const std::size_t width = size == 4 ? 2 : 1;
      if (units + width > limit) break;
      units += width;
      end += size;
    }
    std::size_t cut = end;
    const auto space = line.substr(pos, end - pos).rfind(' ');
    if (space != std::string_view::npos && (space + 1) * 2 >= end - pos) {
      cut = pos + space + 1;
    } else {
      for (std::size_t k = cut; k > pos && k + 4 >= cut; --k) {
        if (line[k - 1] == '&') {
          if (k - 1 + escape_size(line, k - 1) > cut) cut = k - 1;
          break;
        }
      }
    }
    // Nor inside a <url|label> link, unless the link alone is longer than a piece.
    const auto open = line.substr(pos, cut - pos).rfind('<');
    if (open != std::string_view::npos && open > 0 &&
        line.substr(pos + open, cut - pos - open).find('>') == std::string_view::npos) {
      cut = pos + open;
    }
    if (cut == pos) cut = end;  // cannot happen with limit >= min_limit; keeps progress anyway
    remaining -= slack_length(line.substr(pos, cut - pos));
    std::string_view piece = line.substr(pos, cut - pos);
    while (!piece.empty() && piece.back() == ' ') piece.remove_suffix(1);
    if (!piece.empty()) pieces.push_back(piece);
    pos = cut;
  }
  if (pos < line.size()) pieces.push_back(line.substr(pos));
  return pieces;
}

// Gathers lines into sections of at most `limit`, dropping blank lines at section edges.
class section_builder {
 public:
  explicit section_builder(std::size_t limit) : limit_(limit) {}

  void add_line(std::string_view line) {
    const std::size_t length = slack_length(line);
    if (length > limit_) {
      flush();
      auto pieces = cut_long_line(line, limit_);
      // The last piece may share a section with the lines that follow.
      for (std::size_t i = 0; i + 1 < pieces.size(); ++i) {
        if (!is_blank(pieces[i])) sections_.emplace_back(pieces[i]);
      }
      if (!pieces.empty()) add_line(pieces.back());
      return;
    }
    if (!lines_.empty() && length_ + 1 + length > limit_) flush();
    if (lines_.empty() && is_blank(line)) return;  // a section never starts blank
    length_ += (lines_.empty() ? 0 : 1) + length;
    lines_.push_back(line);
  }

  std::vector<std::string> finish() {
    flush();
    return std::move(sections_);
  }

 private:
  void flush() {
    while (!lines_.empty() && is_blank(lines_.back())) lines_.pop_back();
    if (!lines_.empty()) {  // trailing spaces show nothing and only use up the limit
      std::string_view& last = lines_.back();
      while (last.back() == ' ' || last.back() == '\t' || last.back() == '\r')
        last.remove_suffix(1);
    }
    if (!lines_.empty()) {
      std::string section;
      for (std::size_t i = 0; i < lines_.size(); ++i) {
        if (i > 0) section += '\n';
        section += lines_[i];
      }
      sections_.push_back(std::move(section));
    }
    lines_.clear();
    length_ = 0;
  }

  std::size_t limit_;
  std::vector<std::string_view> lines_;
  std::size_t length_ = 0;
  std::vector<std::string> sections_;
};

std::string join_lines(const std::vector<std::string>& sections) {
  std::string text;
  for (const auto& section : sections) {
    if (!text.empty()) text += '\n';
    text += section;
  }
  return text;
}

// {"text": fallback, "blocks": [section...]}: the part every message body shares.
json message_body(const std::vector<std::string>& sections) {
  json blocks = json::array();
  for (const auto& section : sections) {
    json text = json::object();
    text["type"] = "mrkdwn";
    text["text"] = section;
    json block = json::object();
    block["type"] = "section";
    block["text"] = std::move(text);
    blocks.push_back(std::move(block));
  }
  json body = json::object();
  body["text"] = join_lines(sections);
  body["blocks"] = std::move(blocks);
  return body;
}

}  // namespace

std::size_t slack_length(std::string_view text) {
  std::size_t units = 0;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0) != 0x80) units += byte >= 0xF0 ? 2 : 1;
  }
  return units;
}

std::vector<std::vector<std::string>> split_for_slack(std::string_view text,
                                                      const message_limits& limits) {
  return split_mrkdwn(escape_text(http::replace_invalid_utf8(text)), limits);
}

std::vector<std::vector<std::string>> split_mrkdwn(std::string_view prepared,
                                                   const message_limits& limits) {
  const std::size_t block_text_limit = std::max(min_limit, limits.max_message_block_text);
  const std::size_t text_limit = std::max(min_limit, limits.max_text);
  const std::size_t section_limit =
      std::min({std::max(min_limit, limits.max_section_text), block_text_limit, text_limit});
  const std::size_t max_blocks = std::max<std::size_t>(1, limits.max_blocks);

  section_builder builder{section_limit};
  std::string_view rest = prepared;
  while (true) {
    const auto newline = rest.find('\n');
    builder.add_line(rest.substr(0, newline));
    if (newline == std::string_view::npos) break;
    rest.remove_prefix(newline + 1);
  }
  std::vector<std::string> sections = builder.finish();
  if (sections.empty()) sections.emplace_back(empty_placeholder);

  // Blocks count their own text; the `text` fallback also counts the newlines joining them.
  std::vector<std::vector<std::string>> messages;
  std::vector<std::string> current;
  std::size_t block_text = 0;
  for (auto& section : sections) {
    const std::size_t length = slack_length(section);
    // With this section the fallback would have current.size() joining newlines.
    if (!current.empty() &&
        (current.size() == max_blocks || block_text + length > block_text_limit ||
         block_text + length + current.size() > text_limit)) {
      messages.push_back(std::move(current));
      current.clear();
      block_text = 0;
    }
    block_text += length;
    current.push_back(std::move(section));
  }
  messages.push_back(std::move(current));
  return messages;
}

rendered slash_command_response(const bot::bot_reply& reply, const message_limits& limits) {
  const char* response_type =
      reply.visibility == bot::reply_visibility::channel ? "in_channel" : "ephemeral";
  rendered out;
  bool first = true;
  for (const auto& sections : split_for_slack(reply.text, limits)) {
    json body = message_body(sections);
    body["response_type"] = response_type;
    if (first) {
      out.first = std::move(body);
      first = false;
    } else {
      out.rest.push_back(std::move(body));
    }
  }
  return out;
}

namespace {

// chat.postMessage bodies, one per message of `split`.
std::vector<json> post_bodies(std::string_view channel,
                              const std::vector<std::vector<std::string>>& split,
                              const std::optional<std::string>& thread_ts) {
  std::vector<json> out;
  for (const auto& sections : split) {
    json body = message_body(sections);
    body["channel"] = http::replace_invalid_utf8(channel);
    body["unfurl_links"] = false;
    if (thread_ts && !thread_ts->empty())
      body["thread_ts"] = http::replace_invalid_utf8(*thread_ts);
    out.push_back(std::move(body));
  }
  return out;
}

// Slack's mrkdwn markers need the text right inside them: "* x *" is not bold. Spaces at the
// edges of a styled span move outside its markers.
std::string wrap(std::string_view text, std::string_view marker) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return std::string(text);
  const auto last = text.find_last_not_of(' ');
  std::string out(text.substr(0, first));
  out += marker;
  out += text.substr(first, last - first + 1);
  out += marker;
  out += text.substr(last + 1);
  return out;
}

std::string span_to_mrkdwn(const bot::markdown::span& s, bool in_bold_line) {
  std::string out = escape_text(s.text);
  if (s.code) {
    out = wrap(out, "`");
  } else {
    if (s.italic) out = wrap(out, "_");
    if (s.bold && !in_bold_line) out = wrap(out, "*");
  }
  if (!s.url.empty()) {
    std::string label = out;
    std::replace(label.begin(), label.end(), '|', '/');  // '|' would end the link's URL
    out = "<" + escape_text(s.url) + "|" + label + ">";
  }
  return out;
}

std::string spans_to_mrkdwn(const std::vector<bot::markdown::span>& spans, bool in_bold_line,
                            std::string_view continuation_indent) {
  std::string out;
  for (const auto& s : spans) out += span_to_mrkdwn(s, in_bold_line);
  std::string indented;
  for (char c : out) {
    indented += c;
    if (c == '\n') indented += continuation_indent;
  }
  return indented;
}

}  // namespace

std::vector<nlohmann::json> chat_messages(std::string_view channel, std::string_view text,
                                          std::optional<std::string> thread_ts,
                                          const message_limits& limits) {
  return post_bodies(channel, split_for_slack(text, limits), thread_ts);
}

std::string markdown_to_mrkdwn(std::string_view markdown) {
  namespace md = bot::markdown;
  std::string out;
  for (const auto& block : md::parse(http::replace_invalid_utf8(markdown))) {
    if (!out.empty()) out += block.kind == md::block_kind::list_item ? "\n" : "\n\n";
    switch (block.kind) {
      case md::block_kind::heading:
        out += wrap(spans_to_mrkdwn(block.spans, true, " "), "*");
        break;
      case md::block_kind::list_item:
        out += "• " + spans_to_mrkdwn(block.spans, false, "    ");
        break;
      case md::block_kind::paragraph: out += spans_to_mrkdwn(block.spans, false, ""); break;
    }
  }
  return out;
}

std::vector<nlohmann::json> draft_messages(std::string_view channel, std::string_view markdown,
                                           std::size_t max_messages,
                                           std::string_view full_draft_url,
                                           const message_limits& limits) {
  auto split = split_mrkdwn(markdown_to_mrkdwn(markdown), limits);
  max_messages = std::max<std::size_t>(1, max_messages);
  if (split.size() > max_messages) {
    const std::size_t left_out = split.size() - (max_messages - 1);
    split.resize(max_messages - 1);
    std::string where = full_draft_url.empty()
                            ? std::string("`scribe export` prints it")
                            : "the whole draft is at <" + escape_text(full_draft_url) + ">";
    split.push_back({"_The draft continues beyond what fits in chat (" + std::to_string(left_out) +
                     " more messages): " + where + "._"});
  }
  return post_bodies(channel, split, std::nullopt);
}

nlohmann::json message_with_form_button(std::string_view channel, std::string_view text,
                                        std::int64_t incident_id) {
  json body = post_bodies(channel, split_for_slack(text), std::nullopt).front();
  json button = {{"type", "button"},
                 {"action_id", answer_form_action},
                 {"value", std::to_string(incident_id)},
                 {"style", "primary"},
                 {"text", {{"type", "plain_text"}, {"text", "Answer in a form"}}}};
  body["blocks"].push_back({{"type", "actions"}, {"elements", json::array({button})}});
  return body;
}

nlohmann::json answer_form_view(const bot::incident& inc,
                                const std::vector<bot::asked_question>& questions) {
  // Slack's limits (DOC:"Modal view", "Input block"): title 24 characters, labels 2000, at
  // most 100 blocks; config keeps questions within them.
  json blocks = json::array();
  blocks.push_back(
      {{"type", "section"},
       {"text",
        {{"type", "mrkdwn"},
         {"text", "*" + escape_text(bot::incident_label(inc)) + "* · " +
                      escape_text(http::replace_invalid_utf8(inc.title)) +
                      "\nAnswer what you can; leave the rest empty. Each answer is kept with your "
                      "name, beside the answers in the questions' threads."}}}});
  for (const auto& q : questions) {
    blocks.push_back({{"type", "input"},
                      {"block_id", q.id},
                      {"optional", true},
                      {"label", {{"type", "plain_text"}, {"text", q.text}}},
                      {"element",
                       {{"type", "plain_text_input"},
                        {"action_id", answer_field_action},
                        {"multiline", true},
                        {"max_length", 3000}}}});
  }
  std::string title = "Postmortem " + bot::incident_label(inc);
  if (title.size() > 24) title = bot::incident_label(inc).substr(0, 24);
  return {{"type", "modal"},
          {"callback_id", answer_form_callback},
          {"private_metadata", std::to_string(inc.id)},
          {"title", {{"type", "plain_text"}, {"text", title}}},
          {"submit", {{"type", "plain_text"}, {"text", "Save answers"}}},
          {"close", {{"type", "plain_text"}, {"text", "Cancel"}}},
          {"blocks", std::move(blocks)}};
}

}  // namespace scribe::slack
