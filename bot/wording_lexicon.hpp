#pragma once
// The words the wording review knows: which ones name people, roles, teams and systems, which
// verbs harm, omit or merely act, and their inflected forms. Hand-written lists, chosen for
// postmortem writing (docs/wording-review.md says why there is no tagger or stemmer).
//
// Lookups take a lower-case ASCII word (’ already folded to '). The tables are built once, on
// first use (thread-safe static initialisation), and only read afterwards.

#include <cstdint>
#include <string>
#include <string_view>

namespace scribe::bot::wording {

// What a word can be; a word may be several things ("page" is a verb and a noun).
enum word_flag : std::uint32_t {
  determiner = 1u << 0,           // the, a, our, this ...
  first_name = 1u << 1,           // a common given name in many languages
  ambiguous_name = 1u << 2,       // a given name that is also a common word: will, may, mark
  role = 1u << 3,                 // one person by job: engineer, intern, on-call, dba
  team = 1u << 4,                 // a group of people: team, dbas, ops, folks
  team_modifier = 1u << 5,        // names a team only before a team noun or as a subject: platform
  system_word = 1u << 6,          // a program, product or component: nginx, postgres, cache, job
  function_word = 1u << 7,        // never a name: prepositions, conjunctions, common adverbs
  auxiliary = 1u << 8,            // did, was, has, should, can't ...
  negation = 1u << 9,             // not, never, n't forms (with auxiliary)
  adverb = 1u << 10,              // may stand between a subject and its verb: just, then, also
  judgement = 1u << 11,           // careless, sloppy, lazy, reckless (and -ly forms)
  benign = 1u << 12,              // an object whose removal is routine: stale, old, unused, temp
  negative_qualifier = 1u << 13,  // wrong, bad, broken, unreviewed: an act on it was a slip
  safeguard = 1u << 14,           // review, test, dry run, canary: "without a review"
  positive = 1u << 15,            // quick, fix, rollback, helped: "thanks to" is gratitude
  outcome = 1u << 16,             // outage, down, errors, incident: what a harm produced
  derogatory = 1u << 17,          // idiot, slob, clown, cowboy
  drama = 1u << 18,               // disaster, fiasco, nightmare, meltdown
  artifact = 1u << 19,            // what a person makes: change, deploy, script, commit, typo
  modal = 1u << 20,               // should, could, would, must, might, ought
  advice_cue = 1u << 21,          // may start a drama, hindsight or root-cause phrase
  praise_cue = 1u << 22,          // may start praise: great, nice, thanks (sarcasm when it is not)
  self_word = 1u << 23,           // I, me, myself
  pronoun = 1u << 24,             // he, she, him, you: a person
  indefinite = 1u << 25,          // someone, somebody, whoever
  slip_adverb = 1u << 26,         // accidentally, mistakenly, erroneously: the act was a slip
  fault_noun = 1u << 27,          // oversight, mistake, negligence, lapse: an act told as a fault
  ability = 1u << 28,             // skills, knowledge, experience: what "lacked" judges
  capability = 1u << 29,          // ready, qualified, capable: "wasn't ready" judges a person
  cause_noun = 1u << 30,          // cause, culprit, reason, trigger: "the cause was X"
  incapable = 1u << 31,           // incompetent, clueless, unqualified: a verdict on ability
};

// The verb classes that decide what a person as the subject means.
enum class verb_class : std::uint8_t {
  none,
  harm,       // break, take down, delete, crash, wipe, corrupt, cause
  omission,   // forget, fail (to), neglect, miss, overlook, ignore, skip
  action,     // deploy, push, merge, run, restart, change: blameful only with a slip around it
  diligence,  // check, test, read, follow, wait: blameful when not done ("didn't check")
  cognition,  // know, see, notice, realise: "should have known" is hindsight or self-blame
};

enum class verb_form : std::uint8_t {
  base,
  third_person,
  past,
  participle,
  past_or_participle,
  gerund
};

struct verb_info {
  std::string_view base;      // the lemma, "take"
  std::string_view particle;  // "down" for "take down", or empty
  verb_class kind = verb_class::none;
  verb_form form = verb_form::base;
  std::string_view participle;  // "taken": for rewrites in the passive
  bool guessed = false;         // not in the lexicon: read as a verb by its shape ("yeeted")
};

// The flags of a word (0 for an unknown word).
std::uint32_t flags_of(std::string_view lower_word);

// The verb this word is a form of, if any. Phrasal verbs are looked up by their verb ("took" of
// "took down"); the caller checks the particle.
const verb_info* verb_of(std::string_view lower_word);

// The class of a phrasal verb ("take" + "down": harm), or none.
verb_class phrasal_class(std::string_view base, std::string_view particle);

// "renewed" for "renew", "set up" for "set" with particle "up": the past participle of a verb the
// lexicon knows, or a regular one made by rule.
std::string participle_of(std::string_view base);

}  // namespace scribe::bot::wording
