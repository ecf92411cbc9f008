// The rules that make a person the cause: a causal phrase that ends in a person or a person's act
// ("due to Kevin's change", "precipitated by the actions of a single engineer"), an act told as
// a fault ("Kevin's oversight"), a person's thing that harmed ("the intern's deploy broke
// checkout"), a person named as the cause ("the real cause was Jordan", "it's on him"),
// responsibility for a harm, and passives whose agent is a person ("was deleted by @oscar").
#include "bot/wording_sentence_review.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

namespace scribe::bot::wording {

std::size_t owned_artifact(const sentence_reader& r, const actor& a) {
  if (!a.possessive) return npos;
  for (std::size_t k = a.last; k < r.size() && k <= a.last + 3; ++k) {
    if (r.has(k, wf::artifact)) return k;
    // An act named by its noun: "the security team's unilateral rotation of the credentials".
    if (r.word(k) && r.is(k + 1, "of") && noun_like_suffix(r.at(k).norm) &&
        !r.has(k, wf::function_word | wf::positive)) {
      return k;
    }
    if (r.punct(k, "\"") || r.punct(k, "\xE2\x80\x9C")) continue;  // someone's "small refactor"
    // A participle describes the thing: "Meera's misconfigured alert rule".
    const auto* v = r.verb(k);
    const bool participle = v != nullptr && (v->form == wf::verb_form::past_or_participle ||
                                             v->form == wf::verb_form::participle);
    if (!r.word(k) || (v != nullptr && !participle) ||
        r.has(k, wf::function_word | wf::determiner | wf::auxiliary)) {
      return npos;
    }
  }
  return npos;
}

// Responsibility taken or given for a harm: "Our networking colleagues bear full
// responsibility for the routing loop", "I take full responsibility for the failure to
// validate the change". Taking on a follow-up ("Kim takes responsibility for the runbook
// update") is no verdict: the thing must be a harm or a fault.
void sentence_review::check_responsibility() {
  for (std::size_t i = 0; i + 2 < r_.size(); ++i) {
    if (!r_.is_any(i, {"responsibility", "blame"})) continue;
    if (!r_.is(i + 1, "for")) continue;
    bool harm = false;
    for (std::size_t k = i + 2; k < r_.size() && k <= i + 6; ++k) {
      harm = harm || r_.has(k, wf::outcome | wf::fault_noun | wf::drama);
    }
    const bool borne =
        i >= 1 && (r_.is_any(i - 1, {"bear", "bears", "bore", "carry", "carries"}) ||
                   (i >= 2 && r_.is_any(i - 2, {"bear", "bears", "bore", "carry", "carries"})));
    if (!harm && !borne) continue;
    const actor* who = nullptr;
    for (const auto& a : actors_) {
      if (a.kind == actor_kind::we || a.possessive || a.last > i || a.last + 4 < i) continue;
      bool verb = false;
      for (std::size_t k = a.last; k < i; ++k) {
        verb = verb || r_.is_any(k, {"bear", "bears", "bore", "take", "takes", "took", "carry",
                                     "carries", "carried", "accept", "accepts", "accepted", "hold",
                                     "holds", "held", "share", "shares", "own", "owns"});
      }
      if (verb) who = &a;
    }
    if (who == nullptr) continue;
    add(who->first, i + 1,
        who->kind == actor_kind::self ? rule_id::self_blame
                                      : rule_for(who->kind, rule_id::person_as_cause));
    remove_actor(*who);
    rewrite_blocked = true;
  }
}

// A phrase that makes what follows it the cause: "because of", "due to", "caused by", "the
// result of", "attributable to", "stems from". Its length in tokens at i, or 0. Which one it is
// decides only how the rewrite drops the person: `kind_of_marker` below.
namespace {

enum class marker_kind { none, reason, passive, origin };

struct cause_marker {
  std::size_t length = 0;
  marker_kind kind = marker_kind::none;
};

cause_marker cause_marker_at(const sentence_reader& r, std::size_t i) {
  struct entry {
    std::vector<std::string_view> words;
    marker_kind kind;
  };
  // reason: "X because of Y" reads as X alone once Y goes. passive: "caused by Y" needs its
  // agent. origin: "traces back to Y doing Z" keeps the act once Y goes.
  static const std::vector<entry> markers{
      {{"because", "of"}, marker_kind::reason},
      {{"due", "to"}, marker_kind::reason},
      {{"owing", "to"}, marker_kind::reason},
      {{"on", "account", "of"}, marker_kind::reason},
      {{"courtesy", "of"}, marker_kind::reason},
      {{"caused", "by"}, marker_kind::passive},
      {{"triggered", "by"}, marker_kind::passive},
      {{"precipitated", "by"}, marker_kind::passive},
      {{"introduced", "by"}, marker_kind::passive},
      {{"initiated", "by"}, marker_kind::passive},
      {{"started", "by"}, marker_kind::passive},
      {{"brought", "about", "by"}, marker_kind::passive},
      {{"set", "off", "by"}, marker_kind::passive},
      {{"kicked", "off", "by"}, marker_kind::passive},
      {{"result", "of"}, marker_kind::origin},
      {{"results", "of"}, marker_kind::origin},
      {{"consequence", "of"}, marker_kind::origin},
      {{"product", "of"}, marker_kind::origin},
      {{"attributable", "to"}, marker_kind::origin},
      {{"attributed", "to"}, marker_kind::origin},
      {{"ascribed", "to"}, marker_kind::origin},
      {{"traceable", "to"}, marker_kind::origin},
      {{"traced", "to"}, marker_kind::origin},
      {{"back", "to"}, marker_kind::origin},  // "traced back to", "traces back to"
      {{"down", "to"}, marker_kind::origin},  // "it was down to", "comes down to"
      {{"stems", "from"}, marker_kind::origin},
      {{"stemmed", "from"}, marker_kind::origin},
      {{"stemming", "from"}, marker_kind::origin},
      {{"stem", "from"}, marker_kind::origin},
      {{"resulted", "from"}, marker_kind::origin},
      {{"results", "from"}, marker_kind::origin},
      {{"resulting", "from"}, marker_kind::origin},
      {{"result", "from"}, marker_kind::origin},
      {{"arose", "from"}, marker_kind::origin},
      {{"arises", "from"}, marker_kind::origin},
      {{"arising", "from"}, marker_kind::origin},
      {{"originated", "with"}, marker_kind::origin},
      {{"came", "from"}, marker_kind::origin},
      {{"comes", "from"}, marker_kind::origin},
      {{"originated", "from"}, marker_kind::origin},
      {{"originates", "with"}, marker_kind::origin},
      {{"originates", "from"}, marker_kind::origin},
  };
  for (const auto& m : markers) {
    if (r.at(i).norm != m.words.front()) continue;
    // "can be traced directly to", "stems largely from": adverbs may stand inside.
    std::size_t k = i + 1;
    bool same = true;
    for (std::size_t w = 1; w < m.words.size() && same; ++w) {
      while (k < r.size() && r.has(k, wf::adverb) && r.at(k).norm != m.words[w]) ++k;
      same = k < r.size() && r.at(k).norm == m.words[w];
      ++k;
    }
    if (same) return {k - i, m.kind};
  }
  return {};
}

// A person's act inside a relative clause on the thing named as the cause: "caused by a
// configuration change that Marcus pushed", "traced to the cleanup script which jsantos
// executed", "the factor is the firewall rule that Olumide introduced". Returns the actor and
// sets `that_at` and `verb_at`; nullptr when the thing is no artifact or the verb no past act.
const actor* agent_in_relative(const sentence_reader& r, const std::vector<actor>& actors,
                               std::size_t from, std::size_t& that_at, std::size_t& verb_at) {
  for (std::size_t k = from + 1; k < r.size() && k <= from + 8 && !r.clause_break(k); ++k) {
    if (!r.is_any(k, {"that", "which"})) continue;
    if (!r.has(k - 1, wf::artifact) && !r.is_any(k - 1, {"rule", "rules"})) return nullptr;
    for (const auto& a : actors) {
      if (a.first != k + 1 || a.possessive || a.kind == actor_kind::we) continue;
      std::size_t v = a.last;
      while (v < r.size() && v <= a.last + 2 && r.has(v, wf::adverb)) ++v;
      const auto* verb = r.verb(v);
      // Making or running the thing ("pushed", "executed", "introduced"); checking it
      // ("reviewed", "tested") is no act that caused.
      if (verb == nullptr ||
          (verb->kind != verb_class::action && verb->kind != verb_class::harm) ||
          (verb->form != wf::verb_form::past && verb->form != wf::verb_form::past_or_participle)) {
        return nullptr;
      }
      that_at = k;
      verb_at = v;
      return &a;
    }
    return nullptr;
  }
  return nullptr;
}

}  // namespace

// The person an agentive noun phrase starting at `from` names, within a few words: "Kevin",
// "Kevin's change", "the intern", "the actions of a single engineer", "an oversight by the
// on-call engineer", "insufficient diligence on the part of the reviewer". A person inside a
// relative clause ("the alert Kim set up") or after another preposition ("a bug in the library
// Kim's team maintains") is not the agent. `act_noun` is set to the act the person is named
// through ("actions", "oversight"), or npos.
const actor* sentence_review::agent_in_phrase(std::size_t from, std::size_t& act_noun) const {
  act_noun = npos;
  for (std::size_t k = from; k < r_.size() && k <= from + 7 && !r_.clause_break(k); ++k) {
    const bool attached = k == from || (k == from + 1 && r_.has(from, wf::determiner)) ||
                          r_.is_any(k - 1, {"of", "by", "from"});
    for (const auto& a : actors_) {
      if (a.first != k || a.kind == actor_kind::we) continue;
      if (!attached) return nullptr;
      if (a.possessive && owned_artifact(r_, a) == npos) return nullptr;
      // "due to the intern": the determiner belongs to the actor's phrase.
      return &a;
    }
    const auto f = r_.flags(k);
    if ((f & (wf::artifact | wf::fault_noun)) != 0 ||
        r_.is_any(k, {"actions", "action", "inaction"})) {
      act_noun = k;
      continue;
    }
    if (r_.is_any(k, {"of", "by", "from"})) {
      if (act_noun == npos && k != from) return nullptr;  // "due to load from ..." needs an act
      continue;
    }
    if (r_.is(k, "on") && r_.is(k + 1, "the") && r_.is(k + 2, "part")) {
      act_noun = act_noun == npos ? k : act_noun;
      k += 2;  // "on the part of"
      continue;
    }
    if ((f & (wf::determiner | wf::negative_qualifier | wf::judgement)) != 0) continue;
    const auto* v = r_.verb(k);
    const bool participle = v != nullptr && (v->form == wf::verb_form::past_or_participle ||
                                             v->form == wf::verb_form::participle);
    // A describing word: "a single engineer", "Mr. Hansen's unauthorised change".
    const bool describing =
        r_.word(k) && (participle || (v == nullptr && (f & ~wf::first_name) == 0));
    if (!describing && !r_.punct(k, ".")) return nullptr;
  }
  return nullptr;
}

// "This review attributes the interruption to the actions of the on-duty engineer", "blamed the
// outage on Kim": a verb that assigns the cause, its object, then the person.
void sentence_review::check_attribution() {
  for (std::size_t i = 0; i + 2 < r_.size(); ++i) {
    const bool attributes =
        r_.is_any(i, {"attributes", "attribute", "attributed", "ascribes", "ascribed"});
    const bool blames = r_.is_any(i, {"blames", "blamed", "pins", "pinned", "pin"});
    if (!attributes && !blames) continue;
    for (std::size_t k = i + 2; k < r_.size() && k <= i + 8 && !r_.clause_break(k); ++k) {
      if (!r_.is(k, attributes ? "to" : "on")) continue;
      std::size_t act_noun = npos;
      const actor* a = agent_in_phrase(k + 1, act_noun);
      if (a != nullptr && (a->kind != actor_kind::weak_person || r_.at(a->first).capitalised)) {
        add(i, std::max(a->last, act_noun == npos ? a->last : act_noun + 1),
            a->kind == actor_kind::self ? rule_id::self_blame
                                        : rule_for(a->kind, rule_id::person_as_cause));
        remove_actor(*a);
        rewrite_blocked = true;
      }
      break;
    }
  }
}

// A person made the cause through a causal phrase: "because of @dave", "due to Kevin's change",
// "caused by @sam", "precipitated by the actions of a single engineer", "attributable to an
// oversight by the on-call engineer", "stems from Kenji's decision".
void sentence_review::check_cause_markers() {
  for (std::size_t i = 0; i < r_.size(); ++i) {
    const auto marker = cause_marker_at(r_, i);
    if (marker.length == 0) continue;
    // "back to" and "down to" are causal only after a verb of tracing or being: "traces back
    // to", "was down to", "comes down to"; not "scaled back to two replicas".
    if ((r_.is(i, "back") || r_.is(i, "down")) &&
        !(i >= 1 &&
          r_.is_any(i - 1, {"traces", "traced", "trace", "tracing", "all", "was", "is", "it's",
                            "comes", "came", "boils", "boiled", "are", "were"}))) {
      continue;
    }
    const std::size_t from = i + marker.length;
    std::size_t act_noun = npos;
    const actor* a = agent_in_phrase(from, act_noun);
    if (a == nullptr) {
      blame_relative_agent(i, from);
      continue;
    }
    const bool weak = a->kind == actor_kind::weak_person || a->kind == actor_kind::weak_team;
    const std::size_t artifact = owned_artifact(r_, *a);
    // "because of Tomasz": a capitalised word after a causal phrase is taken for a name.
    if (weak && artifact == npos && act_noun == npos && !r_.at(a->first).capitalised) continue;
    const std::size_t end = artifact != npos ? artifact + 1 : a->last;
    // "Service came back thanks to Kim's quick rollback", "due to Priya's fix": a cause of
    // the recovery, not of the harm.
    if (r_.any_flag(from, end, wf::positive) || r_.any_flag(r_.clause_begin(i), i, wf::positive)) {
      continue;
    }
    caused_actors_.push_back(a->first);
    add(i, end,
        rule_for(a->kind,
                 a->kind == actor_kind::self ? rule_id::self_blame : rule_id::person_as_cause));
    remove_actor(*a);
    set_question("What made that possible?");
    const bool direct = a->first == from || (a->first == from + 1 && r_.has(from, wf::determiner));
    if (artifact != npos) {
      // "due to Kevin's change" -> "due to the change".
      const std::size_t lead =
          a->first >= 1 && r_.has(a->first - 1, wf::determiner) ? a->first - 1 : a->first;
      edits.push_back({lead, a->last, lead != a->first ? original(lead, lead + 1) : "the"});
    } else if (!direct && a->first >= 1 && r_.is_any(a->first - 1, {"by", "from"})) {
      // "an oversight by the on-call engineer" -> "an oversight"; "a mistake made by an
      // engineer" -> "a mistake" (the participle would dangle without its agent).
      std::size_t drop = a->first - 1;
      if (act_noun != npos && drop == act_noun + 2 && r_.verb(act_noun + 1) != nullptr &&
          r_.verb(act_noun + 1)->form != wf::verb_form::gerund) {
        drop = act_noun + 1;
      }
      edits.push_back({drop, a->last, ""});
    } else if (!direct) {
      rewrite_blocked = true;
    } else if (marker.kind == marker_kind::reason) {
      // "Checkout was down because of @dave." -> "Checkout was down."
      edits.push_back({i, a->last, ""});
    } else if (marker.kind == marker_kind::origin && r_.verb(a->last) != nullptr) {
      // "traces back to annatwo@ restarting the wrong systems": the act stays, its actor goes.
      edits.push_back({a->first, a->last, ""});
    } else {
      rewrite_blocked = true;
    }
  }
}

// "The primary contributing factor, and in the board's view the only one that matters, is the
// firewall rule that Olumide introduced": a cause named as the subject, then the person's act
// in a relative clause after the sentence's first copula.
void sentence_review::check_cause_subject() {
  std::size_t cause = npos;
  for (std::size_t i = 0; i < r_.size(); ++i) {
    if (cause == npos && (r_.has(i, wf::cause_noun) || r_.is_any(i, {"factor", "factors"}))) {
      cause = i;
      continue;
    }
    if (r_.is_any(i, {"is", "was"})) {
      if (cause != npos) blame_relative_agent(i, i + 1);
      return;  // only the first copula is the cause's
    }
    if (r_.verb(i) != nullptr && cause != npos && !r_.has(i - 1, wf::determiner) &&
        r_.verb(i)->form != wf::verb_form::gerund && !r_.is_any(i - 1, {"that", "which"})) {
      return;  // the cause noun has a verb of its own
    }
  }
}

// "caused by a configuration change that Marcus pushed to the pool" -> "caused by a
// configuration change pushed to the pool": the act stays, told in the passive, its actor goes.
void sentence_review::blame_relative_agent(std::size_t first, std::size_t from) {
  std::size_t that_at = npos;
  std::size_t verb_at = npos;
  const actor* a = agent_in_relative(r_, actors_, from, that_at, verb_at);
  if (a == nullptr || r_.any_flag(from, that_at, wf::positive) ||
      r_.any_flag(r_.clause_begin(first), first, wf::positive)) {
    return;
  }
  // An unsure name needs its capital ("that jsantos executed" is a handle all the same).
  if (a->kind == actor_kind::weak_team) return;
  add(first, verb_at + 1, rule_for(a->kind, rule_id::person_as_cause));
  remove_actor(*a);
  const auto* v = r_.verb(verb_at);
  // ("a script written." would end on its participle: no rewrite then.)
  if (r_.clause_break(verb_at + 1)) {
    rewrite_blocked = true;
    return;
  }
  edits.push_back({that_at, verb_at + 1, std::string(v->participle.empty()
                                                         ? std::string_view(r_.at(verb_at).norm)
                                                         : v->participle)});
  set_question("What made that possible?");
}

// A relative clause without its "that": "customers reported the breakage Sven introduced at
// 09:40", "fix the mess @zhao left in the retry logic", "the rollout Omar started is why payments
// went dark". A harm named, then the person who made it; or a person's thing, then the harm it
// is told to be the cause of. "the bug Kim found", "the fix Sven introduced resolved it" and
// "the mess Kim cleaned up" make nothing bad and stay silent.
void sentence_review::check_zero_relatives() {
  for (const auto& a : actors_) {
    if (a.possessive || a.kind == actor_kind::we || a.kind == actor_kind::weak_team ||
        a.first == 0 || claims(a.first, a.last)) {
      continue;
    }
    const std::size_t verb_at = a.last;
    if (!r_.is_any(verb_at, {"introduced", "left", "caused", "created", "made", "shipped", "pushed",
                             "started", "wrote", "merged", "deployed", "kicked"})) {
      continue;
    }
    const std::size_t noun = a.first - 1;
    const bool harm_noun =
        r_.is_any(noun, {"breakage", "mess", "damage", "regression", "regressions", "bug", "bugs",
                         "problem", "problems", "issue", "issues", "fallout", "corruption", "hole",
                         "exposure", "outage", "chaos", "havoc"});
    // A person's thing made the cause of a harm afterwards: "broke", "took down", "is why
    // payments went dark" ("is why payments recovered" tells of good).
    bool harm_after = false;
    for (std::size_t k = verb_at + 1; k < r_.size() && !harm_after; ++k) {
      harm_after = harm_at(k) || r_.has(k, wf::outcome) ||
                   r_.is_any(k, {"dark", "down", "offline", "failed", "broke", "crashed"});
    }
    if (!harm_noun && !(r_.has(noun, wf::artifact) && harm_after)) continue;
    // "thanks to the rollback Kim started": a person's thing told as good. A harm named as
    // theirs stays theirs whatever is done about it ("fix the mess @zhao left").
    if (!harm_noun && r_.any_flag(0, r_.size(), wf::positive)) continue;
    add(noun, verb_at + 1, rule_for(a.kind, rule_id::person_as_cause));
    remove_actor(a);
    // "the breakage introduced at 09:40": the act stays, in the passive; its actor goes.
    const auto* v = r_.verb(verb_at);
    if (v == nullptr || r_.clause_break(verb_at + 1)) {
      rewrite_blocked = true;
      continue;
    }
    edits.push_back({a.first, verb_at + 1,
                     std::string(v->participle.empty() ? std::string_view(r_.at(verb_at).norm)
                                                       : v->participle)});
    set_question("What made that possible?");
  }
}

// A person's act told as a fault: "Kevin's oversight", "the QA team's failure to test", "a
// mistake by the support engineer", "negligence on the part of the operator", "my mistake".
void sentence_review::check_fault_nouns() {
  for (std::size_t k = 0; k < r_.size(); ++k) {
    // A virtue said to be wanting is a fault too: "insufficient diligence", "a lack of care".
    // Know-how said to be wanting is a verdict on ability: "lack of basic Linux knowledge on the
    // part of the support engineer" (a few describing words may come between).
    const bool know_how = r_.is_any(k, {"knowledge", "understanding", "experience", "expertise",
                                        "familiarity", "awareness", "skill", "skills"});
    const bool lack_of = [&] {
      for (std::size_t j = k; j >= 2 && j + 4 > k; --j) {
        if (r_.is(j - 1, "of") && r_.is_any(j - 2, {"lack", "absence"})) return true;
        if (j - 1 < k && (!r_.word(j - 1) || r_.has(j - 1, wf::function_word))) return false;
      }
      return false;
    }();
    const bool wanting =
        ((r_.is_any(k, {"diligence", "care", "attention", "caution", "rigor", "rigour",
                        "thoroughness", "vigilance", "judgement", "judgment", "communication",
                        "ownership", "discipline", "professionalism"}) &&
          k >= 1 &&
          (r_.is_any(k - 1, {"insufficient", "inadequate", "poor", "sloppy", "lax", "no"}) ||
           lack_of)) ||
         (know_how && (lack_of || (k >= 1 && r_.is_any(k - 1, {"insufficient", "inadequate", "poor",
                                                               "limited"})))));
    if ((!r_.has(k, wf::fault_noun) && !wanting) || is_quoted(r_, k)) continue;
    // "error budget", "failure rate", "mistake-proofing": a fault noun that qualifies a thing.
    if (k + 1 < r_.size() &&
        (r_.at(k + 1).glued ||
         (r_.word(k + 1) && !r_.is(k + 1, "of") &&
          !r_.has(k + 1, wf::function_word | wf::auxiliary | wf::modal | wf::adverb) &&
          r_.verb(k + 1) == nullptr))) {
      continue;
    }
    // Whose: an owner before ("Kevin's oversight", "the team's failure"), or an agent after.
    const actor* who = nullptr;
    for (const auto& a : actors_) {
      if (a.kind == actor_kind::we) continue;
      if (a.possessive && a.last <= k && k <= a.last + 2) {
        bool plain = true;  // only describing words between: "Kevin's costly oversight"
        for (std::size_t j = a.last; j < k; ++j) {
          plain = plain && r_.word(j) && r_.verb(j) == nullptr &&
                  !r_.has(j, wf::function_word | wf::determiner);
        }
        if (plain) who = &a;
      }
      if (a.first > k && a.first <= k + 8 && a.first >= 1 &&
          r_.is_any(a.first - 1, {"by", "from", "of"}) && !a.possessive) {
        bool plain = true;  // "a lapse in judgement on the part of the release manager"
        // "a manual mistake during the failover, made by Bruno": the act's own participle
        // hands it to its agent.
        const bool made = a.first >= 3 && r_.is(a.first - 1, "by") &&
                          r_.is_any(a.first - 2, {"made", "committed"});
        for (std::size_t j = k + 1; j + 1 < a.first; ++j) {
          if (made && j + 3 >= a.first) continue;
          plain = plain && r_.word(j) && r_.verb(j) == nullptr && !r_.clause_break(j);
        }
        // "the failure of the primary" is no person's; "a failure by the on-call to" is, and so
        // is a want of ability or care "of the new hire".
        const bool ability = r_.is_any(k, {"inexperience", "ignorance", "unfamiliarity",
                                           "incompetence", "ineptitude", "inability"}) ||
                             wanting;
        if (plain && (r_.is(a.first - 1, "by") || r_.is(a.first - 1, "from") ||
                      r_.is(a.first - 2, "part") || (ability && r_.is(a.first - 1, "of")))) {
          who = &a;
        }
      }
      // "The unauthorised change made by the contractor was a clear breach of the policy": the
      // act's agent, then what the act was.
      if (a.last < k && a.first >= 1 && (r_.is_any(a.first - 1, {"by", "from"}) || a.possessive)) {
        bool copula = false;
        bool same_clause = true;
        for (std::size_t j = a.last; j < k; ++j) {
          copula = copula || r_.is_any(j, {"was", "is", "were", "constitutes", "constituted"});
          same_clause = same_clause && !r_.clause_break(j);
        }
        if (copula && same_clause) who = &a;
      }
      // "Kim exercised poor judgement", "the reviewer showed insufficient diligence".
      if (!a.possessive && a.last < k && k <= a.last + 4 &&
          r_.is_any(a.last, {"showed", "shows", "demonstrated", "demonstrates", "exercised",
                             "exercises", "displayed", "displays", "exhibited", "exhibits", "acted",
                             "behaved", "worked", "operated"})) {
        who = &a;
      }
      // "on Kevin's part".
      if (a.possessive && a.first >= 1 && r_.is(a.first - 1, "on") && r_.is(a.last, "part") &&
          a.first > k && a.first <= k + 4) {
        who = &a;
      }
    }
    if (who == nullptr) continue;
    // "It wasn't Kim's fault", "no mistake by the on-call": denied.
    const std::size_t lead = std::min(k, who->first);
    bool denied = false;
    for (std::size_t j = lead >= 3 ? lead - 3 : 0; j < lead; ++j) {
      denied = denied || r_.has(j, wf::negation) || (r_.is(j, "no") && !(wanting && j + 1 == k));
    }
    if (denied) continue;
    const auto& w = r_.at(k).norm;
    rule_id rule = rule_id::counterfactual;
    if (wanting && know_how) {
      rule = rule_id::competence;
    } else if (wanting) {
      rule = rule_id::judgement;
    } else if (w == "fault") {
      rule = rule_id::person_as_cause;
    } else if (w == "disregard") {
      rule = rule_id::judgement;
    } else if (r_.has(k, wf::judgement)) {
      rule = rule_id::judgement;
    } else if (w == "incompetence" || w == "ignorance" || w == "unfamiliarity" ||
               w == "inexperience" || w == "misunderstanding" || w == "ineptitude" ||
               w == "inability") {
      rule = rule_id::competence;
    } else if (w.starts_with("mistake") || w.starts_with("error") || w.starts_with("typo") ||
               w.starts_with("slip") || w.starts_with("blunder") || w == "goof" ||
               w.starts_with("misstep") || w.starts_with("screw") || w.starts_with("fuck")) {
      rule = rule_id::human_error;
    }
    if (who->kind == actor_kind::self) rule = rule_id::self_blame;
    add(std::min(k, who->first), std::max(k + 1, who->last), rule_for(who->kind, rule));
    remove_actor(*who);
    rewrite_blocked = true;
  }
}

// A team's name as the first word of a fault: "another QA miss", "a classic DBA blunder". The
// name qualifies the fault as "Kevin's" does; only acts count ("a security error" is a kind of
// error, and "error" and "failure" are left out for that reason).
void sentence_review::check_team_faults() {
  for (std::size_t k = 1; k < r_.size(); ++k) {
    if (!r_.is_any(k, {"miss", "mistake", "blunder", "oversight", "screw-up", "screwup", "slip",
                       "fumble", "misstep"}) ||
        !r_.has(k - 1, wf::team_modifier) ||
        !(r_.at(k - 1).all_capitals || r_.at(k - 1).capitalised) || r_.sentence_start(k - 1)) {
      continue;
    }
    // "It wasn't a QA miss" denies it; "Let's not pretend this isn't another QA miss" affirms.
    bool denied = false;
    for (std::size_t j = k >= 5 ? k - 5 : 0; j + 1 < k; ++j) {
      denied = denied || r_.has(j, wf::negation);
    }
    if (denied && r_.find(0, k, "pretend") == npos) continue;
    add(k - 1, k + 1, rule_id::team_blame);
    rewrite_blocked = true;
  }
}

// "because of @dave", "due to Kevin's change", "caused by @sam", "thanks to Dave", "the real
// cause was Jordan", "it's on him", "Li Wei's fault".
void sentence_review::check_causal_frames() {
  for (const auto& a : actors_) {
    const std::size_t i = a.first;
    const auto before = [&](std::size_t back, std::string_view w) {
      return i >= back && r_.is(i - back, w);
    };
    const std::size_t artifact = owned_artifact(r_, a);
    const bool artifact_after = artifact != npos;
    // "due to Kevin's change", "because of the intern's deploy": skip a determiner.
    const std::size_t lead = (i >= 1 && r_.has(i - 1, wf::determiner)) ? i - 1 : i;
    const auto lead_before = [&](std::size_t back, std::string_view w) {
      return lead >= back && r_.is(lead - back, w);
    };
    if (a.kind == actor_kind::we) continue;
    const bool weak = a.kind == actor_kind::weak_person || a.kind == actor_kind::weak_team;
    if (std::find(caused_actors_.begin(), caused_actors_.end(), a.first) != caused_actors_.end()) {
      continue;  // check_cause_markers found it
    }
    // "big thanks to jsmith for staying up": thanks for something is gratitude.
    if (before(1, "to") && before(2, "thanks") && !a.possessive && !r_.is(a.last, "for") &&
        (!weak || r_.at(a.first).capitalised)) {
      if (r_.any_flag(0, r_.size(), wf::positive)) continue;
      // "Thanks to @lena paging networking early, the issue was found in minutes": the person
      // doing something, and no harm told after it, is gratitude as "for" is ("Thanks to Dave
      // dropping the table, we were down for an hour" tells a harm).
      if (const auto* v = r_.verb(a.last); v != nullptr && v->form == wf::verb_form::gerund) {
        bool harm = false;
        for (std::size_t k = a.last; k < r_.size() && !harm; ++k) {
          harm = harm_at(k) || r_.is_any(k, {"down", "offline", "lost", "broken", "outage",
                                             "downtime", "failed", "failing", "unavailable"});
        }
        if (!harm) continue;
      }
      add(i - 2, a.last, rule_for(a.kind, rule_id::person_as_cause));
      remove_actor(a);
      edits.push_back({i - 2, a.last, ""});
      continue;
    }
    // "Checks were skipped and approvals were bypassed, all of it the work of the same person:
    // Gabe", "courtesy of @sam": harms or skipped steps told first, then handed to a person.
    // ("The dashboards are the work of Kim" names no harm.)
    if (!a.possessive && !weak) {
      std::size_t of = npos;
      for (std::size_t k = i >= 6 ? i - 6 : 0; k + 1 < i; ++k) {
        if ((r_.is(k, "work") || r_.is(k, "courtesy")) && r_.is(k + 1, "of")) of = k;
      }
      bool plain = of != npos;
      for (std::size_t k = of == npos ? i : of + 2; plain && k < i; ++k) {
        plain = r_.word(k) || r_.punct(k, ":");
      }
      bool harm_told = false;
      for (std::size_t k = 0; plain && k < of; ++k) {
        const auto* v = r_.verb(k);
        harm_told = harm_told || (v != nullptr && v->form != wf::verb_form::base &&
                                  (v->kind == verb_class::harm || v->kind == verb_class::omission));
      }
      if (plain && harm_told) {
        add(of, a.last, rule_for(a.kind, rule_id::person_as_cause));
        remove_actor(a);
        rewrite_blocked = true;
        continue;
      }
    }
    if (before(1, "because") && !a.possessive) continue;  // the clause rules judge the verb
    const bool denied = (lead >= 1 && r_.has(lead - 1, wf::negation)) ||
                        (lead >= 2 && r_.has(lead - 2, wf::negation));
    if (a.possessive && r_.is_any(a.last, {"fault", "mistake", "doing"}) && !denied) {
      add(lead, a.last + 1,
          a.kind == actor_kind::self ? rule_id::self_blame
                                     : rule_for(a.kind, rule_id::person_as_cause));
      remove_actor(a);
      // "It was Li Wei's fault that the certificate expired." -> "The certificate expired."
      const auto that = r_.find(a.last + 1, a.last + 2, "that");
      if (that != npos && r_.is_any(0, {"it", "this"})) {
        edits.push_back({0, that + 1, ""});
      } else {
        rewrite_blocked = true;
      }
      continue;
    }
    // "The real cause was Jordan", "the root of the problem was Mia's decision".
    // "the outage was marco", "contributing factors: mostly pete": the cause or the harm named,
    // then the person as what it was.
    std::size_t named_at = lead;
    while (named_at >= 1 && r_.has(named_at - 1, wf::adverb) &&
           !r_.has(named_at - 1, wf::negation)) {
      --named_at;  // "mostly", "basically", "probably"
    }
    const bool cause_subject = [&] {
      // "was X", and the label style of answers: "Main factor: Lea's migration script".
      const bool label = named_at >= 1 && r_.punct(named_at - 1, ":");
      const bool copula = named_at >= 1 && r_.is_any(named_at - 1, {"was", "is"});
      if (!(copula || label)) return false;
      for (std::size_t k = named_at >= 6 ? named_at - 6 : 0; k + 1 < named_at; ++k) {
        if (r_.clause_break(k) && !r_.punct(k, ":")) continue;
        if (r_.has(k, wf::cause_noun) || r_.is(k, "factors") ||
            (copula && r_.has(k, wf::outcome) && r_.has(k - 1, wf::determiner) && !a.possessive &&
             a.last < r_.size() && !r_.word(a.last))) {
          return true;
        }
      }
      return false;
    }();
    if (cause_subject && (!a.possessive || artifact_after) &&
        (!weak || r_.at(a.first).capitalised)) {
      add(named_at - 1, artifact_after ? artifact + 1 : a.last,
          rule_for(a.kind, rule_id::person_as_cause));
      remove_actor(a);
      rewrite_blocked = true;
      continue;
    }
    // "So yeah, Brendan's hotfix ...": a capitalised owner of a change is taken for a name.
    if (a.possessive && artifact_after && (!weak || r_.at(a.first).capitalised)) {
      // "The intern's deploy broke checkout", "Dave's deploy ... brought the site down",
      // "Sven's typo ... caused the whole thing".
      bool harmful = false;
      std::size_t told_until = artifact + 1;  // where the sentence's account of the thing ends
      for (std::size_t k = artifact + 1; k < r_.size(); ++k) {
        // "her cron change is what kicked off the thundering herd": a cleft whose act ends in
        // an outcome.
        if (r_.is(k, "what") && r_.is_any(k - 1, {"is", "was", "'s"}) && r_.verb(k + 1) != nullptr &&
            r_.any_flag(k + 2, r_.clause_end(k + 1), wf::outcome)) {
          harmful = true;
          told_until = r_.clause_end(k + 1);
          break;
        }
        // "Meera's alert rule was silenced by the maintenance mode": harm done to the thing.
        if (r_.is_any(k - 1, {"was", "were", "been", "got", "is", "are"})) continue;
        // ("led directly to the cascading failure", "resulted in", "contributed to")
        if (harm_at(k) ||
            r_.is_any(k, {"locked", "filled", "overloaded", "exhausted", "extended", "prolonged",
                          "worsened", "delayed", "allowed", "led", "leads", "resulted", "results",
                          "contributed", "precipitated", "exposed"})) {
          harmful = true;
          told_until = r_.clause_end(k);
          break;
        }
      }
      // "Hiroshi's bad merge is why the build was red".
      // (also after a time or place: "Devin's push at 16:58 on a Friday is why ...")
      bool reason = false;
      for (std::size_t k = artifact + 1; k + 1 < r_.size() && !reason; ++k) {
        reason = r_.is_any(k, {"is", "was"}) &&
                 (r_.is(k + 1, "why") || (r_.is(k + 1, "the") && r_.is(k + 2, "reason")));
      }
      if (reason && !harmful) told_until = r_.size();
      harmful = harmful || reason;
      // "Thanks to @mila's hotfix, search was down", "We lost four hours of orders thanks to
      // Sophie's cleanup script": thanks for an outcome is sarcasm.
      if (lead_before(1, "to") && lead_before(2, "thanks")) {
        if (!harmful && r_.any_flag(0, r_.size(), wf::outcome)) {
          harmful = true;
          told_until = r_.size();
        }
      }
      // A good word in the account is gratitude, not harm ("Kim's quick fix took the errors
      // down"); one in an aside after it ("just so we're all clear") says nothing of the thing.
      if (harmful && !r_.any_flag(0, told_until, wf::positive)) {
        add(lead, artifact + 1,
            rule_for(a.kind,
                     r_.is(a.last, "typo") ? rule_id::human_error : rule_id::person_as_cause));
        remove_actor(a);
        // The owner goes, the thing stays: "The intern's deploy" -> "The deploy".
        edits.push_back({lead, a.last, r_.at(lead).capitalised ? "The" : "the"});
        set_question("What let the change through, and what would have caught it earlier?");
      }
      continue;
    }
    // "Proper testing by the developer would have caught this": what they should have done.
    if (before(1, "by") && !a.possessive && !weak && r_.is_any(a.last, {"would", "could"}) &&
        r_.is_any(a.last + 1, {"have", "'ve"})) {
      add(i - 1, a.last + 2, rule_for(a.kind, rule_id::counterfactual));
      remove_actor(a);
      rewrite_blocked = true;
      continue;
    }
    // "A typo by Chen caused the DNS outage", "a typo from Mateo": the act, and who did it.
    if ((before(1, "by") || before(1, "from")) && i >= 2 && r_.has(i - 2, wf::artifact) &&
        !a.possessive && (!weak || r_.at(i).capitalised)) {
      bool harmful = r_.is_any(i - 2, {"typo", "mistake", "slip", "blunder"}) ||
                     r_.any_flag(i >= 4 ? i - 4 : 0, i - 2, wf::negative_qualifier);
      for (std::size_t k = a.last; k < r_.size(); ++k) harmful = harmful || harm_at(k);
      if (harmful) {
        const bool slip = r_.is_any(i - 2, {"typo", "mistake"});
        add(i - 2, a.last,
            rule_for(a.kind, slip ? rule_id::human_error : rule_id::person_as_cause));
        remove_actor(a);
        edits.push_back({i - 1, a.last, ""});
        set_question("What let it through?");
        continue;
      }
    }
    // "it's on him", "this is on the security team", "Totally on me".
    if (before(1, "on") && !a.possessive &&
        (before(2, "it's") || before(2, "is") || before(2, "totally") || before(2, "all") ||
         before(2, "that's") || before(2, "entirely") || before(2, "squarely") ||
         before(2, "this's") || before(2, "completely") || before(2, "fully") || before(2, "its") ||
         before(2, "thats") || before(2, "one's") || before(2, "ones") ||
         // "this one's on @priyanka": the reader takes "one's" for a possessive.
         (before(2, "one") && r_.at(i - 2).possessive) ||
         (a.kind == actor_kind::self && r_.sentence_start(i - 1) &&
          (a.last >= r_.size() || !r_.word(a.last) || r_.is(a.last, "for"))))) {
      add(i - 1, a.last,
          rule_for(a.kind,
                   a.kind == actor_kind::self ? rule_id::self_blame : rule_id::person_as_cause));
      remove_actor(a);
      rewrite_blocked = true;
      continue;
    }
    // "The QA team's failure to test", "Kevin's oversight": the noun is the omission.
    if (a.possessive && r_.is_any(a.last, {"failure", "refusal", "oversight", "neglect",
                                           "inability", "reluctance"})) {
      add(lead, a.last + 1, rule_for(a.kind, rule_id::counterfactual));
      remove_actor(a);
      rewrite_blocked = true;
      continue;
    }
    // "Chen's attitude towards testing", "Kevin's carelessness".
    if (a.possessive && (r_.is(a.last, "attitude") || r_.has(a.last, wf::judgement))) {
      add(lead, a.last + 1, rule_for(a.kind, rule_id::judgement));
      remove_actor(a);
      rewrite_blocked = true;
      continue;
    }
    // "The deploy that took us down was Mateo's".
    if (a.possessive && (a.last >= r_.size() || r_.at(a.last).kind == token_kind::punct) &&
        lead_before(1, "was") && !weak) {
      bool harm = false;
      for (std::size_t k = 0; k < lead; ++k) harm = harm || harm_at(k);
      if (harm) {
        add(lead - 1, a.last, rule_for(a.kind, rule_id::person_as_cause));
        remove_actor(a);
        rewrite_blocked = true;
        continue;
      }
    }
    // "this wouldn't have happened on Emma's watch".
    if (a.possessive && r_.is(a.last, "watch") && before(1, "on")) {
      add(i - 1, a.last + 1, rule_for(a.kind, rule_id::implied_blame));
      remove_actor(a);
      rewrite_blocked = true;
      continue;
    }
    // "Ingrid is responsible for the outage", "the on-call was at fault".
    if (!a.possessive && !weak && r_.is_any(a.last, {"is", "was", "were", "are"}) &&
        ((r_.is(a.last + 1, "responsible") && r_.is(a.last + 2, "for") &&
          r_.any_flag(a.last + 3, r_.size(), wf::outcome)) ||
         (r_.is(a.last + 1, "at") && r_.is(a.last + 2, "fault")))) {
      add(a.first, a.last + 3, rule_for(a.kind, rule_id::person_as_cause));
      remove_actor(a);
      rewrite_blocked = true;
      continue;
    }
    // "Carlos is the reason checkout was down".
    if (!a.possessive && !weak && r_.is_any(a.last, {"is", "was"}) &&
        (r_.is(a.last + 1, "why") ||
         (r_.is(a.last + 1, "the") && r_.is_any(a.last + 2, {"reason", "cause", "culprit"})))) {
      add(a.first, r_.is(a.last + 1, "why") ? a.last + 2 : a.last + 3,
          rule_for(a.kind, rule_id::person_as_cause));
      remove_actor(a);
      rewrite_blocked = true;
      continue;
    }
    // "Blame lies with X", "the problem lies squarely with the engineer", "blame goes to the
    // payments folks".
    std::size_t rests = lead >= 2 ? lead - 2 : npos;
    while (rests != npos && rests >= 1 && r_.has(rests, wf::adverb)) --rests;
    const bool lies = rests != npos && (lead_before(1, "with") || lead_before(1, "on")) &&
                      r_.is_any(rests, {"lies", "lay", "rests", "rested", "falls", "fell", "blame",
                                        "lie", "sits", "sat"});
    const bool goes = rests != npos && rests >= 1 && lead_before(1, "to") &&
                      r_.is_any(rests, {"goes", "went", "belongs", "go"}) &&
                      r_.is_any(rests - 1, {"blame", "fault", "responsibility"});
    if (lies || goes) {
      add(rests, a.last, rule_for(a.kind, rule_id::person_as_cause));
      remove_actor(a);
      rewrite_blocked = true;
      continue;
    }
    if (before(1, "blame") && !before(2, "git")) {
      add(i - 1, a.last,
          a.kind == actor_kind::self ? rule_id::self_blame
                                     : rule_for(a.kind, rule_id::person_as_cause));
      remove_actor(a);
      rewrite_blocked = true;
      continue;
    }
    // "X to blame", "Eleni is to blame".
    const std::size_t to_at = r_.is_any(a.last, {"is", "was", "are", "were"}) ? a.last + 1 : a.last;
    if (r_.is(to_at, "to") && r_.is(to_at + 1, "blame") && !before(1, "not") &&
        !r_.is(a.first, "nobody")) {
      add(a.first, to_at + 2, rule_for(a.kind, rule_id::person_as_cause));
      remove_actor(a);
      rewrite_blocked = true;
    }
  }
}

bool sentence_review::exposes_secret() const {
  bool secret = false;
  bool exposed = false;
  for (std::size_t k = 0; k < r_.size(); ++k) {
    secret = secret || r_.is_any(k, {"credential", "credentials", "key", "keys", "token", "tokens",
                                     "password", "passwords", "secret", "secrets", "creds"});
    // ("in a public channel", "pasted into slack", "committed to the repo"; not "private")
    exposed = exposed || r_.is_any(k, {"public", "publicly", "plaintext", "pastebin", "slack",
                                       "channel", "chat", "repo", "repository", "github", "gist",
                                       "ticket", "wiki", "screenshot", "logs"});
    if (r_.is_any(k, {"private", "vault", "rotated", "revoked"})) return false;
  }
  return secret && exposed;
}

// "A simple check of the replica lag by Ingrid prior to the promotion would have avoided
// ninety minutes of write unavailability": a safeguard a person did not run, told as a noun with
// its agent, and what it would have spared. The rewrite keeps the check and drops the agent.
void sentence_review::counterfactual_act_noun(const actor& a, std::size_t by, std::size_t start) {
  // "a single question from Grace to the DBA could have spared us six hours": a word someone
  // did not send is a safeguard of its own.
  const bool unsent =
      r_.is(by, "from") &&
      (r_.find(start, by, "question") != npos || r_.find(start, by, "call") != npos ||
       r_.find(start, by, "message") != npos || r_.find(start, by, "ping") != npos);
  if (a.kind == actor_kind::we || (!r_.any_flag(start, by, wf::safeguard) && !unsent)) return;
  for (std::size_t k = a.last; k + 2 < r_.size() && k <= a.last + 8; ++k) {
    const bool would = r_.is_any(k, {"would", "could"}) && r_.is(k + 1, "have");
    const bool would_have = r_.is_any(k, {"would've", "wouldve", "could've", "couldve"});
    if (!would && !would_have) continue;
    const std::size_t v = would ? k + 2 : k + 1;
    if (!r_.is_any(v, {"avoided", "prevented", "caught", "saved", "stopped", "spared", "averted",
                       "shortened", "limited", "revealed", "shown", "flagged"})) {
      return;
    }
    add(by, a.last, rule_for(a.kind, rule_id::counterfactual));
    remove_actor(a);
    edits.push_back({by, a.last, ""});
    set_question("What would have prompted it at the time?");
    return;
  }
}

// "The firewall rule was deleted by @oscar", "checkout was broken by the new guy's refactor".
void sentence_review::check_passive_agents() {
  for (const auto& a : actors_) {
    // "by one of the DBAs", "by someone on the data team", "by a member of the platform team":
    // the agent is the group's.
    std::size_t by = a.first >= 2 ? a.first - 1 : npos;
    if (by != npos && r_.is_any(by, {"of", "on", "from", "in"}) && by >= 2 &&
        r_.is_any(by - 1, {"one", "some", "two", "someone", "somebody", "member", "members",
                           "several", "each"}) &&
        r_.is(by - 2, "by")) {
      by -= 2;
    } else if (by != npos && by >= 2 && r_.is_any(by, {"of", "on", "from", "in"}) &&
               r_.is_any(by - 1, {"member", "members"}) && by >= 3 &&
               r_.has(by - 2, wf::determiner) && r_.is(by - 3, "by")) {
      by -= 3;
    }
    if (by != npos && r_.is(by, "from") && !a.possessive) {
      counterfactual_act_noun(a, by, r_.clause_begin(by));
      continue;
    }
    if (by == npos || !r_.is(by, "by") || a.kind == actor_kind::we) continue;
    if (r_.is(by - 1, "caused")) continue;  // the causal frames report it
    const bool artifact_after = a.possessive && r_.has(a.last, wf::artifact);
    if (a.possessive && !artifact_after) continue;
    // The participle of this clause: "was/were/been [adverbs] VERBed ... by".
    std::size_t start = r_.clause_begin(by);
    // "was dropped at 14:02, by @rohan, for the record", "was flipped, and not by the automation
    // either, by Marco": an agent set off as an aside belongs to the passive before the commas.
    for (int hop = 0;
         hop < 2 && start >= 2 && r_.punct(start - 1, ",") && r_.find(start, by, "was") == npos &&
         r_.find(start, by, "were") == npos && r_.find(start, by, "got") == npos;
         ++hop) {
      start = r_.clause_begin(start - 1);
    }
    // The clause the agent's aside goes on to: "by Kim, without any dry run whatsoever".
    const std::size_t aside_end =
        r_.punct(a.last, ",") ? r_.clause_end(a.last + 1) : r_.clause_end(a.last);
    std::size_t verb_at = npos;
    bool copula = false;
    bool negated = false;
    for (std::size_t k = start; k < by; ++k) {
      if (r_.is_any(k, {"was", "were", "been", "got", "is", "are", "be", "wasn't", "weren't"})) {
        // "is documented in the reference but was not expected by": a new verb group.
        if (verb_at != npos && k > verb_at + 1) verb_at = npos;
        copula = true;
      }
      if (r_.is_any(k, {"never", "not"})) negated = true;
      const auto* v = r_.verb(k);
      // "was run": a participle that looks like the base form. The clause's is the first after
      // the copula ("deployed in place of the tagged release", "left enabled"), or one joined to
      // it ("acknowledged and then ignored"); never one that describes a noun ("the tagged
      // release").
      const bool joined = verb_at != npos && k >= 1 &&
                          (r_.is_any(k - 1, {"and", "or"}) ||
                           (k >= 2 && r_.has(k - 1, wf::adverb) && r_.is_any(k - 2, {"and", "or"})));
      if (copula && (verb_at == npos || joined) && v != nullptr &&
          v->form != wf::verb_form::gerund && !r_.is_any(k, {"was", "were", "been", "got", "is",
                                                             "are", "be", "wasn't", "weren't"}) &&
          !(k >= 1 && r_.has(k - 1, wf::determiner)) &&
          (v->form != wf::verb_form::base || v->participle == r_.at(k).norm)) {
        verb_at = k;
      }
    }
    // A reduced relative: "an incorrect command entered by an S3 team member".
    if (verb_at == npos && by >= 1) {
      const auto* v = r_.verb(by - 1);
      if (v != nullptr &&
          (v->form == wf::verb_form::past_or_participle || v->form == wf::verb_form::participle)) {
        verb_at = by - 1;
      }
    }
    // A fragment without a finite verb, as in a list of findings: "- Production credentials
    // pasted into a public channel by @ferdinand". The noun phrase opens the sentence and its
    // participle follows it; a subject before it ("Tom pasted ...") makes it an active verb.
    if (verb_at == npos && start == 0 && !copula) {
      for (std::size_t k = 1; k < by; ++k) {
        const auto* v = r_.verb(k);
        if (v == nullptr) continue;
        const bool subject = std::any_of(actors_.begin(), actors_.end(),
                                         [&](const actor& o) { return o.first < k; });
        if ((v->form == wf::verb_form::past_or_participle ||
             v->form == wf::verb_form::participle) &&
            !subject && r_.word(k - 1) && !r_.has(k - 1, wf::determiner | wf::function_word)) {
          verb_at = k;
        }
        break;
      }
    }
    if (verb_at == npos) {
      counterfactual_act_noun(a, by, start);
      continue;
    }
    const auto* v = r_.verb(verb_at);
    // "a behaviour ... not expected by the people who configured it": what people knew or
    // expected is what a blameless review asks for, not an act.
    if (v->kind == verb_class::cognition) continue;
    // "The incident originated with a change made by Henrik": an act named as the origin.
    const bool origin =
        verb_at >= 1 && r_.has(verb_at - 1, wf::artifact) &&
        (r_.any_flag(0, verb_at, wf::outcome) || r_.find(0, verb_at, "originated") != npos ||
         r_.find(0, verb_at, "stemmed") != npos || r_.find(0, verb_at, "resulted") != npos);
    // "The CDN purge that wiped every cached asset was run by hand by Otto".
    bool harm_before = false;
    for (std::size_t k = start; k < verb_at; ++k) {
      const auto* h = r_.verb(k);
      harm_before =
          harm_before || (harm_at(k) && h->form != wf::verb_form::base &&
                          (!r_.has(k - 1, wf::determiner) || r_.is_any(k - 1, {"that", "which"})));
    }
    const bool negative =
        origin || harm_before || r_.any_flag(start, a.first, wf::negative_qualifier) ||
        r_.find(start, aside_end, "without") != npos ||
        // "launched with no dry run", "deleted, against policy,", "by anna.s, skipping the 5%
        // stage": a safeguard left out or a rule broken on the way.
        matches(r_, r_.find(start, aside_end, "with"), {"with", "no"}) ||
        r_.find(start, aside_end, "against") != npos ||
        r_.find(a.last, aside_end, "skipping") != npos ||
        r_.find(a.last, aside_end, "bypassing") != npos ||
        r_.find(a.last, r_.size(), "nobody") != npos ||
        (r_.find(a.last, r_.size(), "which") != npos &&
         harm_at(r_.find(a.last, r_.size(), "which") + 1)) ||
        (r_.find(a.last, r_.size(), "before") != npos &&
         r_.any_flag(r_.find(a.last, r_.size(), "before"), r_.size(), wf::safeguard)) ||
        r_.find(a.last, r_.size(), "never") != npos ||
        // "..., and no one was informed", "by a product engineer who had not been assigned".
        matches(r_, r_.find(a.last, r_.size(), "no"), {"no", "one"}) ||
        (r_.is(a.last, "who") && r_.any_flag(a.last, r_.clause_end(a.last + 1), wf::negation)) ||
        // "performed by a member of the release team, who removed the wrong entry": the
        // agent's own clause tells the slip.
        (r_.punct(a.last, ",") && r_.is(a.last + 1, "who") &&
         r_.any_flag(a.last + 2, r_.clause_end(a.last + 2),
                     wf::negation | wf::negative_qualifier)) ||
        // "The second outage was created by the contractor": the harm is the subject, and the
        // verb brings it about ("The incident was acknowledged by the on-call" is a response).
        [&] {
          if (!r_.is_any(verb_at, {"created", "caused", "introduced", "started", "triggered",
                                   "produced", "made", "sparked", "provoked", "brought", "kicked",
                                   "set", "initiated", "precipitated", "unleashed"})) {
            return false;
          }
          for (std::size_t k = start; k < verb_at; ++k) {
            if (r_.is_any(k, {"outage", "outages", "failure", "incident", "problem", "issue",
                              "disruption", "breach", "loss", "degradation", "downtime"})) {
              return true;
            }
          }
          return false;
        }() ||
        // "acknowledged by the on-call engineer and subsequently left uninvestigated".
        [&] {
          for (std::size_t k = a.last; k + 1 < r_.size(); ++k) {
            const auto& w = r_.at(k + 1).norm;
            if (r_.is_any(k, {"left", "went"}) && w.size() > 6 && w.starts_with("un") &&
                w.ends_with("ed")) {
              return true;
            }
          }
          return false;
        }();
    // "left open by Kenji": a state that should not have been left.
    const bool exposed = r_.is_any(verb_at + 1, {"open", "exposed", "unlocked", "unpatched",
                                                 "unattended", "unprotected", "public"}) ||
                         exposes_secret();
    // "was left enabled by Pedro", "were left unencrypted by Pete": a state left behind is
    // told as the person's loose end, whatever the state is.
    const bool left_behind = v->base == "leave" && verb_at + 1 < by && r_.word(verb_at + 1) &&
                             !r_.has(verb_at + 1, wf::function_word | wf::determiner);
    // "were waved off by Greta", "was brushed aside by": a dismissal in the passive.
    const bool dismissed =
        verb_at + 1 < by && r_.word(verb_at + 1) &&
        wf::phrasal_class(v->base, r_.at(verb_at + 1).norm) == verb_class::omission;
    // "Mistakes were made by Ahmed": the act is named as a fault; "deployed in place of the
    // tagged release by": what was done was not what was meant.
    const bool fault_subject = r_.any_flag(start, verb_at, wf::fault_noun);
    const bool in_place_of = [&] {
      for (std::size_t k = verb_at; k + 2 < by; ++k) {
        if (matches(r_, k, {"in", "place", "of"}) || r_.is(k, "instead")) return true;
      }
      return false;
    }();
    // "The customer notification was held back by Isabelle until the following morning": news
    // or a fix kept waiting.
    const bool held_back = v->base == "hold" && r_.is(verb_at + 1, "back") &&
                           r_.find(a.last, r_.size(), "until") != npos;
    const bool blameful =
        v->kind == verb_class::harm || v->kind == verb_class::omission || negated || negative ||
        exposed || left_behind || dismissed || fault_subject || in_place_of || held_back || v->base == "silence" || v->base == "target" || v->base == "rush" ||
        v->base == "delay" || v->base == "stall" || v->base == "prolong" ||
        // "The rollback was blocked by the release manager": a recovery held back.
        (r_.is_any(verb_at, {"blocked", "held", "stopped", "paused"}) &&
         r_.any_flag(start, verb_at, wf::positive)) ||
        // "the backup job got disabled by X", "the flag got flipped by sam":
        // a safeguard or a switch turned by hand.
        v->base == "disable" || v->base == "flip" || v->base == "toggle" || v->base == "override" ||
        (v->base == "hold" && r_.is(verb_at + 1, "up")) ||
        // "The certificate was allowed to expire by the security team".
        ((v->base == "allow" || v->base == "let" || v->base == "permit") &&
         r_.is(verb_at + 1, "to"));
    if (!blameful) continue;
    const bool weak = a.kind == actor_kind::weak_person || a.kind == actor_kind::weak_team;
    // "by Sunil": a capitalised word after "by" is a name as much as a known one.
    if (weak && !r_.at(a.first).capitalised && v->kind != verb_class::harm &&
        v->kind != verb_class::omission) {
      continue;
    }
    const std::size_t last = artifact_after ? a.last + 1 : a.last;
    add(by, last,
        a.kind == actor_kind::indefinite ? rule_id::implied_blame : rule_id::passive_blame);
    remove_actor(a);
    if (artifact_after) {
      edits.push_back({a.first, a.last, r_.has(a.first - 1, wf::determiner) ? "" : "the"});
    } else if (r_.punct(a.last, ",") && r_.is(a.last + 1, "who")) {
      // ", who removed the wrong entry" would be left without the person it tells of.
      rewrite_blocked = true;
    } else {
      // "by Kim" and "by the on-call" go, with the determiner before a role.
      edits.push_back({by, a.last, ""});
    }
    set_question("What made that possible, and what would have stopped it?");
  }
}

}  // namespace scribe::bot::wording
