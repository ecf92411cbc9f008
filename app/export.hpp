#pragma once
// `scribe export INC-<n>`: the incident's latest postmortem draft, printed for a terminal, a wiki
// import or a pipe. Reads the store directly, so it works while `scribe serve` runs (SQLite
// allows readers beside the writer) and when it does not.

#include "config/options.hpp"

#include <ostream>
#include <string>

namespace scribe::app {

// Prints the Markdown to `out`; says on `err` why it could not, or that what it printed is a
// preview (no draft was posted yet). Returns an exit code (cli.hpp).
int export_postmortem(const config::options& options, const std::string& label,
                      const std::string& workspace, std::ostream& out, std::ostream& err);

}  // namespace scribe::app
