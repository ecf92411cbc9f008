#pragma once
// Errors of the transport: what a request from a chat platform (or anyone posing as one) can get
// wrong before Scribe understands it. They travel in boost::system::result<T> like bot::errc, and
// the HTTP layer answers them with a 4xx; the domain's own errors stay in bot/error.hpp.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <type_traits>

namespace scribe::http {

enum class errc {
  unsigned_request = 1,  // a request that should carry a signature has none
  bad_signature,         // the signature does not match the body
  stale_request,         // the signed timestamp is outside the accepted window
  malformed_request,     // a body or field that cannot be parsed as its protocol says
};

const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

template <class T>
using result = boost::system::result<T>;

}  // namespace scribe::http

template <>
struct boost::system::is_error_code_enum<scribe::http::errc> : std::true_type {};
