// Advice, not blame: drama ("disaster", "of course", shouting), hindsight about the situation
// ("in hindsight", "should have been obvious", "the signs were there") and "the root cause".
// Each gets a finding of kind advice and, where a word can go or be replaced, an edit.
#include "bot/wording_sentence_review.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace scribe::bot::wording {

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
    const bool opener =
        r_.sentence_start(i) &&
        ((r_.is_any(i, {"naturally", "predictably", "unsurprisingly"}) && r_.punct(i + 1, ",")) ||
         matches(r_, i, {"needless", "to", "say"}));
    // The same words as an aside: "The obvious question, naturally: why ...".
    const bool aside = i >= 1 && r_.punct(i - 1, ",") &&
                       r_.is_any(i, {"naturally", "predictably", "unsurprisingly"}) &&
                       (r_.punct(i + 1, ",") || r_.punct(i + 1, ":"));
    if (aside) {
      add(i, i + 1, rule_id::dramatising);
      edits.push_back({i - 1, i + 1, ""});
      continue;
    }
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
        matches(r_, i, {"knowing", "what", "we", "know", "now"}) ? 5
        : matches(r_, i, {"looking", "at", "it", "now"}) ? 4
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
    // "With twenty-twenty vision it's easy to see": perfect sight, said after the fact.
    if ((w == "twenty-twenty" || w == "20/20") && r_.is_any(i + 1, {"vision", "hindsight"})) {
      add(i, i + 2, rule_id::hindsight);
      rewrite_blocked = true;
      i += 1;
      continue;
    }
    if (w == "hindsight" && !r_.is(i + 1, "bias") &&
        (i == 0 || !r_.is_any(i - 1, {"in", "with"}))) {
      add(i, i + 1, rule_id::hindsight);  // "with 20/20 hindsight"
      rewrite_blocked = true;
      continue;
    }
    // "Retrospectively, the 3% error rate was a sign": the same hindsight as "in retrospect".
    if (w == "clearly" || w == "retrospectively" ||
        (w == "plainly" && r_.find(0, i, "now") != npos)) {
      add(i, i + 1, rule_id::hindsight);
      edits.push_back({i, r_.punct(i + 1, ",") ? i + 2 : i + 1, ""});
      continue;
    }
    // "should have been obvious", "should've been obvious".
    const std::size_t been = matches(r_, i, {"should", "have", "been"}) ? i + 3
                             : r_.is_any(i, {"should've", "shouldve"}) && r_.is(i + 1, "been")
                                 ? i + 2
                                 : npos;
    if (been != npos && r_.is_any(been, {"obvious", "clear", "caught", "noticed", "spotted", "seen",
                                         "expected", "foreseen", "apparent", "evident", "plain"})) {
      add(i, been + 1, rule_id::hindsight);
      rewrite_blocked = true;
      continue;
    }
    // "after the fact", "the writing was on the wall", "could hardly have been more apparent".
    if (matches(r_, i, {"after", "the", "fact"}) ||
        matches(r_, i, {"writing", "was", "on", "the", "wall"}) ||
        (r_.is(i, "could") && r_.is(i + 1, "hardly") &&
         r_.find(i, std::min(r_.size(), i + 6), "more") != npos)) {
      add(i, i + (r_.is(i, "writing") ? 5 : 3), rule_id::hindsight);
      rewrite_blocked = true;
      continue;
    }
    // "obvious now", "evident now", "plain as day now": clarity that came with the outcome.
    const bool plain_word = r_.is_any(i, {"obvious", "clear", "evident", "plain", "apparent"});
    const std::size_t now_at = plain_word && matches(r_, i + 1, {"as", "day"}) ? i + 3 : i + 1;
    if (plain_word && r_.is_any(now_at, {"now", "afterwards"})) {
      add(i, now_at + 1, rule_id::hindsight);
      rewrite_blocked = true;
      continue;
    }
    // "It was always going to end this way": an outcome told as inevitable once it is known.
    if (matches(r_, i, {"always", "going", "to"}) &&
        r_.is_any(i + 3, {"end", "happen", "fail", "break", "blow"})) {
      add(i, i + 4, rule_id::hindsight);
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

}  // namespace scribe::bot::wording
