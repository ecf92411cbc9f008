#pragma once
// The blameless wording review: a postmortem is about systems and circumstances, never a verdict
// on people. Scribe points at wording that blames or does not help, says why, and proposes a
// system-focused rewrite of the sentence; it never edits what people wrote.
//
// It reads sentences, not word lists: it splits the text into sentences, finds who acts in each
// (people in every form chat uses: @kim, <@U024BE7LH>, <@U1|kim>, kim@, @kim:example.org, first
// and full names, lower-case handles, roles such as "the on-call", teams such as "the DBAs", and
// the incident's known people) and what is said about them: a harm they caused, a step they
// missed, a judgement of them, a counterfactual, a causal or passive frame that names them.
// Systems fail, break, miss and forget without blame; "should have" about a system is an
// expectation, not a verdict. docs/wording-review.md describes the rules.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::bot {

enum class finding_kind {
  blame,   // a person or team is made the cause, judged, or blamed by implication
  advice,  // blames no one but does not help: drama, hindsight, "the root cause"
};

std::string_view to_string(finding_kind kind);

// One piece of wording worth a second look.
struct wording_finding {
  std::string quote;       // the exact words found, as written (a substring of the text)
  std::size_t offset = 0;  // byte offset of `quote` in the text
  // What kind of wording it is. Blame: "person_as_cause", "counterfactual", "judgement",
  // "competence", "human_error", "team_blame", "passive_blame", "implied_blame", "self_blame".
  // Advice: "dramatising", "hindsight", "root_cause".
  std::string rule;
  finding_kind kind = finding_kind::blame;
  std::string suggestion;           // why, and what to write instead, in one sentence
  std::string sentence;             // the sentence the quote is in, as written
  std::size_t sentence_offset = 0;  // byte offset of `sentence` in the text
  // The sentence rewritten about the system: the facts kept (what, when, how long, which system),
  // the person left out, often ending with a question that helps learning. Every finding of one
  // sentence has the same rewrite. nullopt where none can be made honestly (nothing but the
  // verdict to keep). A rewrite never names a person the sentence blamed and gets no finding of
  // its own.
  std::optional<std::string> rewrite;
};

// Reviews any text: an answer to a postmortem question, a summary, a whole postmortem written
// elsewhere. `people` are the names and handles Scribe knows for this incident ("Dave", "@kim",
// "dylanone@", "Ana Souza"); they count as people wherever they appear, also in lower case.
// Returns the findings in text order, never overlapping; none for blameless text.
//
// Pure and thread-safe; linear in the length of the text; never throws on bad UTF-8 (quotes and
// offsets never cut a multi-byte sequence). It can throw std::bad_alloc.
std::vector<wording_finding> review_wording(std::string_view text,
                                            std::span<const std::string> people = {});

// One answer reviewed, in one call: for a reply in chat while answers come in.
struct answer_review {
  std::vector<wording_finding> findings;
  bool has_blame = false;  // at least one finding of kind blame
  // The whole text with every sentence that has a blame finding replaced by its rewrite; nullopt
  // when there is no blame, or when a blameful sentence has no rewrite.
  std::optional<std::string> rewrite;
};

answer_review review_answer(std::string_view text, std::span<const std::string> people = {});

}  // namespace scribe::bot
