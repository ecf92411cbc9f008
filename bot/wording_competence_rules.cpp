// Verdicts on ability: a person held up against an imagined competent one ("any competent
// engineer would have", "anyone with basic Kubernetes knowledge would have"), what a person is
// said to lack ("lacked the skills", "does not possess the maturity"), denied care ("wasn't
// paying attention", "not up to the job"), and doubt about what they understand. "Anyone would
// have made the same call" says the opposite and is left alone.
#include "bot/wording_sentence_review.hpp"

#include <algorithm>

namespace scribe::bot::wording {

void sentence_review::check_competence() {
  const bool person_here = person_present();
  // "Any SRE worth their salt would have set up disk alerts": any one of a role, held up
  // against. "Any engineer would have made the same call" says the opposite.
  for (std::size_t i = 0; i + 3 < r_.size(); ++i) {
    if (!r_.is(i, "any") || !r_.has(i + 1, wf::role) || r_.find(i, r_.size(), "same") != npos) {
      continue;
    }
    for (std::size_t k = i + 2; k + 1 < r_.size() && k <= i + 6 && !r_.clause_break(k); ++k) {
      if (r_.is_any(k, {"would", "would've", "wouldve"}) && !r_.is(k + 2, "been")) {
        add(i, k + 1, rule_id::competence);
        rewrite_blocked = true;
        break;
      }
    }
  }
  // "Even a first-week intern would have noticed": the least experienced held up against.
  for (std::size_t i = 0; i + 3 < r_.size(); ++i) {
    if (!r_.is(i, "even") || !r_.is_any(i + 1, {"a", "an", "the", "our"})) continue;
    for (std::size_t k = i + 2; k < r_.size() && k <= i + 4; ++k) {
      if (r_.has(k, wf::role | wf::team) &&
          r_.is_any(k + 1, {"would", "would've", "wouldve", "could", "could've", "couldve", "knows",
                            "know"})) {
        add(i, k + 1, rule_id::competence);
        rewrite_blocked = true;
        break;
      }
      if (!r_.word(k) || r_.has(k, wf::function_word | wf::auxiliary)) break;
    }
  }
  // "A senior engineer would have known", "any good developer would": a person held up against.
  for (std::size_t i = 0; i + 3 < r_.size(); ++i) {
    // "a more careful reviewer would not have approved this".
    // "a reasonably skilled operator", "no experienced engineer would have accepted".
    const std::size_t adjective =
        r_.is_any(i + 1, {"more", "truly", "really"}) || r_.at(i + 1).norm.ends_with("ly") ? i + 2
                                                                                           : i + 1;
    if (!r_.is_any(i, {"a", "an", "any", "no"}) ||
        !r_.is_any(adjective,
                   {"senior",        "experienced", "competent",   "good",     "decent",
                    "careful",       "better",      "real",        "proper",   "responsible",
                    "professional",  "attentive",   "diligent",    "thorough", "skilled",
                    "seasoned",      "trained",     "qualified",   "sensible", "reasonable",
                    "knowledgeable", "capable",     "half-decent", "halfway"})) {
      continue;
    }
    std::size_t k = adjective + 1;
    if (r_.has(k, wf::role) && r_.has(k + 1, wf::role)) ++k;  // "a senior on-call engineer"
    if (r_.has(k, wf::role | wf::team) &&
        r_.is_any(k + 1, {"would", "wouldn't", "would've", "wouldve", "should", "could've"})) {
      add(i, k + 2, rule_id::competence);
      rewrite_blocked = true;
    }
  }
  // Denied care and ability, with a few words between: "wasn't paying attention", "was simply
  // not paying sufficient attention", "isnt really up to the on-call job", "is not up to the
  // responsibilities of the role".
  for (std::size_t i = 0; i + 2 < r_.size(); ++i) {
    const bool paying =
        r_.is(i, "paying") && (r_.is(i + 1, "attention") || r_.is(i + 2, "attention"));
    const bool up_to =
        r_.is(i, "up") && r_.is(i + 1, "to") &&
        (r_.has(i + 2, wf::determiner) || r_.is(i + 2, "it") || r_.is(i + 2, "scratch") ||
         // "isn't up to running the on-call rotation yet": the duty told as an act.
         (r_.word(i + 2) && r_.at(i + 2).norm.size() > 5 && r_.at(i + 2).norm.ends_with("ing") &&
          !r_.has(i + 2, wf::function_word)));
    if (!paying && !up_to) continue;
    bool denied = false;
    for (std::size_t k = i >= 3 ? i - 3 : 0; k < i; ++k) denied = denied || r_.has(k, wf::negation);
    if (!denied || !person_present()) continue;
    add(i, i + 3, only_self() ? rule_id::self_blame : rule_id::competence);
    rewrite_blocked = true;
  }
  // "assigning to someone who actually understands Postgres this time, not @tbrooks", "give the
  // Kafka upgrade to someone who's done one before, no offence Felipe", "I need people on rotation
  // who actually understand the systems, and Saanvi is not there yet": an able someone wished
  // for, with a named person set against them. ("someone who knows Postgres reviewed it" names
  // no one to compare.)
  for (std::size_t i = 0; i + 3 < r_.size(); ++i) {
    if (!r_.is_any(i, {"someone", "somebody", "people", "engineers", "folks"}) ||
        !r_.is_any(i + 1, {"who", "that", "who's", "whos"})) {
      continue;
    }
    const bool able =
        (r_.is(i + 2, "actually") &&
         r_.is_any(i + 3, {"understands", "understand", "knows", "know", "gets", "get"})) ||
        (r_.is_any(i + 1, {"who's", "whos"}) && r_.is(i + 2, "done") &&
         r_.find(i + 3, std::min(r_.size(), i + 7), "before") != npos);
    if (!able) continue;
    const auto named = std::find_if(actors_.begin(), actors_.end(), [&](const actor& a) {
      return (a.kind == actor_kind::person || a.kind == actor_kind::weak_person) && !a.possessive &&
             (a.last <= i || a.first > i + 3);
    });
    if (named == actors_.end()) continue;
    add(i, i + 4, rule_id::competence);
    remove_actor(*named);
    rewrite_blocked = true;
  }
  // "Unlike the rest of us, @mirela apparently can't make sense of a flame graph": what a person
  // cannot understand, told as a standing fact about them. A condition ("if you can't follow the
  // graph") or a cause outside them ("can't make sense of it because the labels are missing") is
  // about the tool.
  for (const auto& a : actors_) {
    if (a.possessive || (a.kind != actor_kind::person && a.kind != actor_kind::weak_person)) {
      continue;
    }
    std::size_t k = a.last;
    while (k < r_.size() && r_.has(k, wf::adverb) && !r_.has(k, wf::negation)) ++k;
    if (!r_.is_any(k, {"can't", "cant", "cannot"})) continue;
    const bool understand = matches(r_, k + 1, {"make", "sense", "of"}) ||
                            r_.is_any(k + 1, {"understand", "grasp", "follow"});
    if (!understand) continue;
    const std::size_t end = r_.size();
    if ((a.first >= 1 && r_.find(0, a.first, "if") != npos) || r_.find(k, end, "because") != npos ||
        r_.find(k, end, "since") != npos || r_.find(k, end, "without") != npos) {
      continue;
    }
    add(a.first, k + 2, rule_id::competence);
    remove_actor(a);
    rewrite_blocked = true;
  }
  // "Anyone with basic Kubernetes knowledge would have spotted it", "someone who knows Postgres
  // would never have run that": a person held up against an imagined competent one. "Anyone
  // would have made the same call" says the opposite, and is left alone.
  for (std::size_t i = 0; i + 3 < r_.size(); ++i) {
    const bool someone = r_.is_any(i, {"anyone", "anybody", "someone", "somebody"}) &&
                         r_.is_any(i + 1, {"with", "who", "that"});
    if (!someone) continue;
    bool able = false;
    std::size_t k = i + 2;
    for (; k < r_.size() && k <= i + 9 && !r_.clause_break(k); ++k) {
      if (r_.has(k, wf::ability | wf::capability) ||
          r_.is_any(k,
                    {"basic", "half", "half-decent", "decent", "common", "sense", "brain", "knows",
                     "knew", "understands", "understood", "clue", "bothered", "read", "reads"})) {
        able = true;
      }
      if (r_.is_any(k, {"would", "would've", "wouldve", "wouldn't", "could've", "couldve"})) {
        break;
      }
    }
    if (!able || k >= r_.size() ||
        !r_.is_any(k, {"would", "would've", "wouldve", "wouldn't", "could've", "couldve"})) {
      continue;
    }
    if (r_.find(k, r_.size(), "same") != npos) continue;
    add(i, k + 1, rule_id::competence);
    rewrite_blocked = true;
  }
  // "failed to take the alert seriously", "lacked sufficient understanding of the system".
  for (std::size_t i = 0; person_here && i < r_.size(); ++i) {
    if (r_.is(i, "seriously") && i >= 3) {
      const auto took = std::max<std::size_t>(i, 5) - 5;
      if ((r_.find(took, i, "take") != npos || r_.find(took, i, "took") != npos) &&
          (r_.any_flag(took >= 2 ? took - 2 : 0, i, wf::negation) ||
           r_.find(took >= 2 ? took - 2 : 0, i, "failed") != npos)) {
        add(i, i + 1, rule_id::judgement);
        rewrite_blocked = true;
      }
    }
    // "lacked the skills", "a lack of familiarity with", "does not have the experience": what
    // a person is said not to have.
    // ("does not yet have", "does not possess")
    const bool not_have = r_.is_any(i, {"have", "has", "possess", "possesses"}) && i >= 1 &&
                          (r_.has(i - 1, wf::negation) ||
                           (i >= 2 && r_.has(i - 1, wf::adverb) && r_.has(i - 2, wf::negation)));
    if (r_.is_any(i, {"lack", "lacks", "lacked", "lacking"}) || not_have) {
      for (std::size_t k = i + 1; k < r_.size() && k <= i + 3; ++k) {
        if (r_.has(k, wf::ability) && !r_.is(k, "clue")) {
          add(i, k + 1, rule_id::competence);
          rewrite_blocked = true;
          break;
        }
        if (!r_.word(k) || (r_.has(k, wf::function_word) && !r_.is(k, "of"))) break;
      }
    }
  }
  check_corrective_measures();
  // "The responder had no grasp of how cache invalidation works", "has no understanding of":
  // a gap in knowledge told as what the person is.
  for (const auto& a : actors_) {
    if (a.possessive || a.kind == actor_kind::we || a.kind == actor_kind::weak_person) continue;
    std::size_t k = a.last;
    while (k < r_.size() && r_.has(k, wf::adverb)) ++k;
    if (r_.is_any(k, {"had", "has", "have"}) && r_.is(k + 1, "no") &&
        r_.is_any(k + 2, {"grasp", "understanding", "idea", "clue", "knowledge", "concept",
                          "notion"}) &&
        r_.is_any(k + 3, {"of", "how", "what", "about"})) {
      add(a.first, k + 3, rule_for(a.kind, rule_id::competence));
      rewrite_blocked = true;
    }
    // "Victor has consistently struggled with incident response": a struggle told as a habit.
    const std::size_t verb = r_.is_any(k, {"has", "have", "had"}) ? k + 1 : k;
    const bool habit = verb > k || r_.has(verb, wf::adverb);
    std::size_t v = verb;
    bool often = false;
    while (v < r_.size() && r_.has(v, wf::adverb)) {
      often = often || r_.is_any(v, {"consistently", "repeatedly", "constantly", "always",
                                     "continually", "routinely", "regularly"});
      ++v;
    }
    if (habit && often && r_.is_any(v, {"struggled", "struggles", "floundered", "fumbled"})) {
      add(a.first, v + 1, rule_for(a.kind, rule_id::competence));
      rewrite_blocked = true;
    }
  }
  // "I don't think Wes understands how our caching layer works", "not sure Gareth understands
  // how", "I doubt she knows what": doubt about what someone understands.
  for (std::size_t i = 0; person_here && i + 2 < r_.size(); ++i) {
    const bool doubt = matches(r_, i, {"don't", "think"}) || matches(r_, i, {"dont", "think"}) ||
                       r_.is_any(i, {"doubt", "wonder"}) || matches(r_, i, {"not", "sure"}) ||
                       matches(r_, i, {"not", "convinced"});
    if (!doubt) continue;
    for (std::size_t k = i + 2; k + 1 < r_.size() && k <= i + 6; ++k) {
      if (r_.is_any(k, {"understands", "knows", "understood", "knew", "gets", "grasps"}) &&
          r_.is_any(k + 1, {"how", "what", "why"})) {
        add(i, k + 2, rule_id::competence);
        rewrite_blocked = true;
        break;
      }
    }
  }
}

// Corrective measures aimed at one person are a verdict on their ability, whatever the wording:
// "tbrennan@ will be enrolled in remedial training", "@arjun needs a lot more training before he
// touches billing again", "was counselled by her manager regarding her performance", "asked
// @ebaker to complete the database fundamentals course before being added back to the on-call
// rotation". Training for everyone ("all on-call engineers will get the new runbook training")
// names no one, and training someone gives ("Kim will run a training session") is no measure.
void sentence_review::check_corrective_measures() {
  const bool one_person = std::any_of(actors_.begin(), actors_.end(), [&](const actor& a) {
    return a.kind == actor_kind::person ||
           (a.kind == actor_kind::weak_person && r_.at(a.first).capitalised);
  });
  if (!one_person) return;
  for (std::size_t i = 0; i < r_.size(); ++i) {
    // What is done to the person: remedial measures, counselling, access reviewed.
    const bool measure =
        r_.is_any(i, {"remedial", "retraining", "retrained", "counselled", "counseled",
                      "counselling", "counseling", "reprimanded", "disciplined", "probation"}) ||
        (r_.is_any(i, {"access", "privileges", "permissions"}) &&
         r_.find(i, std::min(r_.size(), i + 5), "reassessed") != npos);
    // Training or a course the person needs, or must finish before being let back in.
    const bool training = r_.is_any(i, {"training", "course", "coaching", "supervision"}) &&
                          !r_.is_any(i + 1, {"session", "sessions", "material", "materials"});
    const bool person_needs = training && std::any_of(actors_.begin(), actors_.end(), [&](const actor& a) {
      return a.kind != actor_kind::we && a.kind != actor_kind::self && a.last < i &&
             a.last + 5 >= i && r_.is_any(a.last, {"needs", "need", "requires"});
    });
    const std::size_t before = training ? r_.find(i, r_.size(), "before") : npos;
    const bool let_back =
        before != npos &&
        r_.is_any(before + 1, {"being", "he", "she", "they", "returning", "rejoining"}) &&
        (r_.find(before, r_.size(), "again") != npos || r_.find(before, r_.size(), "back") != npos);
    const bool needs_training = person_needs || let_back;
    if (measure || needs_training) {
      add(i, i + 1, rule_id::competence);
      rewrite_blocked = true;
      return;
    }
  }
}

}  // namespace scribe::bot::wording
