#include "adapters/matrix/messages.hpp"

#include "adapters/http/form.hpp"
#include "bot/markdown.hpp"

#include <array>
#include <cstdio>

namespace scribe::matrix {
namespace {

using json = nlohmann::json;
namespace md = bot::markdown;

constexpr std::string_view html_format = "org.matrix.custom.html";

json notice_with(std::string body, std::string html) {
  return {{"msgtype", "m.notice"},
          {"body", std::move(body)},
          {"format", html_format},
          {"formatted_body", std::move(html)}};
}

// A line that starts a Markdown block: a cut before it keeps every block whole.
bool starts_block(std::string_view line) {
  return line.empty() || line.starts_with("#") || line.starts_with("- ") ||
         line.starts_with("* ") || line.starts_with("+ ");
}

// Cuts `markdown` into parts of at most `max` bytes, before block-starting lines where possible.
std::vector<std::string> cut_markdown(std::string_view markdown, std::size_t max) {
  std::vector<std::string> parts;
  std::string current;
  auto flush = [&] {
    if (current.find_first_not_of(" \n") != std::string::npos) parts.push_back(current);
    current.clear();
  };
  std::size_t pos = 0;
  while (pos < markdown.size()) {
    const auto newline = markdown.find('\n', pos);
    const auto end = newline == std::string_view::npos ? markdown.size() : newline + 1;
    std::string_view line = markdown.substr(pos, end - pos);
    pos = end;
    if (!current.empty() && current.size() + line.size() > max && starts_block(line)) flush();
    while (line.size() > max) {  // one enormous line: cut it on a code point boundary
      std::size_t cut = max;
      while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
      flush();
      current = std::string(line.substr(0, cut)) + "\n";
      flush();
      line.remove_prefix(cut);
    }
    if (current.size() + line.size() > max) flush();
    current += line;
  }
  flush();
  return parts;
}

}  // namespace

json notice(std::string_view text) {
  const std::string body = http::replace_invalid_utf8(text);
  std::string html;
  bool in_code = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    if (i < body.size() && body[i] != '`' && body[i] != '\n') continue;
    html += md::escape_html(std::string_view(body).substr(start, i - start));
    if (i < body.size()) {
      if (body[i] == '\n') {
        html += "<br>";
      } else {
        // A code span needs its closing backtick; a lone one is shown as it is.
        const bool opens = !in_code && body.find('`', i + 1) != std::string::npos;
        if (in_code || opens) {
          html += in_code ? "</code>" : "<code>";
          in_code = !in_code;
        } else {
          html += '`';
        }
      }
    }
    start = i + 1;
  }
  if (in_code) html += "</code>";
  return notice_with(body, std::move(html));
}

std::vector<json> draft_notices(std::string_view markdown, std::size_t max_bytes) {
  // HTML is at most about twice the Markdown (tags, &amp; escapes), and body and formatted_body
  // travel together: a third of the budget for each part's Markdown.
  const std::size_t part_limit = std::max<std::size_t>(max_bytes / 3, 256);
  std::vector<json> out;
  for (auto& part : cut_markdown(http::replace_invalid_utf8(markdown), part_limit)) {
    std::string html = md::to_html(md::parse(part));
    out.push_back(notice_with(std::move(part), std::move(html)));
  }
  if (out.empty()) out.push_back(notice("(empty draft)"));
  return out;
}

void in_thread(json& content, std::string_view root_event_id, std::string_view reply_to) {
  const bool falling_back = reply_to.empty();
  content["m.relates_to"] = {
      {"rel_type", "m.thread"},
      {"event_id", root_event_id},
      {"is_falling_back", falling_back},
      {"m.in_reply_to", {{"event_id", falling_back ? root_event_id : reply_to}}}};
}

void in_reply_to(json& content, std::string_view event_id) {
  content["m.relates_to"] = {{"m.in_reply_to", {{"event_id", event_id}}}};
}

json reaction(std::string_view event_id, std::string_view key) {
  return {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", event_id}, {"key", key}}}};
}

std::string transaction_id(std::string_view job_key, std::size_t index) {
  std::string out = "scribe.";
  for (char c : job_key) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (plain) {
      out += c;
    } else {  // "_hh": unambiguous, since '_' itself is escaped too
      std::array<char, 4> hex{};
      std::snprintf(hex.data(), hex.size(), "_%02x", byte);
      out += hex.data();
    }
  }
  out += "." + std::to_string(index);
  return out;
}

}  // namespace scribe::matrix
