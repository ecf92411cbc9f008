#pragma once
// Scoring the wording review on a labelled corpus (tests/fixtures/wording/README.md describes
// the format): the figures bench/wording prints and the corpus test in tests/bot gates on.
//
// A sentence labelled blame is caught when the reviewer gives it at least one blame finding; a
// sentence labelled none or advice with a blame finding is a false positive; an advice sentence is
// caught when it gets an advice finding. Per category: recall over the sentences labelled with
// it, and precision over the sentences where a rule of that name fired (right when the sentence's
// label is the rule's kind).

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace scribe::bench {

enum class label { blame, advice, none };

struct corpus_line {
  std::size_t line_number = 0;  // 1-based, in its file
  label expected = label::none;
  std::string category;
  std::string sentence;
  std::string source;  // "written", the URL the sentence is quoted from, or "after <URL>": a
                       // paraphrase of that page (where its terms forbid verbatim copies)
  std::vector<std::string> people;  // known people of the incident, as written
};

// Reads a corpus file. Throws std::runtime_error naming the file and line for anything that does
// not follow the format (a label or category that is not known, too few or too many columns).
std::vector<corpus_line> load_corpus(const std::filesystem::path& file);

// What a reviewer found in one sentence: each finding's rule, and whether its kind is blame.
struct verdict_finding {
  std::string rule;
  bool blame = false;
};
using reviewer = std::function<std::vector<verdict_finding>(const corpus_line&)>;

struct category_score {
  std::size_t labelled = 0;     // sentences labelled with this category
  std::size_t caught = 0;       // of those, found as their label says (blame: a blame finding...)
  std::size_t fired = 0;        // sentences where a rule of this name fired
  std::size_t fired_right = 0;  // of those, labelled with the rule's kind
};

struct corpus_score {
  std::size_t blame = 0, blame_caught = 0;
  std::size_t advice = 0, advice_caught = 0, advice_with_blame = 0;
  std::size_t none = 0, none_with_blame = 0;
  std::size_t with_blame = 0, with_blame_right = 0;  // sentences given a blame finding
  std::map<std::string, category_score> categories;
  std::vector<const corpus_line*> missed;           // blame or advice not caught
  std::vector<const corpus_line*> false_positives;  // none or advice with a blame finding

  double blame_recall() const;
  double blameless_false_positive_rate() const;  // of the none sentences
};

// Runs `review` over every line. The score points into `corpus`, which must outlive it.
corpus_score score(const std::vector<corpus_line>& corpus, const reviewer& review);

// A Markdown table per category and the overall figures, for a part named `part`.
std::string format_score(std::string_view part, const corpus_score& s);

std::string_view to_string(label l);

}  // namespace scribe::bench
