#pragma once
// The blameless wording review: a postmortem is about systems and circumstances, never about
// blaming people. Scribe points at blameful or unhelpful wording and suggests what to write
// instead; it never edits what people wrote.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::bot {

// One piece of wording worth a second look.
struct wording_finding {
  std::string quote;       // the exact words found, as written (a substring of the text)
  std::size_t offset = 0;  // byte offset of `quote` in the text
  // Short rule id: "person_as_cause", "judgement", "dramatising", "hindsight", "root_cause".
  std::string rule;
  std::string suggestion;  // what to write instead, one sentence
};

// Reviews an answer to a postmortem question or an incident summary. Returns the findings in text
// order, none for blameless text about systems. Where phrases overlap, the longest match that
// starts first is reported once (so "should have known" is one hindsight finding, not also a
// "should have" judgement).
//
// Matching is ASCII case-insensitive, on word boundaries ("justice" does not match "just"), and
// UTF-8 aware: non-ASCII letters count as word characters, so no match starts or ends inside a
// word or a multi-byte sequence. ' in a phrase also matches the typographic apostrophe U+2019.
// A person reference is an @mention (`@alice`, `@U024BE7LH`, `@alice:example.org`,
// `<@U024BE7LH>`, `<@U024BE7LH|alice>`) or, before verbs only people do ("forgot", "did not
// bother") and before "'s mistake"/"'s fault", a capitalised name. "failed to" and "broke" need
// an @mention, because systems fail and break too ("Alerting failed to page").
//
// Pure and thread-safe; linear in the length of the text; never throws on bad UTF-8 (it can throw
// std::bad_alloc).
std::vector<wording_finding> review_wording(std::string_view text);

}  // namespace scribe::bot
