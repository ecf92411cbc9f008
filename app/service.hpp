#pragma once
// `scribe serve`: builds the running service from its options and runs it until SIGTERM/SIGINT.
// This is the one place that names concrete implementations (the store, the server).

#include "adapters/site/access.hpp"
#include "config/options.hpp"

#include <cstdint>
#include <string>

namespace scribe::app {

// The line `scribe serve` prints on stdout once it listens on `port` with the playground on (the
// README's run command ends there): the playground's address, or, when `access` refuses every
// page (listening beyond loopback without web.token), that the playground will answer 403 and
// what to change instead.
std::string playground_banner(const config::server_options& server,
                              const site::access_policy& access, std::uint16_t port);

// Runs until a stop signal and returns a process exit code (see cli.hpp). Logs why it failed.
int serve(const config::options& options);

}  // namespace scribe::app
