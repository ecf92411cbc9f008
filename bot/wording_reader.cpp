#include "bot/wording_reader.hpp"

namespace scribe::bot::wording {

sentence_reader::sentence_reader(const sentence& s, const known_people& people)
    : t_(s.tokens), people_(people) {
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
      // ("the nightly export", "a costly mistake": after a determiner it describes a noun.)
      const bool after_determiner = !flags_.empty() && (flags_.back() & wf::determiner) != 0;
      if (w.size() > 4 && w.ends_with("ly") && !after_determiner) {
        f = wf::adverb;
      } else if (w.size() > 4 && w.ends_with("ed") && !t.capitalised) {
        guessed_.push_back(wf::verb_info{std::string_view(w).substr(0, w.size() - 2), "",
                                         verb_class::action, wf::verb_form::past_or_participle, w,
                                         true});
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

bool matches(const sentence_reader& r, std::size_t i,
             std::initializer_list<std::string_view> words) {
  return matches_words(r, i, words);
}

bool is_quoted(const sentence_reader& r, std::size_t i) {
  if (i == 0 || r.at(i - 1).kind != token_kind::punct) return false;
  const auto& q = r.at(i - 1).norm;
  return q == "\"" || q == "\xE2\x80\x9C" || q == "'";
}

}  // namespace scribe::bot::wording
