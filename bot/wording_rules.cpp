#include "bot/wording_rules.hpp"

#include <array>
#include <cstddef>

namespace scribe::bot::wording {
namespace {

constexpr std::array<rule_text, 12> rule_texts{{
    {"person_as_cause", finding_kind::blame,
     "This makes a person the cause: describe what the change did and what let it reach "
     "production."},
    {"counterfactual", finding_kind::blame,
     "What someone should or could have done is hindsight about a person: describe what was "
     "known, what the tools showed, and what made another step look right."},
    {"judgement", finding_kind::blame,
     "This judges a person: describe what made the step easy to miss or get wrong."},
    {"competence", finding_kind::blame,
     "This judges someone's ability: describe what information, tools and training were "
     "available."},
    {"human_error", finding_kind::blame,
     "\"Human error\" ends the inquiry: describe the interface that made the slip possible and "
     "what let it through."},
    {"team_blame", finding_kind::blame,
     "This blames a team: describe the hand-off or the interface between teams."},
    {"passive_blame", finding_kind::blame,
     "The passive still names who did it: describe the safeguard that could be skipped, and why."},
    {"implied_blame", finding_kind::blame,
     "This points at someone without saying what happened: say what happened."},
    {"self_blame", finding_kind::blame,
     "Blameless applies to you too: describe what would have helped you at the time."},
    {"dramatising", finding_kind::advice,
     "Drama adds nothing: state the impact in numbers (who was affected, how long, how many "
     "errors)."},
    {"hindsight", finding_kind::advice,
     "What is obvious after the outcome was not obvious during the incident: describe what was "
     "known at the time and which signals were missing."},
    {"root_cause", finding_kind::advice,
     "Incidents rarely have a single cause: list the contributing factors instead."},
}};

}  // namespace

const rule_text& text_of(rule_id id) {
  return rule_texts[static_cast<std::size_t>(id)];
}

}  // namespace scribe::bot::wording
