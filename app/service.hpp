#pragma once
// `scribe serve`: builds the running service from its options and runs it until SIGTERM/SIGINT.
// This is the one place that names concrete implementations (the store, the server).

#include "config/options.hpp"

namespace scribe::app {

// Runs until a stop signal and returns a process exit code (see cli.hpp). Logs why it failed.
int serve(const config::options& options);

}  // namespace scribe::app
