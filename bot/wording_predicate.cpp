#include "bot/wording_predicate.hpp"

#include <algorithm>

namespace scribe::bot::wording {

bool is_particle(std::string_view w) {
  return w == "down" || w == "up" || w == "over" || w == "out" || w == "off" || w == "back" ||
         w == "away" || w == "aside" || w == "worse" || w == "offline";
}

bool ends_object(const sentence_reader& r, std::size_t i) {
  if (r.clause_break(i)) return true;
  // "wrote the migration corrupted half the rows": a harm verb after a noun starts the next
  // clause ("the corrupted rows" keeps its adjective).
  if (const auto* v = r.verb(i); v != nullptr && v->kind == verb_class::harm &&
                                 v->form != wf::verb_form::gerund && i > 0 &&
                                 !r.has(i - 1, wf::determiner)) {
    return true;
  }
  if (r.has(i, wf::adverb) || r.has(i, wf::modal | wf::auxiliary)) return true;
  if (!r.word(i) && r.at(i).kind != token_kind::number && r.at(i).kind != token_kind::code &&
      r.at(i).kind != token_kind::mention) {
    return true;
  }
  return r.is_any(i, {"because", "when",    "after", "before", "and",    "but",      "so",
                      "which",   "while",   "at",    "in",     "for",    "during",   "by",
                      "without", "instead", "on",    "from",   "within", "since",    "until",
                      "as",      "then",    "again", "into",   "to",     "with",     "that",
                      "who",     "despite", "even",  "once",   "if",     "against",  "across",
                      "through", "via",     "about", "around", "behind", "toward",   "towards",
                      "like",    "than",    "along", "right",  "away",   "all",      "every",
                      "earlier", "later",   "here",  "there",  "today",  "yesterday", "onto",
                      "upon",    "over",    "under", "unless"}) ||
         // A subject pronoun starts the next clause: "had checked the dashboard we would have
         // caught it" ends the object at "we", "read the runbook he'd have seen" at "he'd".
         r.is_any(i, {"we", "i", "he", "she", "they", "he'd", "she'd", "they'd", "we'd", "i'd",
                      "we're", "they're", "we've", "they've", "i've", "we'll", "they'll"}) ||
         // Chat fillers and hedges are no part of a noun phrase: "pushed his config change
         // lol", "can't read a flame graph maybe".
         r.is_any(i, {"lol", "lmao", "tbh", "smh", "imo", "maybe", "perhaps", "probably"}) ||
         // "escalated way earlier": "way" before a comparative is an adverb.
         (r.is(i, "way") && r.is_any(i + 1, {"too", "earlier", "later", "more", "less", "longer",
                                             "sooner", "faster", "slower", "before", "after"})) ||
         (r.at(i).norm.size() > 4 && r.at(i).norm.ends_with("ly") && r.verb(i) == nullptr &&
          !(i >= 1 && r.has(i - 1, wf::determiner)));  // "the nightly export" goes on
}

predicate parse_predicate(const sentence_reader& r, std::size_t i) {
  predicate p;
  p.begin = i;
  std::size_t j = i;
  // ", who ..." after a subject: "Jordan, who disabled the health checks".
  if (r.punct(j, ",") && r.is(j + 1, "who")) j += 2;
  if (r.is(j, "who")) ++j;
  // "I'm the one who ...", "I was the one who deleted the table", "he's the guy that ...".
  if (r.is_any(j, {"was", "is"}) && r.is(j + 1, "the") &&
      r.is_any(j + 2, {"one", "person", "guy", "engineer"}) && r.is_any(j + 3, {"who", "that"})) {
    j += 4;
  }
  if (r.is(j, "the") && r.is(j + 1, "one") && r.is(j + 2, "who")) j += 3;
  // "The engineer responsible for the change took ...", "the SRE on duty had ...".
  if (r.is(j, "responsible") || (r.is(j, "in") && r.is(j + 1, "charge"))) {
    // The main verb is the first finite one ("took"), not a noun that is also a verb ("change").
    const auto finite = [&](std::size_t k) {
      const auto* v = r.verb(k);
      return r.has(k, wf::auxiliary | wf::modal) ||
             (v != nullptr && v->form != wf::verb_form::base && v->form != wf::verb_form::gerund &&
              !r.has(k - 1, wf::determiner));
    };
    std::size_t k = j + 1;
    while (k < r.size() && k <= j + 6 && !finite(k)) ++k;
    if (k < r.size() && k <= j + 6) j = k;
  }
  if (r.is(j, "on") && r.is_any(j + 1, {"duty", "call", "shift", "rotation"})) j += 2;
  // "The on-call, as usual, ignored the warnings": a short aside between subject and verb.
  // A longer one when it reads as an aside: "A tired engineer, working late to fix a
  // replication issue, ran ...", "Marcus, acting as incident commander, ordered ...".
  const bool long_aside =
      r.punct(j, ",") &&
      (r.is_any(j + 1, {"though", "although", "as", "who", "already"}) ||
       (r.verb(j + 1) != nullptr && r.verb(j + 1)->form == wf::verb_form::gerund));
  if (r.punct(j, ",")) {
    for (std::size_t k = j + 2; k < r.size() && k <= j + (long_aside ? 10 : 4); ++k) {
      if (r.punct(k, ",")) {
        if (r.verb(k + 1) != nullptr || r.has(k + 1, wf::adverb | wf::auxiliary | wf::negation)) {
          j = k + 1;
        }
        break;
      }
    }
  }
  if (r.is_any(j, {"from", "on", "in", "of"}) &&
      (r.has(j + 1, wf::determiner) || r.has(j + 1, wf::team_modifier))) {
    // "mike from the payments team took prod out": skip the appositive.
    std::size_t k = j + 2;
    while (k < r.size() && k < j + 5 && !r.has(k, wf::team)) ++k;
    if (r.has(k, wf::team)) {
      j = k + 1;
    } else if (r.has(j + 1, wf::team_modifier)) {
      j += 2;  // "the folks in infra forgot ..."
    }
  }
  // "a technician at Knight forgot ...", "an engineer from Acme Corp ran ...": where the person
  // works, named.
  // "a senior engineer of Kasia's standing did not know ...": whose standing, named.
  if (r.is(j, "of") && r.at(j + 1).possessive && r.word(j + 2) &&
      r.is_any(j + 2, {"standing", "experience", "seniority", "level", "calibre", "caliber"})) {
    j += 3;
  }
  if (r.is_any(j, {"at", "from", "with"}) && r.word(j + 1) && r.at(j + 1).capitalised) {
    std::size_t k = j + 1;
    while (k < r.size() && k <= j + 3 && r.word(k) && r.at(k).capitalised) ++k;
    if (r.verb(k) != nullptr || r.has(k, wf::adverb | wf::auxiliary | wf::negation | wf::modal)) {
      j = k;
    }
  }
  // "The team running the deletion didn't notice", "the engineer handling the rollout forgot
  // ...": a gerund that tells which person, then the verb group. Only a finite verb right after
  // its short object ends it, so "Kim running the backfill" alone is not read as an act.
  if (const auto* g = r.verb(j); g != nullptr && g->form == wf::verb_form::gerund) {
    for (std::size_t k = j + 1; k < r.size() && k <= j + 5 && !r.clause_break(k); ++k) {
      const auto* v = r.verb(k);
      const bool finite =
          r.has(k, wf::auxiliary | wf::modal) ||
          (v != nullptr && (v->form == wf::verb_form::past || v->form == wf::verb_form::third_person ||
                            v->form == wf::verb_form::past_or_participle) &&
           !r.has(k - 1, wf::determiner));
      if (finite) {
        j = k;
        break;
      }
      if (!r.word(k) || r.is_any(k, {"and", "or", "but", "who", "that", "which"})) break;
    }
  }
  bool should = false;
  bool could = false;
  bool might = false;  // might/would: a hypothesis
  bool not_after_have = false;
  for (; j < r.size(); ++j) {
    const auto& w = r.at(j).norm;
    if (!r.word(j)) break;
    const auto f = r.flags(j);
    if ((f & wf::judgement) != 0 && (f & wf::adverb) != 0) {
      p.judgement_at = j;
      continue;
    }
    if ((f & wf::slip_adverb) != 0) {
      p.slip_adverb_at = j;
      continue;
    }
    if ((f & wf::modal) != 0) {
      p.modal = true;
      should = should || w.starts_with("should") || w == "ought" || w.starts_with("must");
      could = could || w.starts_with("could");
      might = might || w.starts_with("might") || w.starts_with("would") || w == "'d";
      if (w.find("'ve") != std::string::npos || w.ends_with("ve")) p.perfect = true;
      if (w.find("n't") != std::string::npos || w.ends_with("nt")) p.negated = true;
      continue;
    }
    if (w == "to" && r.is(j - 1, "ought")) continue;
    if ((f & wf::negation) != 0 && (f & wf::auxiliary) == 0) {
      p.negated = true;
      // "could have not deployed": a counterfactual of not doing, not of what was impossible.
      not_after_have = not_after_have || p.perfect;
      continue;
    }
    if ((f & wf::auxiliary) != 0) {
      if ((f & wf::negation) != 0) p.negated = true;
      if (w == "have" || w == "'ve" || w == "had" || w == "has" || w.starts_with("hadn") ||
          w.starts_with("haven") || w.starts_with("hasn")) {
        p.perfect = true;
      }
      if (w == "was" || w == "were" || w == "is" || w == "are" || w == "been" || w == "be" ||
          w.starts_with("wasn") || w.starts_with("weren") || w.starts_with("isn") ||
          w.starts_with("aren") || w == "am") {
        p.copula = true;
      }
      continue;
    }
    if ((f & wf::adverb) != 0 || w == "even" || w == "never") {
      if (w == "never") p.negated = true;
      continue;
    }
    break;
  }
  // "should have", "shouldn't have", "could have": hindsight about what someone did. Without
  // "have" a modal speaks of the future ("Kim should pair with the DBAs"), "could not" of what
  // was impossible ("could not find the dashboard", "could not have seen the change").
  p.modal_counterfactual = p.perfect && (should || (could && (!p.negated || not_after_have)));
  p.hypothesis = p.perfect && might && !should && !could && !p.negated;
  const auto* v = r.verb(j);
  // After "should have" only a participle can come: a word the lexicon does not know there is
  // read as one ("should've held the train").
  const auto participle_shape = [](std::string_view w) {
    for (const auto end : {"ed", "en", "ld", "lt", "pt", "ght", "wn", "ne"}) {
      if (w.size() > 3 && w.ends_with(end)) return true;
    }
    return false;
  };
  if (v == nullptr && p.modal_counterfactual && r.word(j) && r.flags(j) == 0 &&
      participle_shape(r.at(j).norm)) {
    static const wf::verb_info unknown_act{"", "",  verb_class::action, wf::verb_form::participle,
                                           "", true};
    v = &unknown_act;
  }
  // "chose to ignore the canary", "decided to skip staging", "managed to delete", "went ahead
  // and merged": the act that follows is what is said of the subject.
  for (;;) {
    if (v == nullptr) break;
    const bool chose = v->base == "choose" || v->base == "decide" || v->base == "opt";
    const bool leads_in = chose || v->base == "manage" || v->base == "proceed";
    std::size_t next = npos;
    if (leads_in && r.is(j + 1, "to")) {
      next = j + 2;
      while (next < r.size() && r.has(next, wf::adverb)) ++next;  // "managed to somehow delete"
    } else if (v->base == "go" && r.is(j + 1, "ahead") && r.is(j + 2, "and")) {
      next = j + 3;
    } else if (v->base == "go" && r.is(j + 1, "and")) {
      next = j + 2;  // "went and deleted"
    } else if ((v->base == "keep" || v->base == "continue") && r.verb(j + 1) != nullptr &&
               r.verb(j + 1)->form == wf::verb_form::gerund) {
      next = j + 1;  // "keeps ignoring", "continued skipping"
    } else if (v->base == "continue" && r.is(j + 1, "to")) {
      next = j + 2;  // "continue to bypass"
    }
    if (next == npos || r.verb(next) == nullptr) break;
    if (v->base == "keep" || v->base == "continue") {
      // The habit is told in the catenative's tense: "keeps ignoring" as "ignores".
      p.habitual = true;
      const auto form = v->form == wf::verb_form::third_person ? wf::verb_form::third_person
                        : v->form == wf::verb_form::base       ? wf::verb_form::base
                                                               : wf::verb_form::past;
      j = next;
      v = r.in_form(r.verb(j), form);
      continue;
    }
    if (chose) {
      p.chosen_past = p.chosen_past || v->form == wf::verb_form::past ||
                      v->form == wf::verb_form::past_or_participle;
    }
    j = next;
    v = r.verb(j);
  }
  if (v == nullptr) {
    p.end = j;
    return p;
  }
  if (p.copula && v->form == wf::verb_form::gerund) {
    p.copula = false;  // "was handling": progressive, not a passive
  }
  p.verb_at = j;
  p.verb = v;
  p.kind = v->kind;
  p.passive = p.copula && v->form != wf::verb_form::base && v->form != wf::verb_form::third_person;
  std::size_t k = j + 1;
  if (k < r.size() && r.word(k) && is_particle(r.at(k).norm)) {
    const auto phrasal = wf::phrasal_class(v->base, r.at(k).norm);
    if (phrasal != verb_class::none) {
      p.particle = r.at(k).norm;
      p.kind = phrasal;
      ++k;
    }
  }
  // "failed to check", "forgot to renew", "didn't bother to look", "couldn't be bothered to".
  // ("failed to properly assess": an adverb may split the infinitive)
  const std::size_t split = r.is(k, "to") && r.has(k + 1, wf::adverb) ? 1 : 0;
  if ((p.kind == verb_class::omission || v->base == "bother") && r.is(k, "to") &&
      r.verb(k + 1 + split)) {
    p.complement_at = k + 1 + split;
    p.complement = r.verb(k + 1 + split);
    k += 2 + split;
    if (k < r.size() && r.word(k) && is_particle(r.at(k).norm) &&
        wf::phrasal_class(p.complement->base, r.at(k).norm) != verb_class::none) {
      p.complement_particle = r.at(k).norm;
      ++k;
    }
  }
  p.end = k;
  // The object: up to a preposition, a conjunction or the clause's end. "took the API down":
  // a particle after a short object.
  std::size_t o = k;
  // A pronoun object stands alone: "escalated this hours earlier".
  // "let this company down": a noun and then the verb's particle make "this" a determiner.
  const bool determiner_this = r.is_any(k, {"this", "that"}) && r.word(k + 1) &&
                               !r.is(k + 1, "one") && r.word(k + 2) &&
                               is_particle(r.at(k + 2).norm) &&
                               wf::phrasal_class(v->base, r.at(k + 2).norm) != verb_class::none;
  const bool pronoun_object = r.is_any(k, {"it", "them", "this", "that"}) &&
                              !r.has(k + 1, wf::artifact | wf::system_word) && !determiner_this;
  if (pronoun_object) o = r.is(k + 1, "one") ? k + 2 : k + 1;  // "messed this one up"
  // "force-pushed over main": "over" is no particle of "force-push", so no object follows.
  const bool preposition_next = !pronoun_object && r.word(k) && is_particle(r.at(k).norm) &&
                                wf::phrasal_class(v->base, r.at(k).norm) == verb_class::none;
  while (!pronoun_object && !preposition_next && o < r.size() && !ends_object(r, o) &&
         !(r.word(o) && is_particle(r.at(o).norm) &&
           wf::phrasal_class(v->base, r.at(o).norm) != verb_class::none)) {
    ++o;
  }
  // "the <em>": a determiner alone is no object.
  bool only_function_words = true;
  for (std::size_t w = k; w < o; ++w) {
    only_function_words = only_function_words && r.has(w, wf::determiner | wf::function_word);
  }
  if (o > k && !(only_function_words && !pronoun_object)) {
    p.object_begin = k;
    p.object_end = o;
    p.tail_end = o;
    if (p.particle.empty() && o < r.size() && r.word(o) && is_particle(r.at(o).norm) &&
        wf::phrasal_class(v->base, r.at(o).norm) != verb_class::none) {
      p.particle = r.at(o).norm;
      p.kind = wf::phrasal_class(v->base, p.particle);
      p.tail_end = o + 1;
    }
  }
  if (p.object_begin == npos && p.particle.empty()) {
    // "took it down", "took prod out": the particle after a one-word object outside ends_object.
    if (k + 1 < r.size() && r.word(k + 1) && is_particle(r.at(k + 1).norm) &&
        wf::phrasal_class(v->base, r.at(k + 1).norm) != verb_class::none) {
      p.particle = r.at(k + 1).norm;
      p.kind = wf::phrasal_class(v->base, p.particle);
      p.object_begin = k;
      p.object_end = k + 1;
      p.tail_end = k + 2;
    }
  }
  return p;
}

bool harm_verb_at(const sentence_reader& r, std::size_t k) {
  const auto* v = r.verb(k);
  if (v == nullptr || v->form == wf::verb_form::gerund) return false;
  if (v->kind == verb_class::harm) return true;
  for (std::size_t j = k + 1; j < r.size() && j <= k + 3; ++j) {
    if (r.word(j) && wf::phrasal_class(v->base, r.at(j).norm) == verb_class::harm) return true;
  }
  return false;
}

}  // namespace scribe::bot::wording
