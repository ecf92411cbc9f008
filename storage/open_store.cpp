#include "storage/open_store.hpp"

#include "storage/pg_store.hpp"
#include "storage/sqlite_store.hpp"

#include <stdexcept>
#include <string_view>

namespace scribe::storage {

opened_store open_store(const config::storage_options& options) {
  constexpr std::string_view sqlite_scheme = "sqlite:";
  const std::string_view url = options.url;
  if (url.starts_with(sqlite_scheme)) {
    auto store =
        std::make_shared<sqlite_store>(std::filesystem::path(url.substr(sqlite_scheme.size())));
    return {store, store, store, store, store, 1};
  }
  if (url.starts_with("postgresql://")) {
    auto store = std::make_shared<pg_store>(options.url, options.connections);
    return {store, store, store, store, nullptr, options.connections};
  }
  throw std::runtime_error("storage.url: unsupported store");
}

}  // namespace scribe::storage
