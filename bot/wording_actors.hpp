#pragma once
// Who acts in a sentence: a person (in every form chat and prose write one), a team, the writer,
// someone unnamed, or "we". The incident's known people count wherever they appear. How an actor
// is found in a sentence is sentence_reader::actor_at (bot/wording_actors.cpp).

#include "bot/wording_rules.hpp"
#include "bot/wording_text.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace scribe::bot::wording {

enum class actor_kind {
  person,       // sure: a mention, a known person, a name, a role, a pronoun
  weak_person,  // probably a person (an unknown capitalised word): only with strong predicates
  team,
  weak_team,   // "Networking", "Support": a team only with strong predicates
  self,        // I, me, my
  indefinite,  // someone, somebody, whoever
  we,
};

struct actor {
  std::size_t first = 0;  // token indices in the sentence, [first, last)
  std::size_t last = 0;
  actor_kind kind = actor_kind::person;
  bool possessive = false;
};

// The rule a blameful predicate gets for this kind of actor: a team's is team_blame, the
// writer's self_blame, someone unnamed's implied_blame.
rule_id rule_for(actor_kind k, rule_id for_person);

// The incident's known people, normalised to lower-case word sequences. Built once per review.
struct known_people {
  std::vector<std::vector<std::string>> names;

  explicit known_people(std::span<const std::string> people);

  // How many tokens from `i` name a known person, or 0.
  std::size_t match(const std::vector<token>& tokens, std::size_t i) const;
};

}  // namespace scribe::bot::wording
