#include "bot/wording_review.hpp"

#include "bot/wording_lexicon.hpp"
#include "bot/wording_text.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <initializer_list>
#include <unordered_map>
#include <utility>

namespace scribe::bot {
namespace {

using wording::flags_of;
using wording::sentence;
using wording::token;
using wording::token_kind;
using wording::verb_class;
using wording::verb_info;
namespace wf = wording;

constexpr std::size_t npos = static_cast<std::size_t>(-1);

// ---- the rules' names and what each says --------------------------------------------------

enum class rule_id {
  person_as_cause,
  counterfactual,
  judgement,
  competence,
  human_error,
  team_blame,
  passive_blame,
  implied_blame,
  self_blame,
  dramatising,
  hindsight,
  root_cause,
};

struct rule_text {
  std::string_view name;
  finding_kind kind;
  std::string_view suggestion;
};

constexpr std::array<rule_text, 12> rule_texts{{
    {"person_as_cause", finding_kind::blame,
     "This makes a person the cause: describe what the change did and what let it reach "
     "production."},
    {"counterfactual", finding_kind::blame,
     "What someone should or could have done is hindsight about a person: describe what was "
     "known, what the tools showed, and what made another step look right."},
    {"judgement", finding_kind::blame,
     "This judges a person: describe what made the step easy to miss or get wrong."},
    {"competence", finding_kind::blame,
     "This judges someone's ability: describe what information, tools and training were "
     "available."},
    {"human_error", finding_kind::blame,
     "\"Human error\" ends the inquiry: describe the interface that made the slip possible and "
     "what let it through."},
    {"team_blame", finding_kind::blame,
     "This blames a team: describe the hand-off or the interface between teams."},
    {"passive_blame", finding_kind::blame,
     "The passive still names who did it: describe the safeguard that could be skipped, and why."},
    {"implied_blame", finding_kind::blame,
     "This points at someone without saying what happened: say what happened."},
    {"self_blame", finding_kind::blame,
     "Blameless applies to you too: describe what would have helped you at the time."},
    {"dramatising", finding_kind::advice,
     "Drama adds nothing: state the impact in numbers (who was affected, how long, how many "
     "errors)."},
    {"hindsight", finding_kind::advice,
     "What is obvious after the outcome was not obvious during the incident: describe what was "
     "known at the time and which signals were missing."},
    {"root_cause", finding_kind::advice,
     "Incidents rarely have a single cause: list the contributing factors instead."},
}};

const rule_text& text_of(rule_id id) {
  return rule_texts[static_cast<std::size_t>(id)];
}

// ---- who acts ---------------------------------------------------------------------------

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

// The rule a blameful predicate gets for this kind of actor.
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

// The incident's known people, normalised to lower-case word sequences.
struct known_people {
  std::vector<std::vector<std::string>> names;

  explicit known_people(std::span<const std::string> people) {
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

  // How many tokens from `i` name a known person, or 0.
  std::size_t match(const std::vector<token>& tokens, std::size_t i) const {
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
};

// ---- reading one sentence ---------------------------------------------------------------

class sentence_reader {
 public:
  sentence_reader(const sentence& s, const known_people& people) : t_(s.tokens), people_(people) {
    // Each word is looked up once; the rules ask about it many times.
    flags_.reserve(t_.size());
    verbs_.reserve(t_.size());
    for (const auto& t : t_) {
      const bool is_word = t.kind == token_kind::word;
      auto f = is_word ? flags_of(t.norm) : 0u;
      const auto* v = is_word ? wf::verb_of(t.norm) : nullptr;
      if (is_word && f == 0 && v == nullptr) {
        const auto& w = t.norm;
        // Words the lexicon does not list are read by their shape, so that the rules do not
        // depend on every adverb and verb being listed: "evidently", "ordered", "yeeted".
        if (w.size() > 4 && w.ends_with("ly")) {
          f = wf::adverb;
        } else if (w.size() > 4 && w.ends_with("ed") && !t.capitalised) {
          guessed_.push_back(wf::verb_info{std::string_view(w).substr(0, w.size() - 2), "",
                                           verb_class::action, wf::verb_form::past_or_participle,
                                           w, true});
          v = &guessed_.back();
        } else if (w.size() > 4 && w.ends_with('s') && w != "leads" &&
                   (flags_of(std::string_view(w).substr(0, w.size() - 1)) & wf::role) != 0) {
          f = wf::team;  // "technicians", "responders": several people by their role
        }
      }
      flags_.push_back(f);
      verbs_.push_back(v);
    }
  }

  std::size_t size() const { return t_.size(); }
  const token& at(std::size_t i) const { return t_[i]; }
  bool word(std::size_t i) const { return i < t_.size() && t_[i].kind == token_kind::word; }
  bool is(std::size_t i, std::string_view w) const { return i < t_.size() && t_[i].norm == w; }
  bool is_any(std::size_t i, std::initializer_list<std::string_view> words) const {
    if (i >= t_.size()) return false;
    return std::find(words.begin(), words.end(), t_[i].norm) != words.end();
  }
  std::uint32_t flags(std::size_t i) const { return i < flags_.size() ? flags_[i] : 0u; }
  bool has(std::size_t i, std::uint32_t flag) const { return (flags(i) & flag) != 0; }
  bool punct(std::size_t i, std::string_view p) const {
    return i < t_.size() && t_[i].kind == token_kind::punct && t_[i].norm == p;
  }
  // A clause ends at , ; : — ( ) and sentence ends.
  bool clause_break(std::size_t i) const {
    if (i >= t_.size()) return true;
    if (t_[i].kind != token_kind::punct) return false;
    const auto& p = t_[i].norm;
    return p == "," || p == ";" || p == ":" || p == "(" || p == ")" || p == "." || p == "!" ||
           p == "?" || p == "..." || p == "\xE2\x80\x94" || p == "\xE2\x80\x93" || p == "-";
  }
  const verb_info* verb(std::size_t i) const { return i < verbs_.size() ? verbs_[i] : nullptr; }
  bool sentence_start(std::size_t i) const {
    // The first word, also after an opening quote or bracket, or after "Root cause:"-like labels.
    for (std::size_t k = 0; k < i; ++k) {
      if (t_[k].kind == token_kind::word || t_[k].kind == token_kind::mention ||
          t_[k].kind == token_kind::number) {
        return false;
      }
    }
    return true;
  }
  std::size_t find(std::size_t from, std::size_t to, std::string_view w) const {
    for (std::size_t i = from; i < std::min(to, t_.size()); ++i) {
      if (t_[i].norm == w) return i;
    }
    return npos;
  }
  bool any_flag(std::size_t from, std::size_t to, std::uint32_t flag) const {
    for (std::size_t i = from; i < std::min(to, t_.size()); ++i) {
      if (has(i, flag)) return true;
    }
    return false;
  }
  std::size_t clause_end(std::size_t from) const {
    std::size_t i = from;
    while (i < t_.size() && !clause_break(i)) ++i;
    return i;
  }
  std::size_t clause_begin(std::size_t at) const {
    std::size_t i = at;
    while (i > 0 && !clause_break(i - 1)) --i;
    return i;
  }

  // The actor starting at token i, if any.
  std::optional<actor> actor_at(std::size_t i) const;

 private:
  std::optional<actor> noun_phrase_actor(std::size_t i) const;
  bool followed_by_predicate(std::size_t i) const;

  const std::vector<token>& t_;
  const known_people& people_;
  std::vector<std::uint32_t> flags_;
  std::vector<const verb_info*> verbs_;
  std::deque<verb_info> guessed_;  // verbs read by their shape; a deque keeps their addresses
};

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
  if (w == "my" &&
      (has(i + 1, wf::artifact) || is_any(i + 1, {"fault", "bad", "mistake", "error"}))) {
    return actor{i, i + 1, actor_kind::self, true};
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
  if ((f & wf::team) != 0 && (f & wf::determiner) == 0 && followed_by_predicate(i + 1)) {
    // "Ops never reads", "SREs had lost access".
    return actor{i, i + 1, actor_kind::team, t.possessive};
  }
  // "Networking broke ...", also after one more word of the team's name: "Data engineering".
  const bool team_name_start =
      sentence_start(i) || (i == 1 && t_[0].capitalised && t_[0].kind == token_kind::word);
  // In chat, lower case too: "infra broke it again", "networking screwed us".
  if ((f & wf::team_modifier) != 0 && team_name_start &&
      followed_by_predicate(i + 1)) {
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
  // At the start, an unknown word is a person only as the subject of a past-tense verb:
  // "jsmith pushed ...", "Marta knocked over ...".
  if (start && !noun_like_suffix(w) && w.size() >= 3 && (t.capitalised || !w.ends_with('s'))) {
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
  const bool counted = is_any(i, {"one", "two", "three", "several", "multiple"}) &&
                       has(i + 1, wf::role | wf::team) && !is(i + 1, "of");
  if (!has(i, wf::determiner) && !counted) return std::nullopt;
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

// ---- predicates --------------------------------------------------------------------------

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
};

bool is_particle(std::string_view w) {
  return w == "down" || w == "up" || w == "over" || w == "out" || w == "off" || w == "back" ||
         w == "away" || w == "worse";
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
                      "earlier", "later",   "here",  "there",  "today",  "yesterday"}) ||
         (r.at(i).norm.size() > 4 && r.at(i).norm.ends_with("ly") && r.verb(i) == nullptr);
}

predicate parse_predicate(const sentence_reader& r, std::size_t i) {
  predicate p;
  p.begin = i;
  std::size_t j = i;
  // ", who ..." after a subject: "Jordan, who disabled the health checks".
  if (r.punct(j, ",") && r.is(j + 1, "who")) j += 2;
  if (r.is(j, "who")) ++j;
  if (r.is(j, "the") && r.is(j + 1, "one") && r.is(j + 2, "who")) j += 3;  // "I'm the one who ..."
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
      r.punct(j, ",") && (r.is_any(j + 1, {"though", "although", "as", "who", "already"}) ||
                          (r.verb(j + 1) != nullptr &&
                           r.verb(j + 1)->form == wf::verb_form::gerund));
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
  bool should = false;
  bool could = false;
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
    static const wf::verb_info unknown_act{"", "", verb_class::action, wf::verb_form::participle, "",
                                           true};
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
    }
    if (next == npos || r.verb(next) == nullptr) break;
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
  if ((p.kind == verb_class::omission || v->base == "bother") && r.is(k, "to") && r.verb(k + 1)) {
    p.complement_at = k + 1;
    p.complement = r.verb(k + 1);
    k += 2;
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
  const bool pronoun_object =
      r.is_any(k, {"it", "them", "this", "that"}) && !r.has(k + 1, wf::artifact | wf::system_word);
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

// A harm verb at k: "broke", "took ... down" (the particle within three words).
bool harm_verb_at(const sentence_reader& r, std::size_t k) {
  const auto* v = r.verb(k);
  if (v == nullptr || v->form == wf::verb_form::gerund) return false;
  if (v->kind == verb_class::harm) return true;
  for (std::size_t j = k + 1; j < r.size() && j <= k + 3; ++j) {
    if (r.word(j) && wf::phrasal_class(v->base, r.at(j).norm) == verb_class::harm) return true;
  }
  return false;
}

template <class Words>
bool matches_words(const sentence_reader& r, std::size_t i, const Words& words) {
  std::size_t k = i;
  for (const auto w : words) {
    if (k >= r.size() || r.at(k).norm != w) return false;
    ++k;
  }
  return true;
}

bool matches(const sentence_reader& r, std::size_t i,
             std::initializer_list<std::string_view> words) {
  return matches_words(r, i, words);
}

// A word in quotes is mentioned, not used: the "careless" label, a "disaster" drill.
bool is_quoted(const sentence_reader& r, std::size_t i) {
  if (i == 0 || r.at(i - 1).kind != token_kind::punct) return false;
  const auto& q = r.at(i - 1).norm;
  return q == "\"" || q == "\xE2\x80\x9C" || q == "'";
}

// ---- findings before they become wording_finding -----------------------------------------

enum class rewrite_frame {
  none,        // only edits (drop a word, replace a phrase)
  harm,        // "Priya took the API down" -> "The API went down"
  omission,    // "Bob forgot to renew the certificate" -> "The certificate was not renewed"
  unanswered,  // "Kevin ignored the alerts" -> "The alerts went unanswered"
  slip,        // "kim ran the migration against prod" -> "The migration was run against prod"
  not_done,    // "Bob should have checked the config" -> "The config was not checked"
  done,        // "X shouldn't have approved a migration" -> "A migration was approved"
  hard_to,     // "annatwo@ did not know how to recognize X" -> "X was hard to recognize"
};

struct raw_finding {
  std::size_t first = 0;  // tokens quoted, [first, last)
  std::size_t last = 0;
  rule_id rule = rule_id::person_as_cause;
};

// A change to the sentence for its rewrite: tokens [first, last) become `text`.
struct edit {
  std::size_t first = 0;
  std::size_t last = 0;
  std::string text;
};

class sentence_review {
 public:
  sentence_review(std::string_view text, const sentence& s, const known_people& people)
      : text_(text), r_(s, people) {}

  void run();

  std::vector<raw_finding> findings;
  std::vector<edit> edits;
  std::vector<std::pair<std::size_t, std::size_t>> removed_people;  // actor spans left out
  std::string question;  // the learning question the rewrite ends with, if any
  const std::vector<actor>& actors() const { return actors_; }
  bool rewrite_blocked = false;  // a finding whose wording cannot be rewritten honestly

 private:
  void find_actors();
  void check_subject(const actor& a);
  void check_predicate(const actor& a, predicate p);
  void check_subjectless();
  void check_conditions();
  void check_responsibility();
  void check_pointing();
  void check_cause_markers();
  void check_fault_nouns();
  void check_causal_frames();
  const actor* agent_in_phrase(std::size_t from, std::size_t& act_noun) const;
  void check_passive_agents();
  void check_phrases();
  void check_judgement_words();
  void check_advice();

  void add(std::size_t first, std::size_t last, rule_id rule) {
    findings.push_back({first, std::max(last, first + 1), rule});
  }
  std::string original(std::size_t first, std::size_t last) const;
  std::string object_text(const predicate& p) const;
  bool plural(std::size_t first, std::size_t last) const;
  void rewrite_clause(const actor& a, const predicate& p, rewrite_frame frame);
  void rewrite_coordinated(std::size_t from, bool not_done);
  bool person_present() const {
    return std::any_of(actors_.begin(), actors_.end(),
                       [](const actor& a) { return a.kind != actor_kind::we; });
  }
  bool only_self() const {
    return !actors_.empty() && std::all_of(actors_.begin(), actors_.end(), [](const actor& a) {
      return a.kind == actor_kind::self || a.kind == actor_kind::we;
    });
  }
  void set_question(std::string_view q) {
    if (question.empty()) question = std::string(q);
  }
  void remove_actor(const actor& a) { removed_people.emplace_back(a.first, a.last); }
  bool harm_at(std::size_t k) const { return harm_verb_at(r_, k); }
  bool consequence_after(std::size_t from) const;
  // Where the clause of a predicate ends: at punctuation or where another clause begins
  // ("ran the failover from memory because the runbook link was broken").
  std::size_t own_clause_end(std::size_t from) const {
    std::size_t i = from;
    while (i < r_.size() && !r_.clause_break(i) &&
           !r_.is_any(i, {"because", "since", "while", "when", "but", "although", "though"})) {
      ++i;
    }
    return i;
  }
  bool claims(std::size_t first, std::size_t last) const {
    for (const auto& e : edits) {
      if (first < e.last && e.first < last) return true;
    }
    return false;
  }

  std::string_view text_;
  sentence_reader r_;
  std::vector<actor> actors_;
  bool relative_or_question_ = false;  // set per subject by check_subject
  std::vector<std::size_t> caused_actors_;  // actors (by first token) a cause marker named
};

std::string sentence_review::original(std::size_t first, std::size_t last) const {
  if (first >= last || last > r_.size()) return {};
  return std::string(text_.substr(r_.at(first).begin, r_.at(last - 1).end - r_.at(first).begin));
}

std::string sentence_review::object_text(const predicate& p) const {
  // Judgement and drama words inside the object go too: "the obvious error" -> "the error".
  std::string out;
  for (std::size_t i = p.object_begin; i < p.object_end; ++i) {
    if (r_.has(i, wf::judgement | wf::drama) || r_.is_any(i, {"obvious", "just"})) continue;
    if (!out.empty() && !r_.at(i).glued) out += ' ';
    out += text_.substr(r_.at(i).begin, r_.at(i).end - r_.at(i).begin);
  }
  return out;
}

bool sentence_review::plural(std::size_t first, std::size_t last) const {
  // The head noun is the last word before a "of"/"in"-like tail.
  std::size_t head = last;
  for (std::size_t i = first; i < last; ++i) {
    if (r_.is_any(i, {"of", "in", "for", "on", "that"})) {
      head = i;
      break;
    }
  }
  if (head == first) return false;
  const auto& w = r_.at(head - 1).norm;
  if (w == "them" || w == "they" || w == "these" || w == "those") return true;
  return w.size() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") &&
         !w.ends_with("is");
}

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
  check_fault_nouns();
  check_causal_frames();
  check_passive_agents();
  check_phrases();
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
  check_predicate(a, std::move(p));
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
                  !(r_.is(k, "ready") && r_.is(k + 1, "to")))) {  // "wasn't ready to roll
                                                                  // back" tells a state
        // "@kate is clueless", "our junior devs aren't ready for on-call", "isn't qualified".
        add(a.first, k + 1, rule_for(a.kind, rule_id::competence));
        rewrite_blocked = true;
      } else if (r_.is_any(k, {"inadequately", "insufficiently", "poorly", "badly"}) &&
                 r_.is_any(k + 1, {"trained", "prepared", "skilled", "qualified", "equipped"})) {
        // "was inadequately trained to operate the cluster".
        add(a.first, k + 2, rule_for(a.kind, rule_id::competence));
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
  // "the wrong index", also "in the wrong workspace" after the object.
  const bool negative_object =
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
  const bool skipped_safeguard =
      without != npos &&
      (r_.any_flag(without + 1, without + 4, wf::safeguard) || r_.verb(without + 1) != nullptr);

  // "was inadequately trained to operate the cluster": a verdict on preparation.
  if (p.passive && !weak && p.verb_at != npos && p.verb_at >= 1 &&
      r_.is_any(p.verb_at - 1, {"inadequately", "insufficiently", "poorly", "badly"}) &&
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
    if (knowing && (r_.is_any(p.end, {"how", "what", "why"}) ||
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
          r_.is_any(p.object_begin + 1, {"lol", "tbh", "either", "though", "apparently", "smh"}))) &&
        !r_.is_any(p.object_begin, {"that", "it", "this", "why", "when", "where", "who", "yet"})) {
      add(a.first, p.object_end, rule_for(a.kind, rule_id::competence));
      rewrite_blocked = true;
      return;
    }
    if (p.kind == verb_class::cognition &&
        (p.verb->base == "understand" || p.verb->base == "grasp" ||
         p.verb->base == "comprehend")) {
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
  if (p.verb->base == "screw" && p.particle.empty() && r_.is_any(p.end, {"us", "them", "me", "everyone", "everybody"})) {
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
    const bool bad_call = r_.is_any(head, {"call", "decision", "choice", "judgement", "judgment"}) &&
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
      const bool fat_finger = p.verb->base == "fat-finger" || p.verb->base == "mistype";
      add(a.first, p.end,
          rule_for(a.kind, fat_finger ? rule_id::human_error : rule_id::person_as_cause));
      remove_actor(a);
      rewrite_clause(a, p, rewrite_frame::harm);
      return;
    }
    case verb_class::omission: {
      if (!past && !p.chosen_past && p.verb->form != wf::verb_form::third_person) return;
      // "failed to follow the policy" is an omission; "failed to reproduce the bug", "failed to
      // connect" tell of an attempt.
      if (p.verb->base == "fail" &&
          (p.complement == nullptr || (p.complement->kind != verb_class::diligence &&
                                       p.complement->kind != verb_class::cognition))) {
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
      const bool ignore = p.verb->base == "ignore" || p.verb->base == "overlook" ||
                          p.verb->base == "disregard" || p.verb->base == "neglect" ||
                          p.verb->base == "dismiss" || p.particle == "off" ||
                          p.verb->base == "bypass" || p.verb->base == "circumvent" ||
                          p.verb->base == "subvert" || p.verb->base == "flout" ||
                          p.verb->base == "violate" || p.verb->base == "shortcut";
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
      const bool tied = a.first >= 1 && r_.is_any(a.first - 1, {"after", "when", "because"}) &&
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
      const bool outcome_frame =
          clause_start < a.first && r_.is_any(a.first - 1, {"when", "after", "once", "since"}) &&
          (r_.any_flag(0, a.first, wf::outcome) || [&] {
            for (std::size_t i = 0; i < a.first; ++i) {
              if (r_.is_any(i, {"started", "began", "spiked", "failed", "crashed", "dropped",
                                "rose", "broke", "suffered", "went"})) {
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
            passive = passive || r_.is_any(j, {"been", "was", "were", "wasn't", "weren't",
                                               "wasnt", "werent"});
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
      const bool wrong_act = negative_object && p.kind == verb_class::action && !p.verb->guessed;
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
    if (r_.is_any(k, {"and", "that", "which"}) && outcome_verb(k + 1)) return true;
    // "and that's why", "which is why", "that's what filled the disk".
    if (r_.is_any(k, {"that's", "thats", "which", "this"}) &&
        (r_.is_any(k + 1, {"why", "what"}) ||
         (r_.is(k + 1, "is") && r_.is_any(k + 2, {"why", "what"})))) {
      return true;
    }
    // "and the API tier collapsed": a new subject, then what happened to it.
    // ("and the error rate dropped" is the opposite: what stops or drops there is the harm.)
    if (r_.is(k, "and") && r_.has(k + 1, wf::determiner)) {
      for (std::size_t j = k + 2; j < r_.size() && j <= k + 5; ++j) {
        if (r_.has(j, wf::outcome)) break;
        if (outcome_verb(j) && !r_.has(j - 1, wf::determiner) &&
            !r_.is_any(j, {"stopped", "dropped", "halted", "fell"})) {
          return true;
        }
        if (!r_.word(j) || r_.has(j, wf::function_word | wf::auxiliary)) break;
      }
    }
  }
  return false;
}

// The artifact a possessive actor owns: "Kevin's change", "Hiroshi's bad merge" (up to two
// describing words between); npos when there is none.
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

// Chat answers leave the subject out: "shouldve checked the diff before hitting merge, sam",
// "Forgot to renew the cert", "Didn't test the restore path", "never read the runbook". Only
// people are left out like this, but only duties undone and counterfactuals count: "Failed to
// start after the reboot" and "Restarted the pod at 14:02" tell of no one's fault.
void sentence_review::check_subjectless() {
  std::size_t i = 0;
  while (i < r_.size() &&
         ((r_.at(i).kind == token_kind::punct && !r_.punct(i, "\"")) ||
          r_.is_any(i, {"honestly", "tbh", "imo", "imho", "yeah", "yea", "yep", "well", "ok",
                        "okay", "so", "idk", "ngl", "lol", "ugh", "also", "and", "but", "really",
                        "maybe", "probably", "tbf", "frankly", "welp", "sigh", "oof", "meh",
                        "plus", "then", "just", "hmm", "hm", "um", "uh"}))) {
    ++i;
  }
  if (i >= r_.size() || !r_.word(i)) return;
  if (!r_.has(i, wf::modal | wf::auxiliary | wf::negation) &&
      (r_.verb(i) == nullptr || r_.verb(i)->kind != verb_class::omission)) {
    return;
  }
  const auto p = parse_predicate(r_, i);
  if (p.verb == nullptr || p.copula || p.verb->form == wf::verb_form::gerund) return;
  // "... because the alert never fired": told with its circumstance.
  if (r_.find(p.end, r_.size(), "because") != npos) return;
  const bool past = p.verb->form == wf::verb_form::past ||
                    p.verb->form == wf::verb_form::past_or_participle;
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
      if (!r_.has(k, wf::determiner)) continue;
      bool system = false;
      for (++k; k < r_.size() && k <= i + 4 && r_.word(k) && r_.verb(k) == nullptr; ++k) {
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
    const bool borne = i >= 1 && (r_.is_any(i - 1, {"bear", "bears", "bore", "carry", "carries"}) ||
                                  (i >= 2 && r_.is_any(i - 2, {"bear", "bears", "bore", "carry",
                                                               "carries"})));
    if (!harm && !borne) continue;
    const actor* who = nullptr;
    for (const auto& a : actors_) {
      if (a.kind == actor_kind::we || a.possessive || a.last > i || a.last + 4 < i) continue;
      bool verb = false;
      for (std::size_t k = a.last; k < i; ++k) {
        verb = verb || r_.is_any(k, {"bear", "bears", "bore", "take", "takes", "took", "carry",
                                     "carries", "carried", "accept", "accepts", "accepted",
                                     "hold", "holds", "held", "share", "shares", "own", "owns"});
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

// Blame by pointing without naming: the usual suspects, "certain colleagues", "the same
// individual", "the individual responsible", "whose change this was", someone "had been
// warned", "once again", "predictably", a person's "quick fix" in scare quotes, and the chat
// markers of sarcasm ("just saying", "oh wait", "... not", 🙄). Each needs a person, a team or
// someone unnamed in the sentence, or an omission told in the passive ("the runbook was once
// again not consulted"): "once again, the cache failed" points at no one.
void sentence_review::check_pointing() {
  const bool someone = std::any_of(actors_.begin(), actors_.end(), [](const actor& a) {
    return a.kind != actor_kind::we && a.kind != actor_kind::self;
  });
  const auto fire = [&](std::size_t first, std::size_t last) {
    add(first, last, rule_id::implied_blame);
    rewrite_blocked = true;
  };
  // An omission told in the passive: "was not consulted", "went unread", "was ignored".
  bool passive_omission = false;
  for (std::size_t k = 1; k < r_.size(); ++k) {
    const auto* v = r_.verb(k);
    if (v == nullptr || v->form == wf::verb_form::base || v->form == wf::verb_form::gerund) continue;
    bool copula = false;
    bool denied = false;
    for (std::size_t j = k >= 4 ? k - 4 : 0; j < k; ++j) {
      copula = copula || r_.is_any(j, {"was", "were", "been", "got", "is", "are"});
      denied = denied || r_.has(j, wf::negation);
    }
    passive_omission = passive_omission ||
                       (copula && (v->kind == verb_class::omission ||
                                   (denied && v->kind == verb_class::diligence)));
  }
  for (std::size_t i = 0; i < r_.size(); ++i) {
    // Groups and individuals left unnamed on purpose.
    if ((r_.is_any(i, {"certain"}) &&
         r_.is_any(i + 1, {"members", "colleagues", "individuals", "people", "engineers", "folks",
                           "teams", "persons", "parties"})) ||
        matches(r_, i, {"usual", "suspects"}) ||
        (r_.is(i, "same") && r_.is_any(i + 1, {"individual", "person", "guy", "engineer",
                                               "people", "team", "folks", "dev", "developer"}) &&
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
    if (r_.is_any(i, {"warned", "cautioned", "reminded", "counselled", "counseled"}) && i >= 1 &&
        r_.is_any(i - 1, {"been", "was", "were"}) && someone && !r_.is(i + 1, "by")) {
      fire(i >= 2 && r_.is(i - 1, "been") ? i - 2 : i - 1, i + 1);
      continue;
    }
    // "once again", "yet again", "predictably", "will surprise no one", "as usual".
    const std::size_t again = matches(r_, i, {"once", "again"}) || matches(r_, i, {"yet", "again"}) ||
                                      matches(r_, i, {"once", "more"})
                                  ? 2
                              : r_.is_any(i, {"predictably", "unsurprisingly"}) ? 1
                              : matches(r_, i, {"surprise", "no", "one"}) ||
                                      matches(r_, i, {"surprise", "nobody"})
                                  ? 3
                                  : 0;
    if (again != 0 && (someone || passive_omission)) {
      fire(i, std::min(r_.size(), i + again));
      continue;
    }
    // "For whatever reason, the employee decided to ...".
    if (matches(r_, i, {"for", "whatever", "reason"}) && someone) {
      fire(i, i + 3);
      continue;
    }
    // Chat markers of sarcasm: "same person as last time, just saying", "oh wait",
    // "thanks for the heads up... not", "10/10 deploy strategy @ben, no notes", 🙄 🙃.
    const bool eye_roll = r_.at(i).norm == "\xF0\x9F\x99\x84" || r_.at(i).norm == "\xF0\x9F\x99\x83";
    const bool marker = matches(r_, i, {"just", "saying"}) || matches(r_, i, {"oh", "wait"}) ||
                        matches(r_, i, {"no", "notes"}) || r_.is(i, "/s") || eye_roll ||
                        (r_.is(i, "not") && i + 1 >= r_.size() - (r_.punct(r_.size() - 1, ".") ? 1 : 0) &&
                         i >= 1 && (r_.punct(i - 1, "...") || r_.punct(i - 1, "\xE2\x80\xA6")));
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

// A phrase that makes what follows it the cause: "because of", "due to", "caused by", "the
// result of", "attributable to", "stems from". Its length in tokens at i, or 0. Which one it is
// decides only how the rewrite drops the person: `kind_of_marker` below.
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
    if ((f & (wf::artifact | wf::fault_noun)) != 0 || r_.is_any(k, {"actions", "action", "inaction"})) {
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
    const bool describing = r_.word(k) && (participle || (v == nullptr && (f & ~wf::first_name) == 0));
    if (!describing && !r_.punct(k, ".")) return nullptr;
  }
  return nullptr;
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
        !(i >= 1 && r_.is_any(i - 1, {"traces", "traced", "trace", "tracing", "all", "was", "is",
                                      "it's", "comes", "came", "boils", "boiled", "are", "were"}))) {
      continue;
    }
    const std::size_t from = i + marker.length;
    std::size_t act_noun = npos;
    const actor* a = agent_in_phrase(from, act_noun);
    if (a == nullptr) continue;
    const bool weak = a->kind == actor_kind::weak_person || a->kind == actor_kind::weak_team;
    const std::size_t artifact = owned_artifact(r_, *a);
    // "because of Tomasz": a capitalised word after a causal phrase is taken for a name.
    if (weak && artifact == npos && act_noun == npos && !r_.at(a->first).capitalised) continue;
    const std::size_t end = artifact != npos ? artifact + 1 : a->last;
    // "Service came back thanks to Kim's quick rollback", "due to Priya's fix": a cause of
    // the recovery, not of the harm.
    if (r_.any_flag(from, end, wf::positive) ||
        r_.any_flag(r_.clause_begin(i), i, wf::positive)) {
      continue;
    }
    caused_actors_.push_back(a->first);
    add(i, end, rule_for(a->kind, a->kind == actor_kind::self ? rule_id::self_blame
                                                               : rule_id::person_as_cause));
    remove_actor(*a);
    set_question("What made that possible?");
    const bool direct = a->first == from || (a->first == from + 1 && r_.has(from, wf::determiner));
    if (artifact != npos) {
      // "due to Kevin's change" -> "due to the change".
      const std::size_t lead = a->first >= 1 && r_.has(a->first - 1, wf::determiner)
                                   ? a->first - 1
                                   : a->first;
      edits.push_back({lead, a->last, lead != a->first ? original(lead, lead + 1) : "the"});
    } else if (!direct && a->first >= 1 && r_.is_any(a->first - 1, {"by", "from"})) {
      // "an oversight by the on-call engineer" -> "an oversight".
      edits.push_back({a->first - 1, a->last, ""});
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

// A person's act told as a fault: "Kevin's oversight", "the QA team's failure to test", "a
// mistake by the support engineer", "negligence on the part of the operator", "my mistake".
void sentence_review::check_fault_nouns() {
  for (std::size_t k = 0; k < r_.size(); ++k) {
    // A virtue said to be wanting is a fault too: "insufficient diligence", "a lack of care".
    const bool wanting =
        r_.is_any(k, {"diligence", "care", "attention", "caution", "rigor", "rigour",
                      "thoroughness", "vigilance", "judgement", "judgment", "communication",
                      "ownership", "discipline", "professionalism"}) &&
        k >= 1 &&
        (r_.is_any(k - 1, {"insufficient", "inadequate", "poor", "sloppy", "lax", "no"}) ||
         (k >= 2 && r_.is(k - 1, "of") && r_.is_any(k - 2, {"lack", "absence"})));
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
        for (std::size_t j = k + 1; j + 1 < a.first; ++j) {
          plain = plain && r_.word(j) && r_.verb(j) == nullptr && !r_.clause_break(j);
        }
        // "the failure of the primary" is no person's; "a failure by the on-call to" is.
        if (plain && (r_.is(a.first - 1, "by") || r_.is(a.first - 1, "from") ||
                      r_.is(a.first - 2, "part"))) {
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
                             "exercises", "displayed", "displays", "exhibited", "exhibits"})) {
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
    if (wanting) {
      rule = rule_id::judgement;
    } else if (w == "fault") {
      rule = rule_id::person_as_cause;
    } else if (r_.has(k, wf::judgement)) {
      rule = rule_id::judgement;
    } else if (w == "incompetence" || w == "ignorance" || w == "unfamiliarity" ||
               w == "inexperience" || w == "misunderstanding" || w == "ineptitude") {
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
      add(i - 2, a.last, rule_for(a.kind, rule_id::person_as_cause));
      remove_actor(a);
      edits.push_back({i - 2, a.last, ""});
      continue;
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
    while (named_at >= 1 && r_.has(named_at - 1, wf::adverb) && !r_.has(named_at - 1, wf::negation)) {
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
            (copula && r_.has(k, wf::outcome) && r_.has(k - 1, wf::determiner) &&
             !a.possessive && a.last < r_.size() && !r_.word(a.last))) {
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
      for (std::size_t k = artifact + 1; k < r_.size(); ++k) {
        // "Meera's alert rule was silenced by the maintenance mode": harm done to the thing.
        if (r_.is_any(k - 1, {"was", "were", "been", "got", "is", "are"})) continue;
        if (harm_at(k) || r_.is_any(k, {"locked", "filled", "overloaded", "exhausted", "extended",
                                        "prolonged", "worsened", "delayed", "allowed"})) {
          harmful = true;
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
      harmful = harmful || reason;
      // "Thanks to @mila's hotfix, search was down": thanks for an outcome is sarcasm.
      if (lead_before(1, "to") && lead_before(2, "thanks")) {
        harmful = harmful || r_.any_flag(artifact + 1, r_.size(), wf::outcome);
      }
      if (harmful && !r_.any_flag(0, r_.size(), wf::positive)) {
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
         before(2, "this's") || before(2, "completely") || before(2, "fully") ||
         before(2, "its") || before(2, "thats") || before(2, "one's") || before(2, "ones") ||
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
    // "Blame lies with X", "the problem lies squarely with the engineer".
    std::size_t rests = lead >= 2 ? lead - 2 : npos;
    while (rests != npos && rests >= 1 && r_.has(rests, wf::adverb)) --rests;
    if (rests != npos && (lead_before(1, "with") || lead_before(1, "on")) &&
        r_.is_any(rests, {"lies", "lay", "rests", "rested", "falls", "fell", "blame", "lie"})) {
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

// "The firewall rule was deleted by @oscar", "checkout was broken by the new guy's refactor".
void sentence_review::check_passive_agents() {
  for (const auto& a : actors_) {
    if (a.first < 2 || !r_.is(a.first - 1, "by") || a.kind == actor_kind::we) continue;
    if (r_.is(a.first - 2, "caused")) continue;  // the causal frames report it
    const bool artifact_after = a.possessive && r_.has(a.last, wf::artifact);
    if (a.possessive && !artifact_after) continue;
    // The participle of this clause: "was/were/been [adverbs] VERBed ... by".
    const std::size_t start = r_.clause_begin(a.first - 1);
    std::size_t verb_at = npos;
    bool copula = false;
    bool negated = false;
    for (std::size_t k = start; k + 1 < a.first; ++k) {
      if (r_.is_any(k, {"was", "were", "been", "got", "is", "are", "be", "wasn't", "weren't"})) {
        copula = true;
      }
      if (r_.is_any(k, {"never", "not"})) negated = true;
      const auto* v = r_.verb(k);
      // "was run": a participle that looks like the base form.
      if (copula && v != nullptr && v->form != wf::verb_form::gerund &&
          (v->form != wf::verb_form::base || v->participle == r_.at(k).norm)) {
        verb_at = k;
      }
    }
    // A reduced relative: "an incorrect command entered by an S3 team member".
    if (verb_at == npos && a.first >= 2) {
      const auto* v = r_.verb(a.first - 2);
      if (v != nullptr &&
          (v->form == wf::verb_form::past_or_participle || v->form == wf::verb_form::participle)) {
        verb_at = a.first - 2;
      }
    }
    if (verb_at == npos) continue;
    const auto* v = r_.verb(verb_at);
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
        r_.find(start, r_.clause_end(a.last), "without") != npos ||
        r_.find(a.last, r_.size(), "nobody") != npos ||
        (r_.find(a.last, r_.size(), "which") != npos &&
         harm_at(r_.find(a.last, r_.size(), "which") + 1)) ||
        (r_.find(a.last, r_.size(), "before") != npos &&
         r_.any_flag(r_.find(a.last, r_.size(), "before"), r_.size(), wf::safeguard)) ||
        r_.find(a.last, r_.size(), "never") != npos ||
        // "..., and no one was informed", "by a product engineer who had not been assigned".
        matches(r_, r_.find(a.last, r_.size(), "no"), {"no", "one"}) ||
        (r_.is(a.last, "who") && r_.any_flag(a.last, r_.clause_end(a.last + 1), wf::negation)) ||
        // "The second outage was created by the contractor": the harm is the subject.
        [&] {
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
                                                 "unattended", "unprotected", "public"});
    const bool blameful = v->kind == verb_class::harm || v->kind == verb_class::omission ||
                          negated || negative || exposed || v->base == "silence" ||
                          v->base == "target" || v->base == "rush" || v->base == "delay" ||
                          v->base == "stall" || v->base == "prolong" ||
                          // "the backup job got disabled by X", "the flag got flipped by sam":
                          // a safeguard or a switch turned by hand.
                          v->base == "disable" || v->base == "flip" || v->base == "toggle" ||
                          v->base == "override" || (v->base == "hold" && r_.is(verb_at + 1, "up")) ||
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
    add(a.first - 1, last,
        a.kind == actor_kind::indefinite ? rule_id::implied_blame : rule_id::passive_blame);
    remove_actor(a);
    if (artifact_after) {
      edits.push_back({a.first, a.last, r_.has(a.first - 1, wf::determiner) ? "" : "the"});
    } else {
      // "by Kim" and "by the on-call" go, with the determiner before a role.
      std::size_t from = a.first - 1;
      edits.push_back({from, a.last, ""});
    }
    set_question("What made that possible, and what would have stopped it?");
  }
}

struct phrase_rule {
  std::vector<std::string_view> words;
  rule_id rule;
  bool needs_actor;  // a person, team or "I" must be in the sentence
};

void sentence_review::check_phrases() {
  static const std::vector<phrase_rule> rules{
      // competence and character
      {{"any", "competent"}, rule_id::competence, false},
      {{"any", "decent"}, rule_id::competence, false},
      {{"any", "half-decent"}, rule_id::competence, false},
      {{"more", "experienced"}, rule_id::competence, false},
      {{"lacks", "the", "experience"}, rule_id::competence, true},
      {{"lacked", "the", "experience"}, rule_id::competence, true},
      {{"lacks", "experience"}, rule_id::competence, true},
      {{"lacked", "experience"}, rule_id::competence, true},
      {{"lacks", "the", "skills"}, rule_id::competence, true},
      {{"thought", "it", "was", "a", "good", "idea"}, rule_id::implied_blame, true},
      {{"thought", "it", "would", "be", "a", "good", "idea"}, rule_id::implied_blame, true},
      {{"more", "competent"}, rule_id::competence, false},
      {{"even", "a", "first-year"}, rule_id::competence, false},
      {{"even", "a", "junior"}, rule_id::competence, false},
      {{"even", "an", "intern"}, rule_id::competence, false},
      {{"even", "a", "child"}, rule_id::competence, false},
      {{"even", "a", "student"}, rule_id::competence, false},
      {{"up", "to", "the", "job"}, rule_id::competence, true},
      {{"not", "up", "to", "the", "task"}, rule_id::competence, false},
      {{"not", "cut", "out", "for"}, rule_id::competence, false},
      {{"out", "of", "his", "depth"}, rule_id::competence, false},
      {{"out", "of", "her", "depth"}, rule_id::competence, false},
      {{"out", "of", "their", "depth"}, rule_id::competence, false},
      {{"asleep", "at", "the", "wheel"}, rule_id::competence, false},
      {{"asleep", "on", "the", "job"}, rule_id::competence, false},
      {{"dropped", "the", "ball"}, rule_id::competence, true},
      {{"drop", "the", "ball"}, rule_id::competence, true},
      {{"zero", "clue"}, rule_id::competence, true},
      {{"zero", "idea"}, rule_id::competence, true},
      {{"lost", "the", "plot"}, rule_id::competence, true},
      {{"out", "of", "it"}, rule_id::competence, true},
      {{"no", "idea", "how"}, rule_id::competence, true},
      {{"no", "idea", "what"}, rule_id::competence, true},
      {{"no", "clue"}, rule_id::competence, true},
      {{"clueless"}, rule_id::competence, false},
      {{"incompetent"}, rule_id::competence, false},
      {{"incompetence"}, rule_id::competence, false},
      {{"know", "what", "he's", "doing"}, rule_id::competence, false},
      {{"know", "what", "she's", "doing"}, rule_id::competence, false},
      {{"know", "what", "they're", "doing"}, rule_id::competence, false},
      {{"know", "what", "he", "is", "doing"}, rule_id::competence, false},
      {{"should", "never", "have", "been", "given"}, rule_id::competence, true},
      {{"not", "qualified"}, rule_id::competence, true},
      {{"rookie", "mistake"}, rule_id::competence, false},
      {{"rookie", "error"}, rule_id::competence, false},
      {{"newbie", "mistake"}, rule_id::competence, false},
      {{"beginner", "mistake"}, rule_id::competence, false},
      {{"amateur", "hour"}, rule_id::competence, false},
      {{"isn't", "experienced", "enough"}, rule_id::competence, true},
      {{"wasn't", "experienced", "enough"}, rule_id::competence, true},
      {{"not", "experienced", "enough"}, rule_id::competence, true},
      {{"too", "junior"}, rule_id::competence, true},
      {{"too", "inexperienced"}, rule_id::competence, true},
      {{"inexperienced"}, rule_id::competence, true},
      {{"didn't", "care"}, rule_id::judgement, true},
      {{"did", "not", "care"}, rule_id::judgement, true},
      {{"doesn't", "care"}, rule_id::judgement, true},
      {{"couldn't", "care", "less"}, rule_id::judgement, true},
      {{"without", "thinking"}, rule_id::judgement, true},
      {{"no", "business"}, rule_id::competence, true},
      {{"isn't", "senior", "enough"}, rule_id::competence, false},
      {{"wasn't", "senior", "enough"}, rule_id::competence, false},
      {{"not", "senior", "enough"}, rule_id::competence, false},
      {{"stop", "letting"}, rule_id::competence, false},
      {{"cut", "corners"}, rule_id::judgement, true},
      {{"cutting", "corners"}, rule_id::judgement, true},
      {{"didn't", "have", "a", "clue"}, rule_id::competence, true},
      {{"doesn't", "have", "a", "clue"}, rule_id::competence, true},
      {{"did", "not", "have", "a", "clue"}, rule_id::competence, true},
      {{"poor", "call"}, rule_id::judgement, true},
      {{"bad", "call"}, rule_id::judgement, true},
      {{"poor", "decision"}, rule_id::judgement, true},
      {{"bad", "decision"}, rule_id::judgement, true},
      {{"poor", "judgement"}, rule_id::judgement, true},
      {{"poor", "judgment"}, rule_id::judgement, true},
      {{"lacked", "the", "basic", "knowledge"}, rule_id::competence, true},
      {{"lacks", "the", "basic", "knowledge"}, rule_id::competence, true},
      {{"lacked", "the", "knowledge"}, rule_id::competence, true},
      {{"lacked", "the", "skills"}, rule_id::competence, true},
      {{"a", "certain", "engineer"}, rule_id::implied_blame, false},
      {{"a", "certain", "developer"}, rule_id::implied_blame, false},
      {{"a", "certain", "person"}, rule_id::implied_blame, false},
      {{"a", "certain", "team"}, rule_id::implied_blame, false},
      {{"no", "coincidence"}, rule_id::implied_blame, true},
      {{"can't", "trust"}, rule_id::competence, true},
      {{"cannot", "trust"}, rule_id::competence, true},
      {{"can", "not", "trust"}, rule_id::competence, true},
      {{"should", "never", "have", "been", "allowed"}, rule_id::competence, true},
      {{"shouldn't", "have", "been", "allowed"}, rule_id::competence, true},
      {{"should", "not", "have", "been", "allowed"}, rule_id::competence, true},
      {{"out", "of", "my", "depth"}, rule_id::self_blame, false},
      // mechanistic "human error"
      {{"human", "error"}, rule_id::human_error, false},
      {{"human", "errors"}, rule_id::human_error, false},
      {{"operator", "error"}, rule_id::human_error, false},
      {{"user", "error"}, rule_id::human_error, false},
      {{"pilot", "error"}, rule_id::human_error, false},
      {{"human", "mistake"}, rule_id::human_error, false},
      {{"human", "involvement"}, rule_id::human_error, false},
      {{"human", "factor"}, rule_id::human_error, false},
      {{"pebkac"}, rule_id::human_error, false},
      {{"fat-fingered"}, rule_id::human_error, false},
      {{"fat", "fingered"}, rule_id::human_error, false},
      {{"fat-fingers"}, rule_id::human_error, false},
      {{"fat", "fingers"}, rule_id::human_error, false},
      {{"fat", "finger"}, rule_id::human_error, false},
      {{"fat-finger"}, rule_id::human_error, false},
      {{"made", "a", "mistake"}, rule_id::human_error, true},
      {{"made", "an", "error"}, rule_id::human_error, true},
      {{"made", "the", "mistake"}, rule_id::human_error, true},
      // implied blame and sarcasm
      {{"not", "naming", "names"}, rule_id::implied_blame, false},
      {{"name", "anyone"}, rule_id::implied_blame, false},
      {{"naming", "anyone"}, rule_id::implied_blame, false},
      {{"needs", "to", "learn"}, rule_id::competence, true},
      {{"need", "to", "learn"}, rule_id::competence, true},
      {{"should", "learn"}, rule_id::competence, true},
      {{"naming", "no", "names"}, rule_id::implied_blame, false},
      {{"won't", "say", "who"}, rule_id::implied_blame, false},
      {{"wont", "say", "who"}, rule_id::implied_blame, false},
      {{"everyone", "knows", "who"}, rule_id::implied_blame, false},
      {{"everyone", "knows", "whose"}, rule_id::implied_blame, false},
      {{"we", "all", "know", "who"}, rule_id::implied_blame, false},
      {{"we", "all", "know", "whose"}, rule_id::implied_blame, false},
      {{"you", "know", "who"}, rule_id::implied_blame, false},
      {{"guess", "who"}, rule_id::implied_blame, false},
      {{"guessing", "who"}, rule_id::implied_blame, false},
      {{"wonder", "who"}, rule_id::implied_blame, false},
      {{"funny", "how"}, rule_id::implied_blame, true},
      {{"remain", "nameless"}, rule_id::implied_blame, false},
      {{"shall", "not", "be", "named"}, rule_id::implied_blame, false},
      {{"to", "its", "knees"}, rule_id::person_as_cause, true},
      {{"to", "their", "knees"}, rule_id::person_as_cause, true},
      {{"not", "saying", "who"}, rule_id::implied_blame, false},
      {{"won't", "name", "names"}, rule_id::implied_blame, false},
      {{"wonder", "whose"}, rule_id::implied_blame, false},
      {{"you", "know", "who", "you", "are"}, rule_id::implied_blame, false},
      {{"a", "certain", "someone"}, rule_id::implied_blame, false},
      {{"certain", "people"}, rule_id::implied_blame, false},
      {{"as", "usual"}, rule_id::implied_blame, true},
      // self-blame
      {{"my", "fault"}, rule_id::self_blame, false},
      {{"my", "bad"}, rule_id::self_blame, false},
      {{"my", "mistake"}, rule_id::self_blame, false},
      {{"my", "error"}, rule_id::self_blame, false},
      {{"blame", "myself"}, rule_id::self_blame, false},
      {{"can't", "be", "trusted"}, rule_id::team_blame, true},
      {{"cant", "be", "trusted"}, rule_id::team_blame, true},
      {{"couldn't", "be", "bothered"}, rule_id::judgement, true},
      {{"could", "not", "be", "bothered"}, rule_id::judgement, true},
  };
  // The rules by their first word, so each token is compared with the few that can start there.
  static const auto by_first_word = [] {
    std::unordered_map<std::string_view, std::vector<const phrase_rule*>> index;
    for (const auto& rule : rules) index[rule.words.front()].push_back(&rule);
    return index;
  }();
  const bool any_actor = std::any_of(actors_.begin(), actors_.end(),
                                     [](const actor& a) { return a.kind != actor_kind::we; });
  for (std::size_t i = 0; i < r_.size(); ++i) {
    const auto candidates = by_first_word.find(r_.at(i).norm);
    if (candidates == by_first_word.end()) continue;
    for (const auto* rule_at : candidates->second) {
      const auto& rule = *rule_at;
      if (!matches_words(r_, i, rule.words)) continue;
      const std::size_t last = i + rule.words.size();
      // Negated or quoted: "This is not incompetence", "not human error", "the "careless" label".
      const bool negated = i >= 1 && r_.is_any(i - 1, {"not", "no", "isn't", "wasn't", "never"}) &&
                           rule.words.front() != "not";
      const bool guarded = (rule.rule == rule_id::human_error && r_.is(i, "fat")) ||
                           r_.is(i, "fat-finger") || r_.is(i, "fat-fingers");
      if (negated) continue;
      if (guarded && r_.is_any(last, {"guard", "protection", "check", "prevention", "proofing",
                                      "safeguard", "detection", "protections"})) {
        continue;
      }
      if (r_.is(i, "human") && r_.punct(i + 2, "-")) continue;  // "human-in-the-loop"
      // "the human error rate metric": the phrase names a measure, not a verdict.
      if (rule.rule == rule_id::human_error && r_.is_any(last, {"rate", "rates", "metric", "budget",
                                                                "category", "taxonomy", "field",
                                                                "count", "dashboard"})) {
        continue;
      }
      if (rule.needs_actor && !any_actor) continue;
      if (rule.rule == rule_id::implied_blame && r_.is(i, "as")) {
        // "as usual" blames only with someone doing something in the sentence.
        bool acts = false;
        for (const auto& a : actors_) {
          const auto p = parse_predicate(r_, a.last);
          if (p.verb != nullptr && a.kind != actor_kind::we) acts = true;
        }
        if (!acts) continue;
      }
      // "I made a poor call": a judgement of oneself is self-blame.
      const bool only_self =
          !actors_.empty() && std::all_of(actors_.begin(), actors_.end(), [](const actor& a) {
            return a.kind == actor_kind::self || a.kind == actor_kind::we;
          });
      add(i, last,
          only_self && (rule.rule == rule_id::judgement || rule.rule == rule_id::competence)
              ? rule_id::self_blame
              : rule.rule);
      if (rule.rule == rule_id::competence && (r_.is(i, "dropped") || r_.is(i, "drop"))) {
        // "Sam dropped the ball on the certificate renewal." -> "The certificate renewal fell
        // through."
        for (const auto& a : actors_) {
          if (a.last == i && r_.is(last, "on") && last + 1 < r_.size()) {
            const std::size_t obj_end = r_.clause_end(last + 1);
            std::string object = original(last + 1, obj_end);
            if (!object.empty()) {
              edits.push_back({a.first, obj_end, object + " fell through"});
              remove_actor(a);
              set_question("What made it easy to miss?");
            }
          }
        }
        if (question.empty()) rewrite_blocked = true;
      } else if (rule.rule == rule_id::self_blame && r_.is(i, "my") && i == 0 &&
                 (r_.punct(last, ",") || r_.punct(last, ":"))) {
        edits.push_back({i, last + 1, ""});  // "My bad, I restarted ..." keeps the rest
      } else if (rule.needs_actor) {
        // Without its actor the phrase would pass the review again, so the rewrite check could
        // not tell that it is still there.
        rewrite_blocked = true;
      }
    }
  }
  // "A senior engineer would have known", "any good developer would": a person held up against.
  for (std::size_t i = 0; i + 3 < r_.size(); ++i) {
    // "a more careful reviewer would not have approved this".
    // "a reasonably skilled operator", "no experienced engineer would have accepted".
    const std::size_t adjective =
        r_.is_any(i + 1, {"more", "truly", "really"}) || r_.has(i + 1, wf::adverb) ? i + 2 : i + 1;
    if (!r_.is_any(i, {"a", "an", "any", "no"}) ||
        !r_.is_any(adjective, {"senior", "experienced", "competent", "good", "decent", "careful",
                               "better", "real", "proper", "responsible", "professional",
                               "attentive", "diligent", "thorough", "skilled", "seasoned",
                               "trained", "qualified", "sensible", "reasonable", "knowledgeable",
                               "capable", "half-decent", "halfway"})) {
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
    const bool paying = r_.is(i, "paying") && (r_.is(i + 1, "attention") || r_.is(i + 2, "attention"));
    const bool up_to = r_.is(i, "up") && r_.is(i + 1, "to") &&
                       (r_.has(i + 2, wf::determiner) || r_.is(i + 2, "it") || r_.is(i + 2, "scratch"));
    if (!paying && !up_to) continue;
    bool denied = false;
    for (std::size_t k = i >= 3 ? i - 3 : 0; k < i; ++k) denied = denied || r_.has(k, wf::negation);
    if (!denied || !person_present()) continue;
    add(i, i + 3, only_self() ? rule_id::self_blame : rule_id::competence);
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
          r_.is_any(k, {"basic", "half", "half-decent", "decent", "common", "sense", "brain",
                        "knows", "knew", "understands", "understood", "clue", "bothered",
                        "read", "reads"})) {
        able = true;
      }
      if (r_.is_any(k, {"would", "would've", "wouldve", "wouldn't", "could've", "couldve"})) {
        break;
      }
    }
    if (!able || k >= r_.size() || !r_.is_any(k, {"would", "would've", "wouldve", "wouldn't",
                                                  "could've", "couldve"})) {
      continue;
    }
    if (r_.find(k, r_.size(), "same") != npos) continue;
    add(i, k + 1, rule_id::competence);
    rewrite_blocked = true;
  }
  // "failed to take the alert seriously", "lacked sufficient understanding of the system".
  const bool person_here = std::any_of(actors_.begin(), actors_.end(),
                                       [](const actor& a) { return a.kind != actor_kind::we; });
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
    const bool not_have =
        r_.is_any(i, {"have", "has", "possess", "possesses"}) && i >= 1 &&
        (r_.has(i - 1, wf::negation) || (i >= 2 && r_.has(i - 1, wf::adverb) && r_.has(i - 2, wf::negation)));
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
  // "I don't think Wes understands how our caching layer works".
  for (std::size_t i = 0; person_here && i + 2 < r_.size(); ++i) {
    if (!(matches(r_, i, {"don't", "think"}) || matches(r_, i, {"doubt"}))) continue;
    for (std::size_t k = i + 2; k + 1 < r_.size() && k <= i + 6; ++k) {
      if (r_.is_any(k, {"understands", "knows", "understood", "knew"}) &&
          r_.is_any(k + 1, {"how", "what"})) {
        add(i, k + 2, rule_id::competence);
        rewrite_blocked = true;
        break;
      }
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
  // "Not going to point fingers, but someone's ...": the disclaimer announces the blame.
  for (std::size_t i = 0; i + 3 < r_.size(); ++i) {
    if (r_.is_any(i, {"point", "pointing"}) && r_.is(i + 1, "fingers") &&
        (r_.is(i + 2, "but") || (r_.punct(i + 2, ",") && r_.is(i + 3, "but")))) {
      add(i, i + 2, rule_id::implied_blame);
      rewrite_blocked = true;
    }
  }
  // "The admin was supposed to rotate the credentials and didn't".
  for (std::size_t i = 0; person_here && i + 1 < r_.size(); ++i) {
    if (!r_.is(i, "supposed") || !r_.is(i + 1, "to")) continue;
    for (std::size_t k = i + 2; k < r_.size(); ++k) {
      if (r_.is_any(k, {"didn't", "didnt", "never"}) || matches(r_, k, {"did", "not"})) {
        add(i, i + 2, rule_id::counterfactual);
        rewrite_blocked = true;
        break;
      }
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
    const bool soft_praise = !praise && r_.is_any(i, {"appreciate", "appreciated", "love", "loved",
                                                      "awesome", "brilliant", "fantastic",
                                                      "stellar", "amazing", "wonderful"});
    if (!praise && !soft_praise) continue;
    bool harm = false;
    for (std::size_t k = i + 1; k < r_.size(); ++k) {
      const auto* v = r_.verb(k);
      bool phrasal_harm = false;
      for (std::size_t j = k + 1; v != nullptr && j < r_.size() && j <= k + 4; ++j) {
        phrasal_harm = phrasal_harm || (r_.word(j) && wf::phrasal_class(v->base, r_.at(j).norm) ==
                                                          verb_class::harm);
      }
      if (r_.is_any(k, {"whoever", "someone", "somebody"}) ||
          // ("the kill switch": a harm verb after a determiner is a noun)
          (v != nullptr && v->kind == verb_class::harm && !r_.has(k - 1, wf::determiner)) ||
          phrasal_harm ||
          r_.has(k, wf::negative_qualifier) || r_.is_any(k, {"prod", "production", "friday"})) {
        harm = true;
      }
    }
    const bool positive = r_.any_flag(i + 1, r_.size(), wf::positive);
    // The outcome praised: an outage, errors, a page at night, a lost weekend.
    bool outcome = false;
    for (std::size_t k = i + 1; k < r_.size(); ++k) {
      const auto& w = r_.at(k).norm;
      const bool night = r_.at(k).kind == token_kind::number && w.size() >= 3 &&
                         (w.ends_with("am") || w.ends_with("a.m.")) && w[0] >= '1' && w[0] <= '5' &&
                         (w.size() == 3 || w[1] == 'a' || w[1] == ':');
      outcome = outcome || night || r_.has(k, wf::outcome) ||
                r_.is_any(k, {"weekend", "woke", "woken", "wake-up", "wakeup", "midnight"});
    }
    const bool someone_named = std::any_of(actors_.begin(), actors_.end(), [](const actor& a) {
      return a.kind != actor_kind::we && a.kind != actor_kind::self;
    });
    if (soft_praise) {
      harm = harm && someone_named;
      if (!(harm || (outcome && someone_named && !positive))) continue;
    }
    if (harm || (thanks_a_lot && !positive) || (praise && outcome && someone_named && !positive)) {
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
    const bool unknown_word =
        r_.word(i + 1) && r_.verb(i + 1) == nullptr &&
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
    const bool at_it = matches(r_, i, {"at", "it", "again"}) &&
                       [&] {
                         for (std::size_t k = i + 3; k < r_.size(); ++k) {
                           const auto* v = r_.verb(k);
                           if ((v != nullptr && v->kind == verb_class::harm) ||
                               r_.has(k, wf::outcome)) {
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
          if (v == nullptr || v->form == wf::verb_form::gerund ||
              v->form == wf::verb_form::base || r_.has(k - 1, wf::determiner) ||
              r_.is(k - 1, "on")) {
            continue;  // "on call", "the deploy": not the clause's verb
          }
          const std::size_t before = findings.size();
          relative_or_question_ = true;
          check_predicate(actor{a.first, k, actor_kind::indefinite, false}, parse_predicate(r_, k));
          for (std::size_t f = before; f < findings.size(); ++f) {
            if (text_of(findings[f].rule).kind == finding_kind::blame) {
              findings[f].rule = rule_id::implied_blame;
            }
          }
          rewrite_blocked = rewrite_blocked || findings.size() > before;
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
    const std::size_t before = findings.size();
    relative_or_question_ = true;
    check_predicate(actor{i, after, actor_kind::indefinite, false}, p);
    for (std::size_t f = before; f < findings.size(); ++f) {
      if (text_of(findings[f].rule).kind == finding_kind::blame) {
        findings[f].rule = rule_id::implied_blame;
      }
    }
    rewrite_blocked = rewrite_blocked || findings.size() > before;
  }
}

// Judgement words that no predicate rule has covered: "It was a careless change by Mark",
// "Sloppy work from @ivan left the port open". A judgement of a system is not about a person:
// "the health check was careless about timeouts".
void sentence_review::check_judgement_words() {
  const bool any_actor = std::any_of(actors_.begin(), actors_.end(),
                                     [](const actor& a) { return a.kind != actor_kind::we; });
  for (std::size_t i = 0; i < r_.size(); ++i) {
    if (!r_.has(i, wf::judgement)) continue;
    if (is_quoted(r_, i)) continue;  // a word mentioned, not used: the "careless" label
    const bool about_act = r_.has(i + 1, wf::artifact) || r_.has(i + 1, wf::role);
    if (!any_actor && !about_act) continue;
    // Applied to a system subject: "The health check was careless".
    const std::size_t start = r_.clause_begin(i);
    bool system_subject = false;
    for (std::size_t k = start; k < i; ++k) {
      if (r_.has(k, wf::system_word) && !any_actor) system_subject = true;
    }
    if (system_subject) continue;
    add(i, i + 1, rule_id::judgement);
    // "a careless change by Mark", "sloppy work from @ivan": whose it was goes too.
    std::size_t agent = i + 2;
    if (about_act && r_.is_any(agent, {"by", "from"})) {
      for (const auto& a : actors_) {
        if (a.first != agent + 1 || a.kind == actor_kind::we) continue;
        if (r_.is(a.last, "who") || r_.punct(a.last, ",")) {
          rewrite_blocked = true;
        } else {
          edits.push_back({agent, a.last, ""});
          remove_actor(a);
        }
      }
    }
    // The word goes from the rewrite: "a careless change" -> "a change".
    const bool article_an = i > 0 && r_.is(i - 1, "an");
    if (article_an) {
      edits.push_back({i - 1, i + 1, "a"});
    } else {
      edits.push_back({i, i + 1, ""});
    }
    set_question("What made the step easy to get wrong?");
  }
  // Derogatory words about someone: "the poor slob who did that".
  for (std::size_t i = 0; i < r_.size(); ++i) {
    if (!r_.has(i, wf::derogatory)) continue;
    const bool self = i >= 2 && r_.is_any(i - 2, {"i'm", "im"});
    add(i, i + 1, self ? rule_id::self_blame : rule_id::implied_blame);
    rewrite_blocked = true;
  }
}

void sentence_review::check_advice() {
  // "Why was this outage SO LONG?!": shouting adds heat, not facts.
  if (const auto& end = r_.at(r_.size() - 1);
      end.kind == token_kind::punct && (end.norm == "?!" || end.norm == "!?" || end.norm == "!!" ||
                                        end.norm == "!!!" || end.norm == "?!?")) {
    add(r_.size() - 1, r_.size(), rule_id::dramatising);
    rewrite_blocked = true;
  }
  for (std::size_t i = 0; i < r_.size(); ++i) {
    if (!r_.has(i, wf::advice_cue)) continue;
    const auto& w = r_.at(i).norm;
    // "the root cause", "root causes", "root-cause".
    if ((w == "root" && r_.is_any(i + 1, {"cause", "causes", "caused"})) || w == "root-cause" ||
        w == "root-causes" || w == "root-caused" || w == "root-causing") {
      const bool two = w == "root";
      std::size_t first = i;
      std::size_t last = i + (two ? 2 : 1);
      if (i >= 1 && r_.is_any(i - 1, {"the", "a"})) first = i - 1;
      std::size_t lead = first;
      if (first >= 1 && r_.is(first, "the") == false && first == i) lead = i;
      // "The single root cause", "the underlying root cause": the adjective goes with it.
      if (i >= 2 && r_.is_any(i - 1, {"single", "underlying", "real", "main", "actual", "true"}) &&
          r_.is_any(i - 2, {"the", "a"})) {
        lead = i - 2;
      }
      add(first, last, rule_id::root_cause);
      const bool plural = r_.is(i + 1, "causes") || w == "root-causes";
      std::string replacement =
          lead < i ? (plural ? "the contributing factors" : "a contributing factor")
                   : (plural ? "contributing factors" : "contributing factor");
      if (r_.is(last, "analysis")) {
        edits.push_back({lead, last, "contributing-factor"});
      } else {
        edits.push_back({lead, last, replacement});
      }
      if (r_.is(i, "root") && r_.is(i + 1, "caused")) rewrite_blocked = true;
      i = last - 1;
      continue;
    }
    // Drama words and phrases.
    if (r_.has(i, wf::drama)) {
      if (r_.is_any(i + 1, {"recovery", "backtracking", "drill", "planning", "plan", "up", "with",
                            "around"}) ||
          r_.punct(i + 1, "-") || is_quoted(r_, i)) {
        continue;
      }
      add(i, i + 1, rule_id::dramatising);
      std::size_t first = i;
      while (first > 0 && r_.is_any(first - 1, {"total", "complete", "absolute", "full", "utter",
                                                "real", "massive", "huge"})) {
        --first;
      }
      static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> plain{{
          {"disaster", "incident"},
          {"disasters", "incidents"},
          {"catastrophe", "outage"},
          {"fiasco", "incident"},
          {"meltdown", "failure"},
          {"catastrophic", "high-impact"},
          {"disastrous", "high-impact"},
          {"chaos", "confusion"},
          {"chaotic", "confused"},
          {"exploded", "lit up"},
          {"horrible", ""},
          {"embarrassing", ""},
      }};
      bool replaced = false;
      for (const auto& [from, to] : plain) {
        if (w == from) {
          edits.push_back({first, i + 1, std::string(to)});
          replaced = true;
        }
      }
      if (!replaced && (w == "nightmare" || w == "nightmares") && first >= 1 &&
          r_.is_any(first - 1, {"a", "an"})) {
        edits.push_back({first - 1, i + 1, "hard"});
        replaced = true;
      }
      if (!replaced) rewrite_blocked = true;
      continue;
    }
    // "of course", "obviously", and the openers "Naturally,", "Predictably,", "Needless to say,".
    const bool opener = r_.sentence_start(i) &&
                        ((r_.is_any(i, {"naturally", "predictably", "unsurprisingly"}) &&
                          r_.punct(i + 1, ",")) ||
                         matches(r_, i, {"needless", "to", "say"}));
    if ((matches(r_, i, {"of", "course"}) && !r_.is(i + 2, "action")) || w == "obviously" ||
        opener) {
      const std::size_t last = i + (w == "of" ? 2 : w == "needless" ? 3 : 1);
      add(i, last, rule_id::dramatising);
      edits.push_back({i, r_.punct(last, ",") ? last + 1 : last, ""});
      i = last - 1;
      continue;
    }
    if (w == "on" && r_.is(i + 1, "fire")) {
      add(i, i + 2, rule_id::dramatising);
      rewrite_blocked = true;
      continue;
    }
    // Hindsight about the situation.
    const std::size_t frame =
        matches(r_, i, {"looking", "at", "it", "now"}) ? 4
        : matches(r_, i, {"in", "hindsight"}) || matches(r_, i, {"with", "hindsight"}) ||
                matches(r_, i, {"in", "retrospect"}) || matches(r_, i, {"looking", "back"})
            ? 2
            : 0;
    if (frame != 0) {
      add(i, i + frame, rule_id::hindsight);
      edits.push_back({i, r_.punct(i + frame, ",") ? i + frame + 1 : i + frame, ""});
      set_question("What was known at the time?");
      i += frame - 1;
      continue;
    }
    if (w == "hindsight" && !r_.is(i + 1, "bias") &&
        (i == 0 || !r_.is_any(i - 1, {"in", "with"}))) {
      add(i, i + 1, rule_id::hindsight);  // "with 20/20 hindsight"
      rewrite_blocked = true;
      continue;
    }
    if (w == "clearly") {
      add(i, i + 1, rule_id::hindsight);
      edits.push_back({i, r_.punct(i + 1, ",") ? i + 2 : i + 1, ""});
      continue;
    }
    // "should have been obvious", "should've been obvious".
    const std::size_t been = matches(r_, i, {"should", "have", "been"})                 ? i + 3
                             : r_.is_any(i, {"should've", "shouldve"}) && r_.is(i + 1, "been") ? i + 2
                                                                                              : npos;
    if (been != npos &&
        r_.is_any(been, {"obvious", "clear", "caught", "noticed", "spotted", "seen", "expected",
                         "foreseen", "apparent"})) {
      add(i, been + 1, rule_id::hindsight);
      rewrite_blocked = true;
      continue;
    }
    // "after the fact", "the writing was on the wall", "could hardly have been more apparent".
    if (matches(r_, i, {"after", "the", "fact"}) || matches(r_, i, {"writing", "was", "on", "the", "wall"}) ||
        (r_.is(i, "could") && r_.is(i + 1, "hardly") && r_.find(i, std::min(r_.size(), i + 6), "more") != npos)) {
      add(i, i + (r_.is(i, "writing") ? 5 : 3), rule_id::hindsight);
      rewrite_blocked = true;
      continue;
    }
    if ((w == "obvious" || w == "clear") && r_.is_any(i + 1, {"now", "afterwards"})) {
      add(i, i + 2, rule_id::hindsight);
      rewrite_blocked = true;
      continue;
    }
    if ((w == "obvious" || w == "clear") && i >= 1 && r_.is_any(i - 1, {"was", "is"})) {
      // "it was obvious that the disk would fill": a prediction made after the outcome.
      const auto would = r_.find(i + 1, r_.size(), "would");
      const auto going = r_.find(i + 1, r_.size(), "going");
      if (would != npos || going != npos) {
        add(i >= 2 ? i - 2 : i, i + 1, rule_id::hindsight);
        rewrite_blocked = true;
        continue;
      }
    }
    const auto signs_end = [&] {
      for (std::size_t k = i + 2; k < r_.size() && k <= i + 4; ++k) {
        if (r_.is_any(k, {"there", "everywhere", "obvious", "clear"})) return k + 1;
      }
      return npos;
    };
    if (matches(r_, i, {"signs", "were"}) && signs_end() != npos) {
      add(i, signs_end(), rule_id::hindsight);
      rewrite_blocked = true;
      continue;
    }
    if (w == "preventable" || w == "avoidable") {
      add(i, i + 1, rule_id::hindsight);
      rewrite_blocked = true;
      continue;
    }
    if ((w == "could" || w == "could've" || w == "couldve") &&
        (r_.find(i + 1, i + 4, "avoided") != npos || r_.find(i + 1, i + 4, "prevented") != npos)) {
      const bool person = std::any_of(actors_.begin(), actors_.end(), [&](const actor& a) {
        return a.last == i && a.kind != actor_kind::we;
      });
      if (!person) {
        add(i, i + 1 + (r_.is(i + 1, "easily") || r_.is(i + 2, "easily") ? 3 : 2),
            rule_id::hindsight);
        rewrite_blocked = true;
      }
      continue;
    }
    if ((w == "saw" || w == "seen") && r_.is(i + 1, "it") && r_.is(i + 2, "coming")) {
      add(i, i + 3, rule_id::hindsight);
      rewrite_blocked = true;
    }
  }
}

// The person-focused clause "ACTOR VERB OBJECT" becomes one about the object.
void sentence_review::rewrite_clause(const actor& a, const predicate& p, rewrite_frame frame) {
  if (relative_or_question_) {
    rewrite_blocked = true;
    return;
  }
  // "If Lee had read the runbook, ...", "Had she waited ...": the counterfactual clause alone.
  std::size_t first = a.first;
  bool conditional = false;
  if (first >= 2 && r_.is(first - 1, "only") && r_.is(first - 2, "if")) {
    first -= 2;
    conditional = true;
  } else if (first >= 1 && r_.is(first - 1, "if")) {
    first -= 1;
    conditional = true;
  } else if (first >= 1 && r_.is(first - 1, "had") && r_.sentence_start(first - 1)) {
    first -= 1;
    conditional = true;
  }
  if (claims(first, p.end)) return;
  const bool has_object = p.object_begin != npos;
  // "gave the customer the wrong steps": two objects cannot both become the subject.
  for (std::size_t k = has_object ? p.object_begin + 1 : npos; has_object && k < p.object_end;
       ++k) {
    if (r_.has(k, wf::determiner) && !r_.is_any(k - 1, {"of", "and", "or"})) {
      rewrite_blocked = true;
      return;
    }
  }
  std::string object = has_object ? object_text(p) : "";
  const bool many = has_object && plural(p.object_begin, p.object_end);
  const std::string be = many ? "were" : "was";
  const std::string it = many ? "them" : "it";
  const verb_info* v = p.complement != nullptr ? p.complement : p.verb;
  std::string_view particle = p.complement != nullptr ? p.complement_particle : p.particle;
  if (v == nullptr || v->participle.empty()) {
    rewrite_blocked = true;  // a verb read by its position only: no form to rewrite with
    return;
  }
  if (frame == rewrite_frame::not_done && p.verb->base == "wait") frame = rewrite_frame::none;
  std::string clause;
  switch (frame) {
    case rewrite_frame::harm: {
      if (!has_object) break;
      const auto base = p.verb->base;
      if ((base == "take" || base == "bring" || base == "knock") && !p.particle.empty()) {
        clause = object + " went down";
      } else if (base == "crash") {
        clause = object + " went down";
      } else if (base == "break") {
        clause = object + " broke";
      } else if (base == "mess" || base == "screw" || base == "botch") {
        clause = object + " went wrong";
      } else if (base == "fat-finger" || base == "mistype") {
        clause = object + " " + be + " mistyped";
      } else {
        clause = object + " " + be + " " + std::string(p.verb->participle);
        if (!particle.empty() && base != "take") clause += " " + std::string(particle);
      }
      set_question("What let the change through, and what would have caught it earlier?");
      break;
    }
    case rewrite_frame::unanswered: {
      if (!has_object) break;
      const bool message_like = r_.find(p.object_begin, p.object_end, "alerts") != npos ||
                                r_.find(p.object_begin, p.object_end, "alert") != npos ||
                                r_.find(p.object_begin, p.object_end, "pages") != npos ||
                                r_.find(p.object_begin, p.object_end, "page") != npos ||
                                r_.find(p.object_begin, p.object_end, "warning") != npos ||
                                r_.find(p.object_begin, p.object_end, "warnings") != npos;
      clause = object + (message_like ? " went unanswered" : " " + be + " missed");
      set_question("What made " + it + " easy to miss?");
      break;
    }
    case rewrite_frame::omission:
    case rewrite_frame::not_done: {
      if (!has_object || v == nullptr) break;
      if (r_.is(p.object_begin, "that") &&
          (v->kind == verb_class::cognition || v->base == "notice" || v->base == "spot" ||
           v->base == "catch")) {
        // "failed to notice that the replica was behind" -> "The replica was behind, and it
        // went unnoticed."
        const std::size_t what_end = r_.clause_end(p.object_begin + 1);
        if (what_end == p.object_begin + 1 || claims(first, what_end)) break;
        edits.push_back(
            {first, what_end, original(p.object_begin + 1, what_end) + ", and it went unnoticed"});
        set_question("What would have made it visible sooner?");
        return;
      }
      std::string participle = std::string(v->participle);
      if (v->kind == verb_class::omission && p.complement == nullptr) {
        participle = std::string(p.verb->participle);
        clause = object + " " + be + " " + participle;
      } else {
        clause = object + " " + be + " not " + participle;
      }
      if (!particle.empty()) clause += " " + std::string(particle);
      set_question(frame == rewrite_frame::omission ? "What would have made the step hard to miss?"
                                                    : "What would have prompted it at the time?");
      break;
    }
    case rewrite_frame::done: {
      if (!has_object) break;
      if (p.kind == verb_class::omission) {
        clause = object + (p.verb->base == "skip" ? " " + be + " skipped" : " went unanswered");
        set_question("What made " + it + " easy to miss?");
        break;
      }
      clause = object + " " + be + " " + std::string(v->participle);
      if (!particle.empty()) clause += " " + std::string(particle);
      set_question("What made that look right at the time?");
      break;
    }
    case rewrite_frame::slip: {
      if (!has_object) break;
      clause = object + " " + be + " " + std::string(v->participle);
      if (!particle.empty()) clause += " " + std::string(particle);
      set_question("What made that look right at the time?");
      break;
    }
    case rewrite_frame::hard_to: {
      // "did not know how to recognize storage exhaustion" -> "storage exhaustion was hard to
      // recognize".
      const std::size_t verb_at = p.end + 2;
      if (verb_at >= r_.size() || r_.verb(verb_at) == nullptr) break;
      const std::size_t obj_first = verb_at + 1;
      std::size_t obj_last = obj_first;
      while (obj_last < r_.size() && !ends_object(r_, obj_last)) ++obj_last;
      if (obj_last == obj_first) break;
      clause = original(obj_first, obj_last) + " " +
               (plural(obj_first, obj_last) ? "were" : "was") + " hard to " +
               original(verb_at, verb_at + 1);
      set_question("What would have made it easier to see?");
      if (!claims(first, obj_last)) {
        edits.push_back({first, obj_last, clause});
        rewrite_coordinated(obj_last, false);
      }
      return;
    }
    case rewrite_frame::none: break;
  }
  if (clause.empty()) {
    rewrite_blocked = true;
    return;
  }
  std::size_t last = has_object ? p.tail_end : p.end;
  if (conditional) {
    // The consequence of a counterfactual is speculation: only the fact stays.
    last = r_.size();
    while (last > 0 && r_.at(last - 1).kind == token_kind::punct) --last;
  }
  edits.push_back({first, last, clause});
  if (!conditional) {
    rewrite_coordinated(last, frame == rewrite_frame::not_done || frame == rewrite_frame::omission);
  }
}

// The same subject's second verb: "did not set up alerting or check the drives", "did not know
// how to recognize X and restarted the wrong systems": "..., and the drives were not checked",
// "... and the wrong systems were restarted".
void sentence_review::rewrite_coordinated(std::size_t from, bool not_done) {
  for (std::size_t k = from; k + 1 < r_.size() && !r_.clause_break(k); ++k) {
    if (!r_.is_any(k, {"and", "or", "nor"})) continue;
    const auto* v = r_.verb(k + 1);
    if (v == nullptr || v->form == wf::verb_form::gerund) return;
    std::size_t o = k + 2;
    std::string_view particle;
    if (o < r_.size() && r_.word(o) && is_particle(r_.at(o).norm) &&
        wf::phrasal_class(v->base, r_.at(o).norm) != verb_class::none) {
      particle = r_.at(o).norm;
      ++o;
    }
    const std::size_t object_first = o;
    while (o < r_.size() && !ends_object(r_, o)) ++o;
    if (o == object_first || claims(k, o)) {
      rewrite_blocked = true;
      return;
    }
    const bool negative = not_done && v->form == wf::verb_form::base;
    // Built by appending: GCC 12 at -O3 reports a false -Wrestrict for "literal" + std::string.
    std::string clause = "and ";
    clause += original(object_first, o);
    clause += plural(object_first, o) ? " were " : " was ";
    if (negative) clause += "not ";
    clause += v->participle;
    if (!particle.empty()) {
      clause += ' ';
      clause += particle;
    }
    edits.push_back({k, o, std::move(clause)});
    return;
  }
}

// ---- assembling the review -----------------------------------------------------------------

std::string capitalise(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

bool is_opener(const token& t) {
  return t.kind == token_kind::punct &&
         (t.norm == "\"" || t.norm == "\xE2\x80\x9C" || t.norm == "(" || t.norm == "[");
}

// "a incident" -> "an incident", after a replacement or a removal changed the next word.
void fix_articles(std::string& out) {
  for (std::size_t i = 0; i + 2 < out.size(); ++i) {
    const bool word_start = i == 0 || out[i - 1] == ' ';
    if (!word_start || (out[i] != 'a' && out[i] != 'A') || out[i + 1] != ' ') continue;
    const char next = out[i + 2];
    if (next == 'a' || next == 'e' || next == 'i' || next == 'o') out.insert(i + 1, "n");
  }
}

// The sentence with the edits applied, or nullopt when nothing sensible is left.
std::optional<std::string> apply_edits(std::string_view text, const sentence& s,
                                       std::vector<edit> edits) {
  std::sort(edits.begin(), edits.end(),
            [](const edit& a, const edit& b) { return a.first < b.first; });
  std::string out;
  bool glue_next = false;
  const auto append = [&](std::string_view piece, bool glued) {
    if (piece.empty()) return;
    if (!out.empty() && !glued && !glue_next && out.back() != ' ') out += ' ';
    out += piece;
    glue_next = false;
  };
  std::size_t i = 0;
  std::size_t e = 0;
  bool after_removal = false;
  while (i < s.tokens.size()) {
    if (e < edits.size() && edits[e].first <= i) {
      if (edits[e].first == i) {
        append(edits[e].text, false);
        after_removal = edits[e].text.empty();
        i = std::max(i, edits[e].last);
      }
      ++e;
      continue;
    }
    const auto& t = s.tokens[i];
    const bool closing = t.kind == token_kind::punct &&
                         (t.norm == "," || t.norm == "." || t.norm == ";" || t.norm == ":" ||
                          t.norm == "!" || t.norm == "?" || t.norm == ")" || t.norm == "]");
    // A comma left at the start, after a removed word, or doubled by a removal, goes too.
    // ("..., which hid the problem" keeps its comma.)
    const bool clause_follows = i + 1 < s.tokens.size() &&
                                (s.tokens[i + 1].norm == "which" || s.tokens[i + 1].norm == "who" ||
                                 s.tokens[i + 1].norm == "and" || s.tokens[i + 1].norm == "but");
    if (t.kind == token_kind::punct && t.norm == "," &&
        (out.empty() || out.back() == ',' || (after_removal && !clause_follows))) {
      ++i;
      after_removal = false;
      continue;
    }
    after_removal = false;
    append(text.substr(t.begin, t.end - t.begin), t.glued || closing);
    glue_next = is_opener(t) && i + 1 < s.tokens.size() && s.tokens[i + 1].glued;
    ++i;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ',')) out.pop_back();
  std::size_t lead = 0;
  while (lead < out.size() && (out[lead] == ' ' || out[lead] == ',')) ++lead;
  out.erase(0, lead);
  if (out.empty()) return std::nullopt;
  fix_articles(out);
  out = capitalise(std::move(out));
  const char last = out.back();
  const bool closed_quote =
      out.size() >= 2 && (last == '"' || last == ')') &&
      (out[out.size() - 2] == '.' || out[out.size() - 2] == '?' || out[out.size() - 2] == '!');
  if (last == '!') {
    out.back() = '.';
  } else if (last != '.' && last != '?' && !closed_quote) {
    out += '.';
  }
  return out;
}

// Whether `needle` (lower case) is in `haystack` as a whole word, in any case.
bool contains_word(std::string_view haystack, std::string_view needle) {
  const auto is_letter = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  std::string h(haystack);
  for (auto& c : h) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  for (auto at = h.find(needle); at != std::string::npos; at = h.find(needle, at + 1)) {
    const bool starts = at == 0 || !is_letter(h[at - 1]);
    const bool ends = at + needle.size() >= h.size() || !is_letter(h[at + needle.size()]);
    if (starts && ends) return true;
  }
  return false;
}

std::vector<raw_finding> non_overlapping(std::vector<raw_finding> found, const sentence& s) {
  // Blame before advice, then the longer quote, then the earlier one.
  std::sort(found.begin(), found.end(), [](const raw_finding& a, const raw_finding& b) {
    const bool a_blame = text_of(a.rule).kind == finding_kind::blame;
    const bool b_blame = text_of(b.rule).kind == finding_kind::blame;
    if (a_blame != b_blame) return a_blame;
    if (a.last - a.first != b.last - b.first) return a.last - a.first > b.last - b.first;
    return a.first < b.first;
  });
  std::vector<raw_finding> kept;
  for (const auto& f : found) {
    if (f.last > s.tokens.size()) continue;
    const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const raw_finding& k) {
      return f.first < k.last && k.first < f.last;
    });
    if (!overlaps) kept.push_back(f);
  }
  std::sort(kept.begin(), kept.end(),
            [](const raw_finding& a, const raw_finding& b) { return a.first < b.first; });
  return kept;
}

// Reviews `text` without rewrites: what a rewrite is checked with.
std::vector<wording_finding> findings_only(std::string_view text, const known_people& people,
                                           bool with_rewrites);

std::optional<std::string> make_rewrite(std::string_view text, const sentence& s,
                                        const sentence_review& review, const known_people& people) {
  if (review.rewrite_blocked) return std::nullopt;
  // No two edits may overlap: the first one wins and a later overlapping one is dropped.
  std::vector<edit> edits;
  for (const auto& e : review.edits) {
    const bool overlaps = std::any_of(edits.begin(), edits.end(), [&](const edit& k) {
      return e.first < k.last && k.first < e.last;
    });
    if (!overlaps) edits.push_back(e);
  }
  auto rewritten = apply_edits(text, s, std::move(edits));
  if (!rewritten) return std::nullopt;
  const bool blame =
      std::any_of(review.findings.begin(), review.findings.end(),
                  [](const raw_finding& f) { return text_of(f.rule).kind == finding_kind::blame; });
  if (!review.question.empty() && (blame || review.question == "What was known at the time?")) {
    *rewritten += " " + review.question;
  }
  // Never name whom the sentence blamed, nor anyone else it blamed through a rule that left them
  // in place ("Mateus acted recklessly").
  auto spans = review.removed_people;
  if (blame) {
    for (const auto& a : review.actors()) {
      if (a.kind != actor_kind::we) spans.emplace_back(a.first, a.last);
    }
  }
  for (const auto& [first, last] : spans) {
    for (std::size_t i = first; i < last; ++i) {
      const auto& t = s.tokens[i];
      if (t.norm.size() < 2 || (flags_of(t.norm) & (wf::determiner | wf::function_word)) != 0) {
        continue;
      }
      const std::string& name = t.norm;
      // Pronouns and two-letter words would match inside other words.
      if (name.size() < 3 || (flags_of(name) & (wf::pronoun | wf::self_word)) != 0) continue;
      if (contains_word(*rewritten, name)) return std::nullopt;
    }
  }
  // The rewrite must pass the review itself.
  if (!findings_only(*rewritten, people, false).empty()) return std::nullopt;
  return rewritten;
}

std::vector<wording_finding> findings_only(std::string_view text, const known_people& people,
                                           bool with_rewrites) {
  std::vector<wording_finding> out;
  for (const auto& s : wording::split_sentences(text)) {
    sentence_review review(text, s, people);
    review.run();
    if (review.findings.empty()) continue;
    const auto kept = non_overlapping(review.findings, s);
    std::optional<std::string> rewrite;
    if (with_rewrites) rewrite = make_rewrite(text, s, review, people);
    const std::string sentence_text(text.substr(s.begin, s.end - s.begin));
    for (const auto& f : kept) {
      const auto& rule = text_of(f.rule);
      const auto begin = s.tokens[f.first].begin;
      const auto end = s.tokens[f.last - 1].end;
      out.push_back({std::string(text.substr(begin, end - begin)), begin, std::string(rule.name),
                     rule.kind, std::string(rule.suggestion), sentence_text, s.begin, rewrite});
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(finding_kind kind) {
  return kind == finding_kind::blame ? "blame" : "advice";
}

std::vector<wording_finding> review_wording(std::string_view text,
                                            std::span<const std::string> people) {
  const known_people known(people);
  return findings_only(text, known, true);
}

answer_review review_answer(std::string_view text, std::span<const std::string> people) {
  answer_review out;
  out.findings = review_wording(text, people);
  out.has_blame = std::any_of(out.findings.begin(), out.findings.end(),
                              [](const auto& f) { return f.kind == finding_kind::blame; });
  if (!out.has_blame) return out;
  std::string rewritten;
  std::size_t copied = 0;
  std::size_t done_sentence = npos;
  for (const auto& f : out.findings) {
    if (f.sentence_offset == done_sentence) continue;
    const bool sentence_blames =
        std::any_of(out.findings.begin(), out.findings.end(), [&](const auto& g) {
          return g.sentence_offset == f.sentence_offset && g.kind == finding_kind::blame;
        });
    if (!sentence_blames) continue;
    if (!f.rewrite) return out;
    rewritten.append(text.substr(copied, f.sentence_offset - copied));
    rewritten += *f.rewrite;
    copied = f.sentence_offset + f.sentence.size();
    done_sentence = f.sentence_offset;
  }
  rewritten.append(text.substr(copied));
  out.rewrite = std::move(rewritten);
  return out;
}

}  // namespace scribe::bot
