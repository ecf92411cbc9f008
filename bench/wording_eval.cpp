#include "bench/wording_eval.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <set>
#include <stdexcept>

namespace scribe::bench {
namespace {

struct known_category {
  std::string_view name;
  label kind;
};

// The categories of BLAMELESS.md's taxonomy and the kinds of blameless sentence the corpus holds.
constexpr std::array<known_category, 18> known_categories{{
    {"person_as_cause", label::blame},
    {"counterfactual", label::blame},
    {"judgement", label::blame},
    {"competence", label::blame},
    {"human_error", label::blame},
    {"team_blame", label::blame},
    {"passive_blame", label::blame},
    {"implied_blame", label::blame},
    {"self_blame", label::blame},
    {"dramatising", label::advice},
    {"hindsight", label::advice},
    {"root_cause", label::advice},
    {"system_failure", label::none},
    {"system_should_have", label::none},
    {"person_acting_well", label::none},
    {"observation", label::none},
    {"lookalike", label::none},
    {"neutral", label::none},
}};

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  while (true) {
    const auto at = text.find(separator);
    out.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\r')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  return std::string(text);
}

std::string percent(std::size_t part, std::size_t whole) {
  if (whole == 0) return "–";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%",
                100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

}  // namespace

std::string_view to_string(label l) {
  switch (l) {
    case label::blame: return "blame";
    case label::advice: return "advice";
    case label::none: return "none";
  }
  return "none";
}

std::vector<corpus_line> load_corpus(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::vector<corpus_line> out;
  std::string text;
  std::size_t number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.empty() || text.front() == '#') continue;
    const auto where = file.string() + ":" + std::to_string(number) + ": ";
    const auto columns = split(text, '\t');
    if (columns.size() < 4 || columns.size() > 5) {
      throw std::runtime_error(where + "expected 4 or 5 tab-separated columns, found " +
                               std::to_string(columns.size()));
    }
    corpus_line line;
    line.line_number = number;
    const known_category* category = nullptr;
    for (const auto& known : known_categories) {
      if (known.name == columns[1]) category = &known;
    }
    if (category == nullptr) throw std::runtime_error(where + "unknown category " + columns[1]);
    if (to_string(category->kind) != columns[0]) {
      throw std::runtime_error(where + "category " + columns[1] + " belongs to label " +
                               std::string(to_string(category->kind)) + ", not " + columns[0]);
    }
    line.expected = category->kind;
    line.category = columns[1];
    line.sentence = columns[2];
    line.source = columns[3];
    if (line.sentence.empty() || line.source.empty()) {
      throw std::runtime_error(where + "the sentence and the source must not be empty");
    }
    if (columns.size() == 5) {
      for (const auto& person : split(columns[4], ',')) {
        if (auto name = trimmed(person); !name.empty()) line.people.push_back(std::move(name));
      }
    }
    out.push_back(std::move(line));
  }
  return out;
}

double corpus_score::blame_recall() const {
  return blame == 0 ? 1.0 : static_cast<double>(blame_caught) / static_cast<double>(blame);
}

double corpus_score::blameless_false_positive_rate() const {
  return none == 0 ? 0.0 : static_cast<double>(none_with_blame) / static_cast<double>(none);
}

corpus_score score(const std::vector<corpus_line>& corpus, const reviewer& review) {
  corpus_score s;
  for (const auto& line : corpus) {
    const auto findings = review(line);
    bool any_blame = false;
    bool any_advice = false;
    std::set<std::string> rules_fired;
    for (const auto& f : findings) {
      (f.blame ? any_blame : any_advice) = true;
      if (rules_fired.insert(f.rule).second) {
        auto& c = s.categories[f.rule];
        ++c.fired;
        if (line.expected == (f.blame ? label::blame : label::advice)) ++c.fired_right;
      }
    }
    auto& own = s.categories[line.category];
    ++own.labelled;
    if (any_blame) {
      ++s.with_blame;
      if (line.expected == label::blame) ++s.with_blame_right;
    }
    switch (line.expected) {
      case label::blame:
        ++s.blame;
        if (any_blame)
          ++s.blame_caught, ++own.caught;
        else
          s.missed.push_back(&line);
        break;
      case label::advice:
        ++s.advice;
        if (any_advice)
          ++s.advice_caught, ++own.caught;
        else
          s.missed.push_back(&line);
        if (any_blame) ++s.advice_with_blame, s.false_positives.push_back(&line);
        break;
      case label::none:
        ++s.none;
        // For a blameless sentence, "caught" means it was left without a blame finding.
        if (any_blame)
          ++s.none_with_blame, s.false_positives.push_back(&line);
        else
          ++own.caught;
        break;
    }
  }
  return s;
}

std::string format_score(std::string_view part, const corpus_score& s) {
  std::string out = "### " + std::string(part) + "\n\n";
  out +=
      "| category | label | sentences | recall (none: left without blame) | rule fired on | "
      "precision |\n|---|---|---|---|---|---|\n";
  for (const auto& known : known_categories) {
    const auto found = s.categories.find(std::string(known.name));
    if (found == s.categories.end()) continue;
    const auto& c = found->second;
    out += "| " + std::string(known.name) + " | " + std::string(to_string(known.kind)) + " | " +
           std::to_string(c.labelled) + " | " + percent(c.caught, c.labelled) + " | " +
           (known.kind == label::none ? "–" : std::to_string(c.fired)) + " | " +
           (known.kind == label::none ? "–" : percent(c.fired_right, c.fired)) + " |\n";
  }
  for (const auto& entry : s.categories) {
    const auto& name = entry.first;
    const auto& c = entry.second;
    const bool listed = std::any_of(known_categories.begin(), known_categories.end(),
                                    [&name](const auto& k) { return k.name == name; });
    if (listed) continue;
    out += "| " + name + " (rule only) | | 0 | – | " + std::to_string(c.fired) + " | " +
           percent(c.fired_right, c.fired) + " |\n";
  }
  out += "\n| figure | value |\n|---|---|\n";
  out += "| blame recall | " + percent(s.blame_caught, s.blame) + " (" +
         std::to_string(s.blame_caught) + " of " + std::to_string(s.blame) + ") |\n";
  out += "| blame precision | " + percent(s.with_blame_right, s.with_blame) + " (" +
         std::to_string(s.with_blame_right) + " of " + std::to_string(s.with_blame) + ") |\n";
  out += "| blameless (none) with a blame finding | " + percent(s.none_with_blame, s.none) + " (" +
         std::to_string(s.none_with_blame) + " of " + std::to_string(s.none) + ") |\n";
  out += "| advice recall | " + percent(s.advice_caught, s.advice) + " (" +
         std::to_string(s.advice_caught) + " of " + std::to_string(s.advice) + ") |\n";
  out += "| advice with a blame finding | " + percent(s.advice_with_blame, s.advice) + " (" +
         std::to_string(s.advice_with_blame) + " of " + std::to_string(s.advice) + ") |\n";
  return out;
}

}  // namespace scribe::bench
