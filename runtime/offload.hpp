#pragma once
// Running store calls off the network threads.
//
// A handler that must block co_awaits offload(store, fn): fn runs on the store thread
// (store_thread.hpp), and the handler resumes on its own executor (its connection's strand),
// never on the store thread, with fn's result or fn's exception rethrown, and only once fn's
// changes are committed. Network threads therefore never block on storage.
//
// Lifetime: `store` and the awaiting coroutine's io_context must outlive the call; join the store
// thread before destroying the io_context. Cancellation is not supported: a blocking call cannot
// be interrupted, so a cancelled awaiting coroutine still waits for fn to return.

#include "runtime/store_thread.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace scribe::runtime {
namespace detail {

// fn's outcome: its value (none for void) or its exception.
template <class Result>
struct outcome {
  std::optional<Result> value;
  std::exception_ptr failure;
  template <class Fn>
  void run(Fn& fn) {
    value.emplace(std::invoke(std::move(fn)));
  }
};

template <>
struct outcome<void> {
  std::exception_ptr failure;
  template <class Fn>
  void run(Fn& fn) {
    std::invoke(std::move(fn));
  }
};

template <class Handler, class Fn, class Executor>
class offload_task final : public store_task {
 public:
  offload_task(Handler handler, Fn fn, Executor resume_on)
      : handler_(std::move(handler)), fn_(std::move(fn)), resume_on_(std::move(resume_on)) {}

  void run() noexcept override {
    try {
      outcome_.run(fn_);
    } catch (...) {
      outcome_.failure = std::current_exception();
    }
  }

  void finish(std::exception_ptr group_failure) noexcept override {
    // fn's own exception says more than the group's about the call that raised it.
    if (!outcome_.failure) outcome_.failure = group_failure;
    boost::asio::post(resume_on_,
                      [handler = std::move(handler_), outcome = std::move(outcome_)]() mutable {
                        if constexpr (std::is_void_v<std::invoke_result_t<Fn>>) {
                          std::move(handler)(outcome.failure);
                        } else {
                          std::move(handler)(outcome.failure, std::move(outcome.value));
                        }
                      });
  }

 private:
  Handler handler_;
  Fn fn_;
  Executor resume_on_;
  outcome<std::invoke_result_t<Fn>> outcome_;
};

struct offload_initiation {
  template <class Handler, class Fn>
  void operator()(Handler handler, store_thread* store, Fn fn) const {
    // Tracked work keeps the awaiting coroutine's io_context running while fn is on the store
    // thread.
    auto resume_on = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                         boost::asio::execution::outstanding_work.tracked);
    store->submit(std::make_unique<offload_task<Handler, Fn, decltype(resume_on)>>(
        std::move(handler), std::move(fn), std::move(resume_on)));
  }
};

}  // namespace detail

// Runs `fn()` on the store thread and resumes the caller on its own executor with the result once
// it is committed. An exception thrown by fn, or a failed commit, propagates to the awaiting
// coroutine. The result is returned by value.
template <class Fn>
boost::asio::awaitable<std::invoke_result_t<Fn>> offload(store_thread& store, Fn fn) {
  using result_type = std::invoke_result_t<Fn>;
  static_assert(!std::is_reference_v<result_type>,
                "offload returns by value: a reference into the store thread's work would dangle");
  // The awaitable completion token rethrows a non-null exception_ptr in the awaiting coroutine.
  if constexpr (std::is_void_v<result_type>) {
    co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                         void(std::exception_ptr)>(
        detail::offload_initiation{}, boost::asio::use_awaitable, &store, std::move(fn));
  } else {
    std::optional<result_type> value =
        co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                             void(std::exception_ptr, std::optional<result_type>)>(
            detail::offload_initiation{}, boost::asio::use_awaitable, &store, std::move(fn));
    co_return std::move(*value);
  }
}

}  // namespace scribe::runtime
