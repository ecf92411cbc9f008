#pragma once
// The Matrix Application Service registration for this Scribe (PROTOCOLS.md section 7; the
// specification's application-service registration.yaml): the file a homeserver's admin installs
// (Synapse: app_service_config_files) so that the homeserver pushes events to Scribe with hs_token
// and accepts Scribe's calls with as_token.
//
// Pure functions of the options; safe from any thread.

#include "config/options.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace scribe::app {

// The keys the registration needs that `opts` leaves empty, each written as
// "matrix.as_token (SCRIBE_MATRIX_AS_TOKEN)", in the order of the configuration table; empty when
// the registration can be written. matrix.homeserver_url is among them although the registration
// does not show it: only with it set has the loader checked the Matrix keys together (different
// tokens, server.public_url present).
std::vector<std::string> missing_for_matrix_registration(const config::options& opts);

// The registration as YAML, tokens included: this is the one place Scribe prints them. Every
// string value is double-quoted, so a token or localpart that YAML would read as something else
// ("true", "123", "#x") stays a string. Throws std::logic_error if something is missing (see
// above): callers check first.
std::string matrix_registration(const config::options& opts);

// `text` with each regular-expression metacharacter (\ . ^ $ | ? * + ( ) [ ] { }) preceded by a
// backslash, so that a POSIX or Python regex matches it literally: "example.org" ->
// "example\.org".
std::string escape_regex(std::string_view text);

}  // namespace scribe::app
