#pragma once
// Scribe's error codes for input-dependent failures: what a user, a chat platform or a peer can
// cause. They travel in boost::system::result<T>; adapters map them to replies or 4xx statuses.
// Infrastructure failures (disk, database, bugs) throw instead and are caught at a session or job
// boundary.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <stdexcept>
#include <type_traits>

namespace scribe::bot {

// The store cannot do its work for now: the disk is full, the file is read-only or locked by
// another process, an I/O error. Nothing was changed; the same call may succeed later. The HTTP
// layer answers 503 with Retry-After (chat platforms retry), job workers retry with backoff.
class storage_unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class errc {
  incident_already_open = 1,  // the channel already has an open incident
  no_open_incident,           // the channel has no open incident
  incident_not_found,         // no incident with that id
  entry_not_found,            // no timeline entry for that message
  invalid_argument,           // a value outside what the domain accepts (severity 7, empty title)
  not_a_question,             // a thread reply whose thread is not a postmortem question's
  not_ready_yet,              // depends on something still under way: try again shortly
  no_incident_for_flag,       // a flag made, on a message written, outside every incident
};

const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

template <class T>
using result = boost::system::result<T>;

}  // namespace scribe::bot

template <>
struct boost::system::is_error_code_enum<scribe::bot::errc> : std::true_type {};
