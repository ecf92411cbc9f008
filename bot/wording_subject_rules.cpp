// The rules about a person as the subject of a clause: what they did (a harm, an act with a slip
// around it, a duty left undone), what is said of them (a judgement, a verdict on ability), and
// counterfactuals (a modal "should have", a condition with a duty in it), also when the subject
// is left out, as chat answers do. Systems fail, miss and forget without blame, so every rule
// here needs an actor, or a duty only people have.
#include "bot/wording_sentence_review.hpp"

#include <algorithm>
#include <string_view>

namespace scribe::bot::wording {

void sentence_review::find_actors() {
  for (std::size_t i = 0; i < r_.size();) {
    if (auto a = r_.actor_at(i)) {
      actors_.push_back(*a);
      i = a->last;
    } else {
      ++i;
    }
  }
}

void sentence_review::run() {
  find_actors();
  for (const auto& a : actors_) {
    if (!a.possessive) check_subject(a);
  }
  check_subjectless();
  check_conditions();
  check_responsibility();
  check_pointing();
  check_cause_markers();
  check_cause_subject();
  check_zero_relatives();
  check_attribution();
  check_fault_nouns();
  check_team_faults();
  check_causal_frames();
  check_passive_agents();
  check_phrases();
  check_competence();
  check_conduct();
  check_implied();
  check_judgement_words();
  check_advice();
}

bool destructive(std::string_view base) {
  return base == "delete" || base == "drop" || base == "wipe" || base == "kill" ||
         base == "remove" || base == "truncate" || base == "nuke" || base == "trash";
}

// "I'm", "he's", "you're": a subject with its copula.
bool contracted_copula(std::string_view w) {
  return w == "i'm" || w == "im" || w == "he's" || w == "she's" || w == "you're" ||
         w == "they're" || w == "youre" || w == "theyre";
}

// A person (or team, or "I") as the subject of a clause: what do they do in it?
void sentence_review::check_subject(const actor& a) {
  relative_or_question_ = false;
  // The object of a preposition is no subject: "a typo by Chen caused ...".
  const bool nobody_in = a.first >= 2 && r_.is_any(a.first - 1, {"from", "at"}) &&
                         (r_.is(a.first - 2, "nobody") || r_.is(a.first - 2, "one"));
  if (a.first >= 1 && !nobody_in &&
      r_.is_any(a.first - 1, {"by", "to", "of", "from", "with", "for", "at", "about", "than"})) {
    return;
  }
  // "It was the front-end team that broke checkout", "it was bkumar who disabled the alert":
  // the cleft's clause is what is said of the person.
  if (a.first >= 1 && r_.is_any(a.first - 1, {"was", "is", "it's", "its"}) &&
      r_.is_any(a.last, {"that", "who"}) && !a.possessive) {
    relative_or_question_ = true;
    check_predicate(a, parse_predicate(r_, a.last + 1));
    return;
  }
  // "what went wrong? kevin happened": a person as what happened.
  if (r_.is(a.last, "happened") && (a.last + 1 >= r_.size() || !r_.word(a.last + 1) ||
                                    r_.is_any(a.last + 1, {"lol", "again", "tbh"}))) {
    add(a.first, a.last + 1, rule_for(a.kind, rule_id::person_as_cause));
    rewrite_blocked = true;
    return;
  }
  auto p = parse_predicate(r_, a.last);
  // "At no point did the on-call engineer consult the runbook", "Never once did he check":
  // the negation comes first.
  if (a.first >= 2 && r_.is_any(a.first - 1, {"did", "had", "was"})) {
    for (std::size_t k = a.first >= 4 ? a.first - 4 : 0; k + 1 < a.first; ++k) {
      if (r_.is_any(k, {"no", "never", "nor"}) && !r_.clause_break(k + 1)) p.negated = true;
    }
  }
  // "nobody on the platform team checked ...": the team did not.
  if (a.first >= 2 && r_.is_any(a.first - 1, {"on", "in", "from", "at"}) &&
      (r_.is(a.first - 2, "nobody") ||
       (a.first >= 3 && r_.is(a.first - 2, "one") && r_.is(a.first - 3, "no")))) {
    p.negated = true;
  }
  // "some people clearly think change review is optional": an opinion pinned on people left
  // unnamed on purpose.
  if (a.kind == actor_kind::indefinite && r_.is_any(a.first, {"some", "certain"}) &&
      p.verb != nullptr && r_.is_any(p.verb_at, {"think", "believe", "assume", "feel"})) {
    add(a.first, p.end, rule_id::implied_blame);
    rewrite_blocked = true;
    return;
  }
  // "I'm the reason", "he's clueless": the copula is inside the actor's word.
  if (contracted_copula(r_.at(a.last - 1).norm) &&
      r_.find(a.last, p.verb_at == npos ? p.end : p.verb_at, "who") == npos) {
    p.copula = true;
    if (p.verb != nullptr && p.verb->form == wf::verb_form::gerund) p.copula = false;
    p.passive = p.copula && p.verb != nullptr && p.verb->form != wf::verb_form::base &&
                p.verb->form != wf::verb_form::third_person;
  }
  // "The developer who wrote the migration corrupted half the rows": the relative clause, then
  // the main clause's verb after it.
  if (r_.is(a.last, "who") && p.verb != nullptr) {
    const std::size_t after = p.tail_end != npos ? p.tail_end : p.end;
    if (after < r_.size() &&
        (r_.verb(after) != nullptr || r_.has(after, wf::modal | wf::auxiliary))) {
      check_predicate(a, parse_predicate(r_, after));
      relative_or_question_ = true;
    }
  }
  const std::size_t before = findings.size();
  check_predicate(a, p);
  // "Support keeps escalating non-issues and ignoring the real ones", "didn't test it or tell
  // anyone": the same subject's second verb, judged when the first said nothing blameful. Its
  // finding gets no rewrite: the clause rewrite covers only the first verb.
  if (findings.size() != before || p.verb == nullptr) return;
  const std::size_t k = p.tail_end != npos ? p.tail_end : p.end;
  if (k + 1 >= r_.size() || !r_.is_any(k, {"and", "or", "nor", "but"}) ||
      r_.verb(k + 1) == nullptr || r_.has(k + 1, wf::determiner)) {
    return;
  }
  auto second = parse_predicate(r_, k + 1);
  if (second.verb == nullptr) return;
  if (p.habitual && second.verb->form == wf::verb_form::gerund) {
    second.verb = r_.in_form(second.verb, p.verb->form);
  }
  if (second.verb->form == wf::verb_form::gerund) return;
  // "didn't check the lag or test the restore": the negation reaches over "or".
  if (p.negated && r_.is_any(k, {"or", "nor"})) second.negated = true;
  const bool saved = relative_or_question_;
  relative_or_question_ = true;
  check_predicate(a, std::move(second));
  relative_or_question_ = saved;
}

void sentence_review::check_predicate(const actor& a, predicate p) {
  if (p.verb == nullptr) {
    // "If the reviewer had been more careful": a counterfactual about the person's care.
    const bool conditional_care =
        p.copula && p.perfect && a.first >= 1 && r_.is_any(a.first - 1, {"if", "had"});
    for (std::size_t k = p.end; conditional_care && k < r_.size() && k <= p.end + 2; ++k) {
      if (r_.is_any(k, {"careful", "attentive", "diligent", "thorough", "awake", "alert"})) {
        add(a.first, k + 1, rule_for(a.kind, rule_id::counterfactual));
        remove_actor(a);
        rewrite_blocked = true;
        return;
      }
    }
    // Copulas with a judgement: "Frank was lazy", "@kate is clueless", "Pat was incompetent".
    if (p.copula && a.kind != actor_kind::we) {
      std::size_t k = p.end;
      while (k < r_.size() && r_.is_any(k, {"a", "an", "so", "too", "very", "really", "just",
                                            "totally", "completely", "pretty", "being"})) {
        ++k;
      }
      if (r_.has(k, wf::judgement)) {
        add(a.first, k + 1, rule_for(a.kind, rule_id::judgement));
        rewrite_blocked = true;
      } else if (r_.has(k, wf::derogatory)) {
        add(a.first, k + 1, rule_for(a.kind, rule_id::implied_blame));
        rewrite_blocked = true;
      } else if (r_.has(k, wf::incapable) ||
                 (p.negated && r_.has(k, wf::capability) &&
                  !(r_.is(k, "ready") && r_.is(k + 1, "to") &&
                    r_.find(p.begin, p.end, "isnt") == npos &&
                    r_.find(p.begin, p.end, "isn't") == npos &&
                    r_.find(p.begin, p.end, "aren't") == npos &&
                    r_.find(p.begin, p.end, "arent") == npos))) {  // "wasn't ready to roll
                                                                  // back" tells a state
        // "@kate is clueless", "our junior devs aren't ready for on-call", "isn't qualified".
        add(a.first, k + 1, rule_for(a.kind, rule_id::competence));
        rewrite_blocked = true;
      } else if (r_.is(k, "lost") && (k + 1 >= r_.size() || !r_.word(k + 1) ||
                                       r_.is_any(k + 1, {"on", "in", "during", "with"}))) {
        // "the new intern is completely lost on call".
        add(a.first, k + 1, rule_for(a.kind, rule_id::competence));
        rewrite_blocked = true;
      } else if (r_.is(k, "slow") && r_.is(k + 1, "to") && r_.verb(k + 2) != nullptr &&
                 r_.find(k, r_.size(), "because") == npos) {
        // "the on-call was slow to respond": the timing of a person's act judged.
        add(a.first, k + 3, rule_for(a.kind, rule_id::judgement));
        rewrite_blocked = true;
      } else if (r_.has(k, wf::determiner) && r_.has(k + 1, wf::cause_noun) &&
                 (a.kind != actor_kind::weak_person || r_.at(a.first).capitalised)) {
        // "I'm the reason checkout was down", "Carlos was the cause".
        add(a.first, k + 2,
            a.kind == actor_kind::self ? rule_id::self_blame
                                       : rule_for(a.kind, rule_id::person_as_cause));
        remove_actor(a);
        rewrite_blocked = true;
      }
    }
    return;
  }
  if (a.kind == actor_kind::we) {
    // "We should have seen it coming": hindsight about the situation, not about a person.
    if (p.modal_counterfactual && p.kind == verb_class::cognition) {
      add(a.first, p.end, rule_id::hindsight);
      rewrite_blocked = true;
    }
    return;
  }
  bool weak = a.kind == actor_kind::weak_person || a.kind == actor_kind::weak_team;
  const bool past =
      p.verb->form == wf::verb_form::past || p.verb->form == wf::verb_form::past_or_participle;
  const std::size_t clause_end = r_.clause_end(p.end);
  // "opened a valve, but it was the wrong one": the object judged in a clause of its own.
  const bool judged_later = [&] {
    for (std::size_t k = own_clause_end(p.end); k + 2 < r_.size(); ++k) {
      if (!r_.is_any(k, {"it", "that", "this", "which"})) continue;
      std::size_t j = k + 1;
      if (r_.is_any(j, {"was", "turned", "proved"})) {
        ++j;
        if (r_.is(j, "out")) ++j;
        if (r_.is(j, "to") && r_.is(j + 1, "be")) j += 2;
        if (r_.has(j, wf::determiner)) ++j;
        return r_.has(j, wf::negative_qualifier);
      }
    }
    return false;
  }();
  // "the wrong index", also "in the wrong workspace" after the object.
  const bool negative_object =
      judged_later ||
      (p.object_begin != npos &&
       r_.any_flag(p.object_begin, p.object_end, wf::negative_qualifier)) ||
      (p.verb != nullptr &&
       r_.any_flag(p.end,
                   std::min(own_clause_end(p.end), std::min(r_.find(p.end, r_.size(), "that"),
                                                            r_.find(p.end, r_.size(), "which"))),
                   wf::negative_qualifier));  // not in a clause about the object
  const bool benign_object =
      p.object_begin != npos && r_.any_flag(p.object_begin, p.object_end, wf::benign);
  const bool instead = r_.find(p.end, r_.size(), "instead") != npos;
  const std::size_t without = r_.find(p.end, clause_end + 4, "without");
  // "ran the migration without a dry run; the tool has no dry-run mode for that table type":
  // the safeguard told as missing from the tool is the circumstance, the account a blameless
  // review asks for, as "because" is.
  const bool safeguard_missing = without != npos && [&] {
    for (std::size_t k = without + 4; k + 1 < r_.size(); ++k) {
      if ((r_.is_any(k, {"has", "had", "have", "offers", "offered"}) && r_.is(k + 1, "no")) ||
          r_.is_any(k, {"lacks", "lacked"}) ||
          (r_.is_any(k, {"doesn't", "didn't", "doesnt", "didnt"}) && r_.is(k + 1, "have"))) {
        return true;
      }
    }
    return false;
  }();
  const bool skipped_safeguard =
      without != npos && !safeguard_missing &&
      (r_.any_flag(without + 1, without + 4, wf::safeguard) || r_.verb(without + 1) != nullptr);

  // "was inadequately trained to operate the cluster", "was not adequately trained": a verdict
  // on preparation.
  const bool badly_done =
      p.verb_at != npos && p.verb_at >= 1 &&
      (r_.is_any(p.verb_at - 1, {"inadequately", "insufficiently", "poorly", "badly"}) ||
       (p.negated &&
        r_.is_any(p.verb_at - 1, {"adequately", "properly", "sufficiently", "fully"})));
  if (p.passive && !weak && badly_done &&
      r_.is_any(p.verb_at, {"trained", "prepared", "skilled", "qualified", "equipped"})) {
    add(a.first, p.verb_at + 1, rule_for(a.kind, rule_id::competence));
    rewrite_blocked = true;
    return;
  }
  if (p.passive) return;  // "Kim was paged": something done to them
  // "as part of the retention job, as scheduled", "on purpose", "per the policy": a planned act.
  for (std::size_t k = p.end; k + 1 < r_.size(); ++k) {
    if (matches(r_, k, {"as", "planned"}) || matches(r_, k, {"as", "scheduled"}) ||
        matches(r_, k, {"as", "part", "of"}) || matches(r_, k, {"on", "purpose"}) ||
        matches(r_, k, {"per", "the"}) || matches(r_, k, {"as", "requested"}) ||
        matches(r_, k, {"as", "designed"}) || matches(r_, k, {"as", "intended"}) ||
        r_.is_any(k, {"deliberately", "intentionally", "purposely"})) {
      return;
    }
    // "... to stop the data corruption from spreading": an act to protect is no slip.
    if (r_.is(k, "to") &&
        r_.is_any(k + 1, {"stop", "prevent", "contain", "protect", "relieve", "free", "limit",
                          "mitigate", "reduce", "save", "drain", "clear", "shed"})) {
      return;
    }
  }
  // A question puts the negation first: "Why didn't you test it?"
  if (a.first >= 1 && r_.has(a.first - 1, wf::negation) && r_.has(a.first - 1, wf::auxiliary)) {
    p.negated = true;
    relative_or_question_ = true;
  }
  // "the engineer who crashed the database": rewriting the relative clause alone would leave
  // its head dangling.
  if (r_.is(a.last, "who") || (r_.punct(a.last, ",") && r_.is(a.last + 1, "who"))) {
    relative_or_question_ = true;
  }
  // "If Lee had read the runbook, ...", "Had she waited ...", "if only @omar had checked".
  // "Had she waited ...", also after the consequence: "... avoided entirely had the operator
  // followed the procedure".
  const bool inverted = a.first >= 1 && r_.is(a.first - 1, "had") && p.verb != nullptr &&
                        p.verb->form != wf::verb_form::gerund && !p.copula &&
                        (r_.sentence_start(a.first - 1) ||
                         (p.verb->form != wf::verb_form::base &&
                          std::none_of(actors_.begin(), actors_.end(),
                                       [&](const actor& b) { return b.last == a.first - 1; })));
  const bool conditional =
      inverted || (p.perfect && a.first >= 1 &&
                   (r_.is_any(a.first - 1, {"if", "wish"}) ||
                    (r_.is(a.first - 1, "only") && a.first >= 2 && r_.is(a.first - 2, "if"))));
  // "If Lee had known about the flag, ...": missing information, not a verdict.
  if (conditional && p.kind == verb_class::cognition && !p.negated) return;
  // "Had Ola spoken up earlier": the inverted condition is specific enough for an unsure name.
  if (inverted && weak && r_.at(a.first).capitalised) weak = false;
  // "If Ayo had waited for the second approval": a duty in a condition is a person's.
  if (conditional && a.kind == actor_kind::weak_person && r_.at(a.first).capitalised &&
      (p.kind == verb_class::diligence || p.kind == verb_class::omission)) {
    weak = false;
  }
  // "Had the SRE team done its job": the duty named as a job.
  const bool own_job = p.verb->base == "do" && r_.is_any(p.end, {"its", "their", "his", "her",
                                                                 "your", "my"}) &&
                       r_.is_any(p.end + 1, {"job", "jobs", "homework", "part", "duty"});
  if (conditional && own_job && !weak) {
    add(a.first >= 1 && r_.is(a.first - 1, "had") ? a.first - 1 : a.first, p.end + 2,
        rule_for(a.kind, rule_id::counterfactual));
    remove_actor(a);
    rewrite_blocked = true;
    return;
  }
  if (conditional && !p.copula && p.kind != verb_class::none && (!weak || r_.is(a.first, "they"))) {
    add(a.first >= 1 && r_.is(a.first - 1, "had") ? a.first - 1 : a.first, p.end,
        rule_for(a.kind, rule_id::counterfactual));
    remove_actor(a);
    if (p.kind == verb_class::cognition) {
      rewrite_blocked = true;
      return;
    }
    const bool done = p.negated != (p.kind == verb_class::harm || p.kind == verb_class::omission);
    rewrite_clause(a, p, done ? rewrite_frame::done : rewrite_frame::not_done);
    return;
  }
  // "Jordan might have spotted the bad value if he'd diffed the config", "With one dry run
  // against the staging snapshot, Pieter would have seen the lock": a hypothesis becomes
  // hindsight about the person once its condition is a step of theirs left undone. "Kim would
  // have seen the alert if the pager had fired" is about the system and stays silent.
  if (p.hypothesis && !p.copula && a.kind != actor_kind::we) {
    const auto cond = r_.find(p.end, r_.size(), "if");
    const bool own_condition =
        cond != npos && (std::any_of(actors_.begin(), actors_.end(),
                                     [&](const actor& b) {
                                       return b.first == cond + 1 && b.kind != actor_kind::we;
                                     }) ||
                         r_.is_any(cond + 1, {"he'd", "she'd", "hed", "he", "she"}));
    const auto with = r_.find(0, a.first, "with");
    const bool without_safeguard =
        with != npos && r_.is_any(with + 1, {"one", "a", "just", "a single"}) &&
        r_.any_flag(with + 1, std::min(with + 4, a.first), wf::safeguard);
    if (own_condition || without_safeguard) p.modal_counterfactual = true;
  }
  if (p.modal_counterfactual) {
    if (weak && p.kind == verb_class::none) return;
    // "could have escalated sooner if the alert had named the service": what a system lacked.
    if (const auto cond = r_.find(p.end, r_.size(), "if"); cond != npos) {
      const bool person_condition = std::any_of(
          actors_.begin(), actors_.end(),
          [&](const actor& b) { return b.first == cond + 1 && b.kind != actor_kind::we; });
      if (!person_condition) return;
    }
    if (p.copula) return;  // "should have been": an expectation
    // "The reviewer could have asked for a test, but the template did not prompt for one": what
    // someone could have done, told with what the system did not do.
    if (r_.is_any(p.begin, {"could", "could've", "couldve"}) || r_.find(p.begin, p.end, "could") != npos) {
      const auto but = r_.find(p.end, r_.size(), "but");
      if (but != npos && r_.has(but + 1, wf::determiner) &&
          std::none_of(actors_.begin(), actors_.end(),
                       [&](const actor& b) { return b.first == but + 1; })) {
        return;
      }
    }
    add(a.first, p.end, rule_for(a.kind, rule_id::counterfactual));
    remove_actor(a);
    if (p.kind == verb_class::cognition) {
      rewrite_blocked = rewrite_blocked || p.object_begin == npos;
      return;
    }
    rewrite_clause(a, p, p.negated ? rewrite_frame::done : rewrite_frame::not_done);
    return;
  }
  if (p.verb->base == "bother") {
    if (p.negated) {
      add(a.first, p.end, rule_for(a.kind, rule_id::judgement));
      remove_actor(a);
      rewrite_clause(a, p, rewrite_frame::omission);
    }
    return;
  }
  // "A more careful reviewer would not have approved this": a hypothesis, not a past omission.
  if (p.negated && p.modal && !p.modal_counterfactual) return;
  // "Diego had never run a migration on this cluster": experience, not an omission.
  if (p.negated && p.perfect && r_.find(p.begin, p.end, "never") != npos) return;
  if (p.negated) {
    // "didn't check", "never tested", "did not know how to".
    if (p.kind == verb_class::cognition && p.verb->base == "know" && r_.is(p.end, "how") &&
        r_.is(p.end + 1, "to")) {
      add(a.first, p.end + 2, rule_for(a.kind, rule_id::competence));
      remove_actor(a);
      rewrite_clause(a, p, rewrite_frame::hard_to);
      return;
    }
    // "didn't know how DNS TTLs work", "doesn't get how dns works": a gap in knowledge told as
    // a verdict.
    const bool knowing = p.verb->base == "know" || p.verb->base == "get" ||
                         p.verb->base == "grasp" || p.verb->base == "comprehend";
    if (knowing &&
        (r_.is_any(p.end, {"how", "what", "why"}) ||
         (r_.is(p.end, "the") && r_.is_any(p.end + 1, {"basics", "difference"}))) &&
        !weak) {
      add(a.first, p.end + 1, rule_for(a.kind, rule_id::competence));
      remove_actor(a);
      rewrite_blocked = true;
      return;
    }
    // "our dba doesnt know postgres": a present-tense verdict on what someone knows (a past
    // "didn't know the flag was shared" tells what was known at the time).
    if (p.verb->base == "know" && p.verb->form == wf::verb_form::base && !weak &&
        (r_.find(p.begin, p.end, "doesn't") != npos || r_.find(p.begin, p.end, "doesnt") != npos ||
         r_.find(p.begin, p.end, "does") != npos || r_.find(p.begin, p.end, "don't") != npos ||
         r_.find(p.begin, p.end, "dont") != npos) &&
        p.object_begin != npos &&
        (p.object_end == p.object_begin + 1 ||
         (p.object_end == p.object_begin + 2 &&
          r_.is_any(p.object_begin + 1,
                    {"lol", "tbh", "either", "though", "apparently", "smh"}))) &&
        !r_.is_any(p.object_begin, {"that", "it", "this", "why", "when", "where", "who", "yet"})) {
      add(a.first, p.object_end, rule_for(a.kind, rule_id::competence));
      rewrite_blocked = true;
      return;
    }
    if (p.kind == verb_class::cognition &&
        (p.verb->base == "understand" || p.verb->base == "grasp" || p.verb->base == "comprehend")) {
      add(a.first, p.end, rule_for(a.kind, rule_id::competence));
      rewrite_blocked = true;
      return;
    }
    // An unsure name counts for a duty left undone ("Rafa didn't even look at the diff"), not
    // for any act ("Kibana didn't show the errors").
    const bool unsure_ok = a.kind != actor_kind::weak_person ||
                           (p.kind == verb_class::diligence && r_.at(a.first).capitalised);
    if ((p.kind == verb_class::diligence || p.kind == verb_class::action) && unsure_ok &&
        (past || r_.is_any(a.last, {"never"}) || p.verb->form == wf::verb_form::base)) {
      if (a.kind == actor_kind::team && !r_.is_any(p.begin, {"never"}) && !past &&
          p.verb->form != wf::verb_form::base) {
        return;
      }
      add(a.first, p.end, rule_for(a.kind, rule_id::counterfactual));
      remove_actor(a);
      rewrite_clause(a, p, rewrite_frame::not_done);
    }
    return;
  }
  if (p.verb->form == wf::verb_form::gerund) return;
  // "networking screwed us with that firewall change": harm done to people.
  if (p.verb->base == "screw" && p.particle.empty() &&
      r_.is_any(p.end, {"us", "them", "me", "everyone", "everybody"})) {
    add(a.first, p.end + 1, rule_for(a.kind, rule_id::person_as_cause));
    rewrite_blocked = true;
    return;
  }
  // "The SRE team allowed the certificate inventory to fall out of date", "let the cert
  // expire": a lapse allowed is a duty left undone.
  if ((p.verb->base == "allow" || p.verb->base == "let" || p.verb->base == "permit") && !weak &&
      !p.negated && !p.modal) {
    for (std::size_t k = p.end; k < r_.size() && k <= p.end + 6 && !r_.clause_break(k); ++k) {
      const std::size_t v_at = r_.is(k, "to") ? k + 1 : k;
      if (v_at == k && k == p.end) continue;
      if (r_.is_any(v_at, {"expire", "lapse", "rot", "drift", "fall", "fill", "slip", "degrade",
                           "linger", "accumulate", "grow"}) ||
          harm_at(v_at)) {
        add(a.first, v_at + 1, rule_for(a.kind, rule_id::counterfactual));
        rewrite_blocked = true;
        return;
      }
    }
  }
  // "Sergio made a typo in the hostname", "made a bad call", "made the wrong decision".
  if (p.verb->base == "make" && p.object_begin != npos && !weak) {
    const std::size_t head = p.object_end - 1;
    const bool fault = r_.has(head, wf::fault_noun) && !r_.is_any(head, {"failure", "failures"});
    const bool bad_call =
        r_.is_any(head, {"call", "decision", "choice", "judgement", "judgment"}) &&
        r_.any_flag(p.object_begin, head, wf::negative_qualifier | wf::judgement);
    if (fault || bad_call) {
      add(a.first, p.object_end,
          a.kind == actor_kind::self
              ? rule_id::self_blame
              : rule_for(a.kind, fault ? rule_id::human_error : rule_id::judgement));
      remove_actor(a);
      rewrite_blocked = true;
      return;
    }
  }
  // "maybe next time the on-call could actually look at the alerts": advice that says they
  // did not.
  if (p.modal && !p.perfect && !p.negated && r_.find(p.begin, p.verb_at, "actually") != npos &&
      (p.kind == verb_class::diligence || p.kind == verb_class::cognition) && !weak) {
    add(a.first, p.end, rule_for(a.kind, rule_id::implied_blame));
    rewrite_blocked = true;
    return;
  }
  if (p.slip_adverb_at != npos && p.kind != verb_class::none) {
    add(a.first, p.end, rule_for(a.kind, rule_id::human_error));
    remove_actor(a);
    rewrite_clause(a, p, p.kind == verb_class::harm ? rewrite_frame::harm : rewrite_frame::slip);
    return;
  }
  if (p.judgement_at != npos) {
    add(a.first, p.end, rule_for(a.kind, rule_id::judgement));
    remove_actor(a);
    rewrite_clause(a, p, p.kind == verb_class::harm ? rewrite_frame::harm : rewrite_frame::slip);
    return;
  }
  switch (p.kind) {
    case verb_class::harm: {
      if (destructive(p.verb->base) && benign_object && !negative_object) return;
      // "dropped the pool size to 50" sets a value; "broke the incident into workstreams" splits.
      if (p.object_end != npos && p.object_end < r_.size() &&
          ((r_.is(p.object_end, "to") &&
            r_.at(std::min(p.object_end + 1, r_.size() - 1)).kind == token_kind::number) ||
           r_.is(p.object_end, "into"))) {
        return;
      }
      if (p.object_begin != npos && r_.is(p.object_end - 1, "ball")) return;  // the idiom
      if (p.object_begin == npos && p.particle.empty() && p.verb->base != "mess" &&
          p.verb->base != "screw" && p.verb->base != "botch") {
        // "the job crashed": an intransitive harm verb tells about the subject, not what it did.
        if (weak || p.verb->base == "crash" || p.verb->base == "break") return;
      }
      const bool fat_finger =
          p.verb->base == "fat-finger" || p.verb->base == "mistype" || p.verb->base == "miskey";
      add(a.first, p.end,
          rule_for(a.kind, fat_finger ? rule_id::human_error : rule_id::person_as_cause));
      remove_actor(a);
      rewrite_clause(a, p, rewrite_frame::harm);
      return;
    }
    case verb_class::omission: {
      // ("The mobile folks keep ignoring our emails": a habit in the present after a plural
      // team is told in the base form.)
      const bool plural_habit = p.habitual && a.kind == actor_kind::team &&
                                p.verb->form == wf::verb_form::base && !p.modal && !p.negated;
      if (!past && !p.chosen_past && p.verb->form != wf::verb_form::third_person && !plural_habit) {
        return;
      }
      // "failed to follow the policy" is an omission; "failed to reproduce the bug", "failed to
      // connect" tell of an attempt.
      // "I failed the team by not escalating sooner": people let down.
      if (p.verb->base == "fail" && p.complement == nullptr && p.object_begin != npos && !weak &&
          (r_.has(p.object_end - 1, wf::team | wf::role) ||
           r_.is_any(p.object_begin, {"us", "you", "them", "everyone", "customers", "users"}))) {
        add(a.first, p.object_end, rule_for(a.kind, rule_id::judgement));
        remove_actor(a);
        rewrite_blocked = true;
        return;
      }
      // ("failed to update the DNS record ..., thats why resolution broke": an act left undone
      // is an omission once the harm is tied to it.)
      if (p.verb->base == "fail" &&
          (p.complement == nullptr || (p.complement->kind != verb_class::diligence &&
                                       p.complement->kind != verb_class::cognition)) &&
          !(p.complement != nullptr && p.complement->kind == verb_class::action && !weak &&
            consequence_after(p.end))) {
        return;
      }
      // "Liam missed nothing".
      if (p.object_begin != npos && r_.is_any(p.object_begin, {"nothing", "none", "no"})) return;
      // "forgot his laptop charger": one's own things, not a step of the work.
      if (p.verb->base == "forget" && p.complement == nullptr && p.object_begin != npos &&
          r_.is_any(p.object_begin, {"his", "her", "their", "my"})) {
        return;
      }
      // Skipping a safeguard is an omission; skipping lunch is not.
      if (p.verb->base == "skip" &&
          (p.object_begin == npos || !r_.any_flag(p.object_begin, p.object_end, wf::safeguard))) {
        return;
      }
      // Systems fail, miss and skip too: an unsure subject needs a verb only people do.
      if (weak && (p.verb->base == "fail" || p.verb->base == "miss" || p.verb->base == "skip")) {
        return;
      }
      // "Chris missed the first page because his phone was on silent", "Jae ignored the first
      // alert because it had been flapping all week": told with its circumstance, it is the
      // account a blameless review asks for.
      if (r_.find(p.end, r_.size(), "because") != npos) {
        return;
      }
      const bool ignore =
          p.verb->base == "ignore" || p.verb->base == "overlook" || p.verb->base == "disregard" ||
          p.verb->base == "neglect" || p.verb->base == "dismiss" || p.particle == "off" ||
          p.verb->base == "bypass" || p.verb->base == "circumvent" || p.verb->base == "subvert" ||
          p.verb->base == "flout" || p.verb->base == "violate" || p.verb->base == "shortcut";
      add(a.first, p.end, rule_for(a.kind, ignore ? rule_id::judgement : rule_id::counterfactual));
      remove_actor(a);
      rewrite_clause(
          a, p,
          ignore && p.complement == nullptr ? rewrite_frame::unanswered : rewrite_frame::omission);
      return;
    }
    case verb_class::action:
    case verb_class::diligence: {
      // An unsure name counts when the act is tied to the outcome: "right after Duc
      // force-pushed", "because Femi switched off the WAF".
      const bool tied = a.first >= 1 &&
                        r_.is_any(a.first - 1, {"after", "when", "because", "minute", "moment"}) &&
                        r_.at(a.first).capitalised;
      if (a.kind == actor_kind::weak_person && !negative_object && !tied) return;
      if (p.verb->base == "rush") {
        add(a.first, p.end, rule_for(a.kind, rule_id::judgement));
        remove_actor(a);
        rewrite_clause(a, p, rewrite_frame::slip);
        return;
      }
      // An act is blameful only with a slip around it: the wrong object, a skipped safeguard,
      // "instead of", or a clause that ties it to the outcome ("the outage started when ...").
      const std::size_t clause_start = r_.clause_begin(a.first);
      const bool because = a.first >= 1 && r_.is(a.first - 1, "because");
      // ("the minute Priscilla enabled", "right as", "as soon as")
      const bool outcome_frame =
          clause_start < a.first &&
          r_.is_any(a.first - 1,
                    {"when", "after", "once", "since", "minute", "moment", "second", "as"}) &&
          (r_.any_flag(0, a.first, wf::outcome) || [&] {
            for (std::size_t i = 0; i < a.first; ++i) {
              if (r_.is_any(i, {"started", "began", "spiked", "failed", "crashed", "dropped",
                                "rose", "broke", "suffered", "went", "doubled", "tripled", "jumped",
                                "climbed", "surged", "collapsed", "stalled"})) {
                return true;
              }
            }
            return false;
          }());
      // "... and didn't tell anyone": the same subject leaves a duty undone.
      const bool and_not_done = [&] {
        for (std::size_t k = p.end; k + 2 < r_.size(); ++k) {
          if (r_.is_any(k, {"and", "but"}) && r_.is_any(k + 1, {"didn't", "didnt", "never"})) {
            const auto* v = r_.verb(k + 2);
            return v != nullptr && v->kind == verb_class::diligence;
          }
        }
        return false;
      }();
      // "... and blocked all traffic", "... a config change that took down payments".
      const bool then_harm = consequence_after(p.end) || [&] {
        // "shipped a release that disregarded the API rate limits": the thing put out skipped
        // what it was bound by.
        for (std::size_t k = p.end; k + 1 < r_.size(); ++k) {
          const auto* v = r_.is_any(k, {"that", "which"}) ? r_.verb(k + 1) : nullptr;
          if (v != nullptr && !v->guessed && v->form != wf::verb_form::gerund &&
              (v->base == "disregard" || v->base == "ignore" || v->base == "bypass" ||
               v->base == "violate" || v->base == "circumvent" || v->base == "flout")) {
            return true;
          }
        }
        // "signed off on a release that had never been run", "disabled the alert that
        // would've caught it": what the act was done to tells the slip.
        for (std::size_t k = p.end; k + 2 < r_.size(); ++k) {
          if (!r_.is_any(k, {"that", "which"})) continue;
          // A passive told as never done: "that had never been run", "which wasn't tested".
          bool denied = false;
          bool passive = false;
          for (std::size_t j = k + 1; j < r_.size() && j <= k + 5; ++j) {
            denied = denied || r_.is_any(j, {"never", "not"}) ||
                     (r_.has(j, wf::negation) && r_.has(j, wf::auxiliary));
            passive = passive ||
                      r_.is_any(j, {"been", "was", "were", "wasn't", "weren't", "wasnt", "werent"});
            const auto* v = r_.verb(j);
            if (denied && passive && v != nullptr && !v->guessed &&
                (v->kind == verb_class::diligence || v->kind == verb_class::action) &&
                v->form != wf::verb_form::gerund &&
                (v->form != wf::verb_form::base || v->participle == r_.at(j).norm)) {
              return true;
            }
          }
          if (r_.is_any(k + 1, {"would've", "wouldve", "would", "could've", "couldve"}) &&
              r_.find(k + 1, std::min(r_.size(), k + 5), "caught") != npos) {
            return true;
          }
        }
        return false;
      }();
      if (a.kind == actor_kind::weak_team &&
          !(negative_object || skipped_safeguard || then_harm || and_not_done)) {
        return;
      }
      // A duty done on the wrong thing is still a duty done ("fixed the bug", "checked the
      // wrong dashboard" tells what happened): the wrong object makes only an act a slip.
      // A verb read by its shape may be one of finding ("identified the faulty node").
      // "left the bucket public", "left the port open": a state left that exposes.
      const bool left_open =
          p.verb->base == "leave" && p.object_end != npos &&
          r_.is_any(p.object_end, {"open", "public", "exposed", "unlocked", "unencrypted",
                                   "unprotected", "unpatched", "world-readable"});
      const bool wrong_act =
          (negative_object && p.kind == verb_class::action && !p.verb->guessed) ||
          exposes_secret() || left_open;
      if (wrong_act || (instead && !p.chosen_past) || skipped_safeguard || outcome_frame ||
          then_harm || because || and_not_done) {
        add(a.first, p.end, rule_for(a.kind, rule_id::person_as_cause));
        remove_actor(a);
        rewrite_clause(a, p, rewrite_frame::slip);
      }
      return;
    }
    case verb_class::cognition:
    case verb_class::none: return;
  }
}

// Whether a harm follows an act as its consequence: "..., causing", "... and blocked all
// traffic", "... a change that took down payments", "... and that's why search died", "... and
// the API tier collapsed under the load".
bool sentence_review::consequence_after(std::size_t from) const {
  const auto outcome_verb = [&](std::size_t k) {
    return harm_at(k) || r_.is_any(k, {"blocked", "stalled", "froze", "halted", "stopped",
                                       "collapsed", "crashed", "died", "imploded", "melted",
                                       "cascaded", "overloaded", "filled", "exploded"});
  };
  for (std::size_t k = from; k + 1 < r_.size(); ++k) {
    if (r_.is_any(k, {"causing", "resulting", "leading", "triggering"})) return true;
    // "..., producing the exposure recorded in SEC-118": a participle that makes something is
    // a consequence when what it makes is a harm ("producing the weekly report" is none).
    if (r_.is_any(k, {"producing", "creating", "introducing", "opening"}) && k >= 1 &&
        r_.punct(k - 1, ",")) {
      for (std::size_t j = k + 1; j < r_.size() && j <= k + 4; ++j) {
        if (r_.has(j, wf::outcome) ||
            r_.is_any(j, {"exposure", "outage", "breakage", "regression", "leak", "hole",
                          "vulnerability", "downtime", "corruption", "loss"})) {
          return true;
        }
      }
    }
    // ("... and stopped the rollout" is the subject's own next act, not a consequence; "...
    // and blocked all logins" is one.)
    const bool stopped_a_change = r_.is(k, "and") &&
                                  r_.is_any(k + 1, {"stopped", "halted", "blocked", "paused"}) &&
                                  (r_.has(k + 2, wf::artifact) ||
                                   (r_.has(k + 2, wf::determiner) && r_.has(k + 3, wf::artifact)));
    if (r_.is_any(k, {"and", "that", "which"}) && outcome_verb(k + 1) && !stopped_a_change) {
      return true;
    }
    // "and that's why", "which is why", "that's what filled the disk".
    if (r_.is_any(k, {"that's", "thats", "which", "this"}) &&
        (r_.is_any(k + 1, {"why", "what"}) ||
         (r_.is(k + 1, "is") && r_.is_any(k + 2, {"why", "what"})))) {
      return true;
    }
    // "... and that is what overloaded the recommendation service": the act as the cause,
    // pointed back at in full words.
    if (r_.is(k, "and") && r_.is_any(k + 1, {"that", "this", "it"}) &&
        r_.is_any(k + 2, {"is", "was"}) && r_.is_any(k + 3, {"why", "what"}) &&
        (r_.is(k + 3, "why") || outcome_verb(k + 4))) {
      return true;
    }
    // "and the API tier collapsed": a new subject, then what happened to it.
    // ("and the error rate dropped" is the opposite: what stops or drops there is the harm.)
    // "and 775 customer sites were deleted": a counted subject, and a harm in the passive.
    if (r_.is(k, "and") &&
        (r_.has(k + 1, wf::determiner) || r_.at(k + 1).kind == token_kind::number)) {
      for (std::size_t j = k + 2; j < r_.size() && j <= k + 5; ++j) {
        if (r_.has(j, wf::outcome)) break;
        if (outcome_verb(j) && !r_.has(j - 1, wf::determiner) &&
            !r_.is_any(j, {"stopped", "dropped", "halted", "fell"})) {
          return true;
        }
        if (r_.is_any(j, {"was", "were"}) && harm_at(j + 1) && r_.verb(j + 1) != nullptr &&
            r_.verb(j + 1)->form != wf::verb_form::gerund) {
          return true;
        }
        if (!r_.word(j) || r_.has(j, wf::function_word | wf::auxiliary)) break;
      }
    }
  }
  return false;
}

// Chat answers leave the subject out: "shouldve checked the diff before hitting merge, sam",
// "Forgot to renew the cert", "Didn't test the restore path", "never read the runbook". Only
// people are left out like this, but only duties undone and counterfactuals count: "Failed to
// start after the reboot" and "Restarted the pod at 14:02" tell of no one's fault.
void sentence_review::check_subjectless() {
  std::size_t i = 0;
  while (i < r_.size() &&
         ((r_.at(i).kind == token_kind::punct && !r_.punct(i, "\"")) ||
          r_.is_any(
              i, {"honestly", "tbh",   "imo",      "imho", "yeah",    "yea",  "yep",  "well", "ok",
                  "okay",     "so",    "idk",      "ngl",  "lol",     "ugh",  "also", "and",  "but",
                  "really",   "maybe", "probably", "tbf",  "frankly", "welp", "sigh", "oof",  "meh",
                  "plus",     "then",  "just",     "hmm",  "hm",      "um",   "uh"}))) {
    ++i;
  }
  if (i >= r_.size() || !r_.word(i)) return;
  if (!r_.has(i, wf::modal | wf::auxiliary | wf::negation) &&
      (r_.verb(i) == nullptr || r_.verb(i)->kind != verb_class::omission)) {
    return;
  }
  const auto p = parse_predicate(r_, i);
  if (p.verb == nullptr || p.verb->form == wf::verb_form::gerund) return;
  // "shouldn't have been merged without tests, @lena": a passive counterfactual said to someone.
  if (p.copula) {
    if (p.modal_counterfactual && p.negated && other_present() &&
        (p.kind == verb_class::action || p.kind == verb_class::harm)) {
      add(i, p.end, rule_id::counterfactual);
      rewrite_blocked = true;
    }
    return;
  }
  // "... because the alert never fired": told with its circumstance.
  if (r_.find(p.end, r_.size(), "because") != npos) return;
  const bool past =
      p.verb->form == wf::verb_form::past || p.verb->form == wf::verb_form::past_or_participle;
  rule_id rule = rule_id::counterfactual;
  if (p.modal_counterfactual) {
    if (p.kind == verb_class::none || p.kind == verb_class::cognition) return;
    // "Could have been worse", "should have retried": only a person's duty or act.
    if (p.kind == verb_class::harm && !p.negated) return;
  } else if (p.negated && !p.modal && p.verb->base == "bother") {
    rule = rule_id::judgement;  // "Never bothered to check the replica lag"
  } else if (p.negated && !p.modal) {
    if (p.kind != verb_class::diligence) return;
    if (!past && p.verb->form != wf::verb_form::base) return;
    if (!r_.has(i, wf::auxiliary | wf::negation)) return;  // "did not", "didn't", "never"
    if (r_.is_any(i, {"can't", "cant", "cannot", "couldn't", "couldnt", "won't", "wont"})) return;
  } else if (!p.negated && !p.modal && p.kind == verb_class::omission && past) {
    const auto base = p.verb->base;
    if (base == "fail" || base == "miss" || base == "skip") return;  // systems do these too
    if (base == "ignore" || base == "overlook" || base == "disregard" || base == "neglect") {
      rule = rule_id::judgement;
    }
  } else {
    return;
  }
  add(i, p.end, rule);
  rewrite_blocked = true;
}

// Counterfactual conditions that the subject rules do not see: "Were the DBA group to have
// tested the restore procedure, ...", "had the secondary acked the page we'd have caught it",
// "if kim read the runbook we wouldn't be here". A duty in the condition makes it a verdict on
// whoever had it; "had the alert fired earlier" is about a system and is left alone.
void sentence_review::check_conditions() {
  const auto duty = [&](std::size_t k) {
    const auto* v = r_.verb(k);
    return v != nullptr && !v->guessed && v->form != wf::verb_form::gerund &&
           (v->kind == verb_class::diligence || v->kind == verb_class::omission);
  };
  const auto consequence_would = [&](std::size_t from) {
    for (std::size_t k = from; k < r_.size(); ++k) {
      if (r_.is_any(k, {"would", "wouldn't", "would've", "wouldve", "wouldnt", "we'd", "it'd",
                        "i'd", "wouldn't've"})) {
        return true;
      }
    }
    return false;
  };
  for (std::size_t i = 0; i + 3 < r_.size(); ++i) {
    // "Were X to have <participle>".
    if (r_.is(i, "were") && (i == 0 || r_.clause_break(i - 1))) {
      for (std::size_t k = i + 2; k + 2 < r_.size() && k <= i + 6; ++k) {
        if (r_.is(k, "to") && r_.is(k + 1, "have") && r_.verb(k + 2) != nullptr) {
          const bool person = std::any_of(actors_.begin(), actors_.end(), [&](const actor& a) {
            return a.first > i && a.last <= k && a.kind != actor_kind::we;
          });
          if (person) {
            add(i, k + 3, rule_id::counterfactual);
            rewrite_blocked = true;
          }
          break;
        }
      }
    }
    // "had the secondary acked the page", also when the lexicon does not know the role.
    if (r_.is(i, "had") && (i == 0 || r_.clause_break(i - 1) || r_.sentence_start(i))) {
      std::size_t k = i + 1;
      // ("had anyone on the infra team read the notice")
      if (!r_.has(k, wf::determiner) &&
          !r_.is_any(k, {"anyone", "anybody", "someone", "somebody"})) {
        continue;
      }
      bool system = false;
      for (++k; k < r_.size() && k <= i + 6 && r_.word(k) && r_.verb(k) == nullptr; ++k) {
        system = system || r_.has(k, wf::system_word);
      }
      if (!system && duty(k) && consequence_would(k)) {
        add(i, k + 1, rule_id::counterfactual);
        rewrite_blocked = true;
      }
    }
    // "if kim read the runbook we wouldn't be here": a past duty as the condition.
    if (r_.is(i, "if")) {
      const auto a = std::find_if(actors_.begin(), actors_.end(),
                                  [&](const actor& b) { return b.first == i + 1; });
      if (a == actors_.end() || a->kind == actor_kind::we || a->possessive) continue;
      std::size_t k = a->last;
      while (k < r_.size() && r_.has(k, wf::adverb)) ++k;
      const auto* v = r_.verb(k);
      const bool past = v != nullptr && (v->form == wf::verb_form::past ||
                                         v->form == wf::verb_form::past_or_participle ||
                                         v->participle == r_.at(k).norm);  // "read"
      if (v != nullptr && duty(k) && past && consequence_would(k)) {
        add(i, k + 1, rule_for(a->kind, rule_id::counterfactual));
        rewrite_blocked = true;
      }
    }
  }
}

}  // namespace scribe::bot::wording
