#pragma once
// Writes the postmortem draft of an incident as Markdown: a pure function of the incident, its
// timeline, the questions and answers, and the drafting options. Chat adapters render the same
// Markdown for their platform (see bot/markdown.hpp); `scribe export` and the web serve it as is.

#include "bot/action_items.hpp"
#include "bot/incident.hpp"
#include "bot/postmortem.hpp"
#include "bot/time.hpp"
#include "bot/timeline.hpp"
#include "bot/wording_review.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::bot {

// A draft shows at most this many timeline entries: the first half and the last half of a longer
// timeline, and how many lie between. Nobody reads 200,000 alerts in a postmortem; the whole
// timeline stays on the incident's page and in the JSON API.
inline constexpr std::size_t draft_timeline_entries = 1000;

struct draft_input {
  incident inc;
  // The timeline in event order: all of it, or, for a long one, its first and last entries with
  // the stretch between them counted (read_draft_input reads at most draft_timeline_entries).
  timeline_excerpt timeline;
  // Everyone who wrote a timeline entry, each once: needed only when the excerpt leaves entries
  // out (otherwise its entries say it).
  std::vector<std::string> timeline_authors;
  std::vector<asked_question> questions;
  std::vector<postmortem_answer> answers;  // as postmortem_store::answers returns them
  int version = 1;
  timestamp drafted_at;
  // An IANA zone whose local times are shown beside UTC; empty: UTC only. The caller checked it
  // (config validates postmortem.timezone); an unknown zone throws std::runtime_error.
  std::string timezone;
  // Consecutive timeline entries further apart than this get a "… 47m without entries …" line
  // between them; zero or less: no such lines.
  std::chrono::microseconds gap_marker{std::chrono::minutes(30)};
};

// The text of the heading ("## Wording review") of the draft's last section, the wording review.
// The incident page finds it by this name to leave the section out of the draft it shows, since
// the page has a live section of its own; drafts stored before keep the same heading.
inline constexpr std::string_view review_heading = "Wording review";

// A wording finding with where it was found.
struct located_finding {
  wording_finding finding;
  std::string where;  // "the summary", or "Carol's answer to went_wrong"
};

struct postmortem_draft {
  std::string markdown;
  // markdown.substr(content_offset) does not depend on `version` or `drafted_at`: equal content
  // means nothing changed between two drafts. Except for a still-open incident, whose duration
  // so far is counted up to `drafted_at` (automatic drafts, which compare digests, are drafts of
  // closed incidents).
  std::size_t content_offset = 0;
  std::vector<action_item> actions;     // from the answers to the "actions" question
  std::vector<located_finding> review;  // from the summary and every answer
};

// The draft, in this order: a header (title, version, time), the summary with the incident's
// facts, figures (time to detect and to close, entries, contributors), the timeline grouped by
// UTC date, each question with its answers, the action items parsed from the answers to the
// "actions" question, and the wording review of the summary and every answer.
//
// Uses only the Markdown subset bot/markdown.hpp reads: ATX headings, paragraphs, "- " lists with
// continuation lines indented two spaces, bold, italic, code, links, backslash escapes, and hard
// line breaks (a backslash at a line's end) between the lines people wrote. Everything
// people wrote goes through escape_markdown; links are http(s) only, with the bytes that could end
// a link destination percent-encoded. Answers to questions that are not in `questions` are left
// out (the store refuses them).
//
// Pure and thread-safe (the date library loads the system's tzdata once, on first use). Throws
// std::runtime_error when `timezone` is not a zone of the system's tzdata.
postmortem_draft compose_postmortem(const draft_input& input);

// Markdown that shows `text` as written, in Scribe's renderer and in CommonMark, GFM and pandoc
// alike: backslash-escapes the characters that would otherwise start emphasis, links, HTML,
// entities, GFM tables or strikethrough, or a heading/list/quote at a line start (\ ` * _ [ ] < >
// # & | ~ anywhere; "-", "+", "=" and the "." or ")" of "1." or "1)" first on a line). Inline code
// (`code` or ``code`` within one line) is kept as code: nothing inside it is read as Markdown.
// Newlines are kept: a caller joins lines with hard breaks and indents them inside a list item.
std::string escape_markdown(std::string_view text);

// A short digest (16 hex digits, FNV-1a 64) of `text`, stable across builds and platforms.
std::string content_digest(std::string_view text);

}  // namespace scribe::bot
