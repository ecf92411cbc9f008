#pragma once
// Chooses and opens the store that `storage.url` names.

#include "bot/incident_store.hpp"
#include "config/options.hpp"

#include <memory>

namespace scribe::storage {

// "sqlite:<path>". Throws std::runtime_error naming the URL's problem or the file that could not
// be opened; the caller stops start-up with it.
std::unique_ptr<bot::incident_store> open_store(const config::storage_options& options);

}  // namespace scribe::storage
