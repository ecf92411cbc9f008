#include "app/matrix_registration.hpp"

#include "config/keys.hpp"

#include <yaml-cpp/yaml.h>

#include <stdexcept>
#include <utility>

namespace scribe::app {
namespace {

// The registration's id: it names the appservice in the homeserver (and in the ping endpoint,
// /_matrix/client/v1/appservice/{appserviceId}/ping), so it stays fixed.
constexpr std::string_view registration_id = "scribe";

void quoted(YAML::Emitter& out, std::string_view key, const std::string& value) {
  out << YAML::Key << std::string(key) << YAML::Value << YAML::DoubleQuoted << value;
}

}  // namespace

std::vector<std::string> missing_for_matrix_registration(const config::options& opts) {
  const std::vector<std::pair<std::string, const std::string*>> needed{
      {"server.public_url", &opts.server.public_url},
      {"matrix.homeserver_url", &opts.matrix.homeserver_url},
      {"matrix.server_name", &opts.matrix.server_name},
      {"matrix.as_token", &opts.matrix.as_token},
      {"matrix.hs_token", &opts.matrix.hs_token},
  };
  std::vector<std::string> missing;
  for (const auto& [key, value] : needed) {
    if (value->empty()) missing.push_back(key + " (" + config::env_name_for(key) + ")");
  }
  return missing;
}

std::string escape_regex(std::string_view text) {
  constexpr std::string_view special = "\\.^$|?*+()[]{}";
  std::string out;
  out.reserve(text.size() * 2);
  for (char c : text) {
    if (special.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// The users namespace holds only Scribe's own user (@sender_localpart:server_name), exclusive so
// that nobody else can register it. Scribe creates no virtual users, aliases or rooms, so those
// namespaces are empty; rate_limited applies to masqueraded users only (the sender is exempt
// anyway), and Scribe needs no ephemeral events (typing, receipts).
std::string matrix_registration(const config::options& opts) {
  if (!missing_for_matrix_registration(opts).empty()) {
    throw std::logic_error("matrix_registration: the Matrix keys are not all set");
  }
  const config::matrix_options& matrix = opts.matrix;
  YAML::Emitter out;
  out << YAML::BeginMap;
  quoted(out, "id", std::string(registration_id));
  quoted(out, "url", opts.server.public_url);
  quoted(out, "as_token", matrix.as_token);
  quoted(out, "hs_token", matrix.hs_token);
  quoted(out, "sender_localpart", matrix.sender_localpart);
  out << YAML::Key << "rate_limited" << YAML::Value << false;
  out << YAML::Key << "namespaces" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "exclusive" << YAML::Value << true;
  quoted(out, "regex",
         "@" + escape_regex(matrix.sender_localpart) + ":" + escape_regex(matrix.server_name));
  out << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "aliases" << YAML::Value << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
  out << YAML::Key << "rooms" << YAML::Value << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
  out << YAML::EndMap;
  out << YAML::Key << "receive_ephemeral" << YAML::Value << false;
  out << YAML::EndMap;
  if (!out.good()) throw std::logic_error("matrix_registration: " + out.GetLastError());

  std::string text;
  text += "# Scribe's Matrix Application Service registration (see the README, \"Connecting to\n";
  text +=
      "# Matrix\"). It holds Scribe's as_token and hs_token: let only the homeserver read it.\n";
  text += out.c_str();
  text += '\n';
  return text;
}

}  // namespace scribe::app
