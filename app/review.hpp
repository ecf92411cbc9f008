#pragma once
// `scribe review [--json] [--people "Dave,@kim"] [FILE|-]`: the wording review of any text, for
// a terminal, a pre-commit hook or the CI of a postmortem repository. Reads no configuration and
// opens no database.

#include "app/cli.hpp"

#include <istream>
#include <ostream>

namespace scribe::app {

// Reviews inv.file (standard input `in` when it is empty or "-") and prints the findings on
// `out`: readable lines (where, sentence, why, rewrite), or with inv.json the JSON of
// POST /api/review. Returns exit_ok without findings, exit_findings with some, exit_no_input when
// the file cannot be read (said on `err`).
int review_text(const invocation& inv, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace scribe::app
