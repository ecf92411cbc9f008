#pragma once
// What a sentence says of its subject: the verb group after an actor (adverbs, auxiliaries,
// negation, modals, the main verb and its particle, an omission's complement) and its object.

#include "bot/wording_reader.hpp"

#include <cstddef>
#include <string_view>

namespace scribe::bot::wording {

// The verb group that starts at a token, as parse_predicate reads it.
struct predicate {
  std::size_t begin = 0;  // tokens of the verb group, particle included
  std::size_t end = 0;
  std::size_t verb_at = npos;  // the main verb
  const verb_info* verb = nullptr;
  verb_class kind = verb_class::none;
  std::string_view particle;
  bool negated = false;
  bool modal_counterfactual = false;  // should/could/ought (to) have
  bool modal = false;                 // any modal: "would not have approved" is no past act
  bool hypothesis = false;  // might/would have: a counterfactual only with a condition on the act
  bool perfect = false;
  bool copula = false;  // was/is/were ... (then `verb` is a participle: passive)
  bool passive = false;
  std::size_t judgement_at = npos;    // a judgement adverb in the group ("carelessly")
  std::size_t slip_adverb_at = npos;  // "accidentally", "mistakenly"
  std::size_t complement_at = npos;   // "failed to CHECK", "forgot to RENEW"
  const verb_info* complement = nullptr;
  std::string_view complement_particle;
  std::size_t object_begin = npos;  // the object noun phrase, when there is one
  std::size_t object_end = npos;
  std::size_t tail_end = npos;  // after the object and a particle that follows it ("took X down")
  // "chose to ignore": the act was chosen, in the past. A choice weighed against another
  // ("decided to roll forward instead of rolling back") is no slip.
  bool chosen_past = false;
  // "keeps ignoring", "continued to skip": a habit, said in the catenative's tense.
  bool habitual = false;
};

// Whether `w` is a particle of a phrasal verb ("down" of "take down").
bool is_particle(std::string_view w);

// Whether token i ends an object noun phrase: punctuation, a preposition, a conjunction, an
// adverb, or a harm verb that starts the next clause.
bool ends_object(const sentence_reader& r, std::size_t i);

// The predicate that starts at token i (right after its subject).
predicate parse_predicate(const sentence_reader& r, std::size_t i);

// A harm verb at k: "broke", "took ... down" (the particle within three words).
bool harm_verb_at(const sentence_reader& r, std::size_t k);

}  // namespace scribe::bot::wording
