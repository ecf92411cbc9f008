#pragma once
// The wording review's rules by name: the kind of finding each gives (blame or advice) and the
// sentence of advice it carries. What makes each one fire is in the wording_*_rules.cpp files;
// docs/wording-review.md lists them with examples.

#include "bot/wording_review.hpp"

#include <string_view>

namespace scribe::bot::wording {

// The rules; their order is that of rule_texts in bot/wording_rules.cpp.
enum class rule_id {
  person_as_cause,
  counterfactual,
  judgement,
  competence,
  human_error,
  team_blame,
  passive_blame,
  implied_blame,
  self_blame,
  dramatising,
  hindsight,
  root_cause,
};

// A rule's name as findings carry it, its kind, and what it suggests.
struct rule_text {
  std::string_view name;
  finding_kind kind;
  std::string_view suggestion;
};

const rule_text& text_of(rule_id id);

}  // namespace scribe::bot::wording
