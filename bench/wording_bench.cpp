// The wording review on its labelled corpora and on a long text:
//
//   scribe_wording_bench [--misses] [--words N] [--runs N] [CORPUS.tsv ...]
//
// Without corpus files it reads tests/fixtures/wording/dev.tsv and, when it exists,
// tests/fixtures/wording/heldout.tsv of the source tree. For each: precision and recall per
// category, blame recall and the share of blameless sentences given a blame finding
// (bench/wording_eval.hpp says how each is counted); --misses also lists the sentences missed and
// the false positives. Then the time to review a text of N words (default 10,000) made of the
// corpora's sentences: the median and the slowest of `runs` runs (default 50).

#include "bench/wording_eval.hpp"
#include "bot/wording_review.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace scribe;
using stopwatch = std::chrono::steady_clock;

std::vector<bench::verdict_finding> review_line(const bench::corpus_line& line) {
  std::vector<bench::verdict_finding> out;
  for (const auto& f : bot::review_wording(line.sentence, line.people)) {
    out.push_back({f.rule, f.kind == bot::finding_kind::blame});
  }
  return out;
}

std::size_t word_count(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

long parse_count(std::string_view text, const char* what) {
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 1) {
    throw std::invalid_argument(std::string(what) + " must be a whole number >= 1");
  }
  return value;
}

void print_lines(const char* heading, const std::vector<const bench::corpus_line*>& lines) {
  if (lines.empty()) return;
  std::printf("\n%s:\n", heading);
  for (const auto* line : lines) {
    std::printf("  %zu  %s/%s  %s\n", line->line_number,
                std::string(bench::to_string(line->expected)).c_str(), line->category.c_str(),
                line->sentence.c_str());
  }
}

int run(int argc, char** argv) {
  bool misses = false;
  long words = 10'000;
  long runs = 50;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--misses") {
      misses = true;
    } else if ((arg == "--words" || arg == "--runs") && i + 1 < argc) {
      const char* name = argv[i];
      ++i;
      (arg == "--words" ? words : runs) = parse_count(argv[i], name);
    } else if (!arg.starts_with("-")) {
      files.emplace_back(arg);
    } else {
      throw std::invalid_argument("unknown argument " + std::string(arg));
    }
  }
  if (files.empty()) {
    const std::filesystem::path fixtures =
        std::filesystem::path(SCRIBE_SOURCE_DIR) / "tests" / "fixtures" / "wording";
    files.push_back(fixtures / "dev.tsv");
    if (std::filesystem::exists(fixtures / "heldout.tsv")) {
      files.push_back(fixtures / "heldout.tsv");
    } else {
      std::printf("(no held-out part at %s yet)\n\n", (fixtures / "heldout.tsv").c_str());
    }
  }

  std::string long_text;
  for (const auto& file : files) {
    const auto corpus = bench::load_corpus(file);
    const auto s = bench::score(corpus, review_line);
    std::printf("%s\n", bench::format_score(file.filename().string(), s).c_str());
    if (misses) {
      print_lines("missed", s.missed);
      print_lines("blame findings on none or advice", s.false_positives);
      std::printf("\n");
    }
    for (const auto& line : corpus)
      long_text += line.sentence + (line.line_number % 5 ? " " : "\n\n");
  }

  // The corpora's sentences again and again, as paragraphs, up to the word count.
  const std::string unit = long_text;
  while (word_count(long_text) < static_cast<std::size_t>(words)) long_text += unit;
  // Cut at the space after the last word wanted.
  std::size_t seen = 0;
  bool in_word = false;
  for (std::size_t i = 0; i < long_text.size(); ++i) {
    const bool space = long_text[i] == ' ' || long_text[i] == '\n' || long_text[i] == '\t';
    if (space && in_word && ++seen == static_cast<std::size_t>(words)) {
      long_text.resize(i);
      break;
    }
    in_word = !space;
  }
  std::vector<double> ms;
  std::size_t found = 0;
  for (long i = 0; i < runs; ++i) {
    const auto start = stopwatch::now();
    found = bot::review_wording(long_text).size();
    ms.push_back(std::chrono::duration<double, std::milli>(stopwatch::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf(
      "| text | words | bytes | findings | median | slowest |\n|---|---|---|---|---|---|\n");
  std::printf("| the corpora's sentences | %zu | %zu | %zu | %.2f ms | %.2f ms |\n",
              word_count(long_text), long_text.size(), found, ms[ms.size() / 2], ms.back());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scribe_wording_bench: %s\n", e.what());
    return 2;
  }
}
