// The review of a whole text: sentence by sentence, the findings of each kept where they do not
// overlap (blame before advice, then the longer quote), each with its sentence's rewrite; and
// review_answer, what a reply in chat needs in one call.
#include "bot/wording_review.hpp"

#include "bot/wording_sentence_review.hpp"
#include "bot/wording_text.hpp"

#include <algorithm>
#include <string>

namespace scribe::bot {
namespace wording {
namespace {

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

// The rules look around each word within its sentence, so a sentence costs more than its
// length; a run-on "sentence" (a pasted log, a paragraph without full stops) is read in pieces of
// at most this many tokens, cut after a clause break where there is one, which keeps the review
// linear in the length of any text. Real sentences are far shorter.
constexpr std::size_t max_sentence_tokens = 120;

std::vector<sentence> bounded(std::vector<sentence> sentences) {
  std::vector<sentence> out;
  out.reserve(sentences.size());
  for (auto& s : sentences) {
    if (s.tokens.size() <= max_sentence_tokens) {
      out.push_back(std::move(s));
      continue;
    }
    sentence piece;
    const auto flush = [&] {
      if (piece.tokens.empty()) return;
      piece.begin = piece.tokens.front().begin;
      piece.end = piece.tokens.back().end;
      out.push_back(std::move(piece));
      piece = sentence{};
    };
    for (auto& t : s.tokens) {
      const bool clause_break =
          t.kind == token_kind::punct && (t.norm == "," || t.norm == ";" || t.norm == ":");
      piece.tokens.push_back(std::move(t));
      if (piece.tokens.size() >= max_sentence_tokens ||
          (clause_break && piece.tokens.size() >= max_sentence_tokens / 2)) {
        flush();
      }
    }
    flush();
  }
  return out;
}

}  // namespace

std::vector<wording_finding> review_sentences(std::string_view text, const known_people& people,
                                              bool with_rewrites) {
  std::vector<wording_finding> out;
  for (const auto& s : bounded(wording::split_sentences(text))) {
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

}  // namespace wording

std::string_view to_string(finding_kind kind) {
  return kind == finding_kind::blame ? "blame" : "advice";
}

std::vector<wording_finding> review_wording(std::string_view text,
                                            std::span<const std::string> people) {
  const wording::known_people known(people);
  return wording::review_sentences(text, known, true);
}

answer_review review_answer(std::string_view text, std::span<const std::string> people) {
  answer_review out;
  out.findings = review_wording(text, people);
  out.has_blame = std::any_of(out.findings.begin(), out.findings.end(),
                              [](const auto& f) { return f.kind == finding_kind::blame; });
  if (!out.has_blame) return out;
  std::string rewritten;
  std::size_t copied = 0;
  std::size_t done_sentence = wording::npos;
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
