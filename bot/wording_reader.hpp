#pragma once
// One sentence as the rules read it: its tokens, each word's flags and verb form looked up once,
// clause boundaries, and the actors in it. Pure; lives as long as the sentence it reads.

#include "bot/wording_actors.hpp"
#include "bot/wording_lexicon.hpp"
#include "bot/wording_text.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

namespace scribe::bot::wording {

namespace wf = ::scribe::bot::wording;  // flags read as wf::judgement, wf::role

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

class sentence_reader {
 public:
  // Reads the sentence's words once: their flags and verb forms, with words the lexicon does
  // not list read by their shape. Keeps references to `s` and `people`, which must outlive it.
  sentence_reader(const sentence& s, const known_people& people);

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
  // `v` in the form `f`: "ignoring" after "keeps" is said like "ignores".
  const verb_info* in_form(const verb_info* v, wf::verb_form f) const {
    if (v == nullptr || v->form == f) return v;
    guessed_.push_back(*v);
    guessed_.back().form = f;
    return &guessed_.back();
  }
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
  // Verbs read by their shape, and verbs seen in another form ("keeps ignoring" reads as
  // "ignores"); a deque keeps their addresses. Filled while reading, hence mutable.
  mutable std::deque<verb_info> guessed_;
};

// "tion", "ment", "ness"...: a word shaped like a noun is no name and no verb.
bool noun_like_suffix(std::string_view w);

// Whether the words from token i are `words`, in order.
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
             std::initializer_list<std::string_view> words);

// A word in quotes is mentioned, not used: the "careless" label, a "disaster" drill.
bool is_quoted(const sentence_reader& r, std::size_t i);

}  // namespace scribe::bot::wording
