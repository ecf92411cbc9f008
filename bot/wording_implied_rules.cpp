// Blame by implication: sarcasm (praise for a harm, "thanks a lot", eye-rolls), pointing without
// naming ("whoever merged that", "someone (again)", "certain colleagues", "the usual suspects",
// "classic X", "did it again"), questions that point ("who pushed the bad config?"), disclaimers
// that announce blame ("not going to point fingers, but"), and a person's act in scare quotes.
// Praise for good work ("great job, Dana, on the status page") is left alone.
#include "bot/wording_sentence_review.hpp"

#include <algorithm>
#include <string>

namespace scribe::bot::wording {

// Blame by pointing without naming: the usual suspects, "certain colleagues", "the same
// individual", "the individual responsible", "whose change this was", someone "had been
// warned", "once again", "predictably", a person's "quick fix" in scare quotes, and the chat
// markers of sarcasm ("just saying", "oh wait", "... not", 🙄). Each needs a person, a team or
// someone unnamed in the sentence, or an omission told in the passive ("the runbook was once
// again not consulted"): "once again, the cache failed" points at no one.
void sentence_review::check_pointing() {
  const bool someone = other_present();
  const auto fire = [&](std::size_t first, std::size_t last) {
    add(first, last, rule_id::implied_blame);
    rewrite_blocked = true;
  };
  // An omission told in the passive: "was not consulted", "went unread", "was ignored".
  bool passive_omission = false;
  for (std::size_t k = 1; k < r_.size(); ++k) {
    const auto* v = r_.verb(k);
    if (v == nullptr || v->form == wf::verb_form::base || v->form == wf::verb_form::gerund)
      continue;
    bool copula = false;
    bool denied = false;
    for (std::size_t j = k >= 4 ? k - 4 : 0; j < k; ++j) {
      copula = copula || r_.is_any(j, {"was", "were", "been", "got", "is", "are"});
      denied = denied || r_.has(j, wf::negation);
    }
    passive_omission =
        passive_omission || (copula && (v->kind == verb_class::omission ||
                                        (denied && v->kind == verb_class::diligence)));
  }
  for (std::size_t i = 0; i < r_.size(); ++i) {
    // Groups and individuals left unnamed on purpose.
    if ((r_.is_any(i, {"certain"}) &&
         r_.is_any(i + 1, {"members", "colleagues", "individuals", "people", "engineers", "folks",
                           "teams", "persons", "parties"})) ||
        matches(r_, i, {"usual", "suspects"}) ||
        (r_.is(i, "same") &&
         r_.is_any(i + 1, {"individual", "person", "guy", "engineer", "people", "team", "folks",
                           "dev", "developer"}) &&
         (r_.find(i, r_.size(), "again") != npos || r_.find(i, r_.size(), "last") != npos ||
          r_.find(i, r_.size(), "before") != npos || r_.find(0, i, "again") != npos ||
          r_.any_flag(0, r_.size(), wf::outcome))) ||
        (r_.is_any(i, {"individual", "individuals", "person", "party"}) &&
         r_.is(i + 1, "responsible") && (i + 2 >= r_.size() || !r_.is(i + 2, "for")))) {
      fire(i, std::min(r_.size(), i + 2));
      continue;
    }
    // "will recognise whose change this was", "we all know whose deploy it was".
    if (r_.is(i, "whose") && r_.has(i + 1, wf::artifact) &&
        r_.is_any(i + 2, {"this", "that", "it"}) && r_.is_any(i + 3, {"was", "is"})) {
      fire(i, i + 4);
      continue;
    }
    // "had been warned about this exact practice", "was told twice".
    // The blame is in the insistence ("about this exact practice", "repeatedly", "twice"); "had
    // been warned in a vendor email that went to spam" tells what reached whom.
    const bool insisted = [&] {
      for (std::size_t k = i >= 4 ? i - 4 : 0; k < r_.size() && k <= i + 6; ++k) {
        if (r_.is_any(k, {"repeatedly", "twice", "several", "multiple", "exact", "previously",
                          "already", "again", "explicitly", "before", "times"})) {
          return true;
        }
      }
      return false;
    }();
    if (r_.is_any(i, {"warned", "cautioned", "reminded", "counselled", "counseled"}) && i >= 1 &&
        r_.is_any(i - 1, {"been", "was", "were"}) && someone && !r_.is(i + 1, "by") && insisted) {
      fire(i >= 2 && r_.is(i - 1, "been") ? i - 2 : i - 1, i + 1);
      continue;
    }
    // "once again", "yet again", "predictably", "will surprise no one", "as usual".
    const std::size_t again =
        matches(r_, i, {"once", "again"}) || matches(r_, i, {"yet", "again"}) ||
                matches(r_, i, {"once", "more"})
            ? 2
        : r_.is_any(i, {"predictably", "unsurprisingly"})                                     ? 1
        : matches(r_, i, {"surprise", "no", "one"}) || matches(r_, i, {"surprise", "nobody"}) ? 3
                                                                                              : 0;
    if (again != 0 && (someone || passive_omission)) {
      fire(i, std::min(r_.size(), i + again));
      continue;
    }
    // "This is not the first time this particular engineer has been involved", "this
    // particular team".
    if ((matches(r_, i, {"not", "the", "first", "time"}) && someone) ||
        (r_.is_any(i, {"this", "that"}) && r_.is(i + 1, "particular") &&
         r_.has(i + 2, wf::role | wf::team))) {
      fire(i, i + (r_.is(i, "not") ? 4 : 3));
      continue;
    }
    // "who exactly thought turning off the health checks was a good idea?": an act put as
    // someone's bright idea, whatever lies between.
    // (Asked of "who" only: "Kim thought a canary stage was a good idea" is sincere.)
    if (r_.is_any(i, {"thought", "figured", "decided"}) &&
        ((i >= 1 && r_.is(i - 1, "who")) || (i >= 2 && r_.is(i - 2, "who")))) {
      const std::size_t end = std::min(r_.size(), i + 10);
      for (std::size_t k = i + 1; k + 2 < end; ++k) {
        if (r_.is(k, "a") && r_.is_any(k + 1, {"good", "great", "smart", "brilliant", "clever"}) &&
            r_.is(k + 2, "idea")) {
          fire(r_.is(i - 1, "who") ? i - 1 : i - 2, k + 3);
          break;
        }
      }
    }
    // "i'm sure its a total coincidence that the errors started right after finn's deploy":
    // sureness about a coincidence says the opposite.
    if (r_.is(i, "coincidence") && someone && r_.find(i >= 6 ? i - 6 : 0, i, "sure") != npos) {
      fire(r_.find(i >= 6 ? i - 6 : 0, i, "sure"), i + 1);
      continue;
    }
    // "For whatever reason, the employee decided to ...", "for reasons nobody understands, the
    // employee chose ...": a person's act told as beyond explanation.
    if (matches(r_, i, {"for", "whatever", "reason"}) && someone) {
      fire(i, i + 3);
      continue;
    }
    if (r_.is(i, "for") && r_.is_any(i + 1, {"reasons", "reason"}) && someone) {
      std::size_t k = i + 2;
      if (r_.is_any(k, {"that", "which"})) ++k;
      const bool nobody = r_.is_any(k, {"nobody", "noone"}) || matches(r_, k, {"no", "one"}) ||
                          matches(r_, k, {"none", "of", "us"});
      const bool denied = r_.any_flag(k, std::min(r_.size(), k + 3), wf::negation);
      std::size_t v = k;
      while (v < r_.size() && v <= k + 4 && r_.verb(v) == nullptr) ++v;
      if ((nobody || denied) && r_.is_any(v, {"understand", "understands", "know", "knows",
                                               "explain", "fathom", "comprehend", "see"})) {
        fire(i, v + 1);
        continue;
      }
    }
    // Chat markers of sarcasm: "same person as last time, just saying", "oh wait",
    // "thanks for the heads up... not", "10/10 deploy strategy @ben, no notes", 🙄 🙃.
    const bool eye_roll =
        r_.at(i).norm == "\xF0\x9F\x99\x84" || r_.at(i).norm == "\xF0\x9F\x99\x83";
    const bool marker =
        matches(r_, i, {"just", "saying"}) || matches(r_, i, {"oh", "wait"}) ||
        matches(r_, i, {"no", "notes"}) || r_.is(i, "/s") || eye_roll ||
        (r_.is(i, "not") && i + 1 >= r_.size() - (r_.punct(r_.size() - 1, ".") ? 1 : 0) && i >= 1 &&
         (r_.punct(i - 1, "...") || r_.punct(i - 1, "\xE2\x80\xA6")));
    const bool praise = r_.any_flag(0, r_.size(), wf::praise_cue) ||
                        r_.find(0, r_.size(), "shoutout") != npos ||
                        r_.find(0, r_.size(), "glad") != npos;
    if (marker && (someone || praise || matches(r_, i, {"just", "saying"}))) {
      fire(i, std::min(r_.size(), i + (eye_roll || r_.is(i, "not") || r_.is(i, "/s") ? 1 : 2)));
      continue;
    }
    // A habit pinned on a team or a person: "Infrastructure has a long-standing habit of ...".
    // (A habit of something fine is no blame: "a habit of deploying on Thursdays".)
    if ((r_.is(i, "habit") || r_.is(i, "tendency") ||
         (r_.is(i, "track") && r_.is(i + 1, "record"))) &&
        someone && r_.find(i, r_.size(), "of") != npos &&
        (r_.find(i, r_.size(), "without") != npos ||
         r_.any_flag(i, r_.size(), wf::negative_qualifier | wf::judgement) || [&] {
           for (std::size_t k = i; k < r_.size(); ++k) {
             const auto* v = r_.verb(k);
             if (v != nullptr && (v->kind == verb_class::harm || v->kind == verb_class::omission)) {
               return true;
             }
           }
           return false;
         }())) {
      fire(i, i + 1);
      continue;
    }
  }
  // "oh look, another friday deploy from the platform team": a repeated harm, from someone.
  for (std::size_t i = 0; i + 3 < r_.size(); ++i) {
    if (!r_.is(i, "another")) continue;
    for (std::size_t k = i + 1; k + 1 < r_.size() && k <= i + 4; ++k) {
      // ("another masterpiece from the data team": praise for a harm is sarcasm too)
      if (!r_.has(k, wf::artifact | wf::outcome) &&
          !r_.is_any(k, {"masterpiece", "gem", "triumph", "beauty", "classic", "winner"})) {
        continue;
      }
      const auto from = std::find_if(actors_.begin(), actors_.end(), [&](const actor& a) {
        return a.first >= k + 2 && a.first <= k + 3 && r_.is_any(a.first - 1, {"from", "by"}) &&
               a.kind != actor_kind::we;
      });
      if (from != actors_.end()) {
        add(i, from->last, rule_id::implied_blame);
        rewrite_blocked = true;
      }
      break;
    }
  }
  // A person's act in scare quotes: glad jsmith's 'tiny refactor' went well, another 'quick
  // fix' from marco, thanks to Ibrahim's "quick fix".
  for (const auto& a : actors_) {
    if (a.kind == actor_kind::we) continue;
    const auto quote = [&](std::size_t k) {
      return k < r_.size() && r_.at(k).kind == token_kind::punct &&
             (r_.at(k).norm == "\"" || r_.at(k).norm == "'" || r_.at(k).norm == "\xE2\x80\x9C" ||
              r_.at(k).norm == "\xE2\x80\x98");
    };
    if (a.possessive && quote(a.last)) {
      fire(a.first, a.last + 1);
      continue;
    }
    if (a.first >= 2 && r_.is_any(a.first - 1, {"from", "by"}) && quote(a.first - 2)) {
      fire(a.first - 1, a.last);
    }
  }
}

void sentence_review::check_implied() {
  // "Where we got lucky: Leo was on leave that week, so he couldn't touch anything else", "What
  // went well: @bruno went on holiday the next day, so things calmed down": a person's absence
  // told as good fortune says their presence is the hazard. ("Leo was on leave, so the handover
  // was done by Kim" tells who stood in; there is no luck in it.)
  {
    const bool fortune =
        r_.find(0, r_.size(), "lucky") != npos || r_.find(0, r_.size(), "luckily") != npos ||
        r_.find(0, r_.size(), "thankfully") != npos || matches(r_, 0, {"what", "went", "well"});
    for (const auto& a : actors_) {
      if (!fortune || a.possessive ||
          (a.kind != actor_kind::person && a.kind != actor_kind::weak_person)) {
        continue;
      }
      const std::size_t k = a.last;
      const bool absent = (r_.is_any(k, {"was", "went"}) && r_.is(k + 1, "on") &&
                           r_.is_any(k + 2, {"leave", "holiday", "vacation", "pto"})) ||
                          (r_.is(k, "was") && r_.is_any(k + 1, {"away", "out", "off", "offline"}));
      if (!absent) continue;
      add(a.first, k + 3, rule_id::implied_blame);
      remove_actor(a);
      rewrite_blocked = true;
      break;
    }
  }
  // "Not going to point fingers, but someone's ...", "Not saying it was Jules, but ...", "no
  // offense, but": the disclaimer announces the blame that follows it.
  for (std::size_t i = 0; i + 3 < r_.size(); ++i) {
    const std::size_t length =
        (r_.is_any(i, {"point", "pointing"}) && r_.is(i + 1, "fingers")) ||
                matches(r_, i, {"not", "saying"}) || matches(r_, i, {"not", "blaming"}) ||
                matches(r_, i, {"no", "offense"}) || matches(r_, i, {"no", "offence"})
            ? 2
            : 0;
    if (length == 0) continue;
    const auto but = r_.find(i + length, std::min(r_.size(), i + length + 7), "but");
    if (but == npos) continue;
    add(i, i + length, rule_id::implied_blame);
    rewrite_blocked = true;
  }
  // Sarcasm: praise for harm ("Thanks, Kevin, for taking the whole site down", "nice work
  // breaking prod"), or for whoever did it.
  for (std::size_t i = 0; i + 1 < r_.size(); ++i) {
    if (!r_.has(i, wf::praise_cue)) continue;
    const bool thanks_a_lot =
        matches(r_, i, {"thanks", "a", "lot"}) || matches(r_, i, {"thanks", "a", "bunch"});
    const bool praise = matches(r_, i, {"great", "job"}) || matches(r_, i, {"nice", "work"}) ||
                        matches(r_, i, {"nice", "job"}) || matches(r_, i, {"good", "job"}) ||
                        matches(r_, i, {"well", "done"}) || thanks_a_lot || r_.is(i, "thanks") ||
                        r_.is(i, "kudos") || r_.is(i, "bravo");
    // "really appreciate the 3am page", "gotta love", "awesome": praise words that are sarcasm
    // only about an outcome nobody would praise.
    // ("great monitoring, folks": praise said to a team.)
    const bool soft_praise =
        !praise &&
        (r_.is_any(i, {"appreciate", "appreciated", "love", "loved", "awesome", "brilliant",
                       "fantastic", "stellar", "amazing", "wonderful"}) ||
         (r_.is_any(i, {"great", "nice"}) &&
          r_.is_any(std::min(i + 2, r_.size() - 1), {"folks", "team", "guys", "people"})));
    if (!praise && !soft_praise) continue;
    bool harm = false;
    // "Cool, so we're just deploying on Fridays now, thanks Dimitri": thanks at the end praise
    // what came before them.
    const bool closing = i + 4 >= r_.size();
    for (std::size_t k = closing ? 0 : i + 1; k < r_.size(); ++k) {
      if (k == i) continue;
      const auto* v = r_.verb(k);
      bool phrasal_harm = false;
      for (std::size_t j = k + 1; v != nullptr && j < r_.size() && j <= k + 4; ++j) {
        phrasal_harm = phrasal_harm || (r_.word(j) && wf::phrasal_class(v->base, r_.at(j).norm) ==
                                                          verb_class::harm);
      }
      if (r_.is_any(k, {"whoever", "someone", "somebody"}) ||
          // ("the kill switch": a harm verb after a determiner is a noun)
          (v != nullptr && v->kind == verb_class::harm && !r_.has(k - 1, wf::determiner)) ||
          phrasal_harm || r_.has(k, wf::negative_qualifier) ||
          r_.is_any(k, {"prod", "production"}) || r_.at(k).norm.starts_with("friday")) {
        harm = true;
      }
    }
    // "Thanks to Dimitri for staying on the bridge until 4am": thanks for what someone did
    // that harmed nothing is gratitude, however late it was.
    // ("Thanks to @lena paging networking early, ...": the deed right after the person.)
    const bool for_good_deed = [&] {
      if (r_.is(i + 1, "to")) {
        for (std::size_t k = i + 3; k < r_.size() && k <= i + 5 && r_.word(k); ++k) {
          const auto* v = r_.verb(k);
          if (v == nullptr) continue;
          if (v->form == wf::verb_form::gerund && v->kind != verb_class::harm &&
              v->kind != verb_class::omission) {
            return true;
          }
          break;
        }
      }
      const auto at = r_.find(i + 1, r_.size(), "for");
      if (at == npos) return false;
      const auto* v = r_.verb(at + 1);
      const auto& w = r_.at(at + 1).norm;
      return v == nullptr ? (w.size() > 5 && w.ends_with("ing"))
                          : v->form == wf::verb_form::gerund && v->kind != verb_class::harm &&
                                v->kind != verb_class::omission;
    }();
    const bool positive = for_good_deed || r_.any_flag(i + 1, r_.size(), wf::positive);
    // The outcome praised: an outage, errors, a page at night, a lost weekend.
    bool outcome = false;
    for (std::size_t k = closing ? 0 : i + 1; k < r_.size(); ++k) {
      const auto& w = r_.at(k).norm;
      const bool night = r_.at(k).kind == token_kind::number && w.size() >= 3 &&
                         (w.ends_with("am") || w.ends_with("a.m.")) && w[0] >= '1' && w[0] <= '5' &&
                         (w.size() == 3 || w[1] == 'a' || w[1] == ':');
      outcome = outcome || night || r_.has(k, wf::outcome) ||
                r_.is_any(k, {"weekend", "woke", "woken", "wake-up", "wakeup", "midnight"});
    }
    const bool someone_named =
        other_present() || r_.is_any(std::min(i + 2, r_.size() - 1), {"folks", "team", "guys"});
    if (soft_praise) {
      harm = harm && someone_named;
      if (!(harm || (outcome && someone_named && !positive))) continue;
    }
    if (harm || soft_praise || (thanks_a_lot && !positive) ||
        (praise && outcome && someone_named && !positive)) {
      add(i,
          thanks_a_lot
              ? i + 3
              : (r_.is(i, "thanks") || r_.is(i, "kudos") || r_.is(i, "bravo") || soft_praise
                     ? i + 1
                     : i + 2),
          rule_id::implied_blame);
      rewrite_blocked = true;
    }
  }
  // "nobody on the SRE team bothered to read the alert".
  for (std::size_t i = 0; i < r_.size(); ++i) {
    if (!r_.is(i, "nobody") && !(r_.is(i, "no") && r_.is(i + 1, "one"))) continue;
    for (std::size_t k = i + 1; k < r_.size() && k <= i + 6; ++k) {
      if (r_.is(k, "bothered")) {
        add(i, k + 1, rule_id::implied_blame);
        rewrite_blocked = true;
        break;
      }
    }
  }
  // "classic ana, skipping the checklist again", "typical ops", "classic jen move": a habit
  // pinned on someone. A lower-case word the lexicon does not know is a name there when
  // nothing but "move" or the sentence's end follows it ("classic race condition" is no one).
  for (std::size_t i = 0; i + 1 < r_.size(); ++i) {
    if (!r_.is_any(i, {"classic", "typical"})) continue;
    const auto a = std::find_if(actors_.begin(), actors_.end(),
                                [&](const actor& b) { return b.first == i + 1; });
    if (a != actors_.end()) {
      if (a->kind == actor_kind::we) continue;
      add(i, a->last, a->kind == actor_kind::self ? rule_id::self_blame : rule_id::implied_blame);
      rewrite_blocked = true;
      continue;
    }
    const bool unknown_word = r_.word(i + 1) && r_.verb(i + 1) == nullptr &&
                              (r_.flags(i + 1) & ~(wf::first_name | wf::ambiguous_name)) == 0;
    const bool ends = i + 2 >= r_.size() || r_.at(i + 2).kind == token_kind::punct ||
                      r_.is_any(i + 2, {"move", "moves", "behaviour", "behavior", "style"});
    if (unknown_word && ends && !noun_like_suffix(r_.at(i + 1).norm)) {
      add(i, i + 2, rule_id::implied_blame);
      rewrite_blocked = true;
    }
  }
  // "lol ops did it again", "Kevin strikes again", "the DBAs are at it again".
  for (std::size_t i = 0; i + 2 < r_.size(); ++i) {
    const bool idiom = (r_.is_any(i, {"did", "does", "done"}) &&
                        r_.is_any(i + 1, {"it", "this", "that"}) && r_.is(i + 2, "again")) ||
                       (r_.is_any(i, {"strikes", "struck"}) && r_.is(i + 1, "again"));
    // "at it again" is teasing until it names a harm: "at it again, hammering the login API".
    const bool at_it = matches(r_, i, {"at", "it", "again"}) && [&] {
      for (std::size_t k = i + 3; k < r_.size(); ++k) {
        const auto* v = r_.verb(k);
        if ((v != nullptr && v->kind == verb_class::harm) || r_.has(k, wf::outcome)) {
          return true;
        }
      }
      return false;
    }();
    if (!idiom && !at_it) continue;
    const auto doer = std::find_if(actors_.begin(), actors_.end(), [&](const actor& a) {
      return a.last <= i && a.kind != actor_kind::we && !a.possessive;
    });
    if (doer == actors_.end()) continue;
    const std::size_t last = r_.is(i + 1, "again") ? i + 2 : i + 3;
    add(doer->first, last,
        doer->kind == actor_kind::self ? rule_id::self_blame
                                       : rule_for(doer->kind, rule_id::implied_blame));
    rewrite_blocked = true;
  }
  // "whoever merged that", "someone (again) forgot", "who pushed the bad config?"
  for (const auto& a : actors_) {
    if (a.kind != actor_kind::indefinite) continue;
    if (r_.is(a.first, "whoever")) {
      // "whoever was on call restarted the wrong cluster": the clause names no act, the verb
      // after it does, and it is judged like any subject's.
      if (r_.has(a.last, wf::auxiliary) && r_.verb(a.last) == nullptr) {
        for (std::size_t k = a.last + 1; k < r_.size() && k <= a.last + 4; ++k) {
          const auto* v = r_.verb(k);
          if (v == nullptr || v->form == wf::verb_form::gerund || v->form == wf::verb_form::base ||
              r_.has(k - 1, wf::determiner) || r_.is(k - 1, "on")) {
            continue;  // "on call", "the deploy": not the clause's verb
          }
          check_unnamed(actor{a.first, k, actor_kind::indefinite, false}, parse_predicate(r_, k));
          break;
        }
        continue;
      }
      if (r_.verb(a.last) != nullptr || r_.has(a.last, wf::adverb)) {
        add(a.first, a.last + 1, rule_id::implied_blame);
        rewrite_blocked = true;
      }
      continue;
    }
    const bool again = r_.find(a.last, r_.size(), "again") != npos;
    if (again) {
      add(a.first, a.last, rule_id::implied_blame);
    }
  }
  const auto& last_mark = r_.at(r_.size() - 1);
  if (last_mark.kind != token_kind::punct || last_mark.norm.find('?') == std::string::npos) return;
  // "who pushed the bad config?", "who the hell merged this without a review??": the question
  // points at whoever did what a person would be blamed for.
  for (std::size_t i = 0; i < r_.size(); ++i) {
    if (!r_.is(i, "who") || (i > 0 && r_.word(i - 1) && !r_.is_any(i - 1, {"so", "and", "but"})))
      continue;
    std::size_t after = i + 1;
    if (r_.is(after, "the") && r_.is_any(after + 1, {"hell", "heck", "fuck"})) after += 2;
    if (r_.is(after, "on") && r_.is(after + 1, "earth")) after += 2;
    if (r_.is_any(after, {"tf", "exactly", "else"})) after += 1;
    const auto p = parse_predicate(r_, after);
    const bool negative =
        p.object_begin != npos && r_.any_flag(p.object_begin, p.object_end, wf::negative_qualifier);
    if (p.verb != nullptr && (p.kind == verb_class::harm || negative)) {
      add(i, p.end, rule_id::implied_blame);
      rewrite_blocked = true;
      continue;
    }
    check_unnamed(actor{i, after, actor_kind::indefinite, false}, p);
  }
}

void sentence_review::check_unnamed(const actor& a, const predicate& p) {
  const std::size_t before = findings.size();
  relative_or_question_ = true;
  check_predicate(a, p);
  for (std::size_t f = before; f < findings.size(); ++f) {
    if (text_of(findings[f].rule).kind == finding_kind::blame) {
      findings[f].rule = rule_id::implied_blame;
    }
  }
  rewrite_blocked = rewrite_blocked || findings.size() > before;
}

}  // namespace scribe::bot::wording
