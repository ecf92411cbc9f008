#include "adapters/http/error.hpp"

#include <string>

namespace scribe::http {
namespace {

// Boost's error_category has a protected non-virtual destructor by design (categories are static
// singletons, never deleted through a base pointer), which -Wnon-virtual-dtor cannot tell.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class transport_category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "scribe.http"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::unsigned_request: return "the request is not signed";
      case errc::bad_signature: return "the request signature does not match";
      case errc::stale_request: return "the request timestamp is too old or in the future";
      case errc::malformed_request: return "the request body is malformed";
    }
    return "unknown transport error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const transport_category category;
  return category;
}

}  // namespace scribe::http
