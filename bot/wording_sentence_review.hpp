#pragma once
// The review of one sentence, shared by the rule families (bot/wording_*_rules.cpp) and the
// rewrite (bot/wording_rewrite.cpp).

#include "bot/wording_predicate.hpp"
#include "bot/wording_reader.hpp"
#include "bot/wording_review.hpp"
#include "bot/wording_rules.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scribe::bot::wording {

// How rewrite_clause turns a person-focused clause into one about its object.
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

// A finding before it becomes a wording_finding: the tokens it quotes and its rule.
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

// The review of one sentence: the rules' findings, the edits that make its rewrite, and the
// people the rewrite leaves out. run() applies every rule once; the rules live in the
// wording_*_rules.cpp files, one family each, and the rewrite in bot/wording_rewrite.cpp.
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
  void check_attribution();
  void check_fault_nouns();
  void check_team_faults();
  void check_causal_frames();
  const actor* agent_in_phrase(std::size_t from, std::size_t& act_noun) const;
  // The cause named through a relative clause with a person in it ("a change that Marcus
  // pushed"), from a causal phrase at `first` whose object starts at `from`.
  void blame_relative_agent(std::size_t first, std::size_t from);
  void check_cause_subject();
  void check_zero_relatives();
  void check_passive_agents();
  void counterfactual_act_noun(const actor& a, std::size_t by, std::size_t start);
  void check_phrases();
  void check_competence();
  void check_corrective_measures();
  void check_conduct();
  void check_implied();
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
  // A person, a team, the writer or someone unnamed is in the sentence ("we" is not).
  bool person_present() const {
    return std::any_of(actors_.begin(), actors_.end(),
                       [](const actor& a) { return a.kind != actor_kind::we; });
  }
  // Someone other than the writer is in the sentence.
  bool other_present() const {
    return std::any_of(actors_.begin(), actors_.end(), [](const actor& a) {
      return a.kind != actor_kind::we && a.kind != actor_kind::self;
    });
  }
  // What is said of someone unnamed ("who ...?", "whoever was on call ..."), judged like any
  // subject's; blame found there is implied blame, and has no rewrite.
  void check_unnamed(const actor& a, const predicate& p);
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
  // A secret put where others can read it: "shared in a public channel", "committed to the
  // public repository", "pasted in plaintext".
  bool exposes_secret() const;
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
  bool relative_or_question_ = false;       // set per subject by check_subject
  std::vector<std::size_t> caused_actors_;  // actors (by first token) a cause marker named
};

// The artifact a possessive actor owns: "Kevin's change", "Hiroshi's bad merge" (up to two
// describing words between); npos when there is none.
std::size_t owned_artifact(const sentence_reader& r, const actor& a);

// The whole text reviewed sentence by sentence; with_rewrites false is what a rewrite is checked
// with (bot/wording_review.cpp).
std::vector<wording_finding> review_sentences(std::string_view text, const known_people& people,
                                              bool with_rewrites);

// The rewrite of a reviewed sentence, or nullopt (bot/wording_rewrite.cpp).
std::optional<std::string> make_rewrite(std::string_view text, const sentence& s,
                                        const sentence_review& review, const known_people& people);

}  // namespace scribe::bot::wording
