#pragma once
// Running blocking work (a SQLite call) off the network threads.
//
// A handler that must block co_awaits offload(pool, fn): fn runs on a thread of `pool`, and the
// handler resumes on its own executor (its connection's strand), never on the pool's thread, with
// fn's result or fn's exception rethrown. Network threads therefore never block on storage.
//
// Lifetime: `pool` and the awaiting coroutine's io_context must outlive the call; join the pool
// before destroying the io_context. Cancellation is not supported: a blocking call cannot be
// interrupted, so a cancelled awaiting coroutine still waits for fn to return.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace scribe::http {
namespace detail {

struct offload_initiation {
  template <class Handler, class Fn>
  void operator()(Handler handler, boost::asio::thread_pool* pool, Fn fn) const {
    // Tracked work keeps the awaiting coroutine's io_context running while fn is on the pool.
    auto resume_on = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                         boost::asio::execution::outstanding_work.tracked);
    boost::asio::post(*pool, [handler = std::move(handler), fn = std::move(fn),
                              resume_on = std::move(resume_on)]() mutable {
      using result_type = std::invoke_result_t<Fn>;
      std::exception_ptr failure;
      if constexpr (std::is_void_v<result_type>) {
        try {
          std::invoke(std::move(fn));
        } catch (...) {
          failure = std::current_exception();
        }
        boost::asio::post(resume_on, [handler = std::move(handler), failure]() mutable {
          std::move(handler)(failure);
        });
      } else {
        std::optional<result_type> value;
        try {
          value.emplace(std::invoke(std::move(fn)));
        } catch (...) {
          failure = std::current_exception();
        }
        boost::asio::post(
            resume_on, [handler = std::move(handler), failure, value = std::move(value)]() mutable {
              std::move(handler)(failure, std::move(value));
            });
      }
    });
  }
};

}  // namespace detail

// Runs `fn()` on `pool` and resumes the caller on its own executor with the result. An exception
// thrown by fn propagates to the awaiting coroutine. The result is returned by value.
template <class Fn>
boost::asio::awaitable<std::invoke_result_t<Fn>> offload(boost::asio::thread_pool& pool, Fn fn) {
  using result_type = std::invoke_result_t<Fn>;
  static_assert(!std::is_reference_v<result_type>,
                "offload returns by value: a reference into the pool's work would dangle");
  // The awaitable completion token rethrows a non-null exception_ptr in the awaiting coroutine.
  if constexpr (std::is_void_v<result_type>) {
    co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                         void(std::exception_ptr)>(
        detail::offload_initiation{}, boost::asio::use_awaitable, &pool, std::move(fn));
  } else {
    std::optional<result_type> value =
        co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                             void(std::exception_ptr, std::optional<result_type>)>(
            detail::offload_initiation{}, boost::asio::use_awaitable, &pool, std::move(fn));
    co_return std::move(*value);
  }
}

}  // namespace scribe::http
