#include "app/review.hpp"

#include "adapters/web/review_page.hpp"
#include "bot/wording_review.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <system_error>

namespace scribe::app {
namespace {

// "12:5": the line and column (in bytes, from 1) of `offset`, as compilers print them, so that
// editors jump to the words.
std::string line_and_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return std::to_string(line) + ":" + std::to_string(offset - line_start + 1);
}

void print_readable(std::string_view name, std::string_view text,
                    const std::vector<bot::wording_finding>& findings, std::ostream& out) {
  if (findings.empty()) {
    out << "No blameful or unhelpful wording found.\n";
    return;
  }
  std::size_t blame = 0;
  for (const auto& f : findings) {
    blame += f.kind == bot::finding_kind::blame ? 1 : 0;
    out << name << ":" << line_and_column(text, f.offset) << ": " << bot::to_string(f.kind) << " ("
        << f.rule << "): \"" << f.quote << "\"\n"
        << "  sentence: " << f.sentence << "\n"
        << "  why: " << f.suggestion << "\n"
        << "  rewrite: " << f.rewrite.value_or("(none: say what happened to the system)") << "\n";
  }
  out << findings.size() << (findings.size() == 1 ? " finding" : " findings") << ": " << blame
      << " blame, " << findings.size() - blame << " advice\n";
}

}  // namespace

int review_text(const invocation& inv, std::istream& in, std::ostream& out, std::ostream& err) {
  const bool from_stdin = inv.file.empty() || inv.file == "-";
  std::string text;
  if (from_stdin) {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(inv.file, ec)) {
      err << "scribe: no such file: " << inv.file << '\n';
      return exit_no_input;
    }
    std::ifstream file(inv.file, std::ios::binary);
    std::ostringstream contents;
    contents << file.rdbuf();
    if (!file) {
      err << "scribe: cannot read " << inv.file << '\n';
      return exit_no_input;
    }
    text = std::move(contents).str();
  }
  const auto findings = bot::review_wording(text, web::split_people(inv.people));
  if (inv.json) {
    // Text that is not UTF-8 is replaced in the JSON rather than failing the whole review.
    out << web::review_json(findings).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
        << '\n';
  } else {
    print_readable(from_stdin ? "<stdin>" : inv.file, text, findings, out);
  }
  return findings.empty() ? exit_ok : exit_findings;
}

}  // namespace scribe::app
