// Finding who acts: a mention or a known person is sure; a name, a role with its determiner, a
// pronoun or a team is read from the words around it, because the same words also name things
// ("the on-call rotation", "Page", "Support"); an unknown capitalised word is only probably a
// name and counts with predicates that only people have.
#include "bot/wording_actors.hpp"

#include "bot/wording_reader.hpp"

#include <algorithm>
#include <utility>

namespace scribe::bot::wording {

rule_id rule_for(actor_kind k, rule_id for_person) {
  switch (k) {
    case actor_kind::team:
    case actor_kind::weak_team: return rule_id::team_blame;
    case actor_kind::self: return rule_id::self_blame;
    case actor_kind::indefinite:
      return for_person == rule_id::counterfactual ? rule_id::counterfactual
                                                   : rule_id::implied_blame;
    default: return for_person;
  }
}

known_people::known_people(std::span<const std::string> people) {
  for (const auto& raw : people) {
    std::string_view p = raw;
    while (!p.empty() && (p.front() == '@' || p.front() == ' ' || p.front() == '<')) {
      p.remove_prefix(1);
    }
    while (!p.empty() && (p.back() == '@' || p.back() == ' ' || p.back() == '>')) {
      p.remove_suffix(1);
    }
    if (const auto colon = p.find(':'); colon != std::string_view::npos) p = p.substr(0, colon);
    std::vector<std::string> words;
    std::string current;
    for (const char c : p) {
      if (c == ' ' || c == '|') {
        if (!current.empty()) words.push_back(std::move(current));
        current.clear();
      } else {
        current += static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
      }
    }
    if (!current.empty()) words.push_back(std::move(current));
    if (words.empty()) continue;
    // A full name is also written as its first name alone.
    if (words.size() > 1 && words.front().size() > 1 &&
        (flags_of(words.front()) & (wf::function_word | wf::determiner)) == 0) {
      names.push_back({words.front()});
    }
    names.push_back(std::move(words));
  }
  // Longest first, so "ana souza" wins over "ana".
  std::sort(names.begin(), names.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::size_t known_people::match(const std::vector<token>& tokens, std::size_t i) const {
  for (const auto& name : names) {
    if (i + name.size() > tokens.size()) continue;
    bool same = true;
    for (std::size_t k = 0; k < name.size() && same; ++k) {
      const auto& t = tokens[i + k];
      same = (t.kind == token_kind::word || t.kind == token_kind::mention) && t.norm == name[k];
    }
    if (same) return name.size();
  }
  return 0;
}

bool noun_like_suffix(std::string_view w) {
  for (const auto suffix : {"tion", "sion", "ing", "ment", "ness", "ity", "ance", "ence", "ism",
                            "ure", "ics", "ogy", "ship", "age", "ery", "ory"}) {
    if (w.size() > std::string_view(suffix).size() + 2 && w.ends_with(suffix)) return true;
  }
  return false;
}

// Whether what follows token i reads as a predicate: a verb, an auxiliary, a modal or an adverb.
bool sentence_reader::followed_by_predicate(std::size_t i) const {
  std::size_t j = i;
  if (is_any(j, {"from", "on", "in", "of"}) &&
      (has(j + 1, wf::determiner) || has(j + 1, wf::team_modifier))) {
    // "mike from the payments team took ...".
    std::size_t k = j + 2;
    while (k < t_.size() && k < j + 5 && !has(k, wf::team)) ++k;
    if (has(k, wf::team)) {
      j = k + 1;
    } else if (has(j + 1, wf::team_modifier)) {
      j += 2;
    }
  }
  // "Ops, as per usual, sat on the ticket": a short aside between a team and its verb, as
  // parse_predicate reads it; a list ("Ops, Kim and Lee were paged") has no lower-case aside.
  if (punct(j, ",") && word(j + 1) && !t_[j + 1].capitalised &&
      is_any(j + 1, {"as", "once", "again", "yet", "frankly", "honestly", "apparently", "of",
                     "predictably", "naturally", "bless", "typically", "clearly", "evidently"})) {
    for (std::size_t k = j + 2; k < t_.size() && k <= j + 5; ++k) {
      if (punct(k, ",")) {
        if (verb(k + 1) != nullptr || has(k + 1, wf::adverb | wf::auxiliary | wf::negation)) {
          j = k + 1;
        }
        break;
      }
    }
  }
  while (j < t_.size() && has(j, wf::adverb)) ++j;
  if (j >= t_.size()) return false;
  // "Ines just winged the failover": slang verbs of judgement are listed as judgement words.
  if (has(j, wf::auxiliary | wf::modal | wf::negation | wf::judgement)) return true;
  const auto* v = verb(j);
  return v != nullptr && v->form != wf::verb_form::gerund;
}

std::optional<actor> sentence_reader::actor_at(std::size_t i) const {
  if (i >= t_.size()) return std::nullopt;
  const token& t = t_[i];
  if (const auto n = people_.match(t_, i); n > 0) {
    return actor{i, i + n, actor_kind::person, t_[i + n - 1].possessive};
  }
  if (t.kind == token_kind::mention) return actor{i, i + 1, actor_kind::person, t.possessive};
  if (t.kind != token_kind::word) return std::nullopt;
  const auto& w = t.norm;
  const auto f = flags(i);
  if ((f & wf::self_word) != 0) return actor{i, i + 1, actor_kind::self, false};
  // ("my own negligence": "own" goes with the owner.)
  const std::size_t owned = w == "my" && is(i + 1, "own") ? i + 2 : i + 1;
  if (w == "my" && (has(owned, wf::artifact | wf::fault_noun) ||
                    is_any(owned, {"fault", "bad", "mistake", "error"}))) {
    return actor{i, owned, actor_kind::self, true};
  }
  if ((f & wf::pronoun) != 0) return actor{i, i + 1, actor_kind::person, false};
  if ((w == "his" || w == "her") && has(i + 1, wf::artifact)) {
    return actor{i, i + 1, actor_kind::person, true};
  }
  if ((f & wf::indefinite) != 0) return actor{i, i + 1, actor_kind::indefinite, t.possessive};
  // "Some people never read the runbook": people left unnamed on purpose.
  if ((w == "some" || w == "certain") && is_any(i + 1, {"people", "folks", "engineers"})) {
    return actor{i, i + 2, actor_kind::indefinite, false};
  }
  // "Why didn't anyone check ...?": a question that points at whoever could have.
  if ((w == "anyone" || w == "anybody") && i >= 1 && has(i - 1, wf::negation) &&
      has(i - 1, wf::auxiliary)) {
    return actor{i, i + 1, actor_kind::indefinite, false};
  }
  // "they" names people or systems alike; only a counterfactual condition ("had they tested")
  // makes it people.
  const bool they_knew = is_any(i + 1, {"should've", "shouldve", "should", "could've"}) &&
                         (verb(i + 2) != nullptr || (is(i + 2, "have") && verb(i + 3) != nullptr &&
                                                     verb(i + 3)->kind == verb_class::cognition)) &&
                         (verb(i + 2) == nullptr || verb(i + 2)->kind == verb_class::cognition);
  if (w == "they" && ((i >= 1 && is_any(i - 1, {"had", "if"})) || they_knew)) {
    return actor{i, i + 1, actor_kind::weak_person, false};
  }
  if (w == "we") return actor{i, i + 1, actor_kind::we, false};
  if (auto np = noun_phrase_actor(i)) return np;
  // "Dev should have double checked": a capitalised role word opening a sentence is a name.
  // "Root cause: operator should've known": a bare role after a label, too.
  const bool opens = sentence_start(i) || (i >= 1 && punct(i - 1, ":"));
  if ((f & wf::role) != 0 && (f & wf::determiner) == 0 && (t.capitalised || i >= 1) && opens &&
      !t.all_capitals && has(i + 1, wf::modal) && !has(i + 1, wf::negation)) {
    return actor{i, i + 1, actor_kind::person, false};
  }
  // "Engineer A", "Team member 2", "Team B".
  if ((f & (wf::role | wf::team)) != 0 && t.capitalised && i + 1 < t_.size() &&
      (t_[i + 1].norm.size() == 1 || t_[i + 1].kind == token_kind::number) &&
      (t_[i + 1].kind == token_kind::number || t_[i + 1].capitalised)) {
    return actor{i, i + 2, (f & wf::role) != 0 ? actor_kind::person : actor_kind::team,
                 t_[i + 1].possessive};
  }
  // ("silenced by ops": after "by" a team needs no predicate of its own)
  // ("data eng's backfill": a team owns its act as a person does.)
  if ((f & wf::team) != 0 && (f & wf::determiner) == 0 &&
      (followed_by_predicate(i + 1) || (i >= 1 && is(i - 1, "by")) ||
       (t.possessive && has(i + 1, wf::artifact)))) {
    // "Ops never reads", "SREs had lost access"; "data eng's backfill" with the word that
    // names which team, so a rewrite leaves none of it behind.
    const bool named_before =
        i >= 1 && (has(i - 1, wf::team_modifier) ||
                   (sentence_start(i - 1) && word(i - 1) && flags(i - 1) == 0 &&
                    verb(i - 1) == nullptr));
    const std::size_t first = named_before ? i - 1 : i;
    return actor{first, i + 1, actor_kind::team, t.possessive};
  }
  // "Networking broke ...", also after one more word of the team's name: "Data engineering".
  const bool team_name_start =
      sentence_start(i) || (i == 1 && t_[0].capitalised && t_[0].kind == token_kind::word &&
                            !has(0, wf::determiner));  // ("The backend" is a system)
  // In chat, lower case too: "infra broke it again", "networking screwed us".
  if ((f & wf::team_modifier) != 0 && team_name_start && followed_by_predicate(i + 1)) {
    return actor{sentence_start(i) ? i : 0, i + 1, actor_kind::weak_team, t.possessive};
  }
  const bool start = sentence_start(i);
  const bool name = (f & wf::first_name) != 0;
  const bool ambiguous = (f & wf::ambiguous_name) != 0;
  const bool after_determiner = i > 0 && has(i - 1, wf::determiner);
  // "the status page", "we will": a name that is also a word counts only written as a name.
  if ((name || (ambiguous && t.capitalised)) && !after_determiner) {
    // A capitalised name mid-sentence is a person; at the start, or in lower case, only as a
    // subject (a verb follows) or an owner ("kim's").
    const bool as_subject =
        t.possessive || followed_by_predicate(i + 1) ||
        (i + 1 < t_.size() && t_[i + 1].capitalised && t_[i + 1].kind == token_kind::word &&
         (!start || (name && !ambiguous && t.capitalised)) &&
         (flags(i + 1) & (wf::function_word | wf::system_word | wf::determiner)) == 0);
    // "Kim exercised poor judgement": a known given name opening the sentence before a word in
    // lower case is its subject, even when the lexicon does not know the verb.
    const bool opens_clause = start && name && !ambiguous && t.capitalised && !t.all_capitals &&
                              word(i + 1) && !t_[i + 1].capitalised &&
                              !has(i + 1, wf::function_word | wf::determiner);
    const bool sure = (t.capitalised && !start && !ambiguous) || as_subject || opens_clause;
    if (sure && !(ambiguous && !as_subject)) {
      std::size_t end = i + 1;
      // A surname: "Ana Souza", "Li Wei".
      if (!t.possessive && end < t_.size() && t_[end].kind == token_kind::word &&
          t_[end].capitalised && t.capitalised &&
          (flags_of(t_[end].norm) & (wf::function_word | wf::system_word | wf::determiner)) == 0 &&
          wf::verb_of(t_[end].norm) == nullptr) {
        ++end;
      }
      return actor{i, end, actor_kind::person, t_[end - 1].possessive};
    }
  }
  if ((f & (wf::function_word | wf::determiner | wf::system_word | wf::auxiliary | wf::modal |
            wf::adverb | wf::role | wf::team | wf::team_modifier | wf::judgement | wf::drama)) !=
          0 ||
      verb(i) != nullptr) {
    return std::nullopt;
  }
  // An unknown capitalised word mid-sentence is probably a name; an acronym ("API") is not.
  if (t.capitalised && !start && !noun_like_suffix(w) && !t.all_capitals) {
    return actor{i, i + 1, actor_kind::weak_person, t.possessive};
  }
  // "Certificates should have renewed", "Backups were deleted": the plural of a known thing is
  // that thing, not a name.
  const bool plural_thing =
      w.size() >= 4 && w.ends_with('s') && !t.possessive &&
      (flags_of(w.substr(0, w.size() - 1)) & (wf::system_word | wf::artifact)) != 0;
  // At the start, an unknown word is a person only as the subject of a past-tense verb:
  // "jsmith pushed ...", "Marta knocked over ...".
  if (start && !noun_like_suffix(w) && !plural_thing && w.size() >= 3 &&
      (t.capitalised || !w.ends_with('s'))) {
    std::size_t k = i + 1;
    // "Lin accidentally ...", "Ruth never bothered ...".
    bool after_did_not = false;  // "Rafa didn't even look ...": then the verb is in its base form
    while (k < t_.size() && k <= i + 3 && has(k, wf::adverb | wf::negation)) {
      after_did_not = after_did_not || has(k, wf::auxiliary);
      ++k;
    }
    const auto* v = verb(k);
    if (v != nullptr &&
        (v->form == wf::verb_form::past || v->form == wf::verb_form::past_or_participle ||
         (after_did_not && v->form == wf::verb_form::base)) &&
        v->kind != verb_class::none) {
      return actor{i, i + 1, actor_kind::weak_person, t.possessive};
    }
    // "Sami's careless copy-paste": a capitalised owner of an act or a judged thing.
    if (t.capitalised && t.possessive) {
      // "Devin's fat config push": up to two describing words before the thing.
      for (std::size_t d = i + 1; d < t_.size() && d <= i + 3; ++d) {
        if (has(d, wf::artifact | wf::judgement)) {
          return actor{i, i + 1, actor_kind::weak_person, true};
        }
        if (!word(d) || verb(d) != nullptr || has(d, wf::function_word | wf::determiner)) break;
      }
    }
    // A capitalised one before "should've followed" or "was negligent".
    if (t.capitalised && (has(k, wf::modal) || is_any(k, {"was", "is"}))) {
      std::size_t j = k + 1;
      while (j < t_.size() && j <= k + 2 &&
             (is_any(j, {"have", "'ve", "not", "too", "so", "very", "to"}) || has(j, wf::adverb))) {
        ++j;
      }
      const auto* after = verb(j);
      if ((after != nullptr && after->kind != verb_class::none &&
           after->form != wf::verb_form::gerund) ||
          has(j, wf::judgement | wf::derogatory) || (is(j, "to") && is(j + 1, "blame")) ||
          (is(j, "blame") && is(j - 1, "to"))) {
        return actor{i, i + 1, actor_kind::weak_person, false};
      }
    }
  }
  return std::nullopt;
}

// "the on-call", "an engineer", "our DBA", "the new hire", "the platform team", "the DBAs",
// "the vendor's engineers": a determiner, up to three modifiers, and a role or team noun.
std::optional<actor> sentence_reader::noun_phrase_actor(std::size_t i) const {
  // "one engineer running a backfill", "two developers": a number counts people too.
  // ("No one person caused this" denies there was one.)
  const bool counted = is_any(i, {"one", "two", "three", "several", "multiple"}) &&
                       has(i + 1, wf::role | wf::team) && !is(i + 1, "of") &&
                       !(i >= 1 && is_any(i - 1, {"no", "not"}));
  if (!has(i, wf::determiner) && !counted) return std::nullopt;
  // "that the mobile team has ...": "that" starts the clause; the phrase starts after it.
  if (is(i, "that") && has(i + 1, wf::determiner)) return std::nullopt;
  std::size_t j = i + 1;
  std::size_t head = npos;
  for (; j < t_.size() && j <= i + 4; ++j) {
    if (!word(j)) break;
    const auto f = flags(j);
    if ((f & (wf::role | wf::team)) != 0 && (f & wf::team_modifier) == 0) {
      head = j;
      break;
    }
    if ((f & wf::role) != 0 && (f & wf::team_modifier) != 0 && !has(j + 1, wf::team) &&
        !has(j + 1, wf::role)) {
      head = j;  // "the SRE", "our DBA"
      break;
    }
    if (t_[j].all_capitals && (f & (wf::role | wf::team)) == 0) continue;  // "a single IT engineer"
    // "the actions of the engineer": the person is the phrase after "of", found on its own.
    // "some of the devs", "one of our engineers": a share of the people is still them.
    if (t_[j].norm == "of" && j == i + 1 && has(j + 1, wf::determiner)) {
      ++j;
      continue;
    }
    if ((f & (wf::function_word | wf::auxiliary | wf::modal)) != 0 || t_[j].norm == "of") break;
    const auto* v = verb(j);
    // "the deploying engineer", "the reviewing team": a gerund may describe the role.
    const bool describes_role =
        v != nullptr && v->form == wf::verb_form::gerund && has(j + 1, wf::role | wf::team);
    if (v != nullptr && (f & wf::team_modifier) == 0 &&
        v->form != wf::verb_form::past_or_participle && v->base != "release" && !describes_role) {
      break;
    }
    if (t_[j].possessive && (f & (wf::role | wf::team)) == 0) {
      // "the vendor's engineers": an owner before the head.
      continue;
    }
  }
  if (head == npos) return std::nullopt;
  // "the vendor's engineers": the owner is part of the phrase, the head comes after it.
  while (t_[head].possessive && head + 1 < t_.size() && word(head + 1) &&
         has(head + 1, wf::role | wf::team)) {
    ++head;
  }
  std::size_t end = head + 1;
  while (end < t_.size() && word(end) && has(end, wf::role | wf::team) && !t_[end - 1].possessive) {
    ++end;
  }
  // "the on-call rotation", "the DBA runbook": the role only qualifies a thing.
  if (end < t_.size() && word(end) && !t_[end - 1].possessive) {
    const auto f = flags(end);
    const auto* v = verb(end);
    const auto& next = t_[end].norm;
    const bool verb_like = v != nullptr || next.ends_with("ing") || next.ends_with("ed");
    // ("that" and "this" are listed as systems too, but after a role they start a clause.) A
    // plural head is rarely a modifier: "colleagues bear", "the DBAs scheduled".
    const bool plural_head = t_[end - 1].norm.ends_with('s') && (f & wf::system_word) == 0;
    const bool thing =
        ((f & (wf::system_word | wf::artifact)) != 0 && (f & wf::function_word) == 0) ||
        (!verb_like &&
         (f & (wf::function_word | wf::adverb | wf::auxiliary | wf::modal | wf::negation)) == 0 &&
         next != "who" && next != "responsible" && next != "of");
    if (thing && !verb_like && !(plural_head && (f & wf::artifact) == 0)) return std::nullopt;
  }
  bool team_head = false;
  for (std::size_t k = head; k < end; ++k) {
    if (has(k, wf::team)) team_head = true;
  }
  return actor{i, end, team_head ? actor_kind::team : actor_kind::person, t_[end - 1].possessive};
}

}  // namespace scribe::bot::wording
