// What people did or left undone, told by idioms rather than by a subject and its verb: a duty as
// a gerund ("by neglecting to test"), a slip adverb ("decided erroneously", "mistakenly
// removed"), "... and never did", "was supposed to ... and didn't", the timing of an act judged
// ("escalated way too late"), "a mistake on Petra's part", a habit pinned on someone.
#include "bot/wording_sentence_review.hpp"

#include <algorithm>

namespace scribe::bot::wording {

void sentence_review::check_conduct() {
  const bool person_here = person_present();
  // "failed our colleagues by neglecting to test the restore procedure", "forgetting to renew":
  // a duty left undone, told as a gerund.
  for (std::size_t i = 0; person_here && i + 2 < r_.size(); ++i) {
    const auto* v = r_.verb(i);
    if (v == nullptr || v->form != wf::verb_form::gerund || v->kind != verb_class::omission ||
        !r_.is(i + 1, "to") || r_.verb(i + 2) == nullptr) {
      continue;
    }
    if (v->base == "fail" && r_.verb(i + 2)->kind != verb_class::diligence) continue;
    add(i, i + 3, only_self() ? rule_id::self_blame : rule_id::counterfactual);
    rewrite_blocked = true;
  }
  // "The engineer decided erroneously to ...": a slip adverb after a person's verb.
  for (std::size_t i = 1; person_here && i < r_.size(); ++i) {
    const auto* v = r_.verb(i - 1);
    if (!r_.has(i, wf::slip_adverb) || v == nullptr || v->form == wf::verb_form::gerund ||
        v->form == wf::verb_form::base) {
      continue;
    }
    add(i - 1, i + 1, only_self() ? rule_id::self_blame : rule_id::human_error);
    rewrite_blocked = true;
  }
  // "Hank was told twice to renew the certificate and never did".
  if (person_here && r_.size() >= 3) {
    std::size_t end = r_.size();
    while (end > 0 && r_.at(end - 1).kind == token_kind::punct) --end;
    if (end >= 2 &&
        (matches(r_, end - 2, {"never", "did"}) ||
         (r_.is_any(end - 1, {"didn't", "didnt"}) && r_.is_any(end - 2, {"and", "but"})))) {
      add(end - 2, end, rule_id::counterfactual);
      rewrite_blocked = true;
    }
  }
  // "Support escalated way too late": the timing of a person's act judged.
  for (const auto& a : actors_) {
    if (a.kind == actor_kind::we || a.possessive) continue;
    const auto p = parse_predicate(r_, a.last);
    if (p.verb == nullptr) continue;
    for (std::size_t k = p.end; k + 1 < own_clause_end(p.end) + 1 && k + 1 < r_.size(); ++k) {
      if (r_.is(k, "too") && r_.is_any(k + 1, {"late", "slowly", "slow"})) {
        add(k, k + 2, rule_for(a.kind, rule_id::judgement));
        rewrite_blocked = true;
        break;
      }
    }
  }
  // "The admin was supposed to rotate the credentials and didn't", "Mateus was supposed to
  // rotate the keys last month": a duty a person had, told as undone. ("The alert was supposed
  // to fire" is an expectation of a system; "was supposed to be on call but swapped" tells
  // what happened instead.)
  for (std::size_t i = 0; person_here && i + 1 < r_.size(); ++i) {
    if (!r_.is(i, "supposed") || !r_.is(i + 1, "to")) continue;
    bool undone = false;
    for (std::size_t k = i + 2; k < r_.size(); ++k) {
      undone =
          undone || r_.is_any(k, {"didn't", "didnt", "never"}) || matches(r_, k, {"did", "not"});
    }
    const bool person_subject =
        i >= 2 && r_.is_any(i - 1, {"was", "were"}) &&
        std::any_of(actors_.begin(), actors_.end(), [&](const actor& a) {
          return a.last == i - 1 && (a.kind == actor_kind::person || a.kind == actor_kind::team);
        });
    const auto* v = r_.verb(i + 2);
    const bool duty = v != nullptr &&
                      (v->kind == verb_class::diligence || v->kind == verb_class::action) &&
                      r_.find(i, r_.size(), "but") == npos;
    if (undone || (person_subject && duty)) {
      add(i, i + 2, rule_id::counterfactual);
      rewrite_blocked = true;
    }
  }
  // "a mistake on Petra's part".
  for (const auto& a : actors_) {
    if (a.possessive && r_.is(a.last, "part") && a.first >= 1 && r_.is(a.first - 1, "on") &&
        r_.find(0, a.first, "mistake") != npos) {
      add(a.first - 1, a.last + 1, rule_for(a.kind, rule_id::human_error));
      remove_actor(a);
      rewrite_blocked = true;
    }
  }
  // "An AWS engineer debugging ... mistakenly removed too many servers".
  for (std::size_t i = 0; i + 1 < r_.size(); ++i) {
    if (!r_.has(i, wf::slip_adverb) ||
        (r_.verb(i + 1) == nullptr && !(r_.word(i + 1) && r_.at(i + 1).norm.ends_with("ed")))) {
      continue;
    }
    const auto doer = std::find_if(actors_.begin(), actors_.end(), [&](const actor& a) {
      return a.first < i && a.kind != actor_kind::we && !a.possessive;
    });
    if (doer == actors_.end()) continue;
    add(i, i + 2, doer->kind == actor_kind::self ? rule_id::self_blame : rule_id::human_error);
    rewrite_blocked = rewrite_blocked || edits.empty();
  }
  // A slip told as the shape of a thing, then handed to its maker: "Mis-keyed value from
  // @hugo", "a mistyped command by the on-call", "fat-fingered config from Kim". ("a
  // misconfigured host" names no one; "a value from @hugo" names no slip.)
  for (const auto& a : actors_) {
    if (a.possessive || a.kind == actor_kind::we || a.first < 2 ||
        !r_.is_any(a.first - 1, {"from", "by"})) {
      continue;
    }
    std::size_t slip = npos;
    for (std::size_t k = a.first - 1; k > 0 && k + 5 > a.first && !r_.clause_break(k - 1); --k) {
      const auto& w = r_.at(k - 1).norm;
      // ("a missed call from Kim" is Kim's call, missed by someone else.)
      if ((w.size() > 5 && w.starts_with("mis") && !w.starts_with("miss") && w.ends_with("ed")) ||
          w == "fat-fingered") {
        slip = k - 1;
      }
    }
    if (slip == npos || claims(a.first, a.last)) continue;
    add(slip, a.last, rule_for(a.kind, rule_id::human_error));
    remove_actor(a);
    rewrite_blocked = true;
  }
  // A habit pinned on someone: "Security team's habit of pushing firewall rules without warning
  // anyone", "Frontend engineering has a well-known habit of merging on Friday afternoons, and
  // this incident is the latest cost of it". The act becomes a trait of the person; it blames
  // when the habit skips something or an incident is laid at it ("Kim's habit of writing the
  // runbook first" is praise).
  for (std::size_t i = 1; i + 2 < r_.size(); ++i) {
    if (!r_.is_any(i, {"habit", "habits", "tendency", "penchant"}) || !r_.is(i + 1, "of")) continue;
    const auto* g = r_.verb(i + 2);
    if (g == nullptr || g->form != wf::verb_form::gerund) continue;
    const auto owner = std::find_if(actors_.begin(), actors_.end(), [&](const actor& a) {
      if (a.kind == actor_kind::we) return false;
      if (a.possessive) return a.last <= i && i <= a.last + 2;
      // "X has a (well-known) habit of".
      return a.last < i && i <= a.last + 5 && r_.find(a.last, i, "has") != npos;
    });
    // "- Security team's habit": a team's name opening a fragment is read as no actor, but its
    // possessive head still owns the habit.
    const bool team_owner =
        owner == actors_.end() && r_.has(i - 1, wf::team) && r_.at(i - 1).possessive;
    if (owner == actors_.end() && !team_owner) continue;
    const std::size_t end = r_.size();
    const bool skips = r_.find(i + 2, end, "without") != npos ||
                       r_.find(i + 2, end, "never") != npos || g->kind == verb_class::harm ||
                       g->kind == verb_class::omission;
    // ("the latest cost of that habit"; "paid off during the incident" is no cost)
    const bool laid_at =
        r_.find(i + 2, end, "cost") != npos || r_.find(i + 2, end, "price") != npos ||
        r_.find(i + 2, end, "consequence") != npos || r_.find(i + 2, end, "result") != npos;
    if (!skips && !laid_at) continue;
    if (team_owner) {
      add(i >= 2 && r_.has(i - 2, wf::team_modifier) ? i - 2 : i - 1, i + 3, rule_id::team_blame);
      rewrite_blocked = true;
      continue;
    }
    add(std::min(owner->first, i), i + 3,
        rule_for(owner->kind,
                 owner->kind == actor_kind::self ? rule_id::self_blame : rule_id::judgement));
    remove_actor(*owner);
    rewrite_blocked = true;
  }
}

}  // namespace scribe::bot::wording
