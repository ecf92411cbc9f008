#include "bot/error.hpp"

#include <string>

namespace scribe::bot {
namespace {

// Boost's error_category has a protected non-virtual destructor by design (categories are static
// singletons, never deleted through a base pointer), which -Wnon-virtual-dtor cannot tell.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class scribe_category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "scribe"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::incident_already_open: return "the channel already has an open incident";
      case errc::no_open_incident: return "the channel has no open incident";
      case errc::incident_not_found: return "no such incident";
      case errc::entry_not_found: return "no such timeline entry";
      case errc::invalid_argument: return "invalid argument";
      case errc::not_a_question: return "not a reply to a postmortem question";
      case errc::not_ready_yet: return "not ready yet, try again shortly";
      case errc::no_incident_for_flag: return "no incident was open when the message was flagged";
    }
    return "unknown scribe error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const scribe_category category;
  return category;
}

}  // namespace scribe::bot
