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
  // "The SRE team sat on the ticket for two days", "Ops, as per usual, sat on the ticket",
  // "networking sitting on the ticket for 3 hours": a piece of work left waiting, told as
  // sitting on it, is a delay pinned on whoever sat. ("The message sat on the queue" names a
  // thing; "Kim sat on the bridge call" waits on no work.)
  for (std::size_t k = 1; k + 2 < r_.size(); ++k) {
    if (!r_.is_any(k, {"sat", "sit", "sits", "sitting"}) || !r_.is(k + 1, "on")) continue;
    std::size_t noun = npos;
    for (std::size_t n = k + 2; n < r_.size() && n <= k + 4 && r_.word(n); ++n) {
      if (r_.is_any(n,
                    {"ticket",  "tickets",    "pr",      "prs",   "request",  "requests",  "review",
                     "reviews", "escalation", "page",    "pages", "approval", "approvals", "patch",
                     "fix",     "report",     "reports", "bug",   "email",    "emails"})) {
        noun = n;
        break;
      }
    }
    if (noun == npos) continue;
    // The subject: right before the verb, or before an aside and adverbs.
    std::size_t j = k;
    while (j >= 1 && r_.has(j - 1, wf::adverb)) --j;
    if (j >= 2 && r_.punct(j - 1, ",")) {
      for (std::size_t c = j - 2; c >= 1 && c + 6 >= j; --c) {
        if (r_.punct(c, ",")) {
          j = c;
          break;
        }
      }
    }
    if (j == 0) continue;
    std::size_t first = npos;
    rule_id rule = rule_id::judgement;
    for (const auto& a : actors_) {
      if (a.last == j && a.kind != actor_kind::we && !a.possessive) {
        first = a.first;
        rule = rule_for(a.kind, rule_id::judgement);
      }
    }
    if (first == npos && r_.has(j - 1, wf::team) && !r_.at(j - 1).possessive) {
      first = j - 1;
      while (first >= 1 && r_.word(first - 1) &&
             (r_.has(first - 1, wf::team_modifier | wf::team | wf::determiner) ||
              r_.at(first - 1).all_capitals)) {
        --first;
      }
      rule = rule_id::team_blame;
    }
    if (first == npos) continue;
    add(first, noun + 1, rule);
    // "The ticket waited for two days while customers couldn't log in."
    if (r_.sentence_start(first) && (r_.has(k + 2, wf::determiner) || r_.at(k + 2).possessive ||
                                     r_.is_any(k + 2, {"our", "their", "the", "a", "this"}))) {
      std::string thing = r_.is_any(k + 2, {"their", "his", "her"})
                              ? "the " + original(k + 3, noun + 1)
                              : original(k + 2, noun + 1);
      if (!thing.empty() && thing[0] >= 'a' && thing[0] <= 'z') thing[0] -= 'a' - 'A';
      edits.push_back({first, noun + 1, thing + " waited"});
      set_question("What would have brought it to someone's attention sooner?");
    } else {
      rewrite_blocked = true;
    }
  }
  // "Sam just isn't careful enough to be trusted with production access": a person said to
  // fall short of a quality is a verdict on ability. ("The disk isn't big enough" is about a
  // thing; "Sam is careful enough to double-check" grants the quality.)
  for (const auto& a : actors_) {
    if (a.kind == actor_kind::we || a.possessive) continue;
    std::size_t k = a.last;
    while (k < r_.size() && r_.has(k, wf::adverb) && !r_.has(k, wf::negation)) ++k;
    bool negated = r_.is_any(k, {"isn't", "wasn't", "aren't", "weren't", "isnt", "wasnt"});
    if (!negated && r_.is_any(k, {"is", "was", "are", "were", "'s"}) && r_.is(k + 1, "not")) {
      negated = true;
      ++k;
    }
    if (!negated) continue;
    std::size_t q = k + 1;
    while (q < r_.size() && r_.is_any(q, {"quite", "really", "yet", "nearly", "remotely"})) ++q;
    if (r_.is_any(q, {"careful", "experienced", "competent", "skilled", "reliable", "responsible",
                      "trustworthy", "attentive", "thorough", "diligent", "mature", "disciplined",
                      "qualified", "capable", "sharp", "good", "smart"}) &&
        r_.is(q + 1, "enough")) {
      add(a.first, q + 2,
          a.kind == actor_kind::self ? rule_id::self_blame : rule_for(a.kind, rule_id::competence));
      rewrite_blocked = true;
    }
  }
  // "I'm frankly disappointed that Greg treated the capacity warning as noise", "disappointed
  // in the on-call": disappointment aimed at a person is a verdict on them. ("disappointed
  // that the alert never fired" aims at a system.)
  for (std::size_t i = 0; i + 2 < r_.size(); ++i) {
    if (!r_.is_any(i, {"disappointed", "disappointing", "dismayed", "appalled"})) continue;
    const std::size_t at = r_.is_any(i + 1, {"that", "in", "with", "by"}) ? i + 2 : npos;
    if (at == npos) continue;
    for (const auto& a : actors_) {
      if (a.first != at || a.kind == actor_kind::we || a.kind == actor_kind::self || a.possessive) {
        continue;
      }
      add(i, a.last, rule_for(a.kind, rule_id::judgement));
      rewrite_blocked = true;
      break;
    }
  }
  // "I'm kicking myself for not paging networking sooner", "I could kick myself over it":
  // reproach of oneself for an act. ("kicked myself into gear" is getting started.)
  for (std::size_t i = 0; i + 1 < r_.size(); ++i) {
    if (!r_.is_any(i, {"kick", "kicking", "kicked", "beating", "beat"}) ||
        !r_.is(i + 1, "myself")) {
      continue;
    }
    const bool beat_up = r_.is_any(i, {"beating", "beat"});
    const std::size_t after = beat_up && r_.is(i + 2, "up") ? i + 3 : i + 2;
    if (beat_up && after == i + 2) continue;
    if (after < r_.size() && r_.word(after) && !r_.is_any(after, {"for", "over", "about"})) {
      continue;
    }
    add(i, after, rule_id::self_blame);
    rewrite_blocked = true;
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
