#pragma once
// Runs one request through a router as the server's session would, without a socket: the handler
// and whatever it offloads complete before this returns.

#include "adapters/http/router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <utility>

namespace scribe::test_support {

// On `ioc`, which must not be running yet (objects that need an io_context, such as a job
// worker, can be built on it beforehand).
inline http::response dispatch_request(boost::asio::io_context& ioc, const http::router& routes,
                                       http::request req) {
  auto result = boost::asio::co_spawn(
      ioc, http::dispatch(routes, http::request_context{std::move(req), {}, {}, {}}),
      boost::asio::use_future);
  ioc.run();
  return result.get();
}

inline http::response dispatch_request(const http::router& routes, http::request req) {
  boost::asio::io_context ioc;
  return dispatch_request(ioc, routes, std::move(req));
}

}  // namespace scribe::test_support
