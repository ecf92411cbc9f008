#include "bot/postmortem_draft.hpp"

#include "text/text.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string_view>

namespace scribe::bot {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// The id of the configured question whose answers are follow-up actions (config's default
// questions name it so; postmortem.hpp has no constant for it).
constexpr std::string_view actions_question_id = "actions";

struct civil_time {
  std::chrono::year_month_day date;
  std::chrono::hh_mm_ss<seconds> time;
};

civil_time split(sys_seconds t) {
  const auto day = floor<days>(t);
  return {std::chrono::year_month_day{day}, std::chrono::hh_mm_ss<seconds>{t - day}};
}

std::string iso_date(const std::chrono::year_month_day& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string clock_text(const civil_time& c, bool with_seconds) {
  char buf[16];
  const auto h = static_cast<long long>(c.time.hours().count());
  const auto m = static_cast<long long>(c.time.minutes().count());
  if (with_seconds) {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", h, m,
                  static_cast<long long>(c.time.seconds().count()));
  } else {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld", h, m);
  }
  return buf;
}

civil_time utc(timestamp t) {
  return split(floor<seconds>(t));
}

// "2026-11-21 14:05 UTC".
std::string utc_date_time(timestamp t) {
  const auto c = utc(t);
  return iso_date(c.date) + ' ' + clock_text(c, false) + " UTC";
}

// "14:05 UTC" when `t` falls on `day` (UTC), else with the date: a clock time alone would point at
// the wrong day for answers written the day after the incident.
std::string utc_time_on(timestamp t, const std::chrono::year_month_day& day) {
  const auto c = utc(t);
  return (c.date == day ? "" : iso_date(c.date) + ' ') + clock_text(c, false) + " UTC";
}

// Local times beside UTC. The abbreviation comes from the zone's rules at that instant, so a
// timeline across a DST change reads "CET" before it and "CEST" after.
class local_times {
 public:
  // date::locate_zone throws std::runtime_error for a zone the system's tzdata does not have.
  explicit local_times(const std::string& zone_name)
      : zone_(zone_name.empty() ? nullptr : date::locate_zone(zone_name)) {}

  bool enabled() const { return zone_ != nullptr; }

  // " (15:05 CET)"; with the local date when it is not the UTC date, because the timeline is
  // grouped by UTC date ("23:30 UTC" is "00:30 CET" of the next day). Empty without a zone.
  std::string suffix(timestamp t) const {
    if (zone_ == nullptr) return {};
    const auto at = floor<seconds>(t);
    const auto info = zone_->get_info(at);
    const auto local = split(at + info.offset);
    std::string out = " (";
    if (local.date != split(at).date) out += iso_date(local.date) + ' ';
    return out + clock_text(local, false) + ' ' + info.abbrev + ')';
  }

 private:
  const date::time_zone* zone_;
};

// Where the inline code span that opens at text[start] ends (just after its closing backticks), or
// npos when it is not one to keep as code: one or two backticks, closed by as many on the same
// line, with something between them and no backtick inside. Longer runs are left to escaping: three
// at the start of a line open a fenced code block.
std::size_t code_span_end(std::string_view text, std::size_t start) {
  std::size_t ticks = 0;
  while (start + ticks < text.size() && text[start + ticks] == '`') ++ticks;
  if (ticks > 2) return std::string_view::npos;
  const auto close = text.find_first_of("`\n", start + ticks);
  if (close == std::string_view::npos || text[close] != '`' || close == start + ticks) {
    return std::string_view::npos;
  }
  std::size_t closing = 0;
  while (close + closing < text.size() && text[close + closing] == '`') ++closing;
  return closing == ticks ? close + closing : std::string_view::npos;
}

// Splits on '\n' and trims each line (also '\r' and U+00A0).
std::vector<std::string_view> trimmed_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find('\n', start);
    lines.push_back(
        text::trim(text.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

// Where people's lines meet: a hard line break (a backslash at the end of the line), because a
// plain newline is a soft break that CommonMark, GFM and pandoc render as a space, joining the
// lines into one, while chat and the web page show them as written.
constexpr std::string_view line_break = "\\\n";

// Appends what people wrote inside a list item: the first line where the item is, the others
// indented two spaces as continuation lines, after a hard break. Blank lines are dropped, because
// a blank line inside a list item is where simple Markdown readers (and ours) end the list.
void append_item_text(std::string& out, std::string_view text) {
  bool first = true;
  for (const auto line : trimmed_lines(text)) {
    if (line.empty()) continue;
    if (!first) out += std::string(line_break) + "  ";
    out += escape_markdown(line);
    first = false;
  }
}

// Appends what people wrote as paragraphs: runs of blank lines become one paragraph break, other
// line ends hard breaks.
void append_paragraphs(std::string& out, std::string_view text) {
  bool pending_break = false;
  bool first = true;
  for (const auto line : trimmed_lines(text)) {
    if (line.empty()) {
      pending_break = !first;
      continue;
    }
    if (!first) out += pending_break ? std::string_view("\n\n") : line_break;
    out += escape_markdown(line);
    first = false;
    pending_break = false;
  }
  out += '\n';
}

// A name, title or question on one line, escaped.
std::string inline_text(std::string_view text) {
  return escape_markdown(text::single_line(text::trim(text)));
}

std::string display_name(const person& who) {
  const auto name = text::single_line(text::trim(who.name));
  if (!name.empty()) return name;
  return who.id.empty() ? "someone" : text::single_line(who.id);
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text::iequals(text.substr(0, prefix.size()), prefix);
}

// A link destination that cannot end the link early or smuggle in a script: http(s) only, and the
// bytes that end or break a destination in Markdown, Slack (`<url|text>`) or HTML percent-encoded.
// Empty when the link should be dropped.
std::string safe_url(std::string_view url) {
  url = text::trim(url);
  if (!starts_with_ignoring_case(url, "https://") && !starts_with_ignoring_case(url, "http://")) {
    return {};
  }
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : url) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7F || ch == '(' || ch == ')' || ch == '<' || ch == '>' || ch == '"' ||
        ch == '\\' || ch == '`' || ch == '|') {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0x0F];
    } else {
      out += ch;
    }
  }
  return out;
}

// The answers shown under each asked question, in the given order. Answers to a question that
// was not asked are left out everywhere (the store refuses them, so only odd data has them).
struct question_answers {
  const asked_question* question;
  std::vector<const postmortem_answer*> answers;
};

std::vector<question_answers> group_answers(const draft_input& input) {
  std::vector<question_answers> groups;
  for (const auto& q : input.questions) {
    question_answers group{&q, {}};
    for (const auto& a : input.answers) {
      if (a.question_id == q.id) group.answers.push_back(&a);
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

// The day answer times are shown relative to: the day the incident closed (or opened).
std::chrono::year_month_day reference_day(const incident& inc) {
  return utc(inc.closed_at.value_or(inc.opened_at)).date;
}

void append_summary(std::string& md, const draft_input& input, const local_times& local) {
  const incident& inc = input.inc;
  md += "## Summary\n\n";
  if (!text::trim(inc.summary).empty()) {
    append_paragraphs(md, inc.summary);
  } else if (inc.closed_at) {
    md += "No summary was given when the incident was closed.\n";
  } else {
    md += "The incident is still open: its summary is given when it closes.\n";
  }
  md += '\n';

  md += "- **Incident:** " + incident_label(inc) + '\n';
  md += "- **Severity:** " + severity_label(inc.severity) + '\n';
  md += "- **Opened:** " + utc_date_time(inc.opened_at) + local.suffix(inc.opened_at) + " by " +
        escape_markdown(display_name(inc.opened_by)) + '\n';
  if (inc.closed_at) {
    md += "- **Closed:** " + utc_date_time(*inc.closed_at) + local.suffix(*inc.closed_at);
    if (inc.closed_by) md += " by " + escape_markdown(display_name(*inc.closed_by));
    md += '\n';
    md += "- **Duration:** " + format_duration(*inc.closed_at - inc.opened_at) + '\n';
  } else {
    md += "- **Closed:** still open\n";
    md += "- **Duration:** " + format_duration(input.drafted_at - inc.opened_at) +
          " so far (still open when this draft was written)\n";
  }
  md += '\n';
}

void append_figures(std::string& md, const draft_input& input,
                    const std::vector<question_answers>& groups) {
  const incident& inc = input.inc;
  md += "## Figures\n\n";

  // The first sign of trouble is the first entry someone recorded; system entries are Scribe's own
  // bookkeeping (such as "Incident opened") and say nothing about detection.
  // The first of them is in the excerpt's head: Scribe writes only a few system entries (opened,
  // severity, closed), and the head holds hundreds.
  const timeline_entry* first_sign = nullptr;
  for (const auto* part : {&input.timeline.head, &input.timeline.tail}) {
    for (const auto& e : *part) {
      if (e.source != entry_source::system) {
        first_sign = &e;
        break;
      }
    }
    if (first_sign != nullptr) break;
  }
  md += "- **Time to detect:** ";
  if (first_sign != nullptr && first_sign->occurred_at < inc.opened_at) {
    const auto opened_day = utc(inc.opened_at).date;
    md += format_duration(inc.opened_at - first_sign->occurred_at) + " (first entry " +
          utc_time_on(first_sign->occurred_at, opened_day) + ", incident opened " +
          utc_time_on(inc.opened_at, opened_day) + ")\n";
  } else {
    md += "cannot be measured: nothing was recorded before the incident was opened\n";
  }

  md += "- **Time to close:** ";
  md += inc.closed_at ? format_duration(*inc.closed_at - inc.opened_at) : "not closed yet";
  md += '\n';

  md += "- **Timeline entries:** " + std::to_string(input.timeline.total) + '\n';

  std::set<std::string_view> people;
  if (input.timeline.gap_after) {
    people.insert(input.timeline_authors.begin(), input.timeline_authors.end());
  } else {
    for (const auto* part : {&input.timeline.head, &input.timeline.tail}) {
      for (const auto& e : *part) {
        if (!e.author.id.empty()) people.insert(e.author.id);
      }
    }
  }
  for (const auto& g : groups) {
    for (const auto* a : g.answers) {
      if (!a->author.id.empty()) people.insert(a->author.id);
    }
  }
  md += "- **Contributors:** " + std::to_string(people.size()) +
        (people.size() == 1 ? " person" : " people") + " wrote timeline entries or answers\n\n";
}

void append_timeline(std::string& md, const draft_input& input, const local_times& local) {
  md += "## Timeline\n\n";
  const auto& excerpt = input.timeline;
  if (excerpt.head.empty()) {
    md += "Nothing was recorded in the timeline.\n\n";
    return;
  }
  if (local.enabled()) {
    md += "Times are UTC, with the local time in " + escape_markdown(input.timezone) +
          " in parentheses.\n\n";
  }
  const timeline_entry* previous = nullptr;
  const auto append_entry = [&](const timeline_entry& e) {
    const auto at = utc(e.occurred_at);
    if (previous != nullptr && input.gap_marker.count() > 0 &&
        e.occurred_at - previous->occurred_at > input.gap_marker) {
      md += "- *… " + format_duration(e.occurred_at - previous->occurred_at) +
            " without entries …*\n";
    }
    if (previous == nullptr || utc(previous->occurred_at).date != at.date) {
      md += (previous == nullptr ? "### " : "\n### ") + iso_date(at.date) + "\n\n";
    }
    const std::string time = "**" + clock_text(at, true) + " UTC**";
    const std::string url = safe_url(e.link);
    md += "- " + (url.empty() ? time : '[' + time + "](" + url + ')') + local.suffix(e.occurred_at);
    md += " · " + escape_markdown(display_name(e.author)) + " · ";
    md += to_string(e.source);
    if (!text::trim(e.text).empty()) {
      md += " — ";
      append_item_text(md, e.text);
    }
    md += '\n';
    previous = &e;
  };
  for (const auto& e : excerpt.head) append_entry(e);
  if (excerpt.gap_after && !excerpt.tail.empty()) {
    const auto& from = excerpt.head.back().occurred_at;
    const auto& to = excerpt.tail.front().occurred_at;
    md += "- *… " + std::to_string(omitted(excerpt)) + " more entries between " +
          utc_date_time(from) + " and " + utc_date_time(to) +
          " are not shown here: the whole timeline is on the incident's page …*\n\n";
    previous = nullptr;  // no gap line across the stretch left out; the date heading comes again
  }
  for (const auto& e : excerpt.tail) append_entry(e);
  md += '\n';
}

void append_questions(std::string& md, const draft_input& input,
                      const std::vector<question_answers>& groups) {
  md += "## Questions\n\n";
  if (groups.empty()) {
    md += input.inc.closed_at ? "No postmortem questions were asked for this incident.\n\n"
                              : "The postmortem questions are asked when the incident closes.\n\n";
    return;
  }
  const auto day = reference_day(input.inc);
  for (const auto& g : groups) {
    const auto& q = *g.question;
    md += "### " + inline_text(text::trim(q.text).empty() ? q.id : q.text) + "\n\n";
    if (g.answers.empty()) {
      md += "No answers yet.\n\n";
      continue;
    }
    for (const auto* a : g.answers) {
      md += "- **" + escape_markdown(display_name(a->author)) + "** (";
      md += to_string(a->source);
      md += ", " + utc_time_on(a->answered_at, day) + "): ";
      if (text::trim(a->text).empty()) {
        md += "*(empty)*";
      } else {
        append_item_text(md, a->text);
      }
      md += '\n';
    }
    md += '\n';
  }
}

void append_actions(std::string& md, postmortem_draft& draft,
                    const std::vector<question_answers>& groups) {
  md += "## Action items\n\n";
  for (const auto& g : groups) {
    if (g.question->id != actions_question_id) continue;
    for (const auto* a : g.answers) {
      // A due date without a year means the next such date after the answer was written.
      auto items = parse_action_items(a->text, utc(a->answered_at).date);
      for (auto& item : items) draft.actions.push_back(std::move(item));
    }
  }
  if (draft.actions.empty()) {
    md += "No follow-up actions were proposed.\n\n";
    return;
  }
  for (const auto& item : draft.actions) {
    md += "- " + inline_text(item.text) + " — owner: ";
    md += item.owner.empty() ? "none given" : escape_markdown(item.owner);
    if (item.due) md += ", due " + iso_date(*item.due);
    md += '\n';
  }
  md += '\n';
}

// Everyone the draft names: who opened and closed the incident, wrote its entries and answered.
// The review takes them for people wherever they appear, also as a lower-case handle.
std::vector<std::string> incident_people(const draft_input& input) {
  std::vector<std::string> people{input.inc.opened_by.name};
  if (input.inc.closed_by) people.push_back(input.inc.closed_by->name);
  for (const auto* part : {&input.timeline.head, &input.timeline.tail}) {
    for (const auto& e : *part) people.push_back(e.author.name);
  }
  for (const auto& a : input.answers) people.push_back(a.author.name);
  std::sort(people.begin(), people.end());
  people.erase(std::unique(people.begin(), people.end()), people.end());
  std::erase_if(people, [](const std::string& p) { return text::trim(p).empty(); });
  return people;
}

void append_review(std::string& md, postmortem_draft& draft, const draft_input& input,
                   const std::vector<question_answers>& groups) {
  const auto people = incident_people(input);
  const auto add = [&draft, &people](std::string_view text, const std::string& where) {
    for (auto& finding : review_wording(text, people)) {
      draft.review.push_back({std::move(finding), where});
    }
  };
  add(input.inc.summary, "the summary");
  for (const auto& g : groups) {
    for (const auto* a : g.answers) {
      add(a->text, display_name(a->author) + "'s answer to " + g.question->id);
    }
  }

  md += "## " + std::string(review_heading) + "\n\n";
  if (draft.review.empty()) {
    md += "No blameful wording was found in the summary or the answers.\n";
    return;
  }
  md +=
      "Scribe points at wording that can read as blame or judgement and suggests what to write "
      "instead; it changes nothing that people wrote.\n\n";
  for (const auto& r : draft.review) {
    md += "- “" + inline_text(r.finding.quote) + "” in " + escape_markdown(r.where) + " (" +
          std::string(to_string(r.finding.kind)) + ", " + escape_markdown(r.finding.rule) + ") — " +
          escape_markdown(r.finding.suggestion) + '\n';
    if (r.finding.rewrite) md += "  *Rewrite:* " + inline_text(*r.finding.rewrite) + '\n';
  }
}

}  // namespace

postmortem_draft compose_postmortem(const draft_input& input) {
  const local_times local{input.timezone};
  const incident& inc = input.inc;
  const auto groups = group_answers(input);

  postmortem_draft draft;
  std::string& md = draft.markdown;
  md += "# Postmortem draft: " + incident_label(inc);
  if (!text::trim(inc.title).empty()) md += " · " + inline_text(inc.title);
  md += "\n\n*Version " + std::to_string(input.version) + " · drafted " +
        utc_date_time(input.drafted_at) +
        ". Blameless: this draft is about systems and circumstances, not people.*\n\n";
  draft.content_offset = md.size();

  append_summary(md, input, local);
  append_figures(md, input, groups);
  append_timeline(md, input, local);
  append_questions(md, input, groups);
  append_actions(md, draft, groups);
  append_review(md, draft, input, groups);
  return draft;
}

std::string escape_markdown(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  bool line_start = true;  // nothing but blanks so far on this line
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n' || c == ' ' || c == '\t') {
      out += c;
      line_start = line_start || c == '\n';
      ++i;
      continue;
    }
    const bool first_on_line = line_start;
    line_start = false;
    if (c == '`') {
      // Code is safe as it is: nothing inside a code span is read as Markdown, so `kubectl
      // rollout undo` stays code instead of showing its backticks.
      if (const auto end = code_span_end(text, i); end != std::string_view::npos) {
        out.append(text.substr(i, end - i));
        i = end;
        continue;
      }
      // Not a span: every backtick of the run is text, so that no part of it opens one either.
      while (i < text.size() && text[i] == '`') {
        out += "\\`";
        ++i;
      }
      continue;
    }
    if (first_on_line) {
      // A list marker, an ordered-list number ("1. ", "2026.", "1) ") or a setext underline
      // ("===") at the start of a line would turn the line, or the one above it, into a list or
      // a heading; escaping the marker keeps it text.
      if (c == '-' || c == '+' || c == '=') {
        out += '\\';
        out += c;
        ++i;
        continue;
      }
      if (c >= '0' && c <= '9') {
        std::size_t end = i;
        while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
        if (end < text.size() && (text[end] == '.' || text[end] == ')')) {
          out.append(text.substr(i, end - i));
          out += '\\';
          out += text[end];
          i = end + 1;
          continue;
        }
      }
    }
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '#':
      case '&':  // an entity such as &amp; would show as the character it names
      case '|':  // a GFM table's cells
      case '~':  // GFM strikethrough
        out += '\\';
        break;
      default: break;
    }
    out += c;
    ++i;
  }
  return out;
}

std::string content_digest(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

}  // namespace scribe::bot
