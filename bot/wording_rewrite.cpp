// The rewrite of a sentence: the person-focused clause turned into one about its object ("Kevin
// ignored the alerts for two hours" -> "The alerts went unanswered for two hours. What made them
// easy to miss?"), the rules' edits applied, and two guards: no word of a person the sentence
// blamed, and no finding when the rewrite is reviewed again. Null where no frame fits honestly.
#include "bot/wording_sentence_review.hpp"

#include <algorithm>
#include <string>

namespace scribe::bot::wording {

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
  // The object cannot become the subject when it is a clause of its own ("failed to verify
  // that the backup had completed", "assumed the replica was in sync"), and the clause cannot
  // lose its subject when a second verb shares it ("broke our webhooks and didnt even bother
  // to tell us").
  const std::size_t after = p.tail_end != npos ? p.tail_end : p.end;
  // ("failed to notice that X" has a frame of its own below: "X, and it went unnoticed".)
  const verb_info* told = p.complement != nullptr ? p.complement : p.verb;
  const bool noticing = told != nullptr && (told->kind == verb_class::cognition ||
                                            told->base == "notice" || told->base == "spot" ||
                                            told->base == "catch");
  const bool clause_object =
      has_object && ((r_.is_any(p.object_begin, {"that", "whether", "if"}) &&
                      !(noticing && r_.is(p.object_begin, "that"))) ||
                     (p.object_end < r_.size() && r_.has(p.object_end, wf::auxiliary) &&
                      !r_.has(p.object_end, wf::modal)));
  const bool shared_subject =
      r_.is_any(after, {"and", "but", "or"}) &&
      (r_.has(after + 1, wf::auxiliary | wf::negation) ||
       (r_.verb(after + 1) != nullptr && !r_.has(after + 1, wf::determiner) &&
        r_.verb(after + 1)->form != wf::verb_form::gerund &&
        !r_.has(after + 2, wf::auxiliary)));
  // "if you can't read a flame graph": what someone cannot do is no step left undone.
  const bool inability = p.verb_at != npos && p.verb_at > p.begin &&
                         (r_.find(p.begin, p.verb_at, "can't") != npos ||
                          r_.find(p.begin, p.verb_at, "cant") != npos ||
                          r_.find(p.begin, p.verb_at, "cannot") != npos);
  if (clause_object || inability || (shared_subject && frame != rewrite_frame::harm) ||
      (shared_subject && frame == rewrite_frame::harm && r_.has(after + 1, wf::negation))) {
    rewrite_blocked = true;
    return;
  }
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
  // "... might have spotted the bad value if he'd diffed the config": a condition after its
  // consequence, both rewritten, is a second clause of its own.
  if (conditional && first >= 1 && r_.word(first - 1) && !r_.clause_break(first - 1) &&
      !clause.empty()) {
    clause = "; " + clause;
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

namespace {

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
        // ("; the config was not diffed": an edit that opens with a clause break is glued.)
        append(edits[e].text, edits[e].text.starts_with(";"));
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

}  // namespace

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
  if (!review_sentences(*rewritten, people, false).empty()) return std::nullopt;
  return rewritten;
}

}  // namespace scribe::bot::wording
