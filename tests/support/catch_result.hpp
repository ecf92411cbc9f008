#pragma once
// Lets Catch2 print a boost::system::result in failure messages: the error's message, or "value".
// Boost's own operator<< would need every value type to be printable.

#include <boost/system/result.hpp>
#include <catch2/catch.hpp>

#include <string>

namespace Catch {
template <class T>
struct StringMaker<boost::system::result<T>> {
  static std::string convert(const boost::system::result<T>& r) {
    return r ? std::string("value") : "error: " + r.error().message();
  }
};
}  // namespace Catch
