#include "storage/open_store.hpp"

#include "storage/pg_store.hpp"
#include "storage/sqlite_store.hpp"

#include <stdexcept>
#include <string_view>

namespace scribe::storage {

opened_store open_store(const config::storage_options& options, open_mode mode) {
  constexpr std::string_view sqlite_scheme = "sqlite:";
  const std::string_view url = options.url;
  if (url.starts_with(sqlite_scheme)) {
    const std::filesystem::path file(url.substr(sqlite_scheme.size()));
    if (mode == open_mode::existing && !std::filesystem::exists(file)) {
      throw no_database("there is no database at " + file.string() + " (storage.url)");
    }
    auto store = std::make_shared<sqlite_store>(file);
    return {store, store, store, store, store, 1};
  }
  if (url.starts_with("postgresql://")) {
    auto store = std::make_shared<pg_store>(options.url, options.connections);
    return {store, store, store, store, nullptr, options.connections};
  }
  throw std::runtime_error("storage.url: unsupported store");
}

}  // namespace scribe::storage
