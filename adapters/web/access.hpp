#pragma once
// Who may read incident data over HTTP. Incidents are sensitive (who did what during an outage),
// so with `web.token` set every request must carry it as a Bearer token; without it, data is
// served only while the server listens on loopback, where only this machine can ask. Chat
// webhooks never come here: they carry their own signatures.

#include "adapters/http/router.hpp"
#include "config/options.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace scribe::web {

class access_policy {
 public:
  access_policy(const config::web_options& web, const config::server_options& server);

  // nullopt when `req` may read incident data; otherwise the response to send: 401 with
  // WWW-Authenticate for a missing or wrong token, 403 when no token is configured and the server
  // is reachable from other machines.
  std::optional<http::response> refuse(const http::request& req) const;

  // One line for the start-up log: how incident data is protected.
  std::string describe() const;

 private:
  std::string token_;
  bool loopback_only_;
};

// Whether a listen host only accepts connections from this machine.
bool is_loopback_host(std::string_view host);

}  // namespace scribe::web
