#include "adapters/slack/text.hpp"

#include <algorithm>

#include "text/text.hpp"

namespace scribe::slack {
namespace {

// Undoes Slack's three escapes in one left-to-right pass, so "&amp;lt;" becomes "&lt;".
std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      const std::string_view rest = text.substr(i);
      if (rest.starts_with("&amp;")) {
        out += '&';
        i += 4;
        continue;
      }
      if (rest.starts_with("&lt;")) {
        out += '<';
        i += 3;
        continue;
      }
      if (rest.starts_with("&gt;")) {
        out += '>';
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// A link's label adds nothing when it is the URL itself or the URL without its scheme, which is
// how Slack writes links it detected in typed text.
bool label_repeats_target(std::string_view label, std::string_view target) {
  if (label == target) return true;
  for (std::string_view scheme : {"http://", "https://", "mailto:"}) {
    if (target.starts_with(scheme) && target.substr(scheme.size()) == label) return true;
  }
  return false;
}

// The readable form of one <...> reference, still in escaped form (unescaped with the rest).
std::string render_reference(std::string_view inner) {
  const auto bar = inner.find('|');
  const std::string_view target = inner.substr(0, bar);
  const std::string_view label =
      bar == std::string_view::npos ? std::string_view{} : inner.substr(bar + 1);
  if (target.starts_with('@') || target.starts_with('#')) {
    const char sigil = target.front();
    if (label.empty()) return std::string{target};
    if (label.front() == sigil) return std::string{label};
    return sigil + std::string{label};
  }
  if (target.starts_with('!')) {
    const std::string_view special = target.substr(1);
    const auto caret = special.find('^');
    const std::string_view name = special.substr(0, caret);
    if (name == "here" || name == "channel" || name == "everyone") return "@" + std::string{name};
    if (!label.empty()) return std::string{label};
    if (special.starts_with("subteam^")) return "@" + std::string{special.substr(caret + 1)};
    return "@" + std::string{special.substr(0, caret)};
  }
  if (label.empty() || label_repeats_target(label, target)) {
    return std::string{label.empty() ? target : label};
  }
  return std::string{label} + " (" + std::string{target} + ")";
}

}  // namespace

std::string plain_text(std::string_view slack_text) {
  std::string escaped;
  escaped.reserve(slack_text.size());
  std::size_t i = 0;
  std::size_t close = 0;  // the next '>', kept across iterations so hostile input stays linear
  while (i < slack_text.size()) {
    const auto open = slack_text.find('<', i);
    if (open == std::string_view::npos) {
      escaped.append(slack_text.substr(i));
      break;
    }
    escaped.append(slack_text.substr(i, open - i));
    if (close <= open) close = slack_text.find('>', open + 1);
    if (close == std::string_view::npos) {  // no reference can follow
      escaped.append(slack_text.substr(open));
      break;
    }
    const std::string_view inner = slack_text.substr(open + 1, close - open - 1);
    if (inner.find('<') != std::string_view::npos) {
      escaped += '<';  // not a reference: keep it
      i = open + 1;
      continue;
    }
    escaped += render_reference(inner);
    i = close + 1;
  }
  return unescape(escaped);
}

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string_view strip_leading_mention(std::string_view text, std::string_view bot_user_id) {
  const std::string_view trimmed = text::trim(text);
  if (!trimmed.starts_with("<@")) return trimmed;
  const auto close = trimmed.find('>');
  if (close == std::string_view::npos) return trimmed;
  const std::string_view inner = trimmed.substr(2, close - 2);
  const std::string_view id = inner.substr(0, inner.find('|'));
  if (id.empty() || (!bot_user_id.empty() && id != bot_user_id)) return trimmed;
  return text::trim(trimmed.substr(close + 1));
}

namespace {

// Calls `found(start, end, id)` for each "<@ID>" (no label) in `text`; [start, end) spans it.
template <class Found>
void for_each_unlabelled_mention(std::string_view text, Found found) {
  std::size_t pos = 0;
  while ((pos = text.find("<@", pos)) != std::string_view::npos) {
    const auto close = text.find('>', pos);
    if (close == std::string_view::npos) return;
    const auto id = text.substr(pos + 2, close - pos - 2);
    const bool plain_id =
        !id.empty() && id.size() <= 32 && id.find_first_of("|<@ ") == std::string_view::npos;
    if (plain_id) found(pos, close + 1, id);
    pos = close + 1;
  }
}

}  // namespace

std::vector<std::string> unlabelled_mentions(std::string_view slack_text) {
  std::vector<std::string> ids;
  for_each_unlabelled_mention(slack_text, [&](std::size_t, std::size_t, std::string_view id) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.emplace_back(id);
  });
  return ids;
}

std::string label_mentions(std::string_view slack_text,
                           const std::map<std::string, std::string>& names) {
  std::string out;
  std::size_t copied = 0;
  for_each_unlabelled_mention(slack_text,
                              [&](std::size_t start, std::size_t end, std::string_view id) {
                                const auto name = names.find(std::string(id));
                                if (name == names.end() || name->second.empty()) return;
                                out += slack_text.substr(copied, start - copied);
                                out += "<@" + std::string(id) + "|" + name->second + ">";
                                copied = end;
                              });
  out += slack_text.substr(copied);
  return out;
}

}  // namespace scribe::slack
