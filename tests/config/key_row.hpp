#pragma once
// The key table's row for a name, for tests that check one key at a time.

#include "config/keys.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

namespace scribe::test_support {

inline const config::key_spec& key_row(std::string_view name) {
  const auto& table = config::key_table();
  auto found = std::find_if(table.begin(), table.end(),
                            [&](const config::key_spec& key) { return key.name == name; });
  if (found == table.end()) throw std::logic_error("no row " + std::string(name));
  return *found;
}

}  // namespace scribe::test_support
