// Fixed phrases that blame whoever they are said of ("dropped the ball", "human error", "my
// bad"), found by their first word, and judgement words left over once the predicate rules have
// read the sentence ("a careless change by Mark"). A phrase that is denied ("not human error")
// or mentioned in quotes is no finding.
#include "bot/wording_sentence_review.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace scribe::bot::wording {
namespace {

struct phrase_rule {
  std::vector<std::string_view> words;
  rule_id rule;
  bool needs_actor;  // a person, team or "I" must be in the sentence
};

// People as the faulty part of the system: "the human in the loop turned out to be the least
// reliable component", "the human element proved the weakest link". The person is named by
// kind, not by name; the verdict is "human error" in other words. Returns the span from the
// human word to the verdict, or {npos, npos}.
std::pair<std::size_t, std::size_t> human_as_weak_part(const sentence_reader& r) {
  std::size_t human = npos;
  for (std::size_t i = 0; i < r.size(); ++i) {
    // "the human", "humans", "the human element", "the people operating it"; not "human-
    // readable" nor "human resources".
    if (human == npos && r.is_any(i, {"human", "humans", "people"}) && !r.punct(i + 1, "-") &&
        !r.is_any(i + 1, {"resources", "readable", "review", "reviewers", "approval"})) {
      human = i;
      continue;
    }
    if (human == npos) continue;
    if (i > human + 10) return {npos, npos};  // too far to be said of the same people
    const bool weakest = (r.is_any(i, {"least", "less"}) && r.is_any(i + 1, {"reliable",
                                                                              "dependable"})) ||
                         (r.is(i, "most") && r.is_any(i + 1, {"unreliable", "fallible"})) ||
                         (r.is_any(i, {"weakest", "weak"}) &&
                          r.is_any(i + 1, {"link", "point", "part", "component", "spot"}));
    if (weakest) return {human, i + 2};
  }
  return {npos, npos};
}

}  // namespace

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
      // "Classic case of Arjun dropping the ball on the handover": the idiom as a gerund.
      {{"dropping", "the", "ball"}, rule_id::competence, true},
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
      {{"rubber", "stamped"}, rule_id::judgement, true},
      {{"rubber", "stamp"}, rule_id::judgement, true},
      {{"over", "his", "head"}, rule_id::competence, true},
      {{"over", "her", "head"}, rule_id::competence, true},
      {{"over", "their", "head"}, rule_id::competence, true},
      {{"over", "their", "heads"}, rule_id::competence, true},
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
      {{"operator", "mistake"}, rule_id::human_error, false},
      {{"operator", "errors"}, rule_id::human_error, false},
      {{"engineer", "error"}, rule_id::human_error, false},
      {{"engineer", "mistake"}, rule_id::human_error, false},
      {{"user", "mistake"}, rule_id::human_error, false},
      {{"admin", "error"}, rule_id::human_error, false},
      {{"user", "error"}, rule_id::human_error, false},
      {{"pilot", "error"}, rule_id::human_error, false},
      {{"human", "mistake"}, rule_id::human_error, false},
      {{"human", "involvement"}, rule_id::human_error, false},
      {{"human", "factor"}, rule_id::human_error, false},
      {{"pebkac"}, rule_id::human_error, false},
      {{"fat-fingered"}, rule_id::human_error, false},
      {{"typo'd"}, rule_id::human_error, true},
      {{"typoed"}, rule_id::human_error, true},
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
      {{"must", "be", "nice"}, rule_id::implied_blame, false},
      {{"interesting", "choice"}, rule_id::implied_blame, false},
      {{"interesting", "decision"}, rule_id::implied_blame, false},
      {{"bold", "move"}, rule_id::implied_blame, false},
      {{"bold", "choice"}, rule_id::implied_blame, false},
      {{"brave", "choice"}, rule_id::implied_blame, false},
      {{"to", "save", "his", "life"}, rule_id::competence, true},
      {{"to", "save", "her", "life"}, rule_id::competence, true},
      {{"to", "save", "their", "life"}, rule_id::competence, true},
      {{"to", "save", "their", "lives"}, rule_id::competence, true},
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
      {{"couldnt", "be", "bothered"}, rule_id::judgement, true},
      {{"strikes", "again"}, rule_id::implied_blame, true},
      {{"struck", "again"}, rule_id::implied_blame, true},
      {{"layer", "8"}, rule_id::human_error, false},
      {{"pebcak"}, rule_id::human_error, false},
      // disclaimers that announce blame, and invitations to supply it
      {{"single", "anyone", "out"}, rule_id::implied_blame, true},
      {{"singling", "anyone", "out"}, rule_id::implied_blame, true},
      {{"draw", "their", "own", "conclusions"}, rule_id::implied_blame, true},
      {{"draw", "your", "own", "conclusions"}, rule_id::implied_blame, true},
      {{"closer", "eye", "on"}, rule_id::implied_blame, true},
      {{"could", "not", "be", "bothered"}, rule_id::judgement, true},
  };
  // The rules by their first word, so each token is compared with the few that can start there.
  static const auto by_first_word = [] {
    std::unordered_map<std::string_view, std::vector<const phrase_rule*>> index;
    for (const auto& rule : rules) index[rule.words.front()].push_back(&rule);
    return index;
  }();
  const bool any_actor = person_present();
  for (std::size_t i = 0; i < r_.size(); ++i) {
    const auto candidates = by_first_word.find(r_.at(i).norm);
    if (candidates == by_first_word.end()) continue;
    for (const auto* rule_at : candidates->second) {
      const auto& rule = *rule_at;
      if (!matches_words(r_, i, rule.words)) continue;
      const std::size_t last = i + rule.words.size();
      // Negated or quoted: "This is not incompetence", "not human error", "the "careless" label".
      // A verdict may be denied a few words back in the same clause ("None of this is
      // incompetence", "it was never a case of human error"), but "not just" still asserts, and
      // "no prizes for guessing who" is sarcasm, not a denial.
      const bool verdict = rule.rule == rule_id::competence || rule.rule == rule_id::human_error ||
                           rule.rule == rule_id::judgement;
      const bool negated = rule.words.front() != "not" && [&] {
        if (i >= 1 && r_.is_any(i - 1, {"not", "no", "isn't", "wasn't", "never"})) return true;
        for (std::size_t k = i; verdict && k > 0 && k + 4 > i && !r_.clause_break(k - 1); --k) {
          if (r_.is_any(k - 1, {"just", "only", "merely", "simply", "but"})) return false;
          if (r_.is_any(k - 1, {"not", "none", "nothing", "isn't", "wasn't", "never"})) return true;
        }
        return false;
      }();
      const bool guarded = (rule.rule == rule_id::human_error && r_.is(i, "fat")) ||
                           r_.is(i, "fat-finger") || r_.is(i, "fat-fingers");
      // A phrase in quotes after a word of naming is mentioned, not used: stop treating "human
      // error" as an explanation. (A quoted phrase may still be used: an "operator error"
      // mistyped the command.)
      const bool mentioned =
          is_quoted(r_, i) && i >= 2 &&
          r_.is_any(i - 2, {"treating", "treat", "calling", "call", "called", "term", "label",
                            "labelling", "labeling", "word", "words", "phrase", "saying", "say",
                            "write", "writing", "use", "using"});
      // The same phrase in quotes as the topic of a piece of writing ("the chapter on 'human
      // error'", "a talk about "operator error"") or as the name of a thing after "the" ("the
      // "human error" field") is mentioned too; "it was "human error"" still uses it.
      const std::size_t closing = last;
      const bool topic =
          is_quoted(r_, i) && i >= 3 && r_.is_any(i - 2, {"on", "about"}) &&
          r_.is_any(i - 3, {"chapter", "section", "talk", "book", "article", "paper", "essay",
                            "post", "session", "workshop", "reading", "lecture", "course"});
      const bool named_thing =
          is_quoted(r_, i) && i >= 2 && r_.is(i - 2, "the") && r_.word(closing + 1) &&
          r_.is_any(closing + 1, {"field", "label", "column", "category", "tag", "box", "option",
                                  "checkbox", "dropdown", "entry", "heading", "section", "metric",
                                  "taxonomy", "classification", "value", "template", "form"});
      if (negated || mentioned || topic || named_thing) continue;
      const std::size_t after = r_.punct(last, "\"") ? last + 1 : last;  // the "fat finger" guard
      if (guarded && r_.is_any(after, {"guard", "protection", "check", "prevention", "proofing",
                                       "safeguard", "detection", "protections"})) {
        continue;
      }
      if (r_.is(i, "human") && r_.punct(i + 2, "-")) continue;  // "human-in-the-loop"
      // "the human error rate metric": the phrase names a measure, not a verdict.
      // ("human error rate", "operator error codes": a plain noun right after it.)
      if (rule.rule == rule_id::human_error && r_.word(last) && r_.verb(last) == nullptr &&
          r_.at(last - 1).norm.starts_with("error") && !r_.is_any(last, {"issue", "problem"}) &&
          !r_.has(last, wf::function_word | wf::auxiliary | wf::adverb | wf::modal |
                            wf::determiner | wf::negation)) {
        continue;
      }
      // ("Who thought it was a good idea to ...?": the question names its someone.)
      if (rule.needs_actor && !any_actor && !(i >= 1 && r_.is_any(i - 1, {"who", "whoever"}))) {
        continue;
      }
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
      add(i, last,
          only_self() && (rule.rule == rule_id::judgement || rule.rule == rule_id::competence)
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
  // Only when no phrase rule has said it already ("human error ... weakest link").
  if (findings.empty()) {
    if (const auto [first, last] = human_as_weak_part(r_); first != npos) {
      add(first, last, rule_id::human_error);
      rewrite_blocked = true;
    }
  }
}

// Judgement words that no predicate rule has covered: "It was a careless change by Mark",
// "Sloppy work from @ivan left the port open". A judgement of a system is not about a person:
// "the health check was careless about timeouts".
void sentence_review::check_judgement_words() {
  const bool any_actor = person_present();
  for (std::size_t i = 0; i < r_.size(); ++i) {
    if (!r_.has(i, wf::judgement)) continue;
    if (is_quoted(r_, i)) continue;  // a word mentioned, not used: the "careless" label
    const bool about_act = r_.has(i + 1, wf::artifact) || r_.has(i + 1, wf::role);
    // "The decision to deploy during peak hours was reckless": a person's act, judged.
    const bool act_judged = [&] {
      if (i < 2 || !r_.is_any(i - 1, {"was", "is", "were", "seems", "seemed"})) return false;
      const std::size_t start = r_.clause_begin(i);
      return r_.has(start, wf::determiner) && r_.has(start + 1, wf::artifact) &&
             !r_.has(start + 1, wf::system_word);
    }();
    if (!any_actor && !about_act && !act_judged) continue;
    // Applied to a system subject: "The health check was careless".
    const std::size_t start = r_.clause_begin(i);
    bool system_subject = false;
    for (std::size_t k = start; k < i && !act_judged; ++k) {
      if (r_.has(k, wf::system_word) && !any_actor) system_subject = true;
    }
    if (system_subject) continue;
    add(i, i + 1, rule_id::judgement);
    // "The decision was reckless": without the word nothing is said, so no rewrite.
    if (i >= 1 && r_.is_any(i - 1, {"was", "is", "were", "are", "seems", "seemed"})) {
      rewrite_blocked = true;
    }
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

}  // namespace scribe::bot::wording
